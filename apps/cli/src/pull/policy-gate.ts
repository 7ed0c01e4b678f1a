// The policy gate of `ocx pull`: the policy's winning rule says which signers matter; the verify
// families gather evidence for exactly those (evidence.ts), and @ocx/policy's pure `decide` judges.
import { decide, explain, isPolicyError, loadPolicy, renderWhy, type Policy } from '@ocx/policy';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { describePolicySource, type PolicySource } from '../policy-source.ts';
import { gatherEvidence, type EvidenceGatherer } from './evidence.ts';
import type { PullGate } from './gate.ts';

/** Loads the policy (exit 78 when it does not load) before anything touches the network. */
export async function loadPolicyFrom(source: PolicySource, ctx: Context): Promise<Policy> {
  try {
    const policy = await loadPolicy(source.path, { ...(ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {}) });
    if (ctx.verbose) ctx.io.stderr(`policy: ${describePolicySource(source)}\n`);
    return policy;
  } catch (err) {
    if (isPolicyError(err)) throw new CommandFailure(ExitCode.CONFIG, 'policy_invalid', `${describePolicySource(source)}: ${err.message}`, false);
    throw err;
  }
}

export function policyGate(ctx: Context, policy: Policy, source: PolicySource, gather: EvidenceGatherer = gatherEvidence): PullGate {
  return async (target) => {
    const ref = target.parsed;
    if (ref.kind !== 'registry') throw new UsageError(`a trust policy scopes registry repositories; ${target.reference} is an OCI layout (use --no-verify to pull it unverified)`);
    const input = { registry: ref.host, repository: ref.repository, digest: target.digest };
    const explanation = explain(policy, input);
    const evidence = await gather(ctx, policy, explanation, target);
    const decision = decide(policy, input, evidence);
    for (const w of decision.warnings) ctx.warn(w);
    return { allowed: decision.allowed, mode: 'policy', policy: source, decision, why: renderWhy(decision.why), warnings: decision.warnings };
  };
}
