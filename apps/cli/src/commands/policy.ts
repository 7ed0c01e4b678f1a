// `ocx policy check|explain|import-notation`: the policy document's own commands. Parsing and
// rendering only: loading, precedence and explain are @ocx/policy's (pure); --verify runs the
// same engine path as `ocx verify` under a policy.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { explain, importNotationPolicy, loadPolicy, rulesByPrecedence, stringifyPolicy, type Explanation, type Policy, type Rule } from '@ocx/policy';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';
import { describePolicySource, locatePolicy, type PolicySource } from '../policy-source.ts';
import type { VerifyFlags } from '../verify/types.ts';
import { renderPolicyResults, verificationFailure, verifyUnderPolicy } from './verify-policy.ts';

import { POLICY_OPTIONS } from './policy-options.ts';

export { POLICY_HELP, POLICY_OPTIONS } from './policy-options.ts';

interface PolicyValues {
  readonly policy?: string;
  readonly verify?: boolean;
  readonly output?: string;
  readonly 'notation-config'?: string;
  readonly 'all-platforms'?: boolean;
  readonly scope?: string;
  readonly 'verification-time'?: string;
}

const SUBCOMMANDS = ['check', 'explain', 'import-notation'] as const;

export async function runPolicy(ctx: Context, positionals: string[], values: PolicyValues): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub === 'check') return check(ctx, args, values);
  if (sub === 'explain') return explainCommand(ctx, args, values);
  if (sub === 'import-notation') return importNotation(ctx, args, values);
  throw new UsageError(sub === undefined ? `policy takes a subcommand: ${SUBCOMMANDS.join(', ')}` : `unknown policy subcommand "${sanitize(sub)}": use ${SUBCOMMANDS.join(', ')}`);
}

function refuse(values: PolicyValues, sub: string, allowed: readonly (keyof PolicyValues)[]): void {
  const given = (Object.keys(POLICY_OPTIONS) as (keyof PolicyValues)[]).filter((k) => values[k] !== undefined && values[k] !== false && !allowed.includes(k));
  if (given.length > 0) throw new UsageError(`${given.map((k) => `--${k}`).join(', ')}: not a flag of ocx policy ${sub}`);
}

function located(ctx: Context, file: string | undefined, flag: string | undefined): PolicySource {
  if (file !== undefined && flag !== undefined) throw new UsageError('name the policy once: FILE or --policy FILE');
  const found = locatePolicy(file ?? flag, ctx.io.env, ctx.io.cwd);
  if (!found) throw new UsageError('no policy: pass FILE (or --policy FILE), set OCX_POLICY, or write $OCX_HOME/policy.yaml');
  return found;
}

async function load(ctx: Context, where: PolicySource): Promise<Policy> {
  const policy = await loadPolicy(where.path, ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {});
  if (ctx.verbose) ctx.io.stderr(`policy: ${sanitize(describePolicySource(where))}\n`);
  return policy;
}

function ruleSummary(policy: Policy, r: Rule): string {
  if (r.mode === 'skip') return 'skip (allowed unverified, with a warning)';
  const sig = r.signatures!;
  const parts = [`${sig.threshold} of [${sig.of.join(', ')}]${sig.required.length ? ` required [${sig.required.join(', ')}]` : ''}`];
  if (r.attestations.length) parts.push(`attestations ${r.attestations.map((a) => a.type).join(', ')}`);
  if (r.sbom) parts.push(`sbom ${r.sbom.required ? 'required' : 'optional'}${r.sbom.signed ? ', signed' : ''}`);
  void policy;
  return parts.join('; ');
}

function ruleJson(r: Rule) {
  return { name: r.name, index: r.index, scope: r.scope.text, specificity: r.specificity.label, mode: r.mode, exclude: r.exclude.map((e) => e.text) };
}

async function check(ctx: Context, args: string[], values: PolicyValues): Promise<number> {
  refuse(values, 'check', ['policy']);
  if (args.length > 1) throw new UsageError('policy check takes at most one FILE');
  const where = located(ctx, args[0], values.policy);
  const policy = await load(ctx, where);
  const ordered = rulesByPrecedence(policy);
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ valid: true, policy: { source: where.from, path: where.path }, defaults: policy.defaults, signers: Object.keys(policy.signers), rules: ordered.map(ruleJson) }, null, 2)}\n`);
    return ExitCode.OK;
  }
  const out = [`✓ ${sanitize(where.path)}: valid (${Object.keys(policy.signers).length} signers, ${policy.rules.length} rules; unmatched targets: ${policy.defaults.unmatched})`, 'rules in order of precedence:'];
  ordered.forEach((r, i) => {
    out.push(`  ${i + 1}. ${sanitize(r.name)}  ${sanitize(r.scope.text)}  (${r.specificity.label}, rules[${r.index}], mode ${r.mode})`);
    if (r.exclude.length) out.push(`       exclude: ${r.exclude.map((e) => sanitize(e.text)).join(', ')}`);
    out.push(`       ${sanitize(ruleSummary(policy, r))}`);
  });
  ctx.io.stdout(`${out.join('\n')}\n`);
  return ExitCode.OK;
}

function renderExplanation(e: Explanation): string[] {
  const out = [`target: ${sanitize(e.target)}`, `policy: ${sanitize(e.source)}`];
  out.push(e.rule ? `rule:   ${sanitize(e.rule.name)} (rules[${e.rule.index}], scope ${sanitize(e.rule.scope)}, ${e.rule.specificity}, mode ${e.mode})` : `rule:   none (defaults.unmatched: ${e.unmatched})`);
  if (e.rules.length) {
    out.push('rules in order of precedence:');
    for (const r of e.rules) out.push(`  ${r.status === 'winner' ? '→' : ' '} ${sanitize(r.name)}  ${sanitize(r.scope)}  — ${sanitize(r.reason)}`);
  }
  out.push('will enforce:');
  for (const l of e.enforced) out.push(`  ${sanitize(l)}`);
  if (e.needsTuf) out.push('note: a keyless signer without trust.sigstore.trustedRoot: the Sigstore public-good root is fetched through TUF');
  return out;
}

async function explainCommand(ctx: Context, args: string[], values: PolicyValues): Promise<number> {
  refuse(values, 'explain', ['policy', 'verify', 'all-platforms', 'scope', 'verification-time']);
  if (args.length !== 1) throw new UsageError('policy explain takes one reference');
  if (!values.verify && (values['all-platforms'] || values['verification-time'] !== undefined)) throw new UsageError('--all-platforms and --verification-time go with --verify');
  const ref = ctx.parse(args[0]!);
  const target = ref.kind === 'registry' ? { registry: ref.registry, repository: ref.repository, ...(ref.digest ? { digest: ref.digest } : {}) } : values.scope;
  if (target === undefined) throw new UsageError('an oci-layout: reference names no registry/repository for the policy to scope: pass --scope REGISTRY/REPOSITORY');
  const where = located(ctx, undefined, values.policy);
  const policy = await load(ctx, where);
  const explanation = explain(policy, target);
  if (!values.verify) {
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ policy: { source: where.from, path: where.path }, reference: args[0], explanation }, null, 2)}\n`);
    else ctx.io.stdout(`${renderExplanation(explanation).join('\n')}\n`);
    return ExitCode.OK;
  }
  const flags: VerifyFlags = { ...(values['all-platforms'] ? { 'all-platforms': true } : {}), ...(values.scope !== undefined ? { scope: values.scope } : {}) };
  const now = values['verification-time'] === undefined ? new Date() : new Date(values['verification-time']);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--verification-time must be an RFC 3339 time, not "${values['verification-time']}"`);
  const v = await verifyUnderPolicy(ctx, policy, [ref], [args[0]!], flags, now);
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ policy: { source: where.from, path: where.path }, reference: args[0], explanation, verification: { verified: v.exitCode === ExitCode.OK, mode: 'policy', policy: { source: where.from, path: where.path }, results: v.results } }, null, 2)}\n`);
  } else {
    ctx.io.stdout(`${renderExplanation(explanation).join('\n')}\n\n${renderPolicyResults(v.results)}`);
  }
  if (v.exitCode === ExitCode.OK) return ExitCode.OK;
  throw verificationFailure(v);
}

async function importNotation(ctx: Context, args: string[], values: PolicyValues): Promise<number> {
  refuse(values, 'import-notation', ['output', 'notation-config']);
  if (args.length !== 1) throw new UsageError('policy import-notation takes one notation trust policy file (trustpolicy.json)');
  const file = resolve(ctx.io.cwd, args[0]!);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CommandFailure(ExitCode.CONFIG, 'config', `cannot read ${file}: ${(err as Error).message}`, false);
  }
  const converted = importNotationPolicy(text, { source: file, ...(values['notation-config'] !== undefined ? { notationConfig: resolve(ctx.io.cwd, values['notation-config']) } : {}) });
  const yaml = `# converted by ocx policy import-notation from ${file}\n${stringifyPolicy(converted.document)}`;
  for (const note of converted.notes) ctx.io.stderr(`note: ${sanitize(note)}\n`);
  if (values.output === undefined || values.output === '-') {
    ctx.io.stdout(yaml);
  } else {
    const out = resolve(ctx.io.cwd, values.output);
    try {
      await writeFile(out, yaml, { flag: 'wx' });
    } catch (err) {
      throw new CommandFailure(ExitCode.IO, 'io', `cannot write ${out}: ${(err as Error).message}${(err as NodeJS.ErrnoException).code === 'EEXIST' ? ' (it exists: ocx never overwrites a policy)' : ''}`, false);
    }
    ctx.io.stderr(`wrote ${sanitize(out)}\n`);
  }
  return ExitCode.OK;
}
