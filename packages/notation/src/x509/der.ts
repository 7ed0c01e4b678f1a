// A minimal DER reader for the parts of an X.509 certificate the notation profile needs (RFC 5280
// §4.1): raw Name bytes, the signature algorithm OID, extensions and Name attributes. node:crypto's
// X509Certificate parses and verifies natively but exposes none of these; pkijs (and its ~600 KB of
// code) is loaded only for CMS, OCSP and CRL. Every read is bounds-checked: certificates are hostile.
import { NotationError } from '../errors.ts';

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the contents. */
  readonly body: number;
  /** Offset just past the contents. */
  readonly end: number;
}

function bad(msg: string): never {
  throw new NotationError('CERT_INVALID', `malformed certificate: ${msg}`);
}

/** The element at `off`, which must end by `limit`. Multi-byte tags and indefinite lengths are refused (DER). */
export function readTlv(b: Uint8Array, off: number, limit = b.length): Tlv {
  if (off + 2 > limit) bad('truncated element');
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) bad('multi-byte tag');
  const first = b[off + 1]!;
  let len: number;
  let body = off + 2;
  if (first < 0x80) len = first;
  else {
    const n = first & 0x7f;
    if (n === 0 || n > 4) bad('unsupported length');
    if (body + n > limit) bad('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i]!;
    body += n;
  }
  if (body + len > limit) bad('truncated contents');
  return { tag, start: off, body, end: body + len };
}

/** The elements inside a constructed element. */
export function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.body; off < parent.end; ) {
    const t = readTlv(b, off, parent.end);
    out.push(t);
    off = t.end;
    if (out.length > 4096) bad('too many elements');
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) bad(`${what} expected`);
  return t;
}

export const contents = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.body, t.end);
export const whole = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.start, t.end);

/** Dotted OID from the contents of an OBJECT IDENTIFIER (X.690 §8.19). */
export function decodeOid(v: Uint8Array): string {
  if (v.length === 0) bad('empty OID');
  const arcs: string[] = [];
  let acc = 0n;
  for (let i = 0; i < v.length; i++) {
    acc = (acc << 7n) | BigInt(v[i]! & 0x7f);
    if ((v[i]! & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = acc < 80n ? acc / 40n : 2n;
        arcs.push(String(first), String(acc - first * 40n));
      } else arcs.push(String(acc));
      acc = 0n;
    } else if (i === v.length - 1) bad('truncated OID');
  }
  return arcs.join('.');
}

const TAG = { boolean: 0x01, integer: 0x02, bitString: 0x03, oid: 0x06, sequence: 0x30, set: 0x31 } as const;

/**
 * A string attribute value decoded as asn1js decodes it (which the name rendering was built on):
 * UTF8String as UTF-8, BMPString as UTF-16BE, UniversalString as UTF-32BE, the other string types
 * byte per character; a value that is not a string type renders as ''.
 */
export function decodeString(tag: number, v: Uint8Array): string {
  switch (tag) {
    case 0x0c:
      return Buffer.from(v).toString('utf8');
    case 0x1e: {
      let s = '';
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case 0x1c: {
      let s = '';
      for (let i = 0; i + 3 < v.length; i += 4) s += String.fromCodePoint(((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0);
      return s;
    }
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x15: // VideotexString
    case 0x16: // IA5String
    case 0x19: // GraphicString
    case 0x1a: // VisibleString
    case 0x1b: // GeneralString
    case 0x1d: // CharacterString
      return Buffer.from(v).toString('latin1');
    default:
      return '';
  }
}

export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

/** AttributeTypeAndValue pairs of a Name (SEQUENCE OF SET OF …), in encoding order, RDNs flattened. */
export function nameAttributesOf(b: Uint8Array, name: Tlv): NameAttribute[] {
  expectTag(name, TAG.sequence, 'Name');
  const out: NameAttribute[] = [];
  for (const rdn of children(b, name)) {
    expectTag(rdn, TAG.set, 'RelativeDistinguishedName');
    for (const atv of children(b, rdn)) {
      const [type, value] = children(b, expectTag(atv, TAG.sequence, 'AttributeTypeAndValue'));
      if (!value) bad('attribute without value');
      out.push({ type: decodeOid(contents(b, expectTag(type, TAG.oid, 'attribute type'))), value: decodeString(value.tag, contents(b, value)) });
    }
  }
  return out;
}

export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The DER inside extnValue's OCTET STRING. */
  readonly value: Uint8Array;
}

export interface CertificateFields {
  /** X.509 version field: 0 = v1, 2 = v3 (as pkijs and RFC 5280 count). */
  readonly version: number;
  readonly rawIssuer: Uint8Array;
  readonly rawSubject: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly issuerAttributes: readonly NameAttribute[];
  readonly subjectAttributes: readonly NameAttribute[];
  readonly extensions: readonly RawExtension[];
}

/** The TBSCertificate fields (RFC 5280 §4.1) the notation profile reads. */
export function certificateFields(der: Uint8Array): CertificateFields {
  const top = readTlv(der, 0);
  if (top.tag !== TAG.sequence || top.end !== der.length) bad('not a DER SEQUENCE');
  const [tbs, sigAlg] = children(der, top);
  const tbsFields = children(der, expectTag(tbs, TAG.sequence, 'TBSCertificate'));
  const sigAlgOid = decodeOid(contents(der, expectTag(children(der, expectTag(sigAlg, TAG.sequence, 'signatureAlgorithm'))[0], TAG.oid, 'algorithm')));
  let i = 0;
  let version = 0;
  if (tbsFields[0]?.tag === 0xa0) {
    const v = expectTag(children(der, tbsFields[0])[0], TAG.integer, 'version');
    version = v.end - v.body === 1 ? der[v.body]! : bad('version');
    i = 1;
  }
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const issuer = tbsFields[i + 2];
  const subject = tbsFields[i + 4];
  if (!issuer || !subject || !tbsFields[i + 5]) bad('TBSCertificate too short');
  const extensions: RawExtension[] = [];
  for (const f of tbsFields.slice(i + 6)) {
    if (f.tag !== 0xa3) continue; // issuerUniqueID [1], subjectUniqueID [2]
    for (const ext of children(der, expectTag(children(der, f)[0], TAG.sequence, 'Extensions'))) {
      const parts = children(der, expectTag(ext, TAG.sequence, 'Extension'));
      const oid = decodeOid(contents(der, expectTag(parts[0], TAG.oid, 'extnID')));
      let critical = false;
      let k = 1;
      if (parts[1]?.tag === TAG.boolean) {
        critical = der[parts[1].body] !== 0;
        k = 2;
      }
      extensions.push({ oid, critical, value: contents(der, expectTag(parts[k], 0x04, 'extnValue')) });
    }
  }
  return {
    version,
    rawIssuer: whole(der, issuer),
    rawSubject: whole(der, subject),
    signatureAlgorithmOid: sigAlgOid,
    issuerAttributes: nameAttributesOf(der, issuer),
    subjectAttributes: nameAttributesOf(der, subject),
    extensions,
  };
}

/** BasicConstraints (RFC 5280 §4.2.1.9); undefined when malformed. */
export function parseBasicConstraints(v: Uint8Array): { ca: boolean; pathLength?: number } | undefined {
  try {
    const seq = readTlv(v, 0);
    if (seq.tag !== TAG.sequence || seq.end !== v.length) return undefined;
    let ca = false;
    let pathLength: number | undefined;
    for (const c of children(v, seq)) {
      if (c.tag === TAG.boolean && pathLength === undefined) ca = v[c.body] !== 0;
      else if (c.tag === TAG.integer) {
        const n = contents(v, c);
        if (n.length === 0 || n.length > 6 || (n[0]! & 0x80) !== 0) return undefined;
        pathLength = n.reduce((acc, x) => acc * 256 + x, 0);
      } else return undefined;
    }
    return { ca, ...(pathLength === undefined ? {} : { pathLength }) };
  } catch {
    return undefined;
  }
}

/** KeyUsage bits as flags (bit n ↦ 1 << n, RFC 5280 §4.2.1.3); undefined when malformed. */
export function parseKeyUsage(v: Uint8Array): number | undefined {
  try {
    const bs = readTlv(v, 0);
    if (bs.tag !== TAG.bitString || bs.end !== v.length || bs.end - bs.body < 1) return undefined;
    const bytes = v.subarray(bs.body + 1, bs.end);
    let usages = 0;
    for (let bit = 0; bit < 9; bit++) if ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) usages |= 1 << bit;
    return usages;
  } catch {
    return undefined;
  }
}

/** ExtKeyUsage purposes (RFC 5280 §4.2.1.12); undefined when malformed. */
export function parseExtKeyUsage(v: Uint8Array): string[] | undefined {
  try {
    const seq = readTlv(v, 0);
    if (seq.tag !== TAG.sequence || seq.end !== v.length) return undefined;
    return children(v, seq).map((c) => (c.tag === TAG.oid ? decodeOid(contents(v, c)) : bad('purpose')));
  } catch {
    return undefined;
  }
}
