// findSboms: every SBOM attached to one subject (a platform manifest ocx resolved itself), from the
// referrers listing (API or tag schema) and from cosign's legacy `.att` / `.sbom` tags, each bound to
// that digest: a referrer manifest must name it as `subject` (fetchReferrer), an attestation's
// statement must list it among its subjects. Failures of one candidate skip it with a reason.
import {
  collectReferrers,
  digestOf,
  fetchReferrer,
  isIndex,
  isOciError,
  isValidTag,
  mapLimit,
  parseDigest,
  parseManifest,
  type CallOptions,
  type Descriptor,
  type Fetcher,
  type ImageManifest,
  type ReferrerLister,
  type Resolver,
  type StreamFetcher,
} from '@ocx/oci';
import { SbomError } from '../errors.ts';
import { isSbomMediaType, isSbomPredicateType, sbomKindOf } from '../media-types.ts';
import { extractPredicate } from '../statement.ts';
import {
  BUNDLE_ARTIFACT_PREFIX,
  BUNDLE_PREDICATE_ANNOTATION,
  DSSE_ENVELOPE_MEDIA_TYPE,
  LEGACY_PREDICATE_ANNOTATION,
  NOT_SBOM_ARTIFACT_TYPES,
} from './constants.ts';
import { statementFromEnvelope } from './envelope.ts';
import { collectCapped } from './fetch.ts';
import { DEFAULT_SBOM_FIND_LIMITS, type SbomFindLimits, type SbomFindResult, type SbomFinding, type SbomSource, type SkippedSbom } from './types.ts';

export type SbomRepository = ReferrerLister & Resolver & Fetcher & StreamFetcher;

export interface FindSbomsOptions extends CallOptions {
  readonly limits?: Partial<SbomFindLimits>;
  /** Also look at the legacy `sha256-<hex>.att` / `.sbom` tags. Default true. */
  readonly legacyTags?: boolean;
}

/** `sha256:<hex>` → `sha256-<hex>.<suffix>` (cosign pkg/oci/remote/remote.go normalize). */
export function legacySbomTag(subjectDigest: string, suffix: 'att' | 'sbom'): string | undefined {
  const tag = `${subjectDigest.replace(':', '-')}.${suffix}`;
  return isValidTag(tag) ? tag : undefined;
}

type Job = { source: SbomSource; desc: Descriptor; tag?: string };

interface Env {
  readonly repo: SbomRepository;
  readonly subject: Descriptor;
  readonly limits: SbomFindLimits;
  readonly call: CallOptions;
}

export async function findSboms(repo: SbomRepository, subject: Descriptor, options: FindSbomsOptions = {}): Promise<SbomFindResult> {
  const limits = { ...DEFAULT_SBOM_FIND_LIMITS, ...options.limits };
  const call: CallOptions = options.signal ? { signal: options.signal } : {};
  const env: Env = { repo, subject, limits, call };
  const legacy = options.legacyTags ?? true;
  const [listing, att, sbomTag] = await Promise.all([
    collectReferrers(repo.referrers(subject, call)),
    legacy ? resolveTag(env, 'att') : undefined,
    legacy ? resolveTag(env, 'sbom') : undefined,
  ]);
  const skipped: SkippedSbom[] = [];
  const jobs: Job[] = [];
  for (const d of listing) {
    const at = d.artifactType ?? '';
    if (NOT_SBOM_ARTIFACT_TYPES.includes(at)) continue;
    if (at.startsWith(BUNDLE_ARTIFACT_PREFIX)) {
      // Bundles are classified from the listing annotation before anything is fetched; a bundle that
      // does not announce an SBOM predicate is some other signature or attestation.
      // Tag-schema indexes (registries without the referrers API) carry no annotations: such a
      // bundle is classified from its manifest's own annotations once fetched.
      const pt = d.annotations?.[BUNDLE_PREDICATE_ANNOTATION];
      if (pt === undefined || isSbomPredicateType(pt)) jobs.push({ source: 'bundle-attestation', desc: d });
      continue;
    }
    jobs.push({ source: 'referrer', desc: d });
  }
  if (att) jobs.push({ source: 'legacy-att', desc: att.desc, tag: att.tag });
  if (sbomTag) jobs.push({ source: 'legacy-sbom-tag', desc: sbomTag.desc, tag: sbomTag.tag });
  // SBOM artifactTypes first, so the manifest cap drops unclassified referrers before SBOMs.
  jobs.sort((a, b) => rank(a) - rank(b));
  for (const j of jobs.slice(limits.maxManifests)) skipped.push({ source: j.source, referrer: j.desc.digest, reason: `not fetched: over the cap of ${limits.maxManifests} manifests per subject` });

  const results = await mapLimit(jobs.slice(0, limits.maxManifests), limits.concurrency, async (job) => {
    try {
      return await load(env, job);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (isOciError(err) && (err.code === 'UNAUTHORIZED' || err.code === 'DENIED' || err.code === 'NETWORK' || err.code === 'TLS_UNTRUSTED' || err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE')) throw err;
      return { findings: [], skipped: [{ source: job.source, referrer: job.desc.digest, reason: err instanceof Error ? err.message : String(err) }] };
    }
  });
  return { findings: results.flatMap((r) => r.findings), skipped: [...results.flatMap((r) => r.skipped), ...skipped] };
}

/** Known SBOMs first, then bundles the listing did not classify, then unclassified referrers. */
function rank(j: Job): number {
  if (j.source === 'bundle-attestation') return j.desc.annotations?.[BUNDLE_PREDICATE_ANNOTATION] === undefined ? 1 : 0;
  if (j.source !== 'referrer') return 0;
  return isSbomMediaType(j.desc.artifactType ?? '') ? 0 : 2;
}

async function resolveTag(env: Env, suffix: 'att' | 'sbom'): Promise<{ tag: string; desc: Descriptor } | undefined> {
  const tag = legacySbomTag(env.subject.digest, suffix);
  if (tag === undefined) return undefined;
  try {
    return { tag, desc: await env.repo.resolve(tag, env.call) };
  } catch (e) {
    if (isOciError(e) && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

type Loaded = { findings: SbomFinding[]; skipped: SkippedSbom[] };

async function load(env: Env, job: Job): Promise<Loaded> {
  const { desc } = job;
  if (desc.size > env.limits.maxManifestBytes) throw new SbomError('TOO_LARGE', `manifest ${desc.digest} declares ${desc.size} bytes, over the ${env.limits.maxManifestBytes}-byte cap`);
  let manifest;
  if (job.tag !== undefined) {
    // Legacy manifests carry no subject: the tag name binds them (and, for `.att`, the statement).
    manifest = parseManifest(await env.repo.fetch(desc, env.call), desc.mediaType).manifest;
  } else {
    manifest = (await fetchReferrer(env.repo, desc, env.subject.digest, env.call)).manifest;
  }
  if (isIndex(manifest)) return { findings: [], skipped: job.source === 'referrer' ? [] : [{ source: job.source, referrer: desc.digest, reason: 'is an index, not a manifest' }] };
  const referrer: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  const artifactType = manifest.artifactType ?? (manifest.config.mediaType !== 'application/vnd.oci.empty.v1+json' ? manifest.config.mediaType : undefined);
  if (artifactType !== undefined) referrer.artifactType = artifactType;
  const base = { source: job.source, subject: env.subject.digest, referrer, ...(job.tag !== undefined ? { tag: job.tag } : {}), ...(manifest.annotations ? { annotations: manifest.annotations } : {}), authenticity: 'unproven' as const };
  switch (job.source) {
    case 'referrer':
    case 'legacy-sbom-tag':
      return { findings: rawLayers(env, manifest, artifactType).map((layer) => rawFinding(base, layer, artifactType)), skipped: [] };
    case 'bundle-attestation': {
      const pt = manifest.annotations?.[BUNDLE_PREDICATE_ANNOTATION];
      if (pt === undefined || !isSbomPredicateType(pt)) return { findings: [], skipped: [] };
      if (manifest.layers.length !== 1 || !manifest.layers[0]!.mediaType.startsWith(BUNDLE_ARTIFACT_PREFIX)) {
        throw new SbomError('INVALID_STATEMENT', `bundle referrer ${desc.digest} does not hold exactly one Sigstore bundle layer`);
      }
      return { findings: [await attestation(env, base, manifest.layers[0]!, 'bundle')], skipped: [] };
    }
    case 'legacy-att': {
      const out: Loaded = { findings: [], skipped: [] };
      const layers = manifest.layers.filter((l) => l.mediaType === DSSE_ENVELOPE_MEDIA_TYPE && isSbomPredicateType(l.annotations?.[LEGACY_PREDICATE_ANNOTATION] ?? ''));
      for (const layer of layers.slice(0, env.limits.maxLayers)) {
        try {
          out.findings.push(await attestation(env, base, layer, 'dsse'));
        } catch (err) {
          if (!(err instanceof SbomError)) throw err;
          out.skipped.push({ source: job.source, referrer: `${desc.digest} layer ${layer.digest}`, reason: err.message });
        }
      }
      return out;
    }
  }
}

/** Layers with an SBOM media type; a referrer whose artifactType says SBOM but whose one layer is generic counts too. */
function rawLayers(env: Env, manifest: ImageManifest, artifactType: string | undefined): Descriptor[] {
  const typed = manifest.layers.filter((l) => isSbomMediaType(l.mediaType));
  const layers = typed.length === 0 && artifactType !== undefined && isSbomMediaType(artifactType) && manifest.layers.length === 1 ? manifest.layers : typed;
  return layers.slice(0, env.limits.maxLayers);
}

type Base = Pick<SbomFinding, 'source' | 'subject' | 'referrer' | 'tag' | 'annotations' | 'authenticity'>;

function rawFinding(base: Base, layer: Descriptor, artifactType: string | undefined): SbomFinding {
  const mediaType = isSbomMediaType(layer.mediaType) ? layer.mediaType : artifactType!;
  let kind = sbomKindOf(mediaType) ?? 'unknown';
  // cosign's SBOM artifactType names no format; a typed layer does.
  if (kind === 'unknown' && artifactType !== undefined) kind = sbomKindOf(layer.mediaType) ?? 'unknown';
  return {
    ...base,
    layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
    mediaType,
    ...(artifactType !== undefined ? { artifactType } : {}),
    kind,
    digest: layer.digest,
    size: layer.size,
  };
}

async function attestation(env: Env, base: Base, layer: Descriptor, shape: 'bundle' | 'dsse'): Promise<SbomFinding> {
  const cap = env.limits.maxAttestationBytes;
  if (layer.size > cap) throw new SbomError('TOO_LARGE', `attestation layer ${layer.digest} declares ${layer.size} bytes, over the ${cap}-byte cap`);
  const bytes = await collectCapped(await env.repo.fetchStream(layer, env.call), cap);
  const statement = extractPredicate(statementFromEnvelope(bytes, shape), { limits: { maxBytes: cap } });
  if (!isSbomPredicateType(statement.predicateType)) {
    throw new SbomError('INVALID_STATEMENT', `statement predicate type ${JSON.stringify(statement.predicateType.slice(0, 200))} is not an SBOM`);
  }
  const { algorithm, encoded: hex } = parseDigest(env.subject.digest);
  if (!statement.subjects.some((s) => s.digest[algorithm] === hex)) {
    throw new SbomError('INVALID_STATEMENT', `statement in ${layer.digest} does not name the subject ${env.subject.digest}`);
  }
  const document = statement.documentBytes;
  return {
    ...base,
    layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
    mediaType: statement.predicateType,
    predicateType: statement.predicateType,
    kind: sbomKindOf(statement.predicateType) ?? 'unknown',
    digest: digestOf(document),
    size: document.byteLength,
    document,
  };
}
