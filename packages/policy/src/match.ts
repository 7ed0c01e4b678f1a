// Which rule governs a target: the most specific covering rule (exact repository, then the
// longest prefix/** by path segments, then registry, then *.host, then "*"); `exclude` removes
// a target from its own rule only. Load-time validation guarantees a single winner. Pure.
import { parseReference } from '@ocx/oci';
import { PolicyError } from './errors.ts';
import { compareSpecificity, scopeMatches } from './scope.ts';
import type { ScopeTarget } from './scope.ts';
import type { Policy, Rule } from './types.ts';

/** A target: `registry/repository[:tag][@digest]` or already split. Tags never affect matching. */
export type TargetInput = string | { readonly registry: string; readonly repository: string; readonly digest?: string };

export interface Target extends ScopeTarget {
  /** `registry/repository`, what rules match on. */
  readonly name: string;
  readonly digest?: string;
}

export function toTarget(input: TargetInput): Target {
  if (typeof input !== 'string') {
    const registry = input.registry.toLowerCase();
    // The same canonical form as a parsed string (docker.io, library/) so both spellings match alike.
    if (['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(registry)) return toTarget(`${registry}/${input.repository}${input.digest ? `@${input.digest}` : ''}`);
    return { registry, repository: input.repository, name: `${registry}/${input.repository}`, ...(input.digest ? { digest: input.digest } : {}) };
  }
  let ref;
  try {
    // No environment: a bare name means the ocx default registry here; a caller with another
    // default (OCX_DEFAULT_REGISTRY) passes the reference it resolved, split.
    ref = parseReference(input, { env: {} });
  } catch (err) {
    throw new PolicyError('TARGET_INVALID', `${JSON.stringify(input)} is not a reference: ${(err as Error).message}`, { cause: err });
  }
  if (ref.kind !== 'registry') throw new PolicyError('TARGET_INVALID', `${JSON.stringify(input)} is an OCI layout; policies govern registry repositories`);
  const registry = ref.registry.toLowerCase();
  return { registry, repository: ref.repository, name: `${registry}/${ref.repository}`, ...(ref.digest ? { digest: ref.digest } : {}) };
}

/** Rules in order of precedence (most specific first; document order among disjoint equals). */
export function rulesByPrecedence(policy: Policy): readonly Rule[] {
  return [...policy.rules].sort((a, b) => compareSpecificity(a.specificity, b.specificity) || a.index - b.index);
}

export type RuleStanding =
  | { readonly status: 'winner' }
  | { readonly status: 'out-of-scope' }
  | { readonly status: 'excluded'; readonly by: string }
  | { readonly status: 'less-specific'; readonly than: string };

export interface RuleVerdict {
  readonly rule: Rule;
  readonly standing: RuleStanding;
  /** One sentence: why the rule won or lost. */
  readonly reason: string;
}

export interface Selection {
  readonly target: Target;
  readonly rule?: Rule;
  /** Every rule of the policy, in order of precedence, with why it won or lost. */
  readonly verdicts: readonly RuleVerdict[];
}

/** The rule that governs a target, and why every other rule did not. Pure. */
export function selectRule(policy: Policy, input: TargetInput): Selection {
  const target = toTarget(input);
  const ordered = rulesByPrecedence(policy);
  const covering = ordered.filter((r) => scopeMatches(r.scope, target) && !r.exclude.some((e) => scopeMatches(e, target)));
  const winner = covering[0];
  const verdicts = ordered.map((rule): RuleVerdict => {
    if (rule === winner) return { rule, standing: { status: 'winner' }, reason: `most specific rule covering ${target.name} (${rule.specificity.label} ${JSON.stringify(rule.scope.text)})` };
    if (!scopeMatches(rule.scope, target)) return { rule, standing: { status: 'out-of-scope' }, reason: `scope ${JSON.stringify(rule.scope.text)} does not cover ${target.name}` };
    const by = rule.exclude.find((e) => scopeMatches(e, target));
    if (by !== undefined) return { rule, standing: { status: 'excluded', by: by.text }, reason: `${target.name} is excluded by ${JSON.stringify(by.text)}` };
    return {
      rule,
      standing: { status: 'less-specific', than: winner!.name },
      reason: `less specific (${rule.specificity.label}) than rule ${JSON.stringify(winner!.name)} (${winner!.specificity.label})`,
    };
  });
  return { target, ...(winner ? { rule: winner } : {}), verdicts };
}
