// Evidence for the policy gate, gathered with `ocx verify`'s families for the signers the winning
// rule names — and only those, so a key-only rule never loads TUF or notation.
//
// TODO(issue 9, verify engine move): this is the stop-gap until the engine lives in @ocx/policy.
// Today: cosign key signers, cosign keyless signers (identity and issuer; GitHub claims are not
// reported by the family yet, so a signer that requires them fails closed) and notation signers
// (through a one-statement notation trust policy built from the signer). Not yet: extension
// families, attestations and SBOMs — each shows in the why-tree as a rejected candidate or an
// unmet requirement, so the gate blocks rather than allows what it cannot check.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notationConfigDir } from '@ocx/notation/config';
import type { Evidence, Explanation, NotationCheck, NotationSigner, Policy, RejectedCandidate, Signer, SignatureCandidate } from '@ocx/policy';
import type { Context } from '../context.ts';
import type { CandidateReport, FamilyReport, VerifyFlags, VerifyTarget } from '../verify/types.ts';
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
  if (signer.kind === 'notation') {
    if (c.identity === undefined) return undefined;
    const checks: NotationCheck[] = c.checks.map((k) => ({ type: k.name as NotationCheck['type'], status: k.outcome === 'pass' ? 'ok' : k.outcome === 'fail' ? 'failed' : 'skipped', ...(k.detail ? { reason: k.detail } : {}) }));
    // The family verified the chain against exactly this signer's stores (its one-statement trust
    // policy), so it ends in one of them; decide() matches stores and identities again.
    return { family: 'notation', source: c.referrer, subjectDigest: digest, anchors: [...signer.trustStores], subject: c.identity, checks };
  }
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
    if (signer.kind === 'notation') {
      const report = await verifyNotation(ctx, policy, signer, verifyTarget, now);
      collect(signer, report, target.digest, signatures, rejected);
      continue;
    }
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
    collect(signer, await family.verify(verifyTarget), target.digest, signatures, rejected);
  }
  return { signatures, attestations: [], sboms: [], rejected };
};

function collect(signer: Signer, report: FamilyReport, digest: string, signatures: SignatureCandidate[], rejected: RejectedCandidate[]): void {
  if (report.error) rejected.push({ family: report.family, reason: `signer ${JSON.stringify(signer.name)}: ${report.error.message}` });
  for (const c of report.candidates) {
    if (c.kind !== 'signature') continue;
    const candidate = c.ok ? candidateFor(signer, c, digest) : undefined;
    if (candidate) signatures.push(candidate);
    else rejected.push({ family: report.family, source: c.referrer, reason: c.reasons.join('; ') || 'did not verify' });
  }
}

/**
 * A notation signer is a notation trust-policy statement in all but name: verify with a policy of
 * that one statement (scope `*`), against the trust stores of `trust.notation.config` (default:
 * notation's own config directory), with notation's level, override and verifyTimestamp.
 */
async function verifyNotation(ctx: Context, policy: Policy, signer: NotationSigner, target: VerifyTarget, now: Date): Promise<FamilyReport> {
  const { notationFamily } = await import('../verify/notation.ts');
  const v = signer.verification;
  const statement = {
    name: signer.name,
    registryScopes: ['*'],
    signatureVerification: { level: v.level, ...(Object.keys(v.override).length ? { override: v.override } : {}), verifyTimestamp: v.verifyTimestamp },
    trustStores: signer.trustStores,
    trustedIdentities: signer.identities,
  };
  const dir = await mkdtemp(join(tmpdir(), 'ocx-pull-notation-'));
  try {
    const file = join(dir, 'trustpolicy.json');
    await writeFile(file, JSON.stringify({ version: '1.0', trustPolicies: [statement] }));
    const flags: VerifyFlags = { 'trust-policy': file, 'trust-store': policy.trust.notation?.config ?? notationConfigDir(ctx.io.env) };
    const family = await notationFamily.prepare(flags, { ...ctx, warn: () => undefined }, now);
    return await family.verify(target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
