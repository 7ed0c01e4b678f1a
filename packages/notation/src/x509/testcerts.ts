// Test-only helpers: mint small PKIs and notation envelopes with WebCrypto + pkijs so the profile,
// algorithm and envelope rules can be exercised beyond the RSA-PSS upstream corpus. Not exported.
import { createPrivateKey, constants, sign as cryptoSign, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { encode, Tag } from 'cbor2';
import * as pkijs from 'pkijs';
import { OID } from './oids.ts';

type CryptoKey = webcrypto.CryptoKey;
const subtle = webcrypto.subtle;
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });

export type KeySpec = { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521' } | { kind: 'rsa'; bits: number };

export interface TestKey {
  readonly spec: KeySpec;
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
  readonly nodePrivate: KeyObject;
}

export async function makeKey(spec: KeySpec): Promise<TestKey> {
  const pair = (spec.kind === 'ec'
    ? await subtle.generateKey({ name: 'ECDSA', namedCurve: spec.curve }, true, ['sign', 'verify'])
    : await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  return { spec, publicKey: pair.publicKey, privateKey: pair.privateKey, nodePrivate: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }) };
}

export interface CertOptions {
  readonly subject: Record<string, string>; // e.g. { C: 'US', ST: 'WA', O: 'Acme', CN: 'leaf' }
  readonly key: TestKey;
  readonly issuer?: { readonly subject: Record<string, string>; readonly key: TestKey };
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  readonly pathLen?: number;
  readonly bcCritical?: boolean;
  readonly noBasicConstraints?: boolean;
  /** keyUsage bit numbers (RFC 5280: 0 digitalSignature, 5 keyCertSign, 6 cRLSign). */
  readonly keyUsageBits?: readonly number[];
  readonly kuCritical?: boolean;
  readonly eku?: readonly string[];
  readonly ekuCritical?: boolean;
  readonly hash?: 'SHA-1' | 'SHA-256' | 'SHA-384';
  readonly serial?: number;
}

const NAME_OIDS: Record<string, string> = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };

function name(target: pkijs.RelativeDistinguishedNames, attrs: Record<string, string>): void {
  for (const [k, v] of Object.entries(attrs)) {
    const value = k === 'C' ? new asn1js.PrintableString({ value: v }) : new asn1js.Utf8String({ value: v });
    target.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: NAME_OIDS[k] ?? k, value }));
  }
}

function keyUsage(bits: readonly number[]): ArrayBuffer {
  const bytes = new Uint8Array(2);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  const len = bytes[1] ? 2 : 1;
  const last = bytes[len - 1] ?? 0;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return new asn1js.BitString({ valueHex: bytes.slice(0, len).buffer, unusedBits: last ? unused : 0 }).toBER(false);
}

export async function makeCert(o: CertOptions): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: o.serial ?? Math.floor(Math.random() * 1e9) + 1 });
  name(cert.subject, o.subject);
  name(cert.issuer, o.issuer?.subject ?? o.subject);
  cert.notBefore.value = o.notBefore ?? new Date('2020-01-01T00:00:00Z');
  cert.notAfter.value = o.notAfter ?? new Date('2040-01-01T00:00:00Z');
  await cert.subjectPublicKeyInfo.importKey(o.key.publicKey, engine);
  const exts: pkijs.Extension[] = [];
  if (!o.noBasicConstraints) {
    const bc = new pkijs.BasicConstraints({ cA: o.ca ?? false, ...(o.pathLen === undefined ? {} : { pathLenConstraint: o.pathLen }) });
    exts.push(new pkijs.Extension({ extnID: OID.basicConstraints, critical: o.bcCritical ?? true, extnValue: bc.toSchema().toBER(false) }));
  }
  const ku = o.keyUsageBits ?? (o.ca ? [5, 6] : [0]);
  if (ku.length) exts.push(new pkijs.Extension({ extnID: OID.keyUsage, critical: o.kuCritical ?? true, extnValue: keyUsage(ku) }));
  if (o.eku) {
    exts.push(new pkijs.Extension({ extnID: OID.extKeyUsage, critical: o.ekuCritical ?? false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [...o.eku] }).toSchema().toBER(false) }));
  }
  cert.extensions = exts;
  const signer = o.issuer?.key ?? o.key;
  await cert.sign(signer.privateKey, o.hash ?? 'SHA-256', engine);
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/** A root → intermediate → leaf code-signing PKI. */
export async function makePki(leafSpec: KeySpec = { kind: 'ec', curve: 'P-256' }) {
  const rootKey = await makeKey({ kind: 'ec', curve: 'P-384' });
  const rootName = { C: 'US', ST: 'WA', O: 'Acme', CN: 'Acme Root' };
  const root = await makeCert({ subject: rootName, key: rootKey, ca: true, pathLen: 1 });
  const intKey = await makeKey({ kind: 'ec', curve: 'P-256' });
  const intName = { C: 'US', ST: 'WA', O: 'Acme', CN: 'Acme Intermediate' };
  const intermediate = await makeCert({ subject: intName, key: intKey, issuer: { subject: rootName, key: rootKey }, ca: true, pathLen: 0 });
  const leafKey = await makeKey(leafSpec);
  const leafName = { C: 'US', ST: 'WA', L: 'Seattle', O: 'Acme', OU: 'Build', CN: 'Acme Signer' };
  const leaf = await makeCert({ subject: leafName, key: leafKey, issuer: { subject: intName, key: intKey }, eku: ['1.3.6.1.5.5.7.3.3'] });
  return { root, rootKey, rootName, intermediate, intKey, intName, leaf, leafKey, leafName, chain: [leaf, intermediate, root] };
}

export type Alg = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
const HASH: Record<Alg, string> = { PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

export function rawSign(alg: Alg, key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = HASH[alg];
  const opts = alg.startsWith('PS')
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[hash] }
    : { key, dsaEncoding: 'ieee-p1363' as const };
  return new Uint8Array(cryptoSign(hash, data, opts));
}

export const SUBJECT = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1234 };

export function payloadBytes(annotations?: Record<string, string>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ targetArtifact: { ...SUBJECT, ...(annotations ? { annotations } : {}) } }));
}

export interface JwsParts {
  readonly alg: Alg;
  readonly key: KeyObject;
  readonly chain: readonly Uint8Array[];
  readonly protectedHeader?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly payload?: Uint8Array;
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export function makeJws(p: JwsParts): Uint8Array {
  const prot = p.protectedHeader ?? {
    alg: p.alg,
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'],
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': '2024-01-01T00:00:00Z',
    'io.cncf.notary.expiry': '2030-01-01T00:00:00Z',
  };
  const protectedB64 = b64u(JSON.stringify(prot));
  const payloadB64 = b64u(p.payload ?? payloadBytes());
  const sig = rawSign(p.alg, p.key, new TextEncoder().encode(`${protectedB64}.${payloadB64}`));
  const header = p.header ?? { x5c: p.chain.map((c) => Buffer.from(c).toString('base64')), 'io.cncf.notary.signingAgent': 'ocx-test/1.0' };
  return new TextEncoder().encode(JSON.stringify({ payload: payloadB64, protected: protectedB64, header, signature: b64u(sig) }));
}

export const COSE_ALG_ID: Record<Alg, number> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

export interface CoseParts {
  readonly alg: Alg;
  readonly key: KeyObject;
  readonly chain: readonly Uint8Array[];
  /** Protected header bytes to use verbatim (default: a standard notary.x509 map). */
  readonly protectedBytes?: Uint8Array;
  readonly unprotected?: Map<unknown, unknown>;
  readonly payload?: Uint8Array;
}

export function defaultCoseProtected(alg: Alg): Map<unknown, unknown> {
  return new Map<unknown, unknown>([
    [1, COSE_ALG_ID[alg]],
    [2, ['io.cncf.notary.signingScheme']],
    [3, 'application/vnd.cncf.notary.payload.v1+json'],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', new Tag(1, 1704067200)],
  ]);
}

export function makeCose(p: CoseParts): Uint8Array {
  const prot = p.protectedBytes ?? encode(defaultCoseProtected(p.alg));
  const payload = p.payload ?? payloadBytes();
  const toBeSigned = encode(['Signature1', prot, new Uint8Array(0), payload]);
  const sig = rawSign(p.alg, p.key, toBeSigned);
  const unprot = p.unprotected ?? new Map<unknown, unknown>([[33, p.chain.length === 1 ? p.chain[0] : [...p.chain]], ['io.cncf.notary.signingAgent', 'ocx-test/1.0']]);
  return encode(new Tag(18, [prot, unprot, payload, sig]));
}
