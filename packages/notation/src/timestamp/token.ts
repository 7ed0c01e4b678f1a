// RFC 3161 TimeStampToken verification as notation uses it (trust-store-trust-policy.md
// "Authentic timestamp"; RFC 3161 §2.4.2; RFC 5816 / RFC 5035 signing-certificate-v2).
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import { validateCertChain } from '../x509/chain.ts';
import { bytesEqual, parseCertificate, type CertificateInput, type ParsedCertificate } from '../x509/cert.ts';
import { findCertificate, parseSignedData, singleAttr, tsError, verifySigner, type ParsedSignedData } from './cms.ts';
import { DIGEST_BY_OID, TS_OID } from './oids.ts';

export interface TimestampToken {
  readonly signedData: ParsedSignedData;
  readonly tstInfo: pkijs.TSTInfo;
  readonly genTime: Date;
  /** Accuracy in milliseconds (1 s for the RFC 3628 baseline policy when the token states none). */
  readonly accuracyMs: number;
  readonly policy: string;
  readonly serialNumber: string;
}

export interface VerifiedTimestamp {
  readonly genTime: Date;
  readonly accuracyMs: number;
  /** genTime − accuracy: the earliest instant the token may have been made. */
  readonly notBefore: Date;
  /** genTime + accuracy: the latest instant the token may have been made. */
  readonly notAfter: Date;
  readonly policy: string;
  readonly serialNumber: string;
  /** TSA chain, signing certificate first, ending at the trusted anchor. */
  readonly tsaChain: readonly ParsedCertificate[];
}

export interface VerifyTimestampOptions {
  /** The time-stamped datum: for notation, the envelope's signature bytes. */
  readonly message: Uint8Array;
  /** Certificates of the `tsa` trust store. */
  readonly tsaRoots: readonly CertificateInput[];
}

function toNumber(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (v instanceof asn1js.Integer) return v.valueBlock.valueDec;
  return 0;
}

/** Parse a TimeStampToken (BER ContentInfo with SignedData over id-ct-TSTInfo). */
export function parseTimestampToken(bytes: Uint8Array): TimestampToken {
  const signedData = parseSignedData(bytes);
  if (signedData.contentType !== TS_OID.tstInfo) {
    tsError(`unexpected content type: ${signedData.contentType}. Expected to be id-ct-TSTInfo (${TS_OID.tstInfo})`);
  }
  let tstInfo: pkijs.TSTInfo;
  try {
    tstInfo = pkijs.TSTInfo.fromBER(signedData.content);
  } catch (cause) {
    return tsError('cannot unmarshal TSTInfo from timestamp token', cause);
  }
  const acc = tstInfo.accuracy;
  let accuracyMs = acc ? toNumber(acc.seconds) * 1000 + toNumber(acc.millis) + toNumber(acc.micros) / 1000 : 0;
  if (accuracyMs === 0 && tstInfo.policy === TS_OID.baselineTimestampPolicy) accuracyMs = 1000;
  return {
    signedData,
    tstInfo,
    genTime: tstInfo.genTime,
    accuracyMs,
    policy: tstInfo.policy,
    serialNumber: Buffer.from(tstInfo.serialNumber.valueBlock.valueHexView).toString('hex'),
  };
}

/** TSTInfo checks (RFC 3161 §2.4.2): version 1 and messageImprint = hash(message). */
export function validateTstInfo(token: TimestampToken, message: Uint8Array): void {
  const info = token.tstInfo;
  if (info.version !== 1) tsError(`invalid TSTInfo: timestamp token info version must be 1, but got ${info.version}`);
  const alg = info.messageImprint.hashAlgorithm.algorithmId;
  const hash = DIGEST_BY_OID.get(alg);
  if (!hash) tsError(`invalid TSTInfo: unrecognized hash algorithm: ${alg}`);
  const digest = createHash(hash).update(message).digest();
  if (!bytesEqual(new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView), digest)) {
    tsError('invalid TSTInfo: mismatched message');
  }
}

interface EssCertIdV2 {
  readonly hash: string;
  readonly certHash: Uint8Array;
  readonly issuerSerial?: { readonly issuerName?: Uint8Array; readonly serial: asn1js.Integer };
}

function parseSigningCertificateV2(value: unknown): EssCertIdV2 {
  const bad = (m: string): never => tsError(`failed to get SigningCertificateV2 from signed attributes: ${m}`);
  if (!(value instanceof asn1js.Sequence)) return bad('not a SEQUENCE');
  const certs = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) return bad('certs is not a SEQUENCE');
  const first = certs.valueBlock.value[0];
  if (first === undefined) tsError('signingCertificateV2 does not contain any certificate');
  if (!(first instanceof asn1js.Sequence)) return bad('ESSCertIDv2 is not a SEQUENCE');
  const parts = [...first.valueBlock.value];
  let hash = 'sha256'; // RFC 5035: hashAlgorithm DEFAULT id-sha256
  if (parts[0] instanceof asn1js.Sequence) {
    const alg = parts.shift() as asn1js.Sequence;
    const oid = alg.valueBlock.value[0];
    if (!(oid instanceof asn1js.ObjectIdentifier)) return bad('invalid hashAlgorithm');
    const h = DIGEST_BY_OID.get(oid.valueBlock.toString());
    if (!h) tsError('unsupported certificate hash algorithm in SigningCertificateV2 attribute');
    hash = h;
  }
  const certHash = parts.shift();
  if (!(certHash instanceof asn1js.OctetString)) return bad('certHash is not an OCTET STRING');
  const is = parts.shift();
  if (is === undefined) return { hash, certHash: new Uint8Array(certHash.valueBlock.valueHexView) };
  if (!(is instanceof asn1js.Sequence)) return bad('issuerSerial is not a SEQUENCE');
  const [names, serial] = is.valueBlock.value;
  if (!(serial instanceof asn1js.Integer) || !(names instanceof asn1js.Sequence)) return bad('sequence truncated');
  const gn = names.valueBlock.value[0];
  let issuerName: Uint8Array | undefined;
  // GeneralName directoryName is [4] EXPLICIT Name.
  if (gn && gn.idBlock.tagClass === 3 && gn.idBlock.tagNumber === 4 && gn instanceof asn1js.Constructed) {
    const name = gn.valueBlock.value[0];
    if (name) issuerName = new Uint8Array(name.valueBeforeDecodeView);
  }
  return { hash, certHash: new Uint8Array(certHash.valueBlock.valueHexView), issuerSerial: { ...(issuerName ? { issuerName } : {}), serial } };
}

/** The TSA signing certificate named by signing-certificate-v2 (RFC 3161 §2.4.1 as updated by RFC 5816). */
export function tokenSigningCertificate(sd: ParsedSignedData, si: pkijs.SignerInfo): ParsedCertificate {
  const v = singleAttr(si, TS_OID.attrSigningCertificateV2);
  if (v === undefined) tsError('failed to get SigningCertificateV2 from signed attributes: attribute not found');
  const id = parseSigningCertificateV2(v);
  let cert: ParsedCertificate | undefined;
  if (id.issuerSerial) {
    if (!id.issuerSerial.issuerName) tsError('issuer name is missing in IssuerSerial');
    cert = findCertificate(sd.certificates, id.issuerSerial.issuerName, id.issuerSerial.serial);
  } else if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    cert = findCertificate(sd.certificates, new Uint8Array(si.sid.issuer.valueBeforeDecode), si.sid.serialNumber);
  }
  if (!cert) tsError('signing certificate not found in the timestamp token');
  const digest = createHash(id.hash).update(cert.der).digest();
  if (!bytesEqual(digest, id.certHash)) tsError('signing certificate hash does not match CertHash in signed attribute');
  return cert;
}

/**
 * The signature half of token verification (tspclient-go `SignedToken.Verify` plus notation's TSA
 * profile): one signerInfo, signing-certificate-v2, CMS signature and attributes, chain to `tsaRoots`
 * at `time` (genTime by default). Returns the TSA chain leaf→anchor.
 */
export function verifyTimestampTokenSignature(
  token: Uint8Array | TimestampToken,
  tsaRoots: readonly CertificateInput[],
  time?: Date,
): ParsedCertificate[] {
  const t = token instanceof Uint8Array ? parseTimestampToken(token) : token;
  const sd = t.signedData;
  // RFC 3161 §2.4.2: the token MUST NOT contain signatures other than the TSA's.
  if (sd.signerInfos.length !== 1) tsError(sd.signerInfos.length === 0 ? 'signerInfo not found' : 'timestamp token must have exactly one signerInfo');
  const si = sd.signerInfos[0] as pkijs.SignerInfo;
  if (tsaRoots.length === 0) tsError('no trusted TSA certificate found in trust store');
  let roots: ParsedCertificate[];
  try {
    roots = tsaRoots.map((r) => parseCertificate(r));
  } catch (cause) {
    return tsError('invalid TSA trust anchor', cause);
  }
  const signingCert = tokenSigningCertificate(sd, si);
  const chain = verifySigner(sd, si, signingCert, roots, time ?? t.genTime);
  try {
    validateCertChain(chain, 'timestamping');
  } catch (cause) {
    if (cause instanceof NotationError) tsError(`failed to validate the timestamping certificate chain: ${cause.message}`, cause);
    throw cause;
  }
  return chain;
}

/**
 * Verify a timestamp token over `message` and anchor its TSA chain in `tsaRoots` at genTime, then apply
 * notation's timestamping certificate profile. Throws NotationError('TIMESTAMP_INVALID').
 */
export function verifyTimestampToken(token: Uint8Array | TimestampToken, opts: VerifyTimestampOptions): VerifiedTimestamp {
  const t = token instanceof Uint8Array ? parseTimestampToken(token) : token;
  validateTstInfo(t, opts.message);
  const chain = verifyTimestampTokenSignature(t, opts.tsaRoots);
  return {
    genTime: t.genTime,
    accuracyMs: t.accuracyMs,
    notBefore: new Date(t.genTime.getTime() - t.accuracyMs),
    notAfter: new Date(t.genTime.getTime() + t.accuracyMs),
    policy: t.policy,
    serialNumber: t.serialNumber,
    tsaChain: chain,
  };
}
