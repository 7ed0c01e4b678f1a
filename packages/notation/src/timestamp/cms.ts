// CMS SignedData verification for RFC 3161 tokens (RFC 5652 §5.4, §5.6): signer certificate lookup,
// signature over the DER SET of signed attributes, content-type / message-digest / signing-time checks.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import { buildChain } from '../x509/chain.ts';
import { bytesEqual, parseCertificate, type ParsedCertificate } from '../x509/cert.ts';
import { DIGEST_BY_OID, SIGNATURE_BY_OID, TS_OID } from './oids.ts';

export const MAX_TOKEN_BYTES = 1024 * 1024;

export interface ParsedSignedData {
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly certificates: readonly ParsedCertificate[];
  readonly signerInfos: readonly pkijs.SignerInfo[];
}

export function tsError(msg: string, cause?: unknown): never {
  throw new NotationError('TIMESTAMP_INVALID', msg, cause === undefined ? {} : { cause });
}

/** Parse BER/DER ContentInfo(SignedData). Certificates keep their original DER bytes. */
export function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  if (bytes.length > MAX_TOKEN_BYTES) tsError('timestamp token is too large');
  const asn = asn1js.fromBER(bytes);
  if (asn.offset === -1) tsError(`cms: syntax error: ${asn.result.error}`);
  let ci: pkijs.ContentInfo;
  let sd: pkijs.SignedData;
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== TS_OID.signedData) tsError(`cms: content is not SignedData (${ci.contentType})`);
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch (cause) {
    if (cause instanceof NotationError) throw cause;
    return tsError(`cms: syntax error: ${(cause as Error).message}`, cause);
  }
  const certificates: ParsedCertificate[] = [];
  const sdSeq = ci.content as asn1js.Sequence;
  const certSet = sdSeq.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0);
  if (certSet && certSet instanceof asn1js.Constructed) {
    for (const c of certSet.valueBlock.value) {
      if (c.idBlock.tagClass !== 1) continue; // only plain X.509 certificates
      try {
        certificates.push(parseCertificate(new Uint8Array(c.valueBeforeDecodeView)));
      } catch (cause) {
        tsError('failed to parse X509 certificates from signed data', cause);
      }
    }
  }
  const eContent = sd.encapContentInfo.eContent;
  // notation parses tokens with Go's encoding/asn1, which takes eContent only as a primitive (DER)
  // OCTET STRING; a BER constructed one fails there ("sequence truncated"), so it fails here too.
  if (eContent?.idBlock.isConstructed) tsError('cms: eContent is a constructed OCTET STRING; DER (primitive) is required');
  const content = eContent ? new Uint8Array(eContent.getValue()) : new Uint8Array(0);
  return { contentType: sd.encapContentInfo.eContentType, content, certificates, signerInfos: sd.signerInfos };
}

function attr(si: pkijs.SignerInfo, type: string): unknown[] | undefined {
  const found = (si.signedAttrs?.attributes ?? []).filter((a) => a.type === type);
  if (found.length > 1) tsError(`signed attribute ${type} appears more than once`);
  return found[0]?.values as unknown[] | undefined;
}

/** The single value of a signed attribute, or undefined when absent. */
export function singleAttr(si: pkijs.SignerInfo, type: string): unknown {
  const values = attr(si, type);
  if (values === undefined) return undefined;
  if (values.length !== 1) tsError(`signed attribute ${type} must have exactly one value`);
  return values[0];
}

function serialOf(i: asn1js.Integer): bigint {
  const hex = Buffer.from(i.valueBlock.valueHexView).toString('hex');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** Find a certificate by issuer Name (DER) and serial number. */
export function findCertificate(certs: readonly ParsedCertificate[], issuerDer: Uint8Array, serial: asn1js.Integer): ParsedCertificate | undefined {
  const want = serialOf(serial);
  return certs.find((c) => bytesEqual(c.rawIssuer, issuerDer) && BigInt(`0x${c.serialNumber || '0'}`) === want);
}

export function signerIdCertificate(sd: ParsedSignedData, si: pkijs.SignerInfo): ParsedCertificate | undefined {
  if (!(si.sid instanceof pkijs.IssuerAndSerialNumber)) return undefined;
  return findCertificate(sd.certificates, new Uint8Array(si.sid.issuer.valueBeforeDecode), si.sid.serialNumber);
}

/**
 * DER encoding of the signed attributes as a SET OF (RFC 5652 §5.4): the element encodings sorted as
 * X.690 §11.6 requires. Tokens in the wild are DER already; sorting matches Go's re-marshalling.
 */
export function signedAttributesDer(si: pkijs.SignerInfo): Uint8Array {
  if (!si.signedAttrs) tsError('missing signed attributes');
  const set = asn1js.fromBER(si.signedAttrs.encodedValue);
  if (set.offset === -1 || !(set.result instanceof asn1js.Constructed)) tsError('invalid signed attributes');
  const items = set.result.valueBlock.value.map((v) => new Uint8Array(v.valueBeforeDecodeView));
  items.sort((a, b) => {
    const n = Math.max(a.length, b.length);
    for (let k = 0; k < n; k++) {
      const d = (a[k] ?? 0) - (b[k] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  const body = Buffer.concat(items);
  const len = body.length;
  const lenBytes = len < 0x80 ? [len] : (() => {
    const out: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
    return [0x80 | out.length, ...out];
  })();
  return new Uint8Array(Buffer.concat([Buffer.from([0x31, ...lenBytes]), body]));
}

/** Check the signature of one SignerInfo with the given certificate's key. */
export function verifySignerSignature(si: pkijs.SignerInfo, cert: ParsedCertificate): void {
  const digestName = DIGEST_BY_OID.get(si.digestAlgorithm.algorithmId);
  if (!digestName) tsError(`unsupported digest algorithm ${si.digestAlgorithm.algorithmId}`);
  const sigAlg = SIGNATURE_BY_OID.get(si.signatureAlgorithm.algorithmId);
  if (!sigAlg) tsError(`unknown signature algorithm ${si.signatureAlgorithm.algorithmId}`);
  const hash = sigAlg.hash ?? digestName;
  const signed = signedAttributesDer(si);
  let ok = false;
  try {
    ok = cryptoVerify(hash, signed, { key: cert.publicKey, ...(sigAlg.kind === 'ecdsa' ? { dsaEncoding: 'der' as const } : {}) }, new Uint8Array(si.signature.valueBlock.valueHexView));
  } catch (cause) {
    tsError('cms verification failure', cause);
  }
  if (!ok) tsError('cms verification failure: signature is invalid');
}

/** RFC 5652 §5.6 signed-attribute checks: content type, message digest, signing time within `chain`. */
export function verifySignedAttributes(sd: ParsedSignedData, si: pkijs.SignerInfo, chain: readonly ParsedCertificate[]): void {
  if (!si.signedAttrs || si.signedAttrs.attributes.length === 0) tsError('missing signed attributes');
  const digestName = DIGEST_BY_OID.get(si.digestAlgorithm.algorithmId);
  if (!digestName) tsError(`unsupported digest algorithm ${si.digestAlgorithm.algorithmId}`);
  const ct = singleAttr(si, TS_OID.attrContentType);
  if (!(ct instanceof asn1js.ObjectIdentifier)) tsError('invalid content type signed attribute');
  if (ct.valueBlock.toString() !== sd.contentType) tsError(`mismatch content type: ${ct.valueBlock.toString()} vs ${sd.contentType}`);
  const md = singleAttr(si, TS_OID.attrMessageDigest);
  if (!(md instanceof asn1js.OctetString)) tsError('invalid message digest signed attribute');
  const actual = createHash(digestName).update(sd.content).digest();
  if (!bytesEqual(new Uint8Array(md.valueBlock.valueHexView), actual)) tsError('mismatch message digest');
  const st = singleAttr(si, TS_OID.attrSigningTime);
  if (st !== undefined) {
    if (!(st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime)) tsError('invalid signing time');
    const when = st.toDate();
    if (chain.some((c) => when < c.notBefore || when > c.notAfter)) {
      tsError(`signing time, ${when.toISOString()}, is outside certificate's validity period`);
    }
  }
}

/**
 * Verify one SignerInfo with a known signing certificate, chaining it to `roots` at `time` (pool =
 * token certificates). Returns the chain leaf→anchor.
 */
export function verifySigner(
  sd: ParsedSignedData,
  si: pkijs.SignerInfo,
  cert: ParsedCertificate,
  roots: readonly ParsedCertificate[],
  time: Date,
): ParsedCertificate[] {
  if (si.version !== 1) tsError(`invalid signer info version: only version 1 is supported; got ${si.version}`);
  let chain: ParsedCertificate[];
  try {
    chain = buildChain(cert, sd.certificates, roots, time);
  } catch (cause) {
    return tsError(`timestamp certificate chain: ${(cause as Error).message}`, cause);
  }
  verifySignerSignature(si, cert);
  verifySignedAttributes(sd, si, chain);
  return chain;
}

/** RFC 5652 semantics: succeeds when any signer verifies (signer found via its sid). */
export function verifySignedData(sd: ParsedSignedData, roots: readonly ParsedCertificate[], time: Date): ParsedCertificate[] {
  if (sd.signerInfos.length === 0) tsError('signerInfo not found');
  if (sd.certificates.length === 0) tsError('certificate not found');
  let last: unknown;
  for (const si of sd.signerInfos) {
    const cert = signerIdCertificate(sd, si);
    if (!cert) {
      last = new NotationError('TIMESTAMP_INVALID', 'signing certificate not found');
      continue;
    }
    try {
      return verifySigner(sd, si, cert, roots, time);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

export { TS_OID };
