// The policy gate of `ocx pull`: the policy's winning rule says which signers matter; the verify
// engine gathers evidence for exactly those (evidence.ts), and @ocx/policy's pure `decide` judges.
import { decide, explain, isPolicyError, loadPolicy, renderWhy, type Decision, type Policy } from '@ocx/policy';
import type { Context } from '../context.ts';
import { CommandFailure, exitCodeFor, UsageError } from '../exit-codes.ts';
import { describePolicySource, type PolicySource } from '../policy-source.ts';
import { gatherEvidence, type EvidenceGatherer } from './evidence.ts';
import type { GateDecision, GateTarget, PullGate } from './gate.ts';

/** Loads the policy (exit 78 when it does not load) before anything touches the network. */
export async function loadPolicyFrom(source: PolicySource, ctx: Context): Promise<Policy> {
  try {
    const policy = await loadPolicy(source.path, { ...(ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {}) });
    if (ctx.verbose) ctx.io.stderr(`policy: ${describePolicySource(source)}\n`);
    return policy;
  } catch (err) {
    // The exit table decides (78 for a policy that does not load, 74 for one that cannot be read);
    // the message names where the policy came from.
    if (isPolicyError(err)) {
      const { exitCode, kind } = exitCodeFor(err);
      throw new CommandFailure(exitCode, kind, `${describePolicySource(source)}: ${err.message}`, false);
    }
    throw err;
  }
}

/**
 * Decides on the platform manifest; when that is blocked and it came from an index, on the index
 * too: the index binds its children's digests, so a signature on it covers the platform manifest
 * (as `ocx verify` counts it, and `cosign sign` of an index without --recursive signs only it).
 */
export function policyGate(ctx: Context, policy: Policy, source: PolicySource, gather: EvidenceGatherer = gatherEvidence): PullGate {
  return async (target) => {
    const ref = target.parsed;
    if (ref.kind !== 'registry') throw new UsageError(`a trust policy scopes registry repositories; ${target.reference} is an OCI layout (use --no-verify to pull it unverified)`);
    // Both levels may gather the same signer's evidence: say each warning once.
    const said = new Set<string>();
    const warn = (message: string): void => {
      if (said.has(message)) return;
      said.add(message);
      ctx.warn(message);
    };
    const quiet: Context = { ...ctx, warn };
    const at = async (t: GateTarget): Promise<Decision> => {
      const input = { registry: ref.host, repository: ref.repository, digest: t.digest };
      return decide(policy, input, await gather(quiet, policy, explain(policy, input), t));
    };
    const onManifest = await at(target);
    let decision = onManifest;
    let level: 'manifest' | 'index' = 'manifest';
    if (!onManifest.allowed && onManifest.mode !== 'unmatched' && target.index) {
      const { platform: _platform, ...rest } = target;
      const onIndex = await at({ ...rest, digest: target.index.digest, descriptor: target.index });
      if (onIndex.allowed) {
        decision = onIndex;
        level = 'index';
      }
    }
    for (const w of decision.warnings) quiet.warn(w);
    const result: GateDecision = { allowed: decision.allowed, mode: 'policy', policy: source, decision, level, why: renderWhy(decision.why), warnings: decision.warnings };
    return result;
  };
}
