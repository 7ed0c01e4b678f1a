// The engine under a policy: which families to prepare (only those whose signers the governing
// rules name; cosign and notation load by dynamic import, so a notation-only policy never loads
// sigstore-js and the other way round), what evidence each target gets, and decide().
import { decide, type Decision } from '../decide.ts';
import { PolicyError } from '../errors.ts';
import type { AttestationEvidence, Evidence, RejectedCandidate, SbomEvidence, SignatureCandidate } from '../evidence.ts';
import { selectRule, type TargetInput } from '../match.ts';
import { signerFamily, type Policy, type Rule, type Signer } from '../types.ts';
import type { TargetOutcome } from './run.ts';
import type { FamilyRequest, NamedFamily, PreparedFamily, VerifierFamily } from './types.ts';

const BUILT_IN: Readonly<Record<string, () => Promise<VerifierFamily>>> = {
  cosign: async () => (await import('./families/cosign.ts')).cosignPolicyFamily,
  notation: async () => (await import('./families/notation.ts')).notationPolicyFamily,
};

const registered = new Map<string, VerifierFamily>();

/**
 * Registers a verifier family for every later policy run in this process (the engine's `families`
 * option does the same for one run). Policies name its signers as `extension: { family: name }`.
 */
export function registerFamily(family: VerifierFamily): void {
  if (Object.hasOwn(BUILT_IN, family.name)) throw new TypeError(`"${family.name}" is a built-in verifier family`);
  registered.set(family.name, family);
}

/** Forgets a registered family (tests). */
export function unregisterFamily(name: string): void {
  registered.delete(name);
}

/** The names of the signers a rule evaluates (signatures, attestations, a signed SBOM). */
export function ruleSigners(rule: Rule): string[] {
  if (rule.mode === 'skip') return [];
  return [...new Set([...(rule.signatures?.of ?? []), ...rule.attestations.flatMap((a) => a.signers)])];
}

/** The governing rule of each target (undefined: unmatched). Pure: no fetch. */
export function governingRules(policy: Policy, targets: readonly TargetInput[]): (Rule | undefined)[] {
  return targets.map((t) => selectRule(policy, t).rule);
}

export interface PolicyFamiliesOptions {
  readonly policy: Policy;
  /** The rules that govern this run's targets (governingRules). */
  readonly rules: readonly (Rule | undefined)[];
  readonly now: Date;
  readonly warn?: (message: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cacheDir?: string;
  readonly fetch?: FamilyRequest['fetch'];
  readonly timeoutMs?: number;
  /** Extension families for this run (besides registerFamily's). */
  readonly families?: readonly VerifierFamily[];
}

/** The families a policy run needs, prepared once (call lazily: the engine does, once requests are out). */
export function policyFamilies(o: PolicyFamiliesOptions): () => Promise<NamedFamily[]> {
  let preparing: Promise<NamedFamily[]> | undefined;
  return () => (preparing ??= prepareAll(o));
}

async function prepareAll(o: PolicyFamiliesOptions): Promise<NamedFamily[]> {
  const rules = o.rules.filter((r): r is Rule => r !== undefined);
  const names = new Set(rules.flatMap(ruleSigners));
  const byFamily = new Map<string, Signer[]>();
  for (const n of names) {
    const s = o.policy.signers[n];
    if (!s) continue;
    const f = signerFamily(s);
    byFamily.set(f, [...(byFamily.get(f) ?? []), s]);
  }
  const attestationTypes = [...new Set(rules.flatMap((r) => (r.mode === 'skip' ? [] : r.attestations.map((a) => a.predicateType))))];
  const extra = new Map((o.families ?? []).map((f) => [f.name, f]));
  const familyOf = async (name: string, signers: readonly Signer[]): Promise<VerifierFamily> => {
    const family = extra.get(name) ?? registered.get(name) ?? (await BUILT_IN[name]?.());
    // A signer no verifier can check would read as "unsigned": refuse it as configuration (78).
    if (!family) throw new PolicyError('POLICY_UNSATISFIABLE', `${o.policy.source}: no verifier family "${name}" is registered for signer${signers.length === 1 ? '' : 's'} ${signers.map((s) => s.name).join(', ')}`);
    return family;
  };
  const requestFor = (signers: readonly Signer[], types: readonly string[]): FamilyRequest => ({ policy: o.policy, signers, attestationTypes: types, now: o.now, warn: o.warn ?? (() => undefined), ...(o.env ? { env: o.env } : {}), ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  const prepared: NamedFamily[] = await Promise.all([...byFamily].map(async ([name, signers]) => ({ name, family: await (await familyOf(name, signers)).prepare(requestFor(signers, attestationTypes)) })));
  const sbomRules = rules.filter((r) => r.mode !== 'skip' && r.sbom !== undefined);
  if (sbomRules.length > 0) {
    // SBOMs are looked up only when a governing rule asks for one (@ocx/sbom loads then).
    const { sbomStep } = await import('./families/sbom.ts');
    const cosignSigners = byFamily.get('cosign');
    // Prepared once per set of predicate types, not once per target: prepare reads the key files
    // and loads the trusted root (a TUF refresh), which must not repeat for every platform.
    const preparedFor = new Map<string, Promise<PreparedFamily>>();
    const cosignFor = cosignSigners
      ? (types: readonly string[]): Promise<PreparedFamily> => {
          const key = [...types].sort().join('\n');
          let p = preparedFor.get(key);
          if (!p) {
            p = familyOf('cosign', cosignSigners).then((f) => f.prepare(requestFor(cosignSigners, types)));
            preparedFor.set(key, p);
          }
          return p;
        }
      : undefined;
    prepared.push({ name: 'sbom', family: sbomStep(requestFor([], []), { signed: sbomRules.some((r) => r.sbom!.signed), signatureFamilies: [...prepared], ...(cosignFor ? { cosignFor } : {}) }) });
  }
  return prepared;
}

/**
 * What decide() sees for one platform target: its own facts and those of the index above it. A
 * signature over the index binds every manifest the index lists by digest, so its facts count for
 * this target (the source says so).
 */
export function evidenceFor(target: TargetOutcome): Evidence {
  const pinned = target.target.subject.digest;
  const signatures: SignatureCandidate[] = [];
  const attestations: AttestationEvidence[] = [];
  const sboms: SbomEvidence[] = [];
  const rejected: RejectedCandidate[] = [];
  for (const r of target.reports) {
    const onIndex = r.level === 'index';
    const rebind = <T extends { source?: string; subjectDigest: string }>(c: T): T => (onIndex ? { ...c, subjectDigest: pinned, source: `${c.source ?? c.subjectDigest} (on the image index)` } : c);
    signatures.push(...(r.evidence?.signatures ?? []).map(rebind));
    attestations.push(...(r.evidence?.attestations ?? []).filter(() => !onIndex));
    sboms.push(...(r.evidence?.sboms ?? []).filter(() => !onIndex));
    rejected.push(...(r.evidence?.rejected ?? []));
    if (r.error) rejected.push({ family: r.family, reason: r.error.message });
  }
  return { signatures, attestations, sboms, rejected };
}

/** decide() for one verified target of a reference. */
export function decideTarget(policy: Policy, target: { readonly registry: string; readonly repository: string } | string, outcome: TargetOutcome): Decision {
  const digest = outcome.target.subject.digest;
  const input: TargetInput = typeof target === 'string' ? `${target}@${digest}` : { ...target, digest };
  return decide(policy, input, evidenceFor(outcome));
}
