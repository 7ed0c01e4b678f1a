// CRLs (RFC 5280 §5) as notation-core-go v1.3.0 revocation/internal/crl checks them: signed by the
// issuer (a CA certificate allowed to sign CRLs), nextUpdate present and not passed, no unknown
// critical extension. A base CRL may name delta CRLs (freshestCRL, §5.2.6); the delta is checked like
// the base and must extend it (§5.2.4), and the entries of both are read together. An entry with an
// invalidityDate after the authentic signing time does not revoke that signature; certificateHold and
// removeFromCRL entries are temporary, and the most recent of them decides.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import { certExtensions, KeyUsage, type ParsedCertificate } from '../x509/cert.ts';
import { pkijsCertificate } from '../x509/pkijs-view.ts';
import {
  acceptedSignatureAlgorithm,
  bytesEqual,
  CLOCK_SKEW_MS,
  CRL_REASONS,
  engine,
  OID_REV,
  parseDistributionPointUris,
  parseIntegerExtension,
  parseInvalidityDate,
  serialHex,
} from './asn1.ts';

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly crl: pkijs.CertificateRevocationList;
  readonly rawIssuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** cRLNumber (§5.2.3). */
  readonly number?: bigint;
  /** deltaCRLIndicator (§5.2.4): present only on a delta CRL; the minimum base CRL number it extends. */
  readonly baseNumber?: bigint;
  /** URIs of the freshestCRL extension (§5.2.6): where this base CRL's delta CRLs are published. */
  readonly deltaUrls?: readonly string[];
}

/** A base CRL and, when one is published, the delta CRL that extends it. */
export interface CrlPair {
  readonly base: ParsedCrl;
  readonly delta?: ParsedCrl;
}

export interface CrlAnswer {
  readonly status: 'good' | 'revoked';
  readonly revocationTime?: Date;
  readonly reason?: string;
}

const invalid = (msg: string) => new NotationError('REVOCATION', msg);
const extValue = (e: pkijs.Extension) => new Uint8Array(e.extnValue.valueBlock.valueHexView);

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
  let number: bigint | undefined;
  let baseNumber: bigint | undefined;
  let deltaUrls: string[] | undefined;
  for (const e of crl.crlExtensions?.extensions ?? []) {
    if (e.extnID === OID_REV.crlNumber) {
      number = parseIntegerExtension(extValue(e));
      if (number === undefined) throw invalid('CRL has a malformed CRL number');
    } else if (e.extnID === OID_REV.deltaCrlIndicator) {
      baseNumber = parseIntegerExtension(extValue(e));
      if (baseNumber === undefined) throw invalid('CRL has a malformed delta CRL indicator');
    } else if (e.extnID === OID_REV.freshestCrl) {
      deltaUrls = parseDistributionPointUris(extValue(e));
      if (!deltaUrls) throw invalid('CRL has a malformed freshest CRL extension');
    }
  }
  const nextUpdate = crl.nextUpdate?.value;
  return {
    der,
    crl,
    rawIssuer: new Uint8Array(crl.issuer.toSchema().toBER(false)),
    thisUpdate: crl.thisUpdate.value,
    ...(nextUpdate ? { nextUpdate } : {}),
    ...(number !== undefined ? { number } : {}),
    ...(baseNumber !== undefined ? { baseNumber } : {}),
    ...(deltaUrls ? { deltaUrls } : {}),
  };
}

/** Every CRL of a --crl file: the PEM "X509 CRL" blocks in order (a base and its delta may share one file), or one DER CRL. */
export function parseCrls(data: Uint8Array): ParsedCrl[] {
  const head = new TextDecoder().decode(data.subarray(0, 64));
  if (!head.includes('-----BEGIN')) return [parseCrl(data)];
  const blocks = new TextDecoder().decode(data).match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g) ?? [];
  if (blocks.length === 0) throw invalid('no PEM "X509 CRL" block found');
  return blocks.map((b) => parseCrl(new TextEncoder().encode(b)));
}

/** True when the CRL names `issuer` as its issuer (raw Name comparison, as certificate chaining). */
export function crlIssuedBy(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
  return bytesEqual(crl.rawIssuer, issuer.rawSubject);
}

/** True when the certificate itself names a freshest (delta) CRL (RFC 5280 §4.2.1.15). */
export function certNamesDeltaCrl(cert: ParsedCertificate): boolean {
  return (pkijsCertificate(cert).extensions ?? []).some((e) => e.extnID === OID_REV.freshestCrl);
}

/**
 * Signature, issuer capability, freshness and extensions of one CRL; `label` ("CRL", "delta CRL")
 * names it in messages. Throws NotationError('REVOCATION').
 */
export async function validateCrl(crl: ParsedCrl, issuer: ParsedCertificate, now: Date, label = 'CRL'): Promise<void> {
  if (!crlIssuedBy(crl, issuer)) throw invalid(`${label} issuer is not "${issuer.subject}"`);
  const ext = certExtensions(issuer);
  if (!ext.basicConstraints?.ca) throw invalid(`${label} issuer "${issuer.subject}" is not a CA`);
  if (ext.keyUsage && !(ext.keyUsage.usages & KeyUsage.cRLSign)) throw invalid(`${label} issuer "${issuer.subject}" may not sign CRLs (no cRLSign key usage)`);
  if (!acceptedSignatureAlgorithm(crl.crl.signatureAlgorithm)) throw invalid(`${label} signature algorithm ${crl.crl.signatureAlgorithm.algorithmId} is not accepted`);
  const ok = await engine.verifyWithPublicKey(crl.crl.tbsView, crl.crl.signatureValue, pkijsCertificate(issuer).subjectPublicKeyInfo, crl.crl.signatureAlgorithm).catch(() => false);
  if (!ok) throw invalid(`${label} signature does not verify with the key of "${issuer.subject}"`);
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid(`${label} is not yet valid (thisUpdate ${crl.thisUpdate.toISOString()})`);
  // notation-core-go refuses a CRL without nextUpdate: there is no time until which it is current.
  if (!crl.nextUpdate) throw invalid(`${label} has no nextUpdate`);
  if (now.getTime() > crl.nextUpdate.getTime()) throw invalid(`expired ${label} (nextUpdate ${crl.nextUpdate.toISOString()})`);
  for (const e of crl.crl.crlExtensions?.extensions ?? []) {
    // issuingDistributionPoint only narrows the scope, and every distribution point is read anyway.
    if (e.extnID === OID_REV.issuingDistributionPoint || e.extnID === OID_REV.deltaCrlIndicator) continue;
    if (e.critical) throw invalid(`unsupported critical ${label} extension ${e.extnID}`);
  }
}

/**
 * Why `delta` cannot extend `base` (RFC 5280 §5.2.4: a larger CRL number, a deltaCRLIndicator, and a
 * minimum base CRL number the base reaches), or undefined when it can. Signatures are not checked here.
 */
export function deltaMismatch(base: ParsedCrl, delta: ParsedCrl): string | undefined {
  if (base.number === undefined) return 'base CRL has no CRL number, so no delta CRL can extend it';
  if (delta.number === undefined) return 'delta CRL has no CRL number';
  if (delta.number <= base.number) return `delta CRL number ${delta.number} is not greater than the base CRL number ${base.number}`;
  if (delta.baseNumber === undefined) return 'delta CRL has no delta CRL indicator extension';
  if (delta.baseNumber > base.number) return `delta CRL indicator ${delta.baseNumber} (minimum base CRL number) is greater than the base CRL number ${base.number}`;
  return undefined;
}

/** Validate a base CRL and its delta, if any. Throws NotationError('REVOCATION'). */
export async function validateCrlPair(pair: CrlPair, issuer: ParsedCertificate, now: Date): Promise<void> {
  // A delta CRL served where a complete CRL is expected would hide every older revocation.
  if (pair.base.baseNumber !== undefined) throw invalid('the CRL is a delta CRL (it has a delta CRL indicator), not a complete CRL');
  await validateCrl(pair.base, issuer, now);
  if (!pair.delta) return;
  await validateCrl(pair.delta, issuer, now, 'delta CRL');
  const why = deltaMismatch(pair.base, pair.delta);
  if (why) throw invalid(why);
}

const HOLD = 'certificateHold';
const REMOVE = 'removeFromCRL';

interface Entry {
  readonly revocationTime: Date;
  readonly reason?: string;
  readonly invalidity?: Date;
}

function readEntry(entry: pkijs.RevokedCertificate): Entry {
  let invalidity: Date | undefined;
  let reason: string | undefined;
  for (const e of entry.crlEntryExtensions?.extensions ?? []) {
    if (e.extnID === OID_REV.invalidityDate) {
      invalidity = parseInvalidityDate(extValue(e));
      if (!invalidity) throw invalid('CRL entry has a malformed invalidity date');
    } else if (e.extnID === OID_REV.reasonCode) {
      const r = asn1js.fromBER(extValue(e)).result;
      if (!(r instanceof asn1js.Enumerated)) throw invalid('CRL entry has a malformed reason code');
      reason = CRL_REASONS[r.valueBlock.valueDec] ?? `reason ${r.valueBlock.valueDec}`;
    } else if (e.critical) {
      throw invalid(`unsupported critical CRL entry extension ${e.extnID}`);
    }
  }
  return { revocationTime: entry.revocationDate.value, ...(reason ? { reason } : {}), ...(invalidity ? { invalidity } : {}) };
}

/**
 * Look `cert` up in a validated base CRL and its delta, entries of the base first (notation-core-go
 * checkRevocation). Throws on a malformed entry or an unknown critical entry extension.
 */
export function lookupCrl(pair: CrlPair, cert: ParsedCertificate, signingTime?: Date): CrlAnswer {
  const serial = serialHex(pkijsCertificate(cert).serialNumber);
  const entries = [...(pair.base.crl.revokedCertificates ?? []), ...(pair.delta?.crl.revokedCertificates ?? [])];
  let latestTemporary: Entry | undefined;
  for (const raw of entries) {
    if (serialHex(raw.userCertificate) !== serial) continue;
    const entry = readEntry(raw);
    if (signingTime && entry.invalidity && signingTime.getTime() < entry.invalidity.getTime()) {
      return { status: 'good', reason: `revoked, but signed before the invalidity date ${entry.invalidity.toISOString()}` };
    }
    if (entry.reason === HOLD || entry.reason === REMOVE) {
      // On hold, or released from hold: only the most recent such entry counts (§5.3.1).
      if (!latestTemporary || latestTemporary.revocationTime.getTime() < entry.revocationTime.getTime()) latestTemporary = entry;
      continue;
    }
    return { status: 'revoked', revocationTime: entry.revocationTime, ...(entry.reason ? { reason: entry.reason } : {}) };
  }
  if (latestTemporary?.reason === HOLD) return { status: 'revoked', revocationTime: latestTemporary.revocationTime, reason: HOLD };
  if (latestTemporary) return { status: 'good', reason: `released from hold (removeFromCRL at ${latestTemporary.revocationTime.toISOString()})` };
  return { status: 'good' };
}
