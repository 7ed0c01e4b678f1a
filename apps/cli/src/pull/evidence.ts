// Evidence for the policy gate, from the verify engine (@ocx/policy): the families the winning rule
// names — and only those, so a key-only rule never loads TUF or notation — verify the pinned
// digest's referrers; attestations and SBOMs the rule requires are gathered the same way
// `ocx verify` under a policy gathers them.
import { evidenceFor, policyFamilies, type Evidence, type Explanation, type Policy, type VerifyTarget } from '@ocx/policy';
import { ocxHome, type Context } from '../context.ts';
import type { GateTarget } from './gate.ts';

export type EvidenceGatherer = (ctx: Context, policy: Policy, explanation: Explanation, target: GateTarget) => Promise<Evidence>;

export const gatherEvidence: EvidenceGatherer = async (ctx, policy, explanation, target) => {
  const rule = explanation.rule ? policy.rules.find((r) => r.index === explanation.rule!.index) : undefined;
  const families = await policyFamilies({ policy, rules: [rule], now: new Date(), warn: (m) => ctx.warn(m), env: ctx.io.env, cacheDir: ocxHome(ctx.io.env), fetch: ctx.httpFetch, timeoutMs: ctx.timeouts.exchangeMs })();
  const subject: VerifyTarget = { repo: target.repo, reference: target.parsed, repositoryName: target.repository, subject: target.descriptor, level: 'manifest', ...(target.platform ? { platform: target.platform } : {}) };
  const reports = await Promise.all(families.map(async (f) => ({ ...(await f.family.verify(subject)), level: 'manifest' as const })));
  return evidenceFor({ target: subject, reports });
};
