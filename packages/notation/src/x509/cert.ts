// A parsed X.509 certificate with the few views the notation profile needs: DER, raw issuer/subject
// Name bytes (RFC 5280 name chaining compares encodings), typed extensions and a Node key object.
// Parsing and signature checks are node:crypto's (native); the fields Node does not expose come from
// a small DER reader (der.ts). pkijs is loaded only by CMS, OCSP and CRL code (pkijs-view.ts).
import { createHash, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { NotationError } from '../errors.ts';
import { certificateFields, parseBasicConstraints, parseExtKeyUsage, parseKeyUsage, readTlv, type NameAttribute, type RawExtension } from './der.ts';
import { OID } from './oids.ts';

export interface CertKeyInfo {
  readonly type: 'rsa' | 'ec' | 'other';
  /** RSA modulus bits or EC curve size in bits. */
  readonly bits: number;
  /** Node curve name for EC keys (e.g. prime256v1). */
  readonly curve?: string;
}

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly rawSubject: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithmOid: string;
  /** Lowercase hex SHA-256 of the DER (notation's `io.cncf.notary.x509chain.thumbprint#S256`). */
  readonly sha256: string;
  readonly publicKey: KeyObject;
  readonly key: CertKeyInfo;
  readonly node: NodeX509;
  /** X.509 version field: 0 = v1, 2 = v3. */
  readonly version: number;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly extensions: readonly RawExtension[];
}

/** Anything that carries certificate DER: raw bytes, a ParsedCertificate, node or @peculiar X509. */
export type CertificateInput =
  | Uint8Array
  | ParsedCertificate
  | { readonly raw: Uint8Array }
  | { readonly rawData: ArrayBuffer };

/** keyUsage bits as flags (RFC 5280 §4.2.1.3 bit n ↦ 1 << n). */
export const KeyUsage = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

function certDer(input: CertificateInput): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if ('der' in input && input.der instanceof Uint8Array) return input.der;
  if ('raw' in input && input.raw instanceof Uint8Array) return input.raw;
  if ('rawData' in input && input.rawData instanceof ArrayBuffer) return new Uint8Array(input.rawData);
  throw new NotationError('CERT_INVALID', 'unsupported certificate input');
}

function keyInfo(key: KeyObject): CertKeyInfo {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return { type: 'rsa', bits: d.modulusLength ?? 0 };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = d.namedCurve ?? '';
    return { type: 'ec', bits: CURVE_BITS[curve] ?? 0, curve };
  }
  return { type: 'other', bits: 0 };
}

const cache = new WeakMap<Uint8Array, ParsedCertificate>();

/** Parse one DER certificate (or pass through an already parsed one). */
export function parseCertificate(input: CertificateInput): ParsedCertificate {
  if (!(input instanceof Uint8Array) && 'der' in input && 'extensions' in input) return input;
  const der = certDer(input);
  const hit = cache.get(der);
  if (hit) return hit;
  let node: NodeX509;
  let fields: ReturnType<typeof certificateFields>;
  try {
    node = new NodeX509(der);
    fields = certificateFields(der);
  } catch (cause) {
    throw new NotationError('CERT_INVALID', 'cannot parse X.509 certificate', { cause });
  }
  const publicKey = node.publicKey;
  const parsed: ParsedCertificate = {
    der,
    subject: nameToString(fields.subjectAttributes),
    issuer: nameToString(fields.issuerAttributes),
    rawSubject: fields.rawSubject,
    rawIssuer: fields.rawIssuer,
    serialNumber: node.serialNumber.toLowerCase(),
    notBefore: new Date(node.validFrom),
    notAfter: new Date(node.validTo),
    signatureAlgorithmOid: fields.signatureAlgorithmOid,
    sha256: createHash('sha256').update(der).digest('hex'),
    publicKey,
    key: keyInfo(publicKey),
    node,
    version: fields.version,
    subjectAttributes: fields.subjectAttributes,
    extensions: fields.extensions,
  };
  cache.set(der, parsed);
  return parsed;
}

/** Parse PEM text (one or more CERTIFICATE blocks) or DER bytes (one or more concatenated). */
export function parseCertificates(data: Uint8Array | string): ParsedCertificate[] {
  const text = typeof data === 'string' ? data : null;
  const asText = text ?? (looksLikePem(data as Uint8Array) ? new TextDecoder().decode(data as Uint8Array) : null);
  if (asText !== null) {
    const out: ParsedCertificate[] = [];
    const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
    for (const m of asText.matchAll(re)) out.push(parseCertificate(new Uint8Array(Buffer.from(m[1] ?? '', 'base64'))));
    if (out.length === 0) throw new NotationError('CERT_INVALID', 'no PEM certificate found');
    return out;
  }
  const bytes = data as Uint8Array;
  const out: ParsedCertificate[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30) throw new NotationError('CERT_INVALID', 'not a DER certificate');
    const { end } = readTlv(bytes, offset);
    out.push(parseCertificate(bytes.slice(offset, end)));
    offset = end;
  }
  if (out.length === 0) throw new NotationError('CERT_INVALID', 'empty certificate data');
  return out;
}

function looksLikePem(b: Uint8Array): boolean {
  return new TextDecoder().decode(b.subarray(0, 4096)).includes('-----BEGIN');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `cert` was issued by `issuer`: raw name match and a valid signature by its key. */
export function isIssuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (!bytesEqual(cert.rawIssuer, issuer.rawSubject)) return false;
  try {
    return cert.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(cert: ParsedCertificate): boolean {
  return isIssuedBy(cert, cert);
}

export interface CertExtensions {
  readonly basicConstraints?: { readonly critical: boolean; readonly ca: boolean; readonly pathLength?: number };
  readonly keyUsage?: { readonly critical: boolean; readonly usages: number };
  readonly extKeyUsage?: { readonly critical: boolean; readonly usages: readonly string[] };
}

export function certExtensions(cert: ParsedCertificate): CertExtensions {
  let out: { -readonly [K in keyof CertExtensions]: CertExtensions[K] } = {};
  const malformed = (oid: string): never => {
    throw new NotationError('CERT_INVALID', `certificate with subject "${cert.subject}": malformed extension ${oid}`);
  };
  for (const ext of cert.extensions) {
    const critical = ext.critical;
    if (ext.oid === OID.basicConstraints) {
      const bc = parseBasicConstraints(ext.value) ?? malformed(ext.oid);
      out = { ...out, basicConstraints: { critical, ...bc } };
    } else if (ext.oid === OID.keyUsage) {
      out = { ...out, keyUsage: { critical, usages: parseKeyUsage(ext.value) ?? malformed(ext.oid) } };
    } else if (ext.oid === OID.extKeyUsage) {
      out = { ...out, extKeyUsage: { critical, usages: parseExtKeyUsage(ext.value) ?? malformed(ext.oid) } };
    }
  }
  return out;
}

/** Attribute types Go's pkix.Name keeps as named fields (crypto/x509/pkix Name.FillFromRDNSequence). */
export const GO_NAMED_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.17': 'POSTALCODE',
};

/** Short names for display: Go's named set plus emailAddress and domainComponent. */
const SHORT: Readonly<Record<string, string>> = {
  ...GO_NAMED_ATTRIBUTES,
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** Attribute type/value pairs of a Name in encoding order (first RDN first), with display short names. */
export function nameAttributes(name: readonly NameAttribute[]): { type: string; short: string; value: string }[] {
  return name.map(({ type, value }) => ({ type, short: SHORT[type] ?? type, value }));
}

/** Go pkix.Name.String() style: RFC 4514 order (last RDN first), values escaped. */
export function nameToString(name: readonly NameAttribute[]): string {
  return nameAttributes(name)
    .reverse()
    .map(({ short, value }) => `${short}=${value.replace(/([,+"\\<>;])/g, '\\$1')}`)
    .join(', ');
}

export { OID };
