// OCSP (RFC 6960) as notation-core-go revocation/internal/ocsp uses it: a SHA-1 CertID request (the
// hash every public responder supports), GET when the encoded request is short, else POST; the
// response must be signed by the issuer or by a responder the issuer delegated with id-kp-OCSPSigning;
// a response past its nextUpdate (or without one) is not an answer. An invalidityDate after the
// authentic signing time means the signature was made before the key was compromised.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import { certExtensions, isIssuedBy, parseCertificate, type ParsedCertificate } from '../x509/cert.ts';
import { pkijsCertificate } from '../x509/pkijs-view.ts';
import { OID } from '../x509/oids.ts';
import { acceptedSignatureAlgorithm, bytesEqual, CLOCK_SKEW_MS, CRL_REASONS, engine, OID_REV, parseInvalidityDate, serialHex, sha1 } from './asn1.ts';

export interface OcspAnswer {
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revocationTime?: Date;
  readonly reason?: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

const invalid = (msg: string) => new NotationError('REVOCATION', msg);

function issuerKeyHash(issuer: ParsedCertificate): Uint8Array {
  return sha1(pkijsCertificate(issuer).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
}

/** The DER OCSPRequest for `cert` issued by `issuer` (one Request, SHA-1 CertID, no nonce). */
export function buildOcspRequest(cert: ParsedCertificate, issuer: ParsedCertificate): Uint8Array {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_REV.sha1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: sha1(issuer.rawSubject) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: issuerKeyHash(issuer) }),
    serialNumber: pkijsCertificate(cert).serialNumber,
  });
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  return new Uint8Array(req.toSchema(true).toBER(false));
}

/** GET URL (RFC 6960 appendix A.1) when short enough, as notation: base64 < 255 characters. */
export function ocspGetUrl(server: string, request: Uint8Array): string | undefined {
  const b64 = Buffer.from(request).toString('base64');
  const escaped = encodeURIComponent(b64);
  if (b64.length >= 255 || escaped.length >= 255) return undefined;
  return `${server.replace(/\/+$/, '')}/${escaped}`;
}

function responderMatches(id: pkijs.RelativeDistinguishedNames | asn1js.OctetString, cert: ParsedCertificate): boolean {
  if (id instanceof asn1js.OctetString) return bytesEqual(new Uint8Array(id.valueBlock.valueHexView), issuerKeyHash(cert));
  return bytesEqual(new Uint8Array(id.toSchema().toBER(false)), cert.rawSubject);
}

/** Which certificate signed the response: the issuer itself or a delegated responder (RFC 6960 §4.2.2.2). */
function responseSigner(basic: pkijs.BasicOCSPResponse, issuer: ParsedCertificate, now: Date): ParsedCertificate {
  const id = basic.tbsResponseData.responderID as pkijs.RelativeDistinguishedNames | asn1js.OctetString;
  if (responderMatches(id, issuer)) return issuer;
  for (const c of basic.certs ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    const responder = parseCertificate(new Uint8Array(c.toSchema(true).toBER(false)));
    if (!responderMatches(id, responder)) continue;
    if (!isIssuedBy(responder, issuer)) throw invalid(`OCSP responder "${responder.subject}" is not issued by "${issuer.subject}"`);
    if (!(certExtensions(responder).extKeyUsage?.usages ?? []).includes(OID.ekuOcspSigning)) {
      throw invalid(`OCSP responder "${responder.subject}" lacks the id-kp-OCSPSigning extended key usage`);
    }
    if (now < responder.notBefore || now > responder.notAfter) throw invalid(`OCSP responder certificate "${responder.subject}" is not valid at ${now.toISOString()}`);
    // Without id-pkix-ocsp-nocheck the responder's own status would need checking (RFC 6960 §4.2.2.2.1);
    // ocx does not recurse, so such an answer is not trusted.
    if (!(pkijsCertificate(responder).extensions ?? []).some((e) => e.extnID === OID_REV.ocspNoCheck)) {
      throw invalid(`delegated OCSP responder "${responder.subject}" has no id-pkix-ocsp-nocheck extension; its own revocation status cannot be checked`);
    }
    return responder;
  }
  throw invalid('OCSP response is signed by neither the issuer nor a delegated responder it carries');
}

function certStatus(single: pkijs.SingleResponse): { status: OcspAnswer['status']; revocationTime?: Date; reason?: string } {
  const s = single.certStatus as asn1js.BaseBlock;
  if (s.idBlock.tagClass !== 3) throw invalid('OCSP certStatus is malformed');
  if (s.idBlock.tagNumber === 0) return { status: 'good' };
  if (s.idBlock.tagNumber === 2) return { status: 'unknown' };
  if (s.idBlock.tagNumber !== 1 || !(s instanceof asn1js.Constructed)) throw invalid('OCSP certStatus is malformed');
  const [time, reasonTag] = s.valueBlock.value;
  const revocationTime = time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
  let reason: string | undefined;
  if (reasonTag instanceof asn1js.Constructed && reasonTag.valueBlock.value[0] instanceof asn1js.Enumerated) {
    reason = CRL_REASONS[reasonTag.valueBlock.value[0].valueBlock.valueDec];
  }
  return { status: 'revoked', ...(revocationTime ? { revocationTime } : {}), ...(reason ? { reason } : {}) };
}

function matchesCert(single: pkijs.SingleResponse, cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const id = single.certID;
  if (serialHex(id.serialNumber) !== serialHex(pkijsCertificate(cert).serialNumber)) return false;
  // Names and keys are compared when hashed with SHA-1 (what ocx asks for); other hashes match on serial.
  if (id.hashAlgorithm.algorithmId !== OID_REV.sha1) return true;
  return bytesEqual(new Uint8Array(id.issuerNameHash.valueBlock.valueHexView), sha1(issuer.rawSubject)) && bytesEqual(new Uint8Array(id.issuerKeyHash.valueBlock.valueHexView), issuerKeyHash(issuer));
}

/**
 * Verify an OCSPResponse for `cert` and return its answer. Throws NotationError('REVOCATION') when the
 * response is not a valid, current, correctly signed answer about this certificate.
 */
export async function evaluateOcspResponse(der: Uint8Array, cert: ParsedCertificate, issuer: ParsedCertificate, now: Date, signingTime?: Date): Promise<OcspAnswer> {
  let resp: pkijs.OCSPResponse;
  let basic: pkijs.BasicOCSPResponse;
  try {
    resp = pkijs.OCSPResponse.fromBER(der);
  } catch (cause) {
    throw new NotationError('REVOCATION', 'OCSP response does not decode', { cause });
  }
  const code = resp.responseStatus.valueBlock.valueDec;
  if (code !== 0) {
    const names: Record<number, string> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
    throw invalid(`OCSP responder answered ${names[code] ?? `status ${code}`}`);
  }
  if (!resp.responseBytes || resp.responseBytes.responseType !== OID_REV.ocspBasic) throw invalid('OCSP response is not a BasicOCSPResponse');
  try {
    basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
  } catch (cause) {
    throw new NotationError('REVOCATION', 'BasicOCSPResponse does not decode', { cause });
  }
  if (!acceptedSignatureAlgorithm(basic.signatureAlgorithm)) throw invalid(`OCSP response signature algorithm ${basic.signatureAlgorithm.algorithmId} is not accepted`);
  const signer = responseSigner(basic, issuer, now);
  const okSig = await engine
    .verifyWithPublicKey(basic.tbsResponseData.tbsView, basic.signature, pkijsCertificate(signer).subjectPublicKeyInfo, basic.signatureAlgorithm)
    .catch(() => false);
  if (!okSig) throw invalid(`OCSP response signature does not verify with the key of "${signer.subject}"`);
  const single = basic.tbsResponseData.responses.find((r) => matchesCert(r, cert, issuer));
  if (!single) throw invalid(`OCSP response has no status for certificate serial ${serialHex(pkijsCertificate(cert).serialNumber)}`);
  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate;
  if (thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid(`OCSP response is not yet valid (thisUpdate ${thisUpdate.toISOString()})`);
  // notation-core-go compares now with NextUpdate; an absent nextUpdate (zero time) is therefore expired.
  if (!nextUpdate || now.getTime() > nextUpdate.getTime()) throw invalid(`expired OCSP response (nextUpdate ${nextUpdate?.toISOString() ?? 'absent'})`);
  const st = certStatus(single);
  if (st.status === 'revoked' && signingTime) {
    const ext = (single.singleExtensions ?? []).find((e) => e.extnID === OID_REV.invalidityDate);
    const invalidity = ext ? parseInvalidityDate(new Uint8Array(ext.extnValue.valueBlock.valueHexView)) : undefined;
    if (invalidity && signingTime.getTime() < invalidity.getTime()) return { status: 'good', thisUpdate, nextUpdate, reason: `revoked, but signed before the invalidity date ${invalidity.toISOString()}` };
  }
  return { ...st, thisUpdate, nextUpdate };
}
