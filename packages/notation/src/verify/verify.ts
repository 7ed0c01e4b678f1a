// verifyNotationSignature: a pure verifier (bytes + trust material + time in, verdict out) that evaluates
// each notation validation type separately (trust-store-trust-policy.md "Signature Verification
// details"); the trust-policy layer decides per level whether a failure is enforced or logged.
import { NotationError } from '../errors.ts';
import type { ParsedCertificate } from '../x509/cert.ts';
import { checkAuthenticity, checkAuthenticTimestamp, checkExpiry, checkIntegrity, checkRevocation, skipped } from './checks.ts';
import type { CertificateSummary, NotationVerificationResult, SignerSummary, VerifyNotationOptions } from './options.ts';
import type { CheckResult, ValidationType } from './types.ts';

export type {
  CertificateSummary,
  NotationVerificationResult,
  RevocationChecker,
  RevocationCheckResult,
  RevocationStatus,
  SignerSummary,
  SubjectDescriptor,
  TrustAnchors,
  VerifyNotationOptions,
} from './options.ts';

const ORDER: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

function summarize(c: ParsedCertificate): CertificateSummary {
  return { subject: c.subject, issuer: c.issuer, sha256: c.sha256, notBefore: c.notBefore, notAfter: c.notAfter };
}

function finish(checks: Record<ValidationType, CheckResult>, extra: Omit<NotationVerificationResult, 'ok' | 'checks' | 'results'>): NotationVerificationResult {
  const results = ORDER.map((t) => checks[t]);
  return { ok: results.every((r) => r.status !== 'failed'), checks, results, ...extra };
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
