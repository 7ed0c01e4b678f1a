// Verifying the notation signatures of one artifact under one trust-policy statement (notary
// trust-store-trust-policy.md "Signature Verification"): list the signature referrers, try them in
// order (those that can chain to the trust store first) and stop at the first one that passes, as
// notation does. Levels are applied with resolveLevel/decide; trusted identities with
// matchTrustedIdentity (notation's own DN rules).
import type { CallOptions, Descriptor, Fetcher, ReferrerLister } from '@ocx/oci';
import { isNotationError } from '../errors.ts';
import { decide, resolveLevel } from '../policy/levels.ts';
import { matchTrustedIdentity } from '../policy/identity.ts';
import type { LevelActions, TrustPolicyStatement, ValidationAction } from '../policy/types.ts';
import type { CheckResult, ValidationType } from '../verify/types.ts';
import { verifyNotationSignature } from '../verify/verify.ts';
import type { RevocationChecker, SignerSummary, TrustAnchors } from '../verify/verify.ts';
import { parseCertificate, type CertificateInput } from '../x509/cert.ts';
import { listNotationSignatures, loadNotationSignature, NOTATION_LIMITS, type FindNotationOptions } from './find.ts';

export interface VerifyArtifactOptions extends CallOptions {
  readonly statement: TrustPolicyStatement;
  readonly trustAnchors: TrustAnchors;
  readonly now: Date;
  readonly userMetadata?: Readonly<Record<string, string>>;
  readonly revocationChecker?: RevocationChecker;
  readonly limits?: Omit<FindNotationOptions, 'trustedThumbprints' | 'signal'>;
}

/** One validation type as evaluated for one signature, with what the level does with it. */
export interface ArtifactCheck extends CheckResult {
  readonly action: ValidationAction;
}

export interface SignatureOutcome {
  readonly referrer: Descriptor;
  readonly envelopeMediaType?: string;
  readonly verdict: 'pass' | 'fail';
  readonly checks: readonly ArtifactCheck[];
  /** Failures the level enforces (any one fails the signature). */
  readonly enforcedFailures: readonly CheckResult[];
  /** Failures the level only logs. */
  readonly loggedFailures: readonly CheckResult[];
  readonly signer?: SignerSummary;
  /** The trusted identity entry that matched the signing certificate. */
  readonly identity?: string;
}

export interface ArtifactVerification {
  readonly statement: TrustPolicyStatement;
  readonly actions: LevelActions;
  /** Level skip: nothing was fetched or checked. */
  readonly skipped: boolean;
  readonly verified: boolean;
  /** Signatures evaluated, in evaluation order (evaluation stops at the first that passes). */
  readonly signatures: readonly SignatureOutcome[];
  /** Signature referrers found. */
  readonly found: number;
  /** Signatures beyond the evaluation cap. */
  readonly notExamined: number;
}

function anchorThumbprints(anchors: TrustAnchors): Set<string> {
  const all: CertificateInput[] = [...(anchors.ca ?? []), ...(anchors.signingAuthority ?? [])];
  return new Set(all.map((c) => parseCertificate(c).sha256));
}

function withActions(results: readonly CheckResult[], actions: LevelActions): ArtifactCheck[] {
  return results.map((r) => ({ ...r, action: actions[r.type] }));
}

const TYPES_AFTER_INTEGRITY: readonly ValidationType[] = ['authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

/** A signature that could not even be loaded fails integrity; the other types are not evaluated. */
function integrityFailure(code: string, reason: string): CheckResult[] {
  return [{ type: 'integrity', status: 'failed', code, reason }, ...TYPES_AFTER_INTEGRITY.map((type): CheckResult => ({ type, status: 'skipped', code: 'NOT_EVALUATED', reason: 'not evaluated: integrity validation failed' }))];
}

/**
 * Verify `subject` (the descriptor ocx resolved itself) against `statement`. Registry errors
 * (OciError) propagate; a malformed or failing signature becomes a failed SignatureOutcome.
 */
export async function verifyNotationArtifact(repo: Fetcher & ReferrerLister, subject: Descriptor, options: VerifyArtifactOptions): Promise<ArtifactVerification> {
  const { statement } = options;
  const actions = resolveLevel(statement);
  if (statement.signatureVerification.level === 'skip') {
    return { statement, actions, skipped: true, verified: true, signatures: [], found: 0, notExamined: 0 };
  }
  const call = options.signal ? { signal: options.signal } : {};
  const maxSignatures = options.limits?.maxSignatures ?? NOTATION_LIMITS.maxSignatures;
  const refs = await listNotationSignatures(repo, subject, { ...call, trustedThumbprints: anchorThumbprints(options.trustAnchors) });
  const signatures: SignatureOutcome[] = [];
  for (const ref of refs.slice(0, maxSignatures)) {
    const outcome = await evaluate(ref.referrer, subject, options, actions, () => loadNotationSignature(repo, ref, subject.digest, { ...options.limits, ...call }));
    signatures.push(outcome);
    if (outcome.verdict === 'pass') break;
  }
  const verified = signatures.some((s) => s.verdict === 'pass');
  return { statement, actions, skipped: false, verified, signatures, found: refs.length, notExamined: Math.max(0, refs.length - maxSignatures) };
}

async function evaluate(
  referrer: Descriptor,
  subject: Descriptor,
  options: VerifyArtifactOptions,
  actions: LevelActions,
  load: () => ReturnType<typeof loadNotationSignature>,
): Promise<SignatureOutcome> {
  let loaded;
  try {
    loaded = await load();
  } catch (err) {
    if (!isNotationError(err)) throw err;
    const results = integrityFailure(err.code, err.message);
    const d = decide(actions, results);
    return { referrer, verdict: d.verdict === 'pass' ? 'pass' : 'fail', checks: withActions(results, actions), enforcedFailures: d.enforcedFailures, loggedFailures: d.loggedFailures };
  }
  const r = await verifyNotationSignature(loaded.envelope, loaded.envelopeMediaType, {
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    trustAnchors: options.trustAnchors,
    verifyTimestamp: options.statement.signatureVerification.verifyTimestamp,
    now: options.now,
    ...(options.userMetadata ? { userMetadata: options.userMetadata } : {}),
    ...(options.revocationChecker ? { revocationChecker: options.revocationChecker } : {}),
  });
  // Trusted identities are matched here with notation's DN rules (policy/identity.ts), once the
  // chain is known to end in a trusted anchor.
  let identity: string | undefined;
  const results = r.results.map((c): CheckResult => {
    if (c.type !== 'authenticity' || c.status !== 'ok') return c;
    const leafDer = r.envelope?.certificateChain[0];
    if (!leafDer) return { type: 'authenticity', status: 'failed', code: 'UNTRUSTED', reason: 'the signature carries no signing certificate' };
    const m = matchTrustedIdentity(options.statement.trustedIdentities, parseCertificate(leafDer));
    if (m.matched) {
      identity = m.identity;
      return c;
    }
    return { type: 'authenticity', status: 'failed', code: 'UNTRUSTED', reason: m.reason };
  });
  const d = decide(actions, results);
  return {
    referrer,
    envelopeMediaType: loaded.envelopeMediaType,
    verdict: d.verdict === 'pass' ? 'pass' : 'fail',
    checks: withActions(results, actions),
    enforcedFailures: d.enforcedFailures,
    loggedFailures: d.loggedFailures,
    ...(r.signer ? { signer: r.signer } : {}),
    ...(identity !== undefined ? { identity } : {}),
  };
}
