// The notation family under a policy: each notation signer is notation's own statement (its trust
// stores, trusted identities and verification level, from trust.notation.config's truststore), run
// with @ocx/notation's verifier exactly as notation runs a statement. A signature that passes is
// reported as raw facts (the signer's trust stores, leaf subject, per-check results) for decide().
import { createRevocationChecker, loadStatementAnchors, notationConfigDir, parseTrustPolicy, verifyNotationArtifact, type RevocationFetch, type TrustAnchors, type TrustPolicyStatement } from '@ocx/notation';
import type { RejectedCandidate, SignatureCandidate } from '../../evidence.ts';
import type { NotationSigner } from '../../types.ts';
import type { CandidateReport, FamilyReport, FamilyRequest, PreparedFamily, VerifierFamily, VerifyTarget } from '../types.ts';

interface Prepared {
  readonly signer: NotationSigner;
  readonly statement: TrustPolicyStatement;
  readonly anchors: () => Promise<TrustAnchors>;
}

/** One notation statement per signer, parsed by notation's own checker (what it refuses, we refuse). */
function statementFor(signer: NotationSigner): TrustPolicyStatement {
  const override = Object.keys(signer.verification.override).length > 0 ? { override: signer.verification.override } : {};
  const doc = {
    version: '1.0',
    trustPolicies: [
      {
        name: signer.name,
        registryScopes: ['*'],
        signatureVerification: { level: signer.verification.level, ...override, verifyTimestamp: signer.verification.verifyTimestamp },
        trustStores: [...signer.trustStores],
        trustedIdentities: [...signer.identities],
      },
    ],
  };
  return parseTrustPolicy(JSON.stringify(doc), `notation signer "${signer.name}"`).trustPolicies[0]!;
}

async function prepare(request: FamilyRequest): Promise<PreparedFamily> {
  const configDir = request.policy.trust.notation?.config ?? notationConfigDir(request.env ?? {});
  const prepared: Prepared[] = request.signers
    .filter((s): s is NotationSigner => s.kind === 'notation')
    .map((signer) => {
      const statement = statementFor(signer);
      let anchors: Promise<TrustAnchors> | undefined;
      return { signer, statement, anchors: () => (anchors ??= loadStatementAnchors(configDir, statement)) };
    });
  // Revocation as notation does it (OCSP, then CRL); freshness is judged against the real clock.
  const revocationChecker = createRevocationChecker({ now: () => new Date(), fetch: (request.fetch ?? globalThis.fetch) as RevocationFetch });
  return { verify: (target, signal) => verifyTarget(target, prepared, request.now, revocationChecker, signal) };
}

async function verifyTarget(target: VerifyTarget, prepared: readonly Prepared[], now: Date, revocationChecker: ReturnType<typeof createRevocationChecker>, signal: AbortSignal | undefined): Promise<FamilyReport> {
  const signatures: SignatureCandidate[] = [];
  const rejected: RejectedCandidate[] = [];
  const candidates: CandidateReport[] = [];
  for (const p of prepared) {
    const result = await verifyNotationArtifact(target.repo, target.subject, { statement: p.statement, trustAnchors: await p.anchors(), now, revocationChecker, ...(signal ? { signal } : {}) });
    for (const s of result.signatures) {
      const format = s.envelopeMediaType === 'application/cose' ? 'notation-cose' : 'notation-jws';
      const reasons = s.enforcedFailures.map((f) => `${f.type} validation failed: ${f.reason ?? f.code ?? 'failed'}`);
      candidates.push({
        format,
        referrer: s.referrer.digest,
        kind: 'signature',
        ok: s.verdict === 'pass',
        reasons,
        ...(s.signer ? { identity: s.signer.subject, issuer: s.signer.issuer, keyId: s.signer.thumbprints[0] } : {}),
        policy: `signer ${p.signer.name} (level ${p.signer.verification.level})`,
        checks: s.checks.map((c) => ({ name: c.type, outcome: c.action === 'skip' || c.status === 'skipped' ? 'skipped' : c.status === 'ok' ? 'pass' : 'fail', action: c.action, ...(c.reason ? { detail: c.reason } : {}) })),
      });
      if (s.verdict === 'pass' && s.signer) {
        signatures.push({
          family: 'notation',
          source: s.referrer.digest,
          subjectDigest: target.subject.digest,
          anchors: p.signer.trustStores,
          subject: s.signer.subject,
          checks: s.checks.map((c) => ({ type: c.type, status: c.status === 'ok' ? 'ok' : c.status === 'skipped' ? 'skipped' : 'failed', ...(c.reason ? { reason: c.reason } : {}) })),
        });
      } else {
        rejected.push({ family: 'notation', source: s.referrer.digest, reason: `signer ${p.signer.name}: ${reasons.join('; ') || 'did not verify'}${s.signer ? ` (leaf ${s.signer.subject})` : ''}` });
      }
    }
  }
  return { family: 'notation', candidates, evidence: { signatures, rejected } };
}

/** notation signatures under a policy. */
export const notationPolicyFamily: VerifierFamily = { name: 'notation', prepare };
