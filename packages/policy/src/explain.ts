// explain(policy, target): which rule wins, why each other rule lost, and what will be enforced,
// before anything is fetched (gh attestation verify prints "The following policy criteria will
// be enforced" first; users like it). Pure.
import { selectRule } from './match.ts';
import type { RuleVerdict, TargetInput } from './match.ts';
import type { RuleMode, UnmatchedAction } from './schema.ts';
import { describeSigner } from './signer-match.ts';
import type { Policy, Rule } from './types.ts';

export interface Explanation {
  /** `registry/repository` */
  readonly target: string;
  readonly source: string;
  readonly rule?: { readonly name: string; readonly index: number; readonly scope: string; readonly specificity: string };
  readonly mode: RuleMode | 'unmatched';
  /** Set when no rule covers the target. */
  readonly unmatched?: UnmatchedAction;
  /** Every rule, in order of precedence, and why it won or lost. */
  readonly rules: readonly { readonly name: string; readonly index: number; readonly scope: string; readonly status: RuleVerdict['standing']['status']; readonly reason: string }[];
  /** What will be checked, one line each, in evaluation order. */
  readonly enforced: readonly string[];
  /** Whether evaluation may fetch the Sigstore public-good root via TUF (a keyless signer without trust.sigstore.trustedRoot). */
  readonly needsTuf: boolean;
}

const q = (v: unknown): string => JSON.stringify(v);

export function explain(policy: Policy, target: TargetInput): Explanation {
  const selection = selectRule(policy, target);
  const rules = selection.verdicts.map((v) => ({ name: v.rule.name, index: v.rule.index, scope: v.rule.scope.text, status: v.standing.status, reason: v.reason }));
  const base = { target: selection.target.name, source: policy.source, rules };
  const rule = selection.rule;
  if (rule === undefined) {
    const action = policy.defaults.unmatched;
    const line = action === 'deny' ? 'no rule covers the target: blocked (defaults.unmatched: deny)' : action === 'warn' ? 'no rule covers the target: allowed unverified, with a warning (defaults.unmatched: warn)' : 'no rule covers the target: allowed unverified (defaults.unmatched: allow)';
    return { ...base, mode: 'unmatched', unmatched: action, enforced: [line], needsTuf: false };
  }
  return {
    ...base,
    rule: { name: rule.name, index: rule.index, scope: rule.scope.text, specificity: rule.specificity.label },
    mode: rule.mode,
    enforced: enforcedLines(policy, rule),
    needsTuf: policy.trust.sigstore === undefined && signersOf(rule).some((n) => policy.signers[n]?.kind === 'keyless'),
  };
}

function signersOf(rule: Rule): string[] {
  return [...new Set([...(rule.signatures?.of ?? []), ...rule.attestations.flatMap((a) => a.signers)])];
}

function enforcedLines(policy: Policy, rule: Rule): string[] {
  if (rule.mode === 'skip') return ['nothing: mode skip (the target is allowed unverified, with a warning)'];
  const lines: string[] = [];
  const sig = rule.signatures!;
  lines.push(`signatures: at least ${sig.threshold} distinct of ${sig.of.length} signer${sig.of.length === 1 ? '' : 's'}${sig.required.length ? `, including ${sig.required.join(', ')}` : ''}, over the pinned digest`);
  for (const n of sig.of) lines.push(`  ${n}: ${describeSigner(policy.signers[n]!)}`);
  for (const a of rule.attestations) {
    const checks = [...(a.builderId ? [`builder id ${q(a.builderId)}`] : []), ...(a.sourceRepository ? [`source repository ${q(a.sourceRepository)}`] : []), ...(a.sourceRef ? [`source ref ${q(a.sourceRef)}`] : [])];
    lines.push(`attestation ${a.predicateType}${a.type !== a.predicateType ? ` (${a.type})` : ''}: subject = pinned digest, signed by one of ${a.signers.join(', ')}${checks.length ? `, ${checks.join(', ')}` : ''}`);
  }
  if (rule.sbom) lines.push(`sbom: ${rule.sbom.required ? 'required' : 'optional'}${rule.sbom.signed ? `, signed by one of ${sig.of.join(', ')}` : ''}`);
  if (rule.mode === 'audit') lines.push('mode audit: every check runs; failures are reported as a warning and never block');
  return lines;
}
