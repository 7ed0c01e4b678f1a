import {
  collectReferrers,
  isIndex,
  isOciError,
  isValidTag,
  parseManifest,
  type CallOptions,
  type Descriptor,
  type Fetcher,
  type ReferrerLister,
  type Resolver,
} from '@ocx/oci';
import { COSIGN_SIGN_PREDICATE_TYPE, resolvePredicateType } from '../cosign.ts';
import { DSSE_ENVELOPE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '../legacy.ts';
import {
  BUNDLE_ANNOTATIONS,
  BUNDLE_ARTIFACT_TYPES,
  COSIGN_ATT_ARTIFACT_TYPE,
  COSIGN_SIG_ARTIFACT_TYPE,
  DEFAULT_FIND_LIMITS,
  LEGACY_PREDICATE_ANNOTATION,
  type FindLimits,
} from './constants.ts';

export type CosignFindMode = 'signature' | 'attestation';

/** cosign-bundle: v3 bundle referrer; cosign-legacy: `.sig`/`.att` tag layer; cosign-oci11: cosign v2 experimental referrer. */
export type CosignCandidateFormat = 'cosign-bundle' | 'cosign-legacy' | 'cosign-oci11';

/** One piece of cosign evidence, classified from what the listing (or the legacy tag manifest) says. */
export interface CosignCandidate {
  readonly format: CosignCandidateFormat;
  /** The referrer manifest, or the manifest the legacy tag points at. */
  readonly manifest: Descriptor;
  /** Legacy tag the manifest came from (`sha256-<hex>.sig`). */
  readonly tag?: string;
  /** Legacy layers are known before loading; bundle and oci11 layers come from the referrer manifest. */
  readonly layer?: Descriptor;
  /** 'unknown' when the listing carries no predicate annotation (older writers). */
  readonly kind: 'signature' | 'attestation' | 'unknown';
  readonly predicateType?: string;
}

/** Evidence seen but not loaded, with the reason (e.g. an attestation when a signature is wanted). */
export interface SkippedCandidate {
  readonly candidate: CosignCandidate;
  readonly reason: string;
}

export interface CosignFindResult {
  /** To load, in the order to try them, within the count caps. */
  readonly candidates: readonly CosignCandidate[];
  readonly skipped: readonly SkippedCandidate[];
}

export interface FindCosignOptions extends CallOptions {
  readonly mode: CosignFindMode;
  /** Attestation mode: a cosign alias or predicate URI; without it every attestation is a candidate. */
  readonly predicateType?: string;
  readonly limits?: Partial<FindLimits>;
}

/** `sha256:<hex>` → `sha256-<hex>.sig` (cosign pkg/oci/remote/remote.go normalize). */
export function legacyTag(subjectDigest: string, suffix: 'sig' | 'att'): string | undefined {
  const tag = `${subjectDigest.replace(':', '-')}.${suffix}`;
  return isValidTag(tag) ? tag : undefined;
}

function bundleCandidate(d: Descriptor): CosignCandidate {
  const predicateType = d.annotations?.[BUNDLE_ANNOTATIONS.predicateType];
  const content = d.annotations?.[BUNDLE_ANNOTATIONS.content];
  // BUNDLE_SPEC.md "Annotations": message-signature bundles are signatures; a DSSE bundle is one
  // only when its statement carries the cosign sign predicate (checked again after loading).
  const kind =
    content === 'message-signature' || predicateType === COSIGN_SIGN_PREDICATE_TYPE
      ? 'signature'
      : predicateType !== undefined && predicateType !== ''
        ? 'attestation'
        : 'unknown';
  return { format: 'cosign-bundle', manifest: stripped(d), kind, ...(predicateType ? { predicateType } : {}) };
}

function stripped(d: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.artifactType !== undefined) out.artifactType = d.artifactType;
  if (d.annotations !== undefined) out.annotations = d.annotations;
  return out;
}

async function legacyCandidates(repo: Resolver & Fetcher, subjectDigest: string, suffix: 'sig' | 'att', limits: FindLimits, options: CallOptions): Promise<CosignCandidate[]> {
  const tag = legacyTag(subjectDigest, suffix);
  if (tag === undefined) return [];
  let desc: Descriptor;
  try {
    desc = await repo.resolve(tag, options);
  } catch (e) {
    if (isOciError(e) && e.code === 'NOT_FOUND') return [];
    throw e;
  }
  if (desc.size > limits.maxManifestBytes) {
    return [{ format: 'cosign-legacy', manifest: desc, tag, kind: suffix === 'sig' ? 'signature' : 'attestation' }];
  }
  const { manifest } = parseManifest(await repo.fetch(desc, options), desc.mediaType);
  if (isIndex(manifest)) return [];
  return manifest.layers.map((layer) => {
    const kind = layer.mediaType === SIMPLE_SIGNING_MEDIA_TYPE ? 'signature' : layer.mediaType === DSSE_ENVELOPE_MEDIA_TYPE ? 'attestation' : 'unknown';
    const predicateType = layer.annotations?.[LEGACY_PREDICATE_ANNOTATION];
    return { format: 'cosign-legacy' as const, manifest: desc, tag, layer, kind, ...(predicateType ? { predicateType } : {}) };
  });
}

/**
 * Finds cosign evidence for `subject` (the digest ocx resolved itself): Sigstore bundle referrers,
 * cosign v2 experimental referrers and the legacy `sha256-<hex>.sig` / `.att` tags, listed
 * concurrently. Classifies from the listing annotations before anything is fetched, so only
 * candidates that can satisfy `mode` are loaded, at most `maxSignatureCandidates` /
 * `maxAttestationCandidates` of them.
 */
export async function findCosign(repo: ReferrerLister & Resolver & Fetcher, subject: Descriptor, opts: FindCosignOptions): Promise<CosignFindResult> {
  const limits = { ...DEFAULT_FIND_LIMITS, ...opts.limits };
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const wanted = opts.predicateType === undefined ? undefined : resolvePredicateType(opts.predicateType);
  const [listing, legacy] = await Promise.all([
    collectReferrers(repo.referrers(subject, call)),
    legacyCandidates(repo, subject.digest, opts.mode === 'signature' ? 'sig' : 'att', limits, call),
  ]);

  const all: CosignCandidate[] = [];
  for (const d of listing) {
    const at = d.artifactType ?? '';
    if (BUNDLE_ARTIFACT_TYPES.includes(at)) all.push(bundleCandidate(d));
    else if (at === COSIGN_SIG_ARTIFACT_TYPE) all.push({ format: 'cosign-oci11', manifest: stripped(d), kind: 'signature' });
    else if (at === COSIGN_ATT_ARTIFACT_TYPE) all.push({ format: 'cosign-oci11', manifest: stripped(d), kind: 'attestation' });
  }
  all.push(...legacy);

  const take: CosignCandidate[] = [];
  const skipped: SkippedCandidate[] = [];
  for (const c of all) {
    const reason = opts.mode === 'signature' ? notASignature(c) : notTheAttestation(c, wanted);
    if (reason !== undefined) skipped.push({ candidate: c, reason });
    else take.push(c);
  }
  // Likely matches first: a classified candidate before one whose listing said nothing.
  take.sort((a, b) => Number(a.kind === 'unknown') - Number(b.kind === 'unknown'));
  const cap = opts.mode === 'signature' ? limits.maxSignatureCandidates : limits.maxAttestationCandidates;
  for (const c of take.slice(cap)) skipped.push({ candidate: c, reason: `not loaded: over the cap of ${cap} candidates per subject` });
  return { candidates: take.slice(0, cap), skipped };
}

function notASignature(c: CosignCandidate): string | undefined {
  if (c.kind !== 'attestation') return undefined;
  return `attestation ${c.predicateType ?? '(unknown predicate type)'} is not a signature`;
}

function notTheAttestation(c: CosignCandidate, wanted: string | undefined): string | undefined {
  if (c.kind === 'signature') return 'a signature is not an attestation';
  if (wanted === undefined || c.predicateType === undefined) return undefined;
  return c.predicateType === wanted ? undefined : `predicate type ${c.predicateType} does not match the requested ${wanted}`;
}
