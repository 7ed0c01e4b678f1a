// decide(policy, target, evidence) → Decision. Pure: the engine has already fetched and verified
// everything; this applies the policy to those facts and explains itself as a why-tree
// (rule → requirement → signer → candidate, each with expected vs found).
import type { AttestationEvidence, Evidence, SbomEvidence, SignatureCandidate } from './evidence.ts';
import { PolicyError } from './errors.ts';
import { selectRule } from './match.ts';
import type { TargetInput } from './match.ts';
import type { RuleMode } from './schema.ts';
import { githubRepository, matchSigner, sameFamily } from './signer-match.ts';
import type { AttestationRequirement, Policy, Rule, Signer } from './types.ts';

/** Exit code hint for a blocked target (README "Exit codes": 81 blocked by policy). */
export const EXIT_BLOCKED = 81;

/** cosign v3 `sign` wraps the signature in a statement of this type; any other type is an attestation. */
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

export type WhyOutcome = 'pass' | 'fail' | 'warn' | 'skip' | 'info';

export interface WhyNode {
  readonly kind: 'rule' | 'requirement' | 'signer' | 'candidate';
  readonly label: string;
  readonly outcome: WhyOutcome;
  readonly expected?: string;
  readonly found?: string;
  readonly children?: readonly WhyNode[];
}

export interface Decision {
  readonly allowed: boolean;
  /** The governing rule's mode, or `unmatched` when no rule covers the target. */
  readonly mode: RuleMode | 'unmatched';
  readonly rule?: { readonly name: string; readonly index: number; readonly scope: string };
  /** `registry/repository` */
  readonly target: string;
  readonly digest: string;
  /** 0 when allowed, 81 (blocked by policy) otherwise. */
  readonly exitCode: 0 | typeof EXIT_BLOCKED;
  /** The distinct named signers counted toward the threshold. */
  readonly signers: readonly string[];
  /** Unmet requirements, one line each (also filled in audit mode, where they do not block). */
  readonly failures: readonly string[];
  readonly warnings: readonly string[];
  readonly why: WhyNode;
}

export interface DecideOptions {
  /** The pinned digest, when the target string does not carry one. */
  readonly digest?: string;
}

const q = (v: unknown): string => JSON.stringify(v);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Collected {
  readonly failures: string[];
  readonly warnings: string[];
}

export function decide(policy: Policy, targetInput: TargetInput, evidence: Evidence, options: DecideOptions = {}): Decision {
  const selection = selectRule(policy, targetInput);
  const { target } = selection;
  const digest = options.digest ?? target.digest;
  if (digest === undefined) throw new PolicyError('TARGET_INVALID', `decide needs the pinned digest of ${target.name}`);
  if (target.digest !== undefined && options.digest !== undefined && target.digest !== options.digest) {
    throw new PolicyError('TARGET_INVALID', `${target.name}: the reference names ${target.digest} but the pinned digest is ${options.digest}`);
  }
  const base = { target: target.name, digest };
  const rule = selection.rule;
  if (rule === undefined) {
    const action = policy.defaults.unmatched;
    const found = `no rule covers ${target.name}`;
    const allowed = action !== 'deny';
    const warnings = action === 'warn' ? [`${found}; allowed unverified (defaults.unmatched: warn)`] : [];
    const why: WhyNode = { kind: 'rule', label: `defaults.unmatched: ${action}`, outcome: allowed ? (action === 'warn' ? 'warn' : 'pass') : 'fail', expected: 'a rule whose scope covers the target', found };
    return { ...base, allowed, mode: 'unmatched', exitCode: allowed ? 0 : EXIT_BLOCKED, signers: [], failures: allowed ? [] : [`${found} (defaults.unmatched: deny)`], warnings, why };
  }
  const ruleRef = { name: rule.name, index: rule.index, scope: rule.scope.text };
  const label = `rule ${q(rule.name)} (rules[${rule.index}], scope ${q(rule.scope.text)}, mode ${rule.mode})`;
  if (rule.mode === 'skip') {
    const why: WhyNode = { kind: 'rule', label, outcome: 'skip', found: 'verification skipped by the policy' };
    return { ...base, allowed: true, mode: 'skip', rule: ruleRef, exitCode: 0, signers: [], failures: [], warnings: [`rule ${q(rule.name)} skips verification of ${target.name}`], why };
  }
  const acc: Collected = { failures: [], warnings: [] };
  const children: WhyNode[] = [];
  const sig = evaluateSignatures(policy, rule, digest, evidence, acc);
  children.push(sig.node);
  rule.attestations.forEach((req, j) => children.push(evaluateAttestation(policy, req, j, digest, evidence.attestations ?? [], acc)));
  if (rule.sbom) children.push(evaluateSbom(policy, rule, digest, evidence.sboms ?? [], acc));
  const met = acc.failures.length === 0;
  const allowed = met || rule.mode === 'audit';
  const warnings = [...acc.warnings];
  if (!met && rule.mode === 'audit') warnings.unshift(`audit: rule ${q(rule.name)} would block ${target.name}: ${acc.failures.join('; ')}`);
  const why: WhyNode = { kind: 'rule', label, outcome: met ? 'pass' : rule.mode === 'audit' ? 'warn' : 'fail', children };
  return { ...base, allowed, mode: rule.mode, rule: ruleRef, exitCode: allowed ? 0 : EXIT_BLOCKED, signers: sig.counted, failures: acc.failures, warnings, why };
}

function describeCandidate(c: SignatureCandidate): string {
  return `${c.family} signature${c.source ? ` ${c.source}` : ''}`;
}

/** Candidates that may count as signatures of the pinned digest; the others, with why not. */
function usable(candidates: readonly SignatureCandidate[], digest: string): { ok: SignatureCandidate[]; notes: WhyNode[] } {
  const ok: SignatureCandidate[] = [];
  const notes: WhyNode[] = [];
  for (const c of candidates) {
    if (c.subjectDigest !== digest) {
      notes.push({ kind: 'candidate', label: describeCandidate(c), outcome: 'info', expected: `signs ${digest}`, found: `signs ${c.subjectDigest}; not counted` });
    } else if ('predicateType' in c && c.predicateType !== undefined && c.predicateType !== COSIGN_SIGN_PREDICATE) {
      notes.push({ kind: 'candidate', label: describeCandidate(c), outcome: 'info', expected: 'a signature', found: `an attestation (${c.predicateType}); an attestation never counts as a signature` });
    } else ok.push(c);
  }
  return { ok, notes };
}

// Distinct signers: each counted signer needs its own signature (a maximum bipartite matching of
// signers to candidates), so one signature satisfying two look-alike signers counts once.
// Required signers are matched first; augmenting paths never unmatch a signer, so the result
// is a maximum matching that includes every required signer whenever one exists.
function countDistinct(order: readonly string[], edges: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  const owner = new Map<number, string>();
  const tryAssign = (signer: string, seen: Set<number>): boolean => {
    for (const c of edges.get(signer) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      const current = owner.get(c);
      if (current === undefined || tryAssign(current, seen)) {
        owner.set(c, signer);
        return true;
      }
    }
    return false;
  };
  for (const s of order) tryAssign(s, new Set());
  return new Map([...owner].map(([c, s]) => [s, c]));
}

function evaluateSignatures(policy: Policy, rule: Rule, digest: string, evidence: Evidence, acc: Collected): { node: WhyNode; counted: string[] } {
  const { threshold, of, required } = rule.signatures!;
  const { ok: candidates, notes } = usable(evidence.signatures, digest);
  const edges = new Map<string, number[]>();
  const signerNodes: WhyNode[] = [];
  const signerWarnings = new Map<string, string[]>();
  for (const name of of) {
    const signer = policy.signers[name]!;
    const kids: WhyNode[] = [];
    const hits: number[] = [];
    candidates.forEach((c, i) => {
      if (!sameFamily(signer, c)) return;
      const m = matchSigner(signer, c);
      kids.push({ kind: 'candidate', label: describeCandidate(c), outcome: m.ok ? (m.warnings.length ? 'warn' : 'pass') : 'fail', expected: m.expected, found: m.found });
      if (m.ok) {
        hits.push(i);
        signerWarnings.set(name, [...(signerWarnings.get(name) ?? []), ...m.warnings]);
      }
    });
    edges.set(name, hits);
    const family = signer.kind === 'keyless' || signer.kind === 'key' ? `cosign ${signer.kind}` : signer.kind === 'notation' ? 'notation' : signer.family;
    signerNodes.push({
      kind: 'signer',
      label: `signer ${q(name)}${required.includes(name) ? ' (required)' : ''}`,
      outcome: hits.length ? 'pass' : 'fail',
      ...(kids.length === 0 ? { found: `no verified ${family} signature` } : {}),
      children: kids,
    });
  }
  const matched = countDistinct([...required, ...of.filter((n) => !required.includes(n))], edges);
  const counted = of.filter((n) => matched.has(n));
  for (const n of counted) acc.warnings.push(...(signerWarnings.get(n) ?? []));
  const missing = required.filter((n) => !matched.has(n));
  const problems: string[] = [];
  if (counted.length < threshold) {
    problems.push(counted.length === 0 && evidence.signatures.length === 0 ? `no signature found (needed ${threshold} of ${of.join(', ')})` : `${plural(counted.length, 'distinct signer')} verified (${counted.join(', ') || 'none'}), ${threshold} needed of ${of.join(', ')}`);
  }
  if (missing.length) problems.push(`required signer${missing.length === 1 ? '' : 's'} ${missing.join(', ')} did not verify`);
  acc.failures.push(...problems);
  const rejected: WhyNode[] = (evidence.rejected ?? []).map((r) => ({ kind: 'candidate', label: `${r.family} signature${r.source ? ` ${r.source}` : ''}`, outcome: 'info', expected: 'a signature that verifies', found: `did not verify: ${r.reason}` }));
  const node: WhyNode = {
    kind: 'requirement',
    label: `signatures: ${threshold} of [${of.join(', ')}]${required.length ? `, required [${required.join(', ')}]` : ''}`,
    outcome: problems.length ? 'fail' : 'pass',
    expected: `${plural(threshold, 'distinct signer')}${required.length ? ` including ${required.join(', ')}` : ''}`,
    found: problems.length ? `${problems.join('; ')}${counted.length >= threshold ? ` (verified: ${counted.join(', ')})` : ''}` : `verified: ${counted.join(', ')}`,
    children: [...signerNodes, ...notes, ...rejected],
  };
  return { node, counted };
}

function signedByAny(policy: Policy, names: readonly string[], candidate: SignatureCandidate): { ok: boolean; found: string; warnings: readonly string[] } {
  const tried: string[] = [];
  for (const name of names) {
    const signer: Signer = policy.signers[name]!;
    if (!sameFamily(signer, candidate)) continue;
    const m = matchSigner(signer, candidate);
    if (m.ok) return { ok: true, found: `signed by ${q(name)}: ${m.found}`, warnings: m.warnings };
    tried.push(m.found);
  }
  return { ok: false, found: tried[0] ?? `a ${candidate.family} signature, of no family the signers [${names.join(', ')}] use`, warnings: [] };
}

function evaluateAttestation(policy: Policy, req: AttestationRequirement, j: number, digest: string, found: readonly AttestationEvidence[], acc: Collected): WhyNode {
  const kids: WhyNode[] = [];
  let ok: { warnings: readonly string[] } | undefined;
  for (const a of found.filter((x) => x.predicateType === req.predicateType)) {
    const label = `attestation${a.source ? ` ${a.source}` : ''}`;
    const fail = (expected: string, got: string): void => void kids.push({ kind: 'candidate', label, outcome: 'fail', expected, found: got });
    if (!a.subjectDigests.includes(digest)) {
      fail(`statement subject ${digest}`, `subject ${a.subjectDigests.join(', ') || '(none)'}`);
      continue;
    }
    const signed = signedByAny(policy, req.signers, a.signer);
    if (!signed.ok) {
      fail(`signed by one of ${req.signers.join(', ')}`, signed.found);
      continue;
    }
    if (req.builderId !== undefined && a.builderId !== req.builderId) {
      fail(`builder id ${q(req.builderId)}`, `builder id ${q(a.builderId ?? null)}`);
      continue;
    }
    if (req.sourceRepository !== undefined && (a.sourceRepository === undefined || githubRepository(a.sourceRepository) !== githubRepository(req.sourceRepository))) {
      fail(`source repository ${q(req.sourceRepository)}`, `source repository ${q(a.sourceRepository ?? null)}`);
      continue;
    }
    if (req.sourceRef !== undefined && a.sourceRef !== req.sourceRef) {
      fail(`source ref ${q(req.sourceRef)}`, `source ref ${q(a.sourceRef ?? null)}`);
      continue;
    }
    kids.push({ kind: 'candidate', label, outcome: signed.warnings.length ? 'warn' : 'pass', found: signed.found });
    ok ??= { warnings: signed.warnings };
  }
  const typeLabel = req.type === req.predicateType ? req.type : `${req.type} (${req.predicateType})`;
  let foundText: string | undefined;
  if (ok !== undefined) acc.warnings.push(...ok.warnings);
  else {
    const types = [...new Set(found.map((a) => a.predicateType))];
    foundText = kids.length ? `no ${typeLabel} attestation met every check` : `no ${typeLabel} attestation; checked the predicate types: ${types.join(', ') || 'none found'}`;
    acc.failures.push(`attestations[${j}]: ${foundText}`);
  }
  const checks = [`signed by one of ${req.signers.join(', ')}`, ...(req.builderId ? [`builder id ${q(req.builderId)}`] : []), ...(req.sourceRepository ? [`source repository ${q(req.sourceRepository)}`] : []), ...(req.sourceRef ? [`source ref ${q(req.sourceRef)}`] : [])];
  return { kind: 'requirement', label: `attestations[${j}]: ${typeLabel}`, outcome: ok ? 'pass' : 'fail', expected: `subject ${digest}, ${checks.join(', ')}`, ...(foundText ? { found: foundText } : {}), children: kids };
}

function evaluateSbom(policy: Policy, rule: Rule, digest: string, sboms: readonly SbomEvidence[], acc: Collected): WhyNode {
  const { required, signed } = rule.sbom!;
  const names = rule.signatures?.of ?? [];
  const kids: WhyNode[] = [];
  const present = sboms.filter((s) => s.subjectDigest === digest);
  let signedOk: readonly string[] | undefined;
  for (const s of sboms) {
    const label = `${s.format} SBOM${s.source ? ` ${s.source}` : ''}`;
    if (s.subjectDigest !== digest) {
      kids.push({ kind: 'candidate', label, outcome: 'info', expected: `for ${digest}`, found: `for ${s.subjectDigest}; not counted` });
      continue;
    }
    if (!signed) {
      kids.push({ kind: 'candidate', label, outcome: 'pass', found: 'present' });
      continue;
    }
    const hit = s.signers.map((c) => signedByAny(policy, names, c)).find((r) => r.ok);
    kids.push({ kind: 'candidate', label, outcome: hit ? 'pass' : 'fail', expected: `signed by one of ${names.join(', ')}`, found: hit ? hit.found : s.signers.length ? 'signed, but by none of the rule signers' : 'unsigned' });
    if (hit) signedOk ??= hit.warnings;
  }
  let problem: string | undefined;
  if (required && present.length === 0) problem = 'no SBOM found';
  else if (signed && present.length > 0 && signedOk === undefined) problem = `no SBOM signed by one of ${names.join(', ')}`;
  if (problem) acc.failures.push(`sbom: ${problem}`);
  else if (signedOk) acc.warnings.push(...signedOk);
  const expected = `${required ? 'an SBOM' : 'any SBOM'}${signed ? ` signed by one of ${names.join(', ')}` : ''}`;
  return { kind: 'requirement', label: `sbom: required ${required}, signed ${signed}`, outcome: problem ? 'fail' : 'pass', expected, found: problem ?? (present.length ? plural(present.length, 'SBOM') : 'none (not required)'), children: kids };
}
