// verifyNotationSignature: a pure verifier (bytes + trust material + time in, verdict out) that evaluates
// each notation validation type separately (trust-store-trust-policy.md "Signature Verification
// details"); the trust-policy layer decides per level whether a failure is enforced or logged.
import { NotationError } from '../errors.ts';
import { parseSignatureEnvelope } from '../envelope/parse.ts';
import { verifyEnvelopeSignature } from '../envelope/signature.ts';
import { SCHEME_X509, type SignatureAlgorithm, type SigningScheme } from '../envelope/constants.ts';
import type { SignatureEnvelope } from '../envelope/types.ts';
import { findTrustAnchor, invalidAt, validateCertChain } from '../x509/chain.ts';
import type { CertificateInput, ParsedCertificate } from '../x509/cert.ts';
import { matchTrustedIdentity } from '../x509/dn.ts';
import { verifyTimestampToken, type VerifiedTimestamp } from '../timestamp/token.ts';
import type { CheckResult, ValidationType } from './types.ts';

export interface SubjectDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface TrustAnchors {
  /** `ca` trust stores: roots (or any chain certificate) for scheme notary.x509. */
  readonly ca?: readonly CertificateInput[];
  /** `signingAuthority` trust stores, for scheme notary.x509.signingAuthority. */
  readonly signingAuthority?: readonly CertificateInput[];
  /** `tsa` trust stores. Present (even empty) means the policy configured timestamp verification. */
  readonly tsa?: readonly CertificateInput[];
}

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface RevocationCheckResult {
  readonly status: RevocationStatus;
  readonly reason?: string;
}

/**
 * Seam for revocation (OCSP / CRL). Called with a chain leaf→root; `purpose` says which chain. The
 * verifier itself never touches the network: without a checker revocation is reported as skipped.
 */
export type RevocationChecker = (
  chain: readonly ParsedCertificate[],
  context: { readonly purpose: 'codeSigning' | 'timestamping'; readonly signingTime?: Date },
) => Promise<RevocationCheckResult>;

export interface VerifyNotationOptions {
  readonly subject: SubjectDescriptor;
  readonly trustAnchors: TrustAnchors;
  /** `*` or `x509.subject: <DN>` entries; omitted = no identity restriction. */
  readonly trustedIdentities?: readonly string[];
  /** Keys/values that must be present in the payload's targetArtifact.annotations. */
  readonly userMetadata?: Readonly<Record<string, string>>;
  readonly verifyTimestamp?: 'always' | 'afterCertExpiry';
  readonly now: Date;
  readonly revocationChecker?: RevocationChecker;
  /** Extended critical headers the caller handles (otherwise they fail integrity). */
  readonly knownCriticalHeaders?: readonly string[];
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SignerSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly signingScheme: SigningScheme;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The signer's claim (notary.x509) or the authentic signing time (signingAuthority). */
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
  readonly signingAgent?: string;
  /** Lowercase hex SHA-256 of each chain certificate, leaf first. */
  readonly thumbprints: readonly string[];
  readonly certificateChain: readonly CertificateSummary[];
  readonly trustAnchorSha256?: string;
  readonly trustedIdentity?: string;
  readonly userMetadata: Readonly<Record<string, string>>;
}

export interface NotationVerificationResult {
  /** True when no check failed (skipped checks do not count). Levels are applied by the trust policy. */
  readonly ok: boolean;
  readonly checks: Readonly<Record<ValidationType, CheckResult>>;
  /** The same results in notation's evaluation order. */
  readonly results: readonly CheckResult[];
  readonly envelope?: SignatureEnvelope;
  readonly signer?: SignerSummary;
  readonly timestamp?: VerifiedTimestamp;
}

const ORDER: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

function ok(type: ValidationType, reason?: string): CheckResult {
  return reason === undefined ? { type, status: 'ok' } : { type, status: 'ok', reason };
}
function failed(type: ValidationType, code: string, reason: string): CheckResult {
  return { type, status: 'failed', code, reason };
}
function skipped(type: ValidationType, code: string, reason: string): CheckResult {
  return { type, status: 'skipped', code, reason };
}
function fromError(type: ValidationType, err: unknown, fallback: string): CheckResult {
  if (err instanceof NotationError) return failed(type, err.code, err.message);
  return failed(type, fallback, err instanceof Error ? err.message : String(err));
}

function summarize(c: ParsedCertificate): CertificateSummary {
  return { subject: c.subject, issuer: c.issuer, sha256: c.sha256, notBefore: c.notBefore, notAfter: c.notAfter };
}

function finish(checks: Record<ValidationType, CheckResult>, extra: Omit<NotationVerificationResult, 'ok' | 'checks' | 'results'>): NotationVerificationResult {
  const results = ORDER.map((t) => checks[t]);
  return { ok: results.every((r) => r.status !== 'failed'), checks, results, ...extra };
}

/** Integrity (signature-specification.md): parse, verify the signature, validate the chain, bind the subject. */
async function checkIntegrity(
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

function checkAuthenticity(env: SignatureEnvelope, chain: ParsedCertificate[], opts: VerifyNotationOptions): { result: CheckResult; anchor?: ParsedCertificate; identity?: string } {
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
  let identity: string | undefined;
  try {
    identity = matchTrustedIdentity(chain[0] as ParsedCertificate, opts.trustedIdentities);
  } catch (err) {
    return { result: fromError('authenticity', err, 'POLICY_INVALID'), anchor };
  }
  if (identity === undefined) {
    return {
      result: failed('authenticity', 'UNTRUSTED', `signing certificate "${chain[0]?.subject}" does not match the trusted identities`),
      anchor,
    };
  }
  return { result: ok('authenticity'), anchor, identity };
}

function checkExpiry(env: SignatureEnvelope, now: Date): CheckResult {
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
async function checkAuthenticTimestamp(
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
      return { result: failed('authenticTimestamp', 'REVOCATION', `timestamp certificate chain revocation: ${r.status}${r.reason ? ` (${r.reason})` : ''}`), timestamp: ts };
    }
  }
  return { result: ok('authenticTimestamp', `timestamp ${ts.genTime.toISOString()} ±${ts.accuracyMs}ms`), timestamp: ts };
}

async function checkRevocation(chain: readonly ParsedCertificate[], env: SignatureEnvelope, opts: VerifyNotationOptions): Promise<CheckResult> {
  if (!opts.revocationChecker) {
    return skipped('revocation', 'REVOCATION_UNAVAILABLE', 'revocation was not checked: no revocation checker configured (offline verification)');
  }
  const signingTime = env.signedAttributes.authenticSigningTime ?? env.signedAttributes.signingTime;
  try {
    const r = await opts.revocationChecker(chain, { purpose: 'codeSigning', ...(signingTime ? { signingTime } : {}) });
    if (r.status === 'good') return ok('revocation');
    return failed('revocation', 'REVOCATION', r.status === 'revoked' ? `signing certificate chain is revoked${r.reason ? `: ${r.reason}` : ''}` : `revocation status unavailable${r.reason ? `: ${r.reason}` : ''}`);
  } catch (err) {
    return failed('revocation', 'REVOCATION', `revocation status unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Verify one notation signature envelope against `subject`. Never throws for a bad signature: each
 * validation type gets its own CheckResult. Throws only for programming errors (bad options).
 */
export async function verifyNotationSignature(
  envelopeBytes: Uint8Array,
  envelopeMediaType: string,
  opts: VerifyNotationOptions,
): Promise<NotationVerificationResult> {
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) {
    throw new NotationError('POLICY_INVALID', 'verifyNotationSignature: `now` must be a valid Date');
  }
  const integrity = await checkIntegrity(envelopeBytes, envelopeMediaType, opts);
  const { envelope, chain } = integrity;
  if (!envelope || !chain) {
    const na = (t: ValidationType) => skipped(t, 'NOT_EVALUATED', 'not evaluated: integrity validation failed');
    return finish(
      { integrity: integrity.result, authenticity: na('authenticity'), authenticTimestamp: na('authenticTimestamp'), expiry: na('expiry'), revocation: na('revocation') },
      {},
    );
  }
  const authenticity = checkAuthenticity(envelope, chain, opts);
  const expiry = checkExpiry(envelope, opts.now);
  const ts = await checkAuthenticTimestamp(envelope, chain, opts);
  const revocation = await checkRevocation(chain, envelope, opts);
  const leaf = chain[0] as ParsedCertificate;
  const a = envelope.signedAttributes;
  const signer: SignerSummary = {
    subject: leaf.subject,
    issuer: leaf.issuer,
    signingScheme: a.signingScheme,
    signatureAlgorithm: envelope.signatureAlgorithm,
    ...(a.signingTime ? { signingTime: a.signingTime } : {}),
    ...(a.authenticSigningTime ? { authenticSigningTime: a.authenticSigningTime } : {}),
    ...(a.expiry ? { expiry: a.expiry } : {}),
    ...(envelope.unsignedAttributes.signingAgent ? { signingAgent: envelope.unsignedAttributes.signingAgent } : {}),
    thumbprints: chain.map((c) => c.sha256),
    certificateChain: chain.map(summarize),
    ...(authenticity.anchor ? { trustAnchorSha256: authenticity.anchor.sha256 } : {}),
    ...(authenticity.identity ? { trustedIdentity: authenticity.identity } : {}),
    userMetadata: envelope.payload?.targetArtifact.annotations ?? {},
  };
  return finish(
    { integrity: integrity.result, authenticity: authenticity.result, authenticTimestamp: ts.result, expiry, revocation },
    { envelope, signer, ...(ts.timestamp ? { timestamp: ts.timestamp } : {}) },
  );
}
