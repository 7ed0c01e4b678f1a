// The verify engine: resolve → select platform → list referrers once → verify candidates per
// family. It does I/O only through the repository (role interfaces) it is handed; what the families
// found is then judged either by the any-of rule (trust named on the command line: one verified
// signature suffices) or by decide() under a policy (policy-run.ts). Architecture: "One flow".
import { formatPlatform, hostPlatform, isIndex, parseManifest, platformEntries, referenceTarget, selectPlatform, type Descriptor, type PlatformSpec, type Reference, type Repository } from '@ocx/oci';
import { PrefetchingRepository } from './prefetch.ts';
import type { CandidateReport, ErrorReport, FamilyReport, NamedFamily, VerifyTarget } from './types.ts';

/** A guess of what a tag names, from a previous run (never decides anything; see verifyReference). */
export interface TagHint {
  get(): Promise<Descriptor | undefined>;
  put(descriptor: Descriptor): Promise<void>;
}

export interface VerifyReferenceOptions {
  readonly repo: Repository;
  readonly reference: Reference;
  /** registry/repository the families scope trust by (notation's --scope for layouts). */
  readonly repositoryName: string;
  /** The prepared families; called once the first requests are on the wire (verifiers load meanwhile). */
  readonly families: () => Promise<readonly NamedFamily[]>;
  /** The platform to select from an index; default the host's. */
  readonly platform?: PlatformSpec;
  /** Verify every platform manifest of an index. */
  readonly allPlatforms?: boolean;
  /** Well-known tags a family will ask for (cosign's legacy `.sig`), prefetched with the listing. */
  readonly wellKnownTags?: (subjectDigest: string) => readonly string[];
  readonly tagHint?: TagHint;
  /** Called after the first requests have started (e.g. to start loading verifiers). */
  readonly onRequestsStarted?: () => void;
}

export type LeveledReport = FamilyReport & { readonly level: 'manifest' | 'index' };

export interface TargetOutcome {
  readonly target: VerifyTarget;
  /** This platform manifest's own reports, then those of the index above it. */
  readonly reports: readonly LeveledReport[];
}

export interface ReferenceOutcome {
  /** What the reference resolved to, pinned once. */
  readonly root: Descriptor;
  readonly index?: VerifyTarget;
  readonly targets: readonly TargetOutcome[];
}

function sameDescriptor(a: Descriptor, b: Descriptor): boolean {
  return a.digest === b.digest && a.mediaType === b.mediaType && a.size === b.size;
}

export async function verifyReference(o: VerifyReferenceOptions): Promise<ReferenceOutcome> {
  const repo = new PrefetchingRepository(o.repo);
  // The resolve goes out first. On a repeat run, work starts on what the tag named last time while
  // it is answered; that work is used only if the registry names exactly the same descriptor
  // (every check binds to `root`).
  const resolving = repo.resolve(referenceTarget(o.reference));
  resolving.catch(() => undefined);
  const guess = o.tagHint ? await o.tagHint.get() : undefined;
  if (guess) repo.prefetch(guess, o.wellKnownTags?.(guess.digest) ?? []);
  o.onRequestsStarted?.();
  const early = guess ? verifyResolved(repo, guess, o) : undefined;
  early?.catch(() => undefined);
  const root = await resolving;
  if (early && guess && sameDescriptor(guess, root)) return early;
  if (o.tagHint) await o.tagHint.put(root);
  return verifyResolved(repo, root, o);
}

async function verifyResolved(repo: PrefetchingRepository, root: Descriptor, o: VerifyReferenceOptions): Promise<ReferenceOutcome> {
  const { manifest } = parseManifest(await repo.fetch(root), root.mediaType);
  const base = { repo, reference: o.reference, repositoryName: o.repositoryName };
  let platforms: Descriptor[] = [];
  let index: VerifyTarget | undefined;
  if (isIndex(manifest)) {
    index = { ...base, subject: root, level: 'index' };
    platforms = o.allPlatforms ? platformEntries(manifest) : [selectPlatform(manifest, o.platform ?? hostPlatform())];
  }
  const targets: VerifyTarget[] = index
    ? platforms.map((d) => ({ ...base, subject: { mediaType: d.mediaType, digest: d.digest, size: d.size }, level: 'manifest' as const, ...(d.platform ? { platform: formatPlatform(d.platform) } : {}) }))
    : [{ ...base, subject: root, level: 'manifest' }];
  for (const t of index ? [index, ...targets] : targets) repo.prefetch(t.subject, o.wellKnownTags?.(t.subject.digest) ?? []);
  const families = await o.families();
  const run = async (t: VerifyTarget): Promise<LeveledReport[]> => (await Promise.all(families.map((f) => f.family.verify(t, undefined)))).map((r) => ({ ...r, level: t.level }));
  const [indexReports, ...platformReports] = await Promise.all([index ? run(index) : Promise.resolve([]), ...targets.map(run)]);
  return {
    root,
    ...(index ? { index } : {}),
    targets: targets.map((target, i) => ({ target, reports: [...(platformReports[i] ?? []), ...(indexReports ?? [])] })),
  };
}

// ---- the any-of rule (trust named by flags): one verified candidate per target suffices ----

export type FoundCandidate = CandidateReport & { readonly family: string; readonly level: 'manifest' | 'index' };

export interface AnyOfTarget {
  readonly digest: string;
  readonly platform?: string;
  readonly verified: boolean;
  /** Which level carried the signature that verified. */
  readonly signedAt?: 'manifest' | 'index';
  readonly signatures: FoundCandidate[];
  readonly warnings: string[];
}

export interface AnyOfResult {
  readonly verified: boolean;
  /**
   * verified; unsigned = nothing of the asked kind found; verification_failed = found, none
   * verified; family_error = a family could not run and nothing at all was found (`error` says why).
   */
  readonly status: 'verified' | 'unsigned' | 'verification_failed' | 'family_error';
  readonly error?: ErrorReport;
  readonly targets: AnyOfTarget[];
}

export function candidatesOf(reports: readonly LeveledReport[]): FoundCandidate[] {
  return reports.flatMap((r) => r.candidates.map((c) => ({ ...c, family: r.family, level: r.level })));
}

/** ANY-of: every target needs one verified candidate (on itself or on the index above it). */
export function anyOf(outcome: ReferenceOutcome, kind: 'signature' | 'attestation'): AnyOfResult {
  const targets: AnyOfTarget[] = outcome.targets.map((t) => {
    const signatures = candidatesOf(t.reports);
    const winner = signatures.find((s) => s.ok);
    const warnings = t.reports.flatMap((r) => [...(r.warnings ?? []), ...(r.error ? [r.error.message] : [])]);
    return { digest: t.target.subject.digest, ...(t.target.platform ? { platform: t.target.platform } : {}), verified: winner !== undefined, ...(winner ? { signedAt: winner.level } : {}), signatures, warnings };
  });
  const verified = targets.every((t) => t.verified);
  if (verified) return { verified, status: 'verified', targets };
  const anyCandidate = targets.some((t) => t.signatures.some((s) => s.kind === kind));
  const error = outcome.targets.flatMap((t) => t.reports).find((r) => r.error)?.error;
  if (anyCandidate) return { verified, status: 'verification_failed', targets };
  if (error && targets.every((t) => t.signatures.length === 0)) return { verified, status: 'family_error', error, targets };
  return { verified, status: 'unsigned', targets };
}
