// CRLs (RFC 5280 §5) as notation-core-go revocation/internal/crl checks them: signed by the issuer
// (a CA certificate allowed to sign CRLs), not past nextUpdate, no unknown critical extension, and a
// delta CRL pointer is not followed (an answer that may miss delta entries is no answer). An entry with
// an invalidityDate after the authentic signing time does not revoke that signature.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import { certExtensions, KeyUsage, type ParsedCertificate } from '../x509/cert.ts';
import { acceptedSignatureAlgorithm, bytesEqual, CLOCK_SKEW_MS, CRL_REASONS, engine, OID_REV, parseInvalidityDate, serialHex } from './asn1.ts';

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly crl: pkijs.CertificateRevocationList;
  readonly rawIssuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

export interface CrlAnswer {
  readonly status: 'good' | 'revoked';
  readonly revocationTime?: Date;
  readonly reason?: string;
}

const invalid = (msg: string) => new NotationError('REVOCATION', msg);

/** Parse one CRL, DER or PEM ("X509 CRL"). Throws NotationError('REVOCATION'). */
export function parseCrl(data: Uint8Array): ParsedCrl {
  let der = data;
  const head = new TextDecoder().decode(data.subarray(0, 64));
  if (head.includes('-----BEGIN')) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(new TextDecoder().decode(data));
    if (!m) throw invalid('no PEM "X509 CRL" block found');
    der = new Uint8Array(Buffer.from(m[1] ?? '', 'base64'));
  }
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(der);
  } catch (cause) {
    throw new NotationError('REVOCATION', 'CRL does not decode', { cause });
  }
  const nextUpdate = crl.nextUpdate?.value;
  return { der, crl, rawIssuer: new Uint8Array(crl.issuer.toSchema().toBER(false)), thisUpdate: crl.thisUpdate.value, ...(nextUpdate ? { nextUpdate } : {}) };
}

/** True when the CRL names `issuer` as its issuer (raw Name comparison, as certificate chaining). */
export function crlIssuedBy(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
  return bytesEqual(crl.rawIssuer, issuer.rawSubject);
}

/** Signature, issuer capability, freshness and extensions. Throws NotationError('REVOCATION'). */
export async function validateCrl(crl: ParsedCrl, issuer: ParsedCertificate, now: Date): Promise<void> {
  if (!crlIssuedBy(crl, issuer)) throw invalid(`CRL issuer is not "${issuer.subject}"`);
  const ext = certExtensions(issuer);
  if (!ext.basicConstraints?.ca) throw invalid(`CRL issuer "${issuer.subject}" is not a CA`);
  if (ext.keyUsage && !(ext.keyUsage.usages & KeyUsage.cRLSign)) throw invalid(`CRL issuer "${issuer.subject}" may not sign CRLs (no cRLSign key usage)`);
  if (!acceptedSignatureAlgorithm(crl.crl.signatureAlgorithm)) throw invalid(`CRL signature algorithm ${crl.crl.signatureAlgorithm.algorithmId} is not accepted`);
  const ok = await engine.verifyWithPublicKey(crl.crl.tbsView, crl.crl.signatureValue, issuer.pkijs.subjectPublicKeyInfo, crl.crl.signatureAlgorithm).catch(() => false);
  if (!ok) throw invalid(`CRL signature does not verify with the key of "${issuer.subject}"`);
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid(`CRL is not yet valid (thisUpdate ${crl.thisUpdate.toISOString()})`);
  if (crl.nextUpdate && now.getTime() > crl.nextUpdate.getTime()) throw invalid(`expired CRL (nextUpdate ${crl.nextUpdate.toISOString()})`);
  for (const e of crl.crl.crlExtensions?.extensions ?? []) {
    if (e.extnID === OID_REV.freshestCrl) throw invalid('delta CRLs are not supported (the CRL names a freshest CRL)');
    if (e.extnID === OID_REV.issuingDistributionPoint || e.extnID === OID_REV.crlNumber || e.extnID === OID_REV.authorityKeyIdentifier) continue;
    if (e.critical) throw invalid(`unsupported critical CRL extension ${e.extnID}`);
  }
}

/** Look `cert` up in a validated CRL. Throws on an unknown critical entry extension. */
export function lookupCrl(crl: ParsedCrl, cert: ParsedCertificate, signingTime?: Date): CrlAnswer {
  const serial = serialHex(cert.pkijs.serialNumber);
  for (const entry of crl.crl.revokedCertificates ?? []) {
    if (serialHex(entry.userCertificate) !== serial) continue;
    let invalidity: Date | undefined;
    let reason: string | undefined;
    for (const e of entry.crlEntryExtensions?.extensions ?? []) {
      const value = new Uint8Array(e.extnValue.valueBlock.valueHexView);
      if (e.extnID === OID_REV.invalidityDate) {
        invalidity = parseInvalidityDate(value);
        if (!invalidity) throw invalid('CRL entry has a malformed invalidity date');
      } else if (e.extnID === OID_REV.reasonCode) {
        const r = asn1js.fromBER(value).result;
        if (r instanceof asn1js.Enumerated) reason = CRL_REASONS[r.valueBlock.valueDec];
      } else if (e.critical) {
        throw invalid(`unsupported critical CRL entry extension ${e.extnID}`);
      }
    }
    if (signingTime && invalidity && signingTime.getTime() < invalidity.getTime()) return { status: 'good', reason: `revoked, but signed before the invalidity date ${invalidity.toISOString()}` };
    return { status: 'revoked', revocationTime: entry.revocationDate.value, ...(reason ? { reason } : {}) };
  }
  return { status: 'good' };
}
