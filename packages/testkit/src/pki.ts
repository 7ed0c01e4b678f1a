// Test-only (`@ocx/testkit/pki`, apart from the index so only certificate-minting tests load pkijs):
// a root CA and a code-signing leaf under notation's certificate requirements
// (signature-specification.md "Certificate Requirements"), minted with WebCrypto + pkijs.
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type Key = webcrypto.CryptoKey;
const subtle = webcrypto.subtle;
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });

export type Alg = { name: 'RSASSA-PKCS1-v1_5'; modulusLength: number; publicExponent: Uint8Array; hash: string } | { name: 'ECDSA'; namedCurve: string; hash: string };
export const RSA3072: Alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
export const P256: Alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
export const P384: Alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };

export interface TestPki {
  readonly keyPem: string;
  /** leaf then root. */
  readonly chainPem: string;
  readonly rootPem: string;
  readonly leafSubject: string;
}

const NAME_OIDS: Record<string, string> = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', CN: '2.5.4.3' };

function setName(target: pkijs.RelativeDistinguishedNames, attrs: [string, string][]): void {
  for (const [k, v] of attrs) {
    const value = k === 'C' ? new asn1js.PrintableString({ value: v }) : new asn1js.Utf8String({ value: v });
    target.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: NAME_OIDS[k]!, value }));
  }
}

/** keyUsage as a DER BIT STRING: bit 0 digitalSignature (0x80), bits 5+6 keyCertSign+cRLSign (0x06). */
function keyUsage(byte: number, unusedBits: number): ArrayBuffer {
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits }).toBER(false);
}

export async function makeCert(
  subject: [string, string][],
  issuer: [string, string][],
  publicKey: Key,
  signingKey: Key,
  hash: string,
  ca: boolean,
  serial: number,
  eku: { oid: string; critical: boolean } = { oid: '1.3.6.1.5.5.7.3.3', critical: false },
): Promise<pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: serial });
  setName(cert.subject, subject);
  setName(cert.issuer, issuer);
  cert.notBefore.value = new Date(Date.now() - 3600_000);
  cert.notAfter.value = new Date(Date.now() + 365 * 86400_000);
  await cert.subjectPublicKeyInfo.importKey(publicKey, engine);
  const bc = new pkijs.BasicConstraints({ cA: ca, ...(ca ? { pathLenConstraint: 1 } : {}) });
  cert.extensions = [
    new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: bc.toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: ca ? keyUsage(0x06, 1) : keyUsage(0x80, 7) }),
    ...(ca ? [] : [new pkijs.Extension({ extnID: '2.5.29.37', critical: eku.critical, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [eku.oid] }).toSchema().toBER(false) })]),
  ];
  await cert.sign(signingKey, hash, engine);
  return cert;
}

export const engineFor = engine;
export const pem = (label: string, der: ArrayBuffer | Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(der as ArrayBuffer).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

export async function makePki(alg: Alg, leafCn = 'ocx-signer'): Promise<TestPki> {
  const gen = () => subtle.generateKey(alg as never, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
  const rootKeys = await gen();
  const leafKeys = await gen();
  const rootName: [string, string][] = [['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'ocx test'], ['CN', 'ocx test root']];
  const leafName: [string, string][] = [['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'ocx test'], ['CN', leafCn]];
  const root = await makeCert(rootName, rootName, rootKeys.publicKey, rootKeys.privateKey, alg.hash, true, 1);
  const leaf = await makeCert(leafName, rootName, leafKeys.publicKey, rootKeys.privateKey, alg.hash, false, 2);
  const rootPem = pem('CERTIFICATE', root.toSchema(true).toBER(false));
  return {
    keyPem: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', leafKeys.privateKey)),
    chainPem: pem('CERTIFICATE', leaf.toSchema(true).toBER(false)) + rootPem,
    rootPem,
    leafSubject: `CN=${leafCn}, O=ocx test, L=Seattle, ST=WA, C=US`,
  };
}

/**
 * A self-signed P-256 certificate carrying the given extensions (extnValue contents as DER bytes),
 * for tests that read extensions (e.g. Fulcio claims, 1.3.6.1.4.1.57264.1.*) without verifying a chain.
 */
export async function certWithExtensions(extensions: readonly { oid: string; value: Uint8Array }[], cn = 'ocx-test'): Promise<Uint8Array> {
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await makeCert([['CN', cn]], [['CN', cn]], keys.publicKey, keys.privateKey, 'SHA-256', false, 7);
  cert.extensions = [...(cert.extensions ?? []), ...extensions.map((e) => new pkijs.Extension({ extnID: e.oid, extnValue: new Uint8Array(e.value).buffer }))];
  await cert.sign(keys.privateKey, 'SHA-256', engine);
  return new Uint8Array(cert.toSchema().toBER(false));
}
