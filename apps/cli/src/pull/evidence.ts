// Evidence for the policy gate, gathered with `ocx verify`'s families for the signers the winning
// rule names — and only those, so a key-only rule never loads TUF or notation.
//
// TODO(issue 9, verify engine move): this is the stop-gap until the engine lives in @ocx/policy.
// Today: cosign key signers and cosign keyless signers (identity and issuer; GitHub claims are not
// reported by the family yet, so a signer that requires them fails closed). Not yet: notation
// signers, extension families, attestations and SBOMs — each shows
// in the why-tree as a rejected candidate or an unmet requirement, so the gate blocks rather than
// allows what it cannot check.
import type { Evidence, Explanation, Policy, RejectedCandidate, Signer, SignatureCandidate } from '@ocx/policy';
import type { Context } from '../context.ts';
import type { CandidateReport, VerifyFlags, VerifyTarget } from '../verify/types.ts';
import type { GateTarget } from './gate.ts';

export type EvidenceGatherer = (ctx: Context, policy: Policy, explanation: Explanation, target: GateTarget) => Promise<Evidence>;

const NONE: Evidence = { signatures: [], attestations: [], sboms: [], rejected: [] };

function signersOf(policy: Policy, explanation: Explanation): Signer[] {
  const rule = explanation.rule ? policy.rules.find((r) => r.index === explanation.rule!.index) : undefined;
  if (!rule || rule.mode === 'skip') return [];
  const names = new Set([...(rule.signatures?.of ?? []), ...rule.attestations.flatMap((a) => a.signers)]);
  return [...names].map((n) => policy.signers[n]!).filter(Boolean);
}

function flagsFor(policy: Policy, signer: Signer): VerifyFlags | undefined {
  const trustedRoot = policy.trust.sigstore?.trustedRoot;
  if (signer.kind === 'key') return { key: signer.key, 'insecure-ignore-tlog': signer.tlog === 'optional', ...(trustedRoot ? { 'trusted-root': trustedRoot } : {}) };
  // Any Fulcio-issued identity verifies here; decide() then matches identity and issuer to the signer.
  if (signer.kind === 'keyless') return { 'certificate-identity-regexp': '.*', 'certificate-oidc-issuer-regexp': '.*', ...(trustedRoot ? { 'trusted-root': trustedRoot } : {}) };
  return undefined;
}

function candidateFor(signer: Signer, c: CandidateReport, digest: string): SignatureCandidate | undefined {
  const common = { source: c.referrer, subjectDigest: digest, ...(c.predicateType !== undefined ? { predicateType: c.predicateType } : {}) };
  if (signer.kind === 'key') return { family: 'cosign', kind: 'key', key: signer.key, tlog: c.tlogIndex !== undefined, ...common };
  if (signer.kind === 'keyless' && c.identity !== undefined && c.issuer !== undefined) return { family: 'cosign', kind: 'keyless', identity: c.identity, issuer: c.issuer, ...common };
  return undefined;
}

export const gatherEvidence: EvidenceGatherer = async (ctx, policy, explanation, target) => {
  const signers = signersOf(policy, explanation);
  if (signers.length === 0) return NONE;
  const signatures: SignatureCandidate[] = [];
  const rejected: RejectedCandidate[] = [];
  const verifyTarget: VerifyTarget = {
    repo: target.repo,
    reference: target.parsed,
    repositoryName: target.repository,
    subject: target.descriptor,
    level: target.index !== undefined && target.digest === target.index.digest ? 'index' : 'manifest',
    ...(target.platform ? { platform: target.platform } : {}),
  };
  const now = new Date();
  const seen = new Set<string>();
  for (const signer of signers) {
    const flags = flagsFor(policy, signer);
    if (flags === undefined) {
      rejected.push({ family: signer.kind, reason: `signer ${JSON.stringify(signer.name)}: ${signer.kind} signers are not evaluated by ocx pull yet` });
      continue;
    }
    // Keyless signers share one run: it reports every verified identity.
    const key = signer.kind === 'key' ? `key:${signer.key}` : signer.kind;
    if (seen.has(key)) continue;
    seen.add(key);
    const { cosignFamily } = await import('../verify/cosign.ts');
    // The family's flag warnings speak of flags the user never typed; decide() warns in the
    // policy's terms when a tlog-optional signer is actually used.
    const quiet: Context = { ...ctx, warn: () => undefined };
    const family = await cosignFamily.prepare(flags, quiet, now);
    const report = await family.verify(verifyTarget);
    for (const c of report.candidates) {
      if (c.kind !== 'signature') continue;
      const candidate = c.ok ? candidateFor(signer, c, target.digest) : undefined;
      if (candidate) signatures.push(candidate);
      else rejected.push({ family: 'cosign', source: c.referrer, reason: c.reasons.join('; ') || 'did not verify' });
    }
  }
  return { signatures, attestations: [], sboms: [], rejected };
};
