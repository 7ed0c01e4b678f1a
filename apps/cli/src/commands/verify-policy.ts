// `ocx verify <ref>...` under a policy (no trust flags): the engine finds and verifies what the
// governing rules name, decide() judges it, and any unmet requirement — "no signature found"
// included — is exit 81 with the why-tree. The CLI only parses, renders and maps exit codes.
import { mapLimit, type Reference } from '@ocx/oci';
import { decideTarget, governingRules, loadPolicy, policyFamilies, renderWhy, type Decision, type Policy, type TargetInput } from '@ocx/policy';
import { candidatesOf, verifyReference, type FoundCandidate } from '@ocx/policy/engine';
import { ocxHome, type Context } from '../context.ts';
import { CommandFailure, CONDITION_EXIT, ExitCode, exitCodeFor, UsageError, type ExitCodeValue } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import { describePolicySource, type PolicySource } from '../policy-source.ts';
import type { ErrorReport, VerifyFlags } from '../verify/types.ts';
import { refHeadline, tagHintFor } from './verify.ts';
import { FLAG_MODE_ONLY, givenFlags } from './verify-options.ts';

export interface PolicyTargetResult {
  readonly digest: string;
  readonly platform?: string;
  readonly verified: boolean;
  readonly decision: Decision;
  readonly signatures: FoundCandidate[];
  readonly warnings: string[];
}

export interface PolicyRefResult {
  readonly reference: string;
  readonly digest?: string;
  readonly verified: boolean;
  readonly exitCode: ExitCodeValue;
  readonly targets: PolicyTargetResult[];
  readonly error?: ErrorReport;
}

function refuseFlagModeFlags(flags: VerifyFlags): void {
  const given = givenFlags(flags as Record<string, unknown>, FLAG_MODE_ONLY);
  if (given.length > 0) {
    throw new UsageError(`${given.map((n) => `--${n}`).join(', ')}: ${given.length > 1 ? 'these flags go' : 'this flag goes'} with trust named on the command line; under a policy the rules say what is checked (attestations, tlog: optional, a keyless signer's github: keys, notation levels)`);
  }
}

/** The policy's view of a reference: registry/repository (an OCI layout is scoped by --scope). */
function targetOf(ref: Reference, scope: string | undefined): TargetInput {
  if (ref.kind === 'registry') return { registry: ref.registry, repository: ref.repository };
  if (scope === undefined) throw new UsageError(`an oci-layout: reference names no registry/repository for the policy to scope: pass --scope REGISTRY/REPOSITORY`);
  return scope;
}

export interface PolicyVerification {
  readonly exitCode: ExitCodeValue;
  readonly results: PolicyRefResult[];
}

/** Verifies every reference under a loaded policy; prints nothing (runVerifyPolicy and `ocx policy explain --verify` render). */
export async function verifyUnderPolicy(ctx: Context, policy: Policy, refs: Reference[], inputs: string[], flags: VerifyFlags, now: Date): Promise<PolicyVerification> {
  refuseFlagModeFlags(flags);
  const targets = refs.map((r) => targetOf(r, flags.scope));
  const families = policyFamilies({ policy, rules: governingRules(policy, targets), now, warn: (m) => ctx.warn(m), env: ctx.io.env, cacheDir: ocxHome(ctx.io.env), fetch: ctx.httpFetch, timeoutMs: ctx.timeouts.exchangeMs });
  const results = await mapLimit(refs, 4, (ref, i) => verifyOne(ctx, policy, ref, targets[i]!, inputs[i]!, families, flags));
  // Audit-mode findings and accepted-with-warning signers: one warning each, once.
  for (const w of new Set(results.flatMap((r) => r.targets.flatMap((t) => t.decision.warnings)))) ctx.warn(w);
  const exitCode = results.reduce<ExitCodeValue>((acc, r) => (acc !== ExitCode.OK ? acc : r.exitCode), ExitCode.OK);
  return { exitCode, results };
}

/** The failure a non-zero verification ends the command with (the report is already printed). */
export function verificationFailure(v: PolicyVerification): CommandFailure {
  const failed = v.results.filter((r) => !r.verified).map((r) => sanitize(r.reference));
  const kind = v.results.find((r) => r.exitCode === v.exitCode)?.error?.kind ?? 'blocked';
  return new CommandFailure(v.exitCode, kind, `${v.exitCode === CONDITION_EXIT.blocked ? 'blocked by policy' : 'verification failed'}: ${failed.join(', ')}`);
}

export async function runVerifyPolicy(ctx: Context, refs: Reference[], inputs: string[], flags: VerifyFlags, located: PolicySource, now: Date): Promise<number> {
  refuseFlagModeFlags(flags);
  refs.forEach((r) => targetOf(r, flags.scope));
  const policy = await loadPolicy(located.path, ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {});
  if (ctx.verbose) ctx.io.stderr(`policy: ${sanitize(describePolicySource(located))}\n`);
  const v = await verifyUnderPolicy(ctx, policy, refs, inputs, flags, now);
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ verified: v.exitCode === ExitCode.OK, mode: 'policy', policy: { source: located.from, path: located.path }, results: v.results }, null, 2)}\n`);
  } else {
    ctx.io.stdout(renderPolicyResults(v.results));
  }
  if (v.exitCode === ExitCode.OK) return ExitCode.OK;
  throw verificationFailure(v);
}

async function verifyOne(ctx: Context, policy: Policy, ref: Reference, target: TargetInput, input: string, families: ReturnType<typeof policyFamilies>, flags: VerifyFlags): Promise<PolicyRefResult> {
  try {
    const tagHint = tagHintFor(ctx, ref);
    const outcome = await verifyReference({
      repo: ctx.open(ref),
      reference: ref,
      repositoryName: typeof target === 'string' ? target : `${target.registry}/${target.repository}`,
      families,
      ...(ctx.platform ? { platform: ctx.platform } : {}),
      ...(flags['all-platforms'] ? { allPlatforms: true } : {}),
      ...(tagHint ? { tagHint } : {}),
    });
    const results: PolicyTargetResult[] = outcome.targets.map((t) => {
      const decision = decideTarget(policy, target, t);
      const warnings = t.reports.flatMap((r) => r.warnings ?? []);
      return { digest: t.target.subject.digest, ...(t.target.platform ? { platform: t.target.platform } : {}), verified: decision.allowed, decision, signatures: candidatesOf(t.reports), warnings };
    });
    const verified = results.every((t) => t.verified);
    return { reference: input, digest: outcome.root.digest, verified, exitCode: verified ? ExitCode.OK : CONDITION_EXIT.blocked, targets: results };
  } catch (err) {
    const { exitCode, kind } = exitCodeFor(err);
    return { reference: input, verified: false, exitCode, targets: [], error: { kind, exitCode, message: err instanceof Error ? err.message : String(err) } };
  }
}

export function renderPolicyResults(results: PolicyRefResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(refHeadline(r));
    if (r.error) continue;
    for (const t of r.targets) {
      const where = t.platform ? ` [${sanitize(t.platform)}] ${shortDigest(t.digest)}` : '';
      const d = t.decision;
      const by = d.rule ? `rule "${sanitize(d.rule.name)}" (mode ${d.mode})` : 'no rule (defaults.unmatched)';
      out.push(`  ${t.verified ? '✓' : '✗'}${where} ${t.verified ? 'allowed' : 'blocked'} by ${by}${d.signers.length ? `; signers: ${d.signers.map(sanitize).join(', ')}` : ''}`);
      for (const line of renderWhy(d.why)) out.push(`    ${sanitize(line)}`);
      for (const w of t.warnings) out.push(`    warning: ${sanitize(w)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
