import { fetchReferrer, isIndex, mapLimit, parseManifest, type CallOptions, type Descriptor, type Fetcher } from '@ocx/oci';
import type { CosignEvidence } from '../cosign.ts';
import { CosignError, isCosignError } from '../errors.ts';
import { legacyToBundle, type LegacyLayer } from '../legacy.ts';
import { DEFAULT_FIND_LIMITS, type FindLimits } from './constants.ts';
import type { CosignCandidate } from './find.ts';

/** Evidence fetched for one candidate layer, ready for verifyCosignSignature / verifyCosignAttestation. */
export interface LoadedEvidence {
  readonly candidate: CosignCandidate;
  /** Digest of the referrer manifest (or of the manifest the legacy tag named). */
  readonly referrer: string;
  readonly layer: Descriptor;
  readonly evidence: CosignEvidence;
  /** False for legacy layers without a Rekor bundle annotation. */
  readonly hasTlogEntry?: boolean;
  readonly warnings: readonly string[];
}

export interface LoadOptions extends CallOptions {
  readonly limits?: Partial<FindLimits>;
}

const BUNDLE_LAYER_PREFIX = 'application/vnd.dev.sigstore.bundle';

function tooLarge(what: string, size: number, cap: number): never {
  throw new CosignError('TOO_LARGE', `${what} declares ${size} bytes, over the ${cap}-byte cap`);
}

/** Bytes fetched so far for one verifyCandidates call, against `maxTotalBytes`. */
interface Budget {
  used: number;
}

async function fetchLayer(repo: Fetcher, layer: Descriptor, limits: FindLimits, call: CallOptions, budget: Budget): Promise<Uint8Array> {
  if (layer.size > limits.maxBundleBytes) tooLarge(`layer ${layer.digest}`, layer.size, limits.maxBundleBytes);
  // Reserve before the request (sizes are declared; the repository enforces them while reading).
  if (budget.used + layer.size > limits.maxTotalBytes) {
    throw new CosignError('TOO_LARGE', `layer ${layer.digest} (${layer.size} bytes) would take the candidates over the ${limits.maxTotalBytes}-byte total cap`);
  }
  budget.used += layer.size;
  return repo.fetch(layer, call);
}

function legacyEvidence(candidate: CosignCandidate, referrer: string, layer: Descriptor, bytes: Uint8Array, limits: FindLimits): LoadedEvidence {
  const ev = legacyToBundle(layer as LegacyLayer, bytes, { maxPayloadBytes: limits.maxBundleBytes });
  return {
    candidate,
    referrer,
    layer,
    evidence: { bundle: ev.bundle, ...(ev.payload ? { payload: ev.payload } : {}) },
    hasTlogEntry: ev.hasTlogEntry,
    warnings: ev.warnings,
  };
}

/**
 * Fetches one candidate: the referrer manifest (its `subject` must be `subjectDigest`, the digest
 * ocx resolved, never trusted from the listing) and its layer blob(s), every size capped before the
 * request. Throws CosignError or OciError; the caller reports the candidate as failed.
 */
export async function loadCandidate(repo: Fetcher, subjectDigest: string, candidate: CosignCandidate, opts: LoadOptions = {}): Promise<LoadedEvidence[]> {
  return load(repo, subjectDigest, candidate, opts, { used: 0 });
}

async function load(repo: Fetcher, subjectDigest: string, candidate: CosignCandidate, opts: LoadOptions, budget: Budget): Promise<LoadedEvidence[]> {
  const limits = { ...DEFAULT_FIND_LIMITS, ...opts.limits };
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const m = candidate.manifest;
  if (m.size > limits.maxManifestBytes) tooLarge(`manifest ${m.digest}`, m.size, limits.maxManifestBytes);

  if (candidate.format === 'cosign-legacy') {
    // Legacy manifests carry no subject: the tag name binds them, and the signed payload must name
    // the subject digest (checked by the verifier).
    let layers: readonly Descriptor[];
    if (candidate.layer) layers = [candidate.layer];
    else {
      const { manifest } = parseManifest(await repo.fetch(m, call), m.mediaType);
      layers = isIndex(manifest) ? [] : manifest.layers;
    }
    return Promise.all(layers.map(async (l) => legacyEvidence(candidate, m.digest, l, await fetchLayer(repo, l, limits, call, budget), limits)));
  }

  const { manifest } = await fetchReferrer(repo, m, subjectDigest, call);
  if (isIndex(manifest)) throw new CosignError('INVALID_BUNDLE', `referrer ${m.digest} is an index, not a signature manifest`);
  if (candidate.format === 'cosign-bundle') {
    // cosign pkg/oci/remote/signatures.go Bundle: exactly one layer holding the bundle.
    if (manifest.layers.length !== 1) throw new CosignError('INVALID_BUNDLE', `bundle referrer ${m.digest} has ${manifest.layers.length} layers, not 1`);
    const layer = manifest.layers[0]!;
    if (!layer.mediaType.startsWith(BUNDLE_LAYER_PREFIX)) {
      throw new CosignError('INVALID_BUNDLE', `bundle referrer ${m.digest} has a ${layer.mediaType} layer, not a Sigstore bundle`);
    }
    const bytes = await fetchLayer(repo, layer, limits, call, budget);
    return [{ candidate, referrer: m.digest, layer, evidence: { bundle: bytes }, warnings: [] }];
  }
  const cap = limits.maxSignatureCandidates;
  if (manifest.layers.length > cap) throw new CosignError('TOO_LARGE', `referrer ${m.digest} has ${manifest.layers.length} layers, over the cap of ${cap}`);
  return Promise.all(manifest.layers.map(async (l) => legacyEvidence(candidate, m.digest, l, await fetchLayer(repo, l, limits, call, budget), limits)));
}

/** The outcome for one loaded layer, or for a candidate that could not be loaded. */
export interface CandidateOutcome<R> {
  readonly candidate: CosignCandidate;
  readonly loaded?: LoadedEvidence;
  readonly result?: R;
  /** Why the candidate could not be loaded (size cap, subject mismatch, malformed manifest, registry error). */
  readonly error?: { readonly message: string; readonly cause: unknown };
}

export interface VerifyCandidatesOptions<R> extends LoadOptions {
  /**
   * Verification of one loaded layer: pure, or async when the caller first fetches trust material
   * that only this evidence needs (e.g. a trusted root for a transparency-log entry).
   */
  readonly verify: (loaded: LoadedEvidence) => R | Promise<R>;
  /** Whether a result satisfies the requirement; loading stops after the first that does. */
  readonly accept: (result: R) => boolean;
}

/**
 * Loads candidates concurrently (at most `concurrency` in flight) and verifies each as it arrives;
 * once one is accepted no further candidate is started. ANY-of: the caller needs only one.
 */
export async function verifyCandidates<R>(repo: Fetcher, subjectDigest: string, candidates: readonly CosignCandidate[], opts: VerifyCandidatesOptions<R>): Promise<CandidateOutcome<R>[]> {
  const limits = { ...DEFAULT_FIND_LIMITS, ...opts.limits };
  let done = false;
  const budget: Budget = { used: 0 };
  const perCandidate = await mapLimit(candidates, limits.concurrency, async (candidate): Promise<CandidateOutcome<R>[]> => {
    if (done) return [];
    let loaded: LoadedEvidence[];
    try {
      loaded = await load(repo, subjectDigest, candidate, opts, budget);
    } catch (cause) {
      if (opts.signal?.aborted) throw cause;
      return [{ candidate, error: { message: describe(cause), cause } }];
    }
    const out: CandidateOutcome<R>[] = [];
    for (const l of loaded) {
      const result = await opts.verify(l);
      out.push({ candidate, loaded: l, result });
      if (opts.accept(result)) {
        done = true;
        break;
      }
    }
    return out;
  });
  return perCandidate.flat();
}

function describe(err: unknown): string {
  if (isCosignError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
