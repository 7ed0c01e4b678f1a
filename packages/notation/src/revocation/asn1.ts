// Small ASN.1 helpers shared by the OCSP and CRL code.
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ACCEPTED_CERT_SIGNATURE_OIDS } from '../x509/oids.ts';

export const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });

export const OID_REV = {
  sha1: '1.3.14.3.2.26',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  aia: '1.3.6.1.5.5.7.1.1',
  aiaOcsp: '1.3.6.1.5.5.7.48.1',
  crlDistributionPoints: '2.5.29.31',
  freshestCrl: '2.5.29.46',
  issuingDistributionPoint: '2.5.29.28',
  deltaCrlIndicator: '2.5.29.27',
  crlNumber: '2.5.29.20',
  authorityKeyIdentifier: '2.5.29.35',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
} as const;

/** Tolerated clock difference for a thisUpdate ahead of the verification time (responder clocks drift). */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Serial number bytes without leading zero octets, as lowercase hex (0-padded sign bytes differ). */
export function serialHex(i: asn1js.Integer): string {
  const hex = Buffer.from(i.valueBlock.valueHexView).toString('hex').replace(/^(00)+(?=.)/, '');
  return hex || '00';
}

/** Signature algorithms accepted for OCSP responses and CRLs: as for certificates, never SHA-1. */
export function acceptedSignatureAlgorithm(alg: pkijs.AlgorithmIdentifier): boolean {
  return ACCEPTED_CERT_SIGNATURE_OIDS.has(alg.algorithmId);
}

/** The reason code of a CRL entry or OCSP RevokedInfo (RFC 5280 §5.3.1), for messages only. */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

/** The value of a DER INTEGER extension (cRLNumber, deltaCRLIndicator: RFC 5280 §5.2.3, §5.2.4). */
export function parseIntegerExtension(extnValue: Uint8Array): bigint | undefined {
  const parsed = asn1js.fromBER(extnValue);
  if (parsed.offset !== extnValue.byteLength || !(parsed.result instanceof asn1js.Integer)) return undefined;
  return parsed.result.toBigInt();
}

const isTag = (b: asn1js.AsnType, tagNumber: number, constructed: boolean) =>
  b.idBlock.tagClass === 3 && b.idBlock.tagNumber === tagNumber && b.idBlock.isConstructed === constructed;

/**
 * URIs of a CRLDistributionPoints / FreshestCRL value (RFC 5280 §4.2.1.13, §4.2.1.15), read as
 * notation-core-go's parseCRLDistributionPoint reads them: a point without a name is skipped, a name
 * that is not a fullName is an error, and a fullName's URIs are taken until the first other
 * GeneralName. Returns undefined when the value is malformed.
 */
export function parseDistributionPointUris(extnValue: Uint8Array): string[] | undefined {
  const parsed = asn1js.fromBER(extnValue);
  if (parsed.offset !== extnValue.byteLength || !(parsed.result instanceof asn1js.Sequence)) return undefined;
  const out: string[] = [];
  for (const dp of parsed.result.valueBlock.value) {
    if (!(dp instanceof asn1js.Sequence)) return undefined;
    const first = dp.valueBlock.value[0];
    if (!first || !isTag(first, 0, true)) continue;
    const fullName = (first as asn1js.Constructed).valueBlock.value[0];
    if (!fullName || !isTag(fullName, 0, true)) return undefined;
    for (const gn of (fullName as asn1js.Constructed).valueBlock.value) {
      if (!isTag(gn, 6, false)) break;
      out.push(Buffer.from((gn as asn1js.Primitive).valueBlock.valueHexView).toString('latin1'));
    }
  }
  return out;
}

/** Parse the DER value of an invalidityDate extension (GeneralizedTime). */
export function parseInvalidityDate(extnValue: Uint8Array): Date | undefined {
  const parsed = asn1js.fromBER(extnValue);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.GeneralizedTime)) return undefined;
  const d = parsed.result.toDate();
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** URIs from the AIA extension's id-ad-ocsp entries (RFC 5280 §4.2.2.1). */
export function ocspUrls(cert: pkijs.Certificate): string[] {
  const out: string[] = [];
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID !== OID_REV.aia || !(ext.parsedValue instanceof pkijs.InfoAccess)) continue;
    for (const ad of ext.parsedValue.accessDescriptions) {
      if (ad.accessMethod === OID_REV.aiaOcsp && ad.accessLocation.type === 6) out.push(String(ad.accessLocation.value));
    }
  }
  return out;
}

/**
 * URIs of the CRL distribution points (RFC 5280 §4.2.1.13), read as Go's crypto/x509 reads them for
 * notation (see parseDistributionPointUris). undefined when the extension is malformed: Go refuses
 * such a certificate, so it must not pass as naming no CRL.
 */
export function crlUrls(cert: pkijs.Certificate): string[] | undefined {
  const out: string[] = [];
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID !== OID_REV.crlDistributionPoints) continue;
    const uris = parseDistributionPointUris(new Uint8Array(ext.extnValue.valueBlock.valueHexView));
    if (!uris) return undefined;
    out.push(...uris);
  }
  return out;
}
