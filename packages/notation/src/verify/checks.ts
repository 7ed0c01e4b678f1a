// One function per notation validation type (trust-store-trust-policy.md "Signature Verification
// details"). Each returns a CheckResult; none throws for a bad signature.
import { NotationError } from '../errors.ts';
import { parseSignatureEnvelope } from '../envelope/parse.ts';
import { verifyEnvelopeSignature } from '../envelope/signature.ts';
import { SCHEME_X509 } from '../envelope/constants.ts';
import type { SignatureEnvelope } from '../envelope/types.ts';
import { findTrustAnchor, invalidAt, validateCertChain } from '../x509/chain.ts';
import type { ParsedCertificate } from '../x509/cert.ts';
import { matchTrustedIdentity } from '../policy/identity.ts';
import type { VerifiedTimestamp } from '../timestamp/token.ts';
import type { VerifyNotationOptions } from './options.ts';
import type { CheckResult, ValidationType } from './types.ts';

export function ok(type: ValidationType, reason?: string): CheckResult {
  return reason === undefined ? { type, status: 'ok' } : { type, status: 'ok', reason };
}
export function failed(type: ValidationType, code: string, reason: string): CheckResult {
  return { type, status: 'failed', code, reason };
}
export function skipped(type: ValidationType, code: string, reason: string): CheckResult {
  return { type, status: 'skipped', code, reason };
}
export function fromError(type: ValidationType, err: unknown, fallback: string): CheckResult {
  if (err instanceof NotationError) return failed(type, err.code, err.message);
  return failed(type, fallback, err instanceof Error ? err.message : String(err));
}

/** Integrity (signature-specification.md): parse, verify the signature, validate the chain, bind the subject. */
export async function checkIntegrity(
  bytes: Uint8Array,
  mediaType: string,
  opts: VerifyNotationOptions,
): Promise<{ result: CheckResult; envelope?: SignatureEnvelope; chain?: ParsedCertificate[] }> {
  let envelope: SignatureEnvelope;
  let chain: ParsedCertificate[];
  try {
    envelope = parseSignatureEnvelope(bytes, mediaType, opts.knownCriticalHeaders ? { knownCriticalHeaders: opts.knownCriticalHeaders } : {});
    await verifyEnvelopeSignature(envelope);
    chain = validateCertChain(envelope.certificateChain, 'codeSigning');
  } catch (err) {
    return { result: fromError('integrity', err, 'SIGNATURE_INVALID') };
  }
  if (!envelope.payload) return { result: failed('integrity', 'ENVELOPE_INVALID', 'envelope has no notation payload') };
  const target = envelope.payload.targetArtifact;
  const s = opts.subject;
  if (target.digest !== s.digest || target.size !== s.size || target.mediaType !== s.mediaType) {
    return {
      result: failed('integrity', 'PAYLOAD_MISMATCH', `signed artifact ${target.mediaType} ${target.digest} (${target.size} bytes) is not the subject ${s.mediaType} ${s.digest} (${s.size} bytes)`),
      envelope,
      chain,
    };
  }
  for (const [k, v] of Object.entries(opts.userMetadata ?? {})) {
    if (target.annotations?.[k] !== v) {
      return { result: failed('integrity', 'PAYLOAD_MISMATCH', `unable to find specified metadata ${k}=${v} in the signature`), envelope, chain };
    }
  }
  return { result: ok('integrity'), envelope, chain };
}

export function checkAuthenticity(env: SignatureEnvelope, chain: ParsedCertificate[], opts: VerifyNotationOptions): { result: CheckResult; anchor?: ParsedCertificate; identity?: string } {
  const scheme = env.signedAttributes.signingScheme;
  const anchors = scheme === SCHEME_X509 ? opts.trustAnchors.ca : opts.trustAnchors.signingAuthority;
  const storeType = scheme === SCHEME_X509 ? 'ca' : 'signingAuthority';
  if (!anchors || anchors.length === 0) {
    return { result: failed('authenticity', 'UNTRUSTED', `no trusted certificates are found to verify authenticity (no ${storeType} trust anchors)`) };
  }
  let anchor: ParsedCertificate | undefined;
  try {
    anchor = findTrustAnchor(chain, anchors);
  } catch (err) {
    return { result: fromError('authenticity', err, 'TRUSTSTORE_INVALID') };
  }
  if (!anchor) return { result: failed('authenticity', 'UNTRUSTED', 'signature is not produced by a trusted signer') };
  if (opts.trustedIdentities === undefined) return { result: ok('authenticity'), anchor };
  // One identity matcher for the whole package: notation's rules (policy/identity.ts).
  let match;
  try {
    match = matchTrustedIdentity(opts.trustedIdentities, chain[0] as ParsedCertificate);
  } catch (err) {
    return { result: fromError('authenticity', err, 'POLICY_INVALID'), anchor };
  }
  if (!match.matched) {
    return {
      result: failed('authenticity', 'UNTRUSTED', `signing certificate "${chain[0]?.subject}" does not match the trusted identities: ${match.reason}`),
      anchor,
    };
  }
  return { result: ok('authenticity'), anchor, identity: match.identity };
}

export function checkExpiry(env: SignatureEnvelope, now: Date): CheckResult {
  const expiry = env.signedAttributes.expiry;
  if (expiry && now.getTime() >= expiry.getTime()) {
    return failed('expiry', 'EXPIRED', `digital signature has expired on ${expiry.toISOString()}`);
  }
  return ok('expiry');
}

function validityFailure(chain: readonly ParsedCertificate[], time: Date, what: string): CheckResult | undefined {
  const bad = invalidAt(chain, time);
  if (!bad) return undefined;
  const { cert, when } = bad;
  const msg =
    when === 'before'
      ? `${what} is before certificate "${cert.subject}" validity period, it will be valid from ${cert.notBefore.toISOString()}`
      : `${what} is after certificate "${cert.subject}" validity period, it was expired at ${cert.notAfter.toISOString()}`;
  return failed('authenticTimestamp', 'EXPIRED', msg);
}

/** Authentic timestamp (trust-store-trust-policy.md step "Validate timestamp"). */
export async function checkAuthenticTimestamp(
  env: SignatureEnvelope,
  chain: readonly ParsedCertificate[],
  opts: VerifyNotationOptions,
): Promise<{ result: CheckResult; timestamp?: VerifiedTimestamp }> {
  const attrs = env.signedAttributes;
  if (attrs.signingScheme !== SCHEME_X509) {
    const t = attrs.authenticSigningTime as Date;
    const bad = invalidAt(chain, t);
    if (bad) {
      return { result: failed('authenticTimestamp', 'EXPIRED', `certificate "${bad.cert.subject}" was not valid when the digital signature was produced at ${t.toISOString()}`) };
    }
    return { result: ok('authenticTimestamp') };
  }
  const tsa = opts.trustAnchors.tsa;
  let perform = tsa !== undefined;
  if (perform && (opts.verifyTimestamp ?? 'always') === 'afterCertExpiry') {
    perform = chain.some((c) => opts.now.getTime() > c.notAfter.getTime());
  }
  if (!perform) {
    return { result: validityFailure(chain, opts.now, 'verification time') ?? ok('authenticTimestamp', 'signing certificate chain is valid at verification time') };
  }
  const token = env.unsignedAttributes.timestampSignature;
  if (!token) return { result: failed('authenticTimestamp', 'TIMESTAMP_INVALID', 'no timestamp countersignature was found in the signature envelope') };
  // RFC 3161 (CMS) needs pkijs: loaded only for a signature that carries a timestamp and a policy that checks it.
  const { verifyTimestampToken } = await import('../timestamp/token.ts');
  let ts: VerifiedTimestamp;
  try {
    ts = verifyTimestampToken(token, { message: env.signature, tsaRoots: tsa ?? [] });
  } catch (err) {
    return { result: fromError('authenticTimestamp', err, 'TIMESTAMP_INVALID') };
  }
  for (const cert of chain) {
    if (ts.notBefore.getTime() < cert.notBefore.getTime()) {
      return { result: failed('authenticTimestamp', 'EXPIRED', `timestamp can be before certificate "${cert.subject}" validity period, it will be valid from ${cert.notBefore.toISOString()}`), timestamp: ts };
    }
    if (ts.notAfter.getTime() > cert.notAfter.getTime()) {
      return { result: failed('authenticTimestamp', 'EXPIRED', `timestamp can be after certificate "${cert.subject}" validity period, it was expired at ${cert.notAfter.toISOString()}`), timestamp: ts };
    }
  }
  if (opts.revocationChecker) {
    const r = await opts.revocationChecker(ts.tsaChain, { purpose: 'timestamping', signingTime: ts.genTime });
    if (r.status !== 'good') {
      const code = r.status === 'unknown' && r.offline === true ? 'REVOCATION_OFFLINE' : 'REVOCATION';
      return { result: failed('authenticTimestamp', code, `timestamp certificate chain revocation: ${r.status}${r.reason ? ` (${r.reason})` : ''}`), timestamp: ts };
    }
  }
  return { result: ok('authenticTimestamp', `timestamp ${ts.genTime.toISOString()} ±${ts.accuracyMs}ms`), timestamp: ts };
}

export async function checkRevocation(chain: readonly ParsedCertificate[], env: SignatureEnvelope, opts: VerifyNotationOptions): Promise<CheckResult> {
  if (!opts.revocationChecker) {
    return skipped('revocation', 'REVOCATION_UNAVAILABLE', 'revocation was not checked: no revocation checker configured (offline verification)');
  }
  // Only an authentic signing time (scheme notary.x509.signingAuthority) may excuse a revocation whose
  // invalidity date is later, as notation-go passes it; a notary.x509 signingTime is the signer's claim.
  const signingTime = env.signedAttributes.authenticSigningTime;
  try {
    const r = await opts.revocationChecker(chain, { purpose: 'codeSigning', ...(signingTime ? { signingTime } : {}) });
    if (r.status === 'good') return ok('revocation');
    // Not a verdict on the certificate: nothing could be asked. The level decides (enforce fails it).
    if (r.status === 'unknown' && r.offline === true) return failed('revocation', 'REVOCATION_OFFLINE', `revocation status unavailable offline${r.reason ? `: ${r.reason}` : ''}`);
    return failed('revocation', 'REVOCATION', r.status === 'revoked' ? `signing certificate chain is revoked${r.reason ? `: ${r.reason}` : ''}` : `revocation status unavailable${r.reason ? `: ${r.reason}` : ''}`);
  } catch (err) {
    return failed('revocation', 'REVOCATION', `revocation status unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

