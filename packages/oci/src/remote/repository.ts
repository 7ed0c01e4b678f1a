import { assertVerifiableDigest, digestOf, isDigest, verifyDigest, verifyingStream } from '../digest.ts';
import { OciError } from '../errors.ts';
import { isIndexMediaType, isManifestMediaType, parseManifest, referrerDescriptor } from '../manifest.ts';
import { HEADER_DOCKER_CONTENT_DIGEST, HEADER_OCI_SUBJECT, MANIFEST_ACCEPT, MEDIA_TYPE_OCI_INDEX } from '../media-types.ts';
import type { RegistryReference } from '../reference.ts';
import { namesSubject } from '../referrer.ts';
import type { CallOptions, PushResult, ReferrersMode, ReferrersOptions, Repository } from '../roles.ts';
import { addToTagIndex, referrersTag, TagIndexBatcher, type TagWriteCondition } from '../tag-schema.ts';
import type { Descriptor } from '../types.ts';
import { mountBlob, pushBlob, pushBlobStream } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { errorFromResponse, nextPage, readCapped, redactUrl } from './http.ts';
import { listReferrers, readFallbackIndex } from './referrers.ts';
import { backoffMs, sleep } from './retry.ts';

/** Tag-index writes are serialised and coalesced per registry/repository/tag in this process. */
const tagWrites = new TagIndexBatcher();

/** A repository in a remote registry (distribution-spec v1.1.1). */
export class RemoteRepository implements Repository {
  readonly client: RegistryClient;
  readonly host: string;
  readonly registry: string;
  readonly repository: string;
  readonly location: string;
  referrersMode?: ReferrersMode;
  readonly #warn: (message: string, error?: OciError) => void;

  /** `onWarning` (default: the client's) hears what this repository leaves out, e.g. a tampered referrer. */
  constructor(client: RegistryClient, ref: Pick<RegistryReference, 'host' | 'registry' | 'repository'>, options: { onWarning?: (message: string, error?: OciError) => void } = {}) {
    this.client = client;
    this.#warn = options.onWarning ?? ((m, e) => client.warn(m, e));
    this.host = ref.host;
    this.registry = ref.registry;
    this.repository = ref.repository;
    this.location = `${ref.registry}/${ref.repository}`;
  }

  get #target() {
    return { client: this.client, host: this.host, repository: this.repository };
  }

  /** GETs the manifest (one request gives bytes and digest) and pins the digest ocx computed itself. */
  async resolve(reference: string, options: CallOptions = {}): Promise<Descriptor> {
    if (isDigest(reference)) assertVerifiableDigest(reference);
    const cached = isDigest(reference) ? this.#cached(reference) : undefined;
    if (cached) return { mediaType: cached.mediaType, digest: reference, size: cached.bytes.byteLength };
    // A digest names immutable content: a (re-hashed) cache hit needs no request. Tags always do.
    const hit = isDigest(reference) ? await this.client.options.contentCache?.get(reference) : undefined;
    if (hit) {
      const { mediaType } = parseManifest(hit);
      this.#remember(reference, hit, mediaType);
      return { mediaType, digest: reference, size: hit.byteLength };
    }
    const spec = { method: 'GET' as const, url: `/v2/${this.repository}/manifests/${reference}`, repository: this.repository, signal: options.signal, headers: { accept: MANIFEST_ACCEPT } };
    const res = await this.client.request(this.host, spec);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new OciError('NOT_FOUND', `${this.location}${isDigest(reference) ? '@' : ':'}${reference} not found`, { status: 404, method: 'GET', url: spec.url });
    }
    if (!res.ok) await this.client.fail(res, spec, `resolving ${this.location}:${reference}`);
    const bytes = await readCapped(res, this.client.limits.maxManifestBytes, `manifest ${this.location}:${reference}`);
    const headerType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    // Integrity before parsing: a tampered body is a digest mismatch, not a syntax error.
    let digest: string;
    if (isDigest(reference)) {
      verifyDigest(bytes, reference, `manifest ${this.location}@${reference}`);
      digest = reference;
    } else {
      digest = digestOf(bytes);
      const claimed = res.headers.get(HEADER_DOCKER_CONTENT_DIGEST);
      if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
        throw new OciError('DIGEST_MISMATCH', `registry claims ${claimed} for ${this.location}:${reference} but the manifest it sent hashes to ${digest}`);
      }
    }
    const { mediaType } = parseManifest(bytes, headerType);
    this.#remember(digest, bytes, mediaType);
    await this.client.options.contentCache?.put(digest, bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }

  #remember(digest: string, bytes: Uint8Array, mediaType: string): void {
    // Manifests are immutable by digest; the client keeps them within its byte budget for re-reads
    // in one run, keyed by repository so one repository never answers for another.
    this.client.manifestCache.set(this.#key(digest), { bytes, mediaType });
  }

  #cached(digest: string): { bytes: Uint8Array; mediaType: string } | undefined {
    return this.client.manifestCache.get(this.#key(digest));
  }

  #key(digest: string): string {
    return `${this.host}/${this.repository}@${digest}`;
  }

  async fetch(desc: Descriptor, options: CallOptions = {}): Promise<Uint8Array> {
    assertVerifiableDigest(desc.digest);
    const manifest = isManifestMediaType(desc.mediaType);
    const cap = manifest ? this.client.limits.maxManifestBytes : this.client.limits.maxBlobBytes;
    if (desc.size > cap) throw new OciError('TOO_LARGE', `${desc.digest} declares ${desc.size} bytes, over the ${cap}-byte limit`);
    if (manifest) {
      const cached = this.#cached(desc.digest);
      if (cached) {
        if (cached.bytes.byteLength !== desc.size) throw new OciError('SIZE_MISMATCH', `manifest ${desc.digest} is ${cached.bytes.byteLength} bytes, descriptor says ${desc.size}`);
        return cached.bytes;
      }
    }
    const store = this.client.options.contentCache;
    const cacheable = store !== undefined && desc.size <= store.maxItemBytes;
    if (cacheable) {
      const hit = await store.get(desc.digest);
      if (hit && hit.byteLength === desc.size) {
        if (manifest) this.#remember(desc.digest, hit, desc.mediaType);
        return hit;
      }
    }
    const kind = manifest ? 'manifests' : 'blobs';
    const spec = { method: 'GET' as const, url: `/v2/${this.repository}/${kind}/${desc.digest}`, repository: this.repository, signal: options.signal, headers: (manifest ? { accept: MANIFEST_ACCEPT } : {}) as Record<string, string> };
    const res = await this.client.request(this.host, spec);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new OciError('NOT_FOUND', `${manifest ? 'manifest' : 'blob'} ${desc.digest} not found in ${this.location}`, { status: 404, method: 'GET', url: spec.url });
    }
    if (!res.ok) await this.client.fail(res, spec, `fetching ${desc.digest}`);
    // The descriptor's size is the cap: a registry cannot make us read more than we expect.
    const bytes = await readCapped(res, desc.size, `${manifest ? 'manifest' : 'blob'} ${desc.digest}`);
    if (bytes.byteLength !== desc.size) throw new OciError('SIZE_MISMATCH', `${desc.digest}: expected ${desc.size} bytes, got ${bytes.byteLength}`);
    verifyDigest(bytes, desc.digest, manifest ? 'manifest' : 'blob');
    if (manifest) this.#remember(desc.digest, bytes, desc.mediaType);
    if (cacheable) await store.put(desc.digest, bytes);
    return bytes;
  }

  async fetchStream(desc: Descriptor, options: CallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    if (isManifestMediaType(desc.mediaType)) {
      const bytes = await this.fetch(desc, options);
      return (async function* () {
        yield bytes;
      })();
    }
    const spec = { method: 'GET' as const, url: `/v2/${this.repository}/blobs/${desc.digest}`, repository: this.repository, signal: options.signal };
    const res = await this.client.request(this.host, spec);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new OciError('NOT_FOUND', `blob ${desc.digest} not found in ${this.location}`, { status: 404 });
    }
    if (!res.ok) await this.client.fail(res, spec, `fetching ${desc.digest}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared !== desc.size) {
      await res.body?.cancel();
      throw new OciError('SIZE_MISMATCH', `blob ${desc.digest}: registry sends ${declared} bytes, descriptor says ${desc.size}`);
    }
    // A body ReadableStream is async-iterable; leaving the loop early cancels it.
    return networkErrors(verifyingStream(res.body ?? emptyStream(), desc.digest, desc.size, 'blob'), `download of blob ${desc.digest}`);
  }

  async exists(desc: Descriptor, options: CallOptions = {}): Promise<boolean> {
    const kind = isManifestMediaType(desc.mediaType) ? 'manifests' : 'blobs';
    const spec = { method: 'HEAD' as const, url: `/v2/${this.repository}/${kind}/${desc.digest}`, repository: this.repository, signal: options.signal, headers: (kind === 'manifests' ? { accept: MANIFEST_ACCEPT } : {}) as Record<string, string> };
    const res = await this.client.request(this.host, spec);
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) await this.client.fail(res, spec, `checking ${desc.digest}`);
    return true;
  }

  async push(desc: Descriptor, content: Uint8Array, options: CallOptions & { mountFrom?: string } = {}): Promise<PushResult> {
    if (isManifestMediaType(desc.mediaType)) return this.#pushManifest(desc, content, desc.digest, options.signal);
    verifyDigest(content, desc.digest, 'blob to push');
    // Skip what the registry has (as oras does); it also keeps concurrent writers of one shared
    // blob (the empty config) from racing in distribution's upload path.
    if (await this.exists(desc, options)) return {};
    await pushBlob(this.#target, desc, content, options.signal, options.mountFrom);
    return {};
  }

  /** Mounts a blob from another repository of the same registry; false when the registry declined. */
  async mount(desc: Descriptor, fromRepository: string, options: CallOptions = {}): Promise<boolean> {
    return mountBlob(this.#target, desc, fromRepository, options.signal);
  }

  async pushStream(desc: Descriptor, content: AsyncIterable<Uint8Array>, options: CallOptions = {}): Promise<void> {
    // The registry verifies the digest of what we stream (PUT ?digest=); we verify as we send too.
    await pushBlobStream(this.#target, desc, verifyingStream(content, desc.digest, desc.size, 'blob to push'), options.signal);
  }

  /** Pushes a manifest under its digest and tags it. */
  async tag(desc: Descriptor, tag: string, options: CallOptions = {}): Promise<void> {
    const bytes = await this.fetch(desc, options);
    await this.#pushManifest(desc, bytes, tag, options.signal);
  }

  /** Pushes manifest bytes under `reference` (a tag or its digest). */
  async pushManifest(desc: Descriptor, content: Uint8Array, reference: string, options: CallOptions = {}): Promise<PushResult> {
    return this.#pushManifest(desc, content, reference, options.signal);
  }

  async #pushManifest(desc: Descriptor, content: Uint8Array, reference: string, signal?: AbortSignal): Promise<PushResult> {
    verifyDigest(content, desc.digest, 'manifest to push');
    const { manifest } = parseManifest(content, desc.mediaType);
    const spec = { method: 'PUT' as const, url: `/v2/${this.repository}/manifests/${reference}`, repository: this.repository, push: true, idempotent: true, signal, body: content, headers: { 'content-type': desc.mediaType } };
    let res = await this.client.request(this.host, spec);
    // distribution links a just-uploaded blob asynchronously under concurrent uploads of the same
    // digest and answers MANIFEST_BLOB_UNKNOWN meanwhile: retry a couple of times.
    for (let retry = 0; retry < 3 && res.status === 400; retry++) {
      const err = await errorFromResponse(res, 'PUT', spec.url, `pushing manifest ${desc.digest}`);
      if (!err.errors.some((e) => e.code === 'MANIFEST_BLOB_UNKNOWN')) throw err;
      await (this.client.options.sleep ?? sleep)(backoffMs(retry + 1, this.client.options.random), signal);
      res = await this.client.request(this.host, spec);
    }
    if (res.status !== 201 && res.status !== 200) await this.client.fail(res, spec, `pushing manifest ${desc.digest}`);
    await res.body?.cancel();
    const stored = res.headers.get(HEADER_DOCKER_CONTENT_DIGEST);
    if (stored && stored.startsWith('sha256:') && desc.digest.startsWith('sha256:') && stored !== desc.digest) {
      throw new OciError('DIGEST_MISMATCH', `registry stored manifest as ${stored}, expected ${desc.digest}`);
    }
    this.#remember(desc.digest, content, desc.mediaType);
    if (!manifest.subject || reference !== desc.digest) return { referrers: 'none' };
    // distribution-spec "Pushing Manifests with Subject": OCI-Subject ⇒ the registry indexed it.
    if (res.headers.get(HEADER_OCI_SUBJECT)) {
      await this.client.capability.set(this.host, 'supported');
      return { referrers: 'api' };
    }
    await this.client.capability.set(this.host, 'unsupported');
    const entry = referrerDescriptor(desc, manifest);
    await this.addTagSchemaEntry(manifest.subject.digest, entry, signal);
    return { referrers: 'tag-schema' };
  }

  /** Adds one entry to the fallback index of `subjectDigest` (no-op if present). */
  async addTagSchemaEntry(subjectDigest: string, entry: Descriptor, signal?: AbortSignal): Promise<void> {
    const t = this.#target;
    const tag = referrersTag(subjectDigest);
    await tagWrites.add(`${this.host}/${this.repository}:${tag}`, entry, (entries) =>
      addToTagIndex(
        {
          readIndex: () => readFallbackIndex(t, subjectDigest, signal),
          // Conditional: a retry after a write that did land answers 412, and the merge reads again.
          writeIndex: (tagName, bytes, condition) => this.putIndexTag(tagName, bytes, condition, signal),
        },
        subjectDigest,
        entries,
        { onWarning: (m) => this.client.warn(m) },
      ),
    );
  }

  /**
   * PUTs an image index under `tag` on `condition` (If-Match / If-None-Match: *); a 412 is OciError
   * CONFLICT, so the caller reads again (the writer behind updateIndexTag).
   */
  async putIndexTag(tag: string, bytes: Uint8Array, condition: TagWriteCondition, signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': MEDIA_TYPE_OCI_INDEX };
    if (condition === 'new') headers['if-none-match'] = '*';
    else if (condition) headers['if-match'] = condition.ifMatch;
    const spec = { method: 'PUT' as const, url: `/v2/${this.repository}/manifests/${tag}`, repository: this.repository, push: true, idempotent: true, signal, body: bytes, headers };
    const res = await this.client.request(this.host, spec);
    if (res.status === 412) {
      await res.body?.cancel();
      throw new OciError('CONFLICT', `${this.location}:${tag} changed under us`);
    }
    if (res.status !== 201 && res.status !== 200) await this.client.fail(res, spec, `writing ${this.location}:${tag}`);
    await res.body?.cancel();
  }

  async *referrers(subject: Descriptor, options: ReferrersOptions = {}): AsyncIterable<Descriptor[]> {
    const where = `tag ${referrersTag(subject.digest)} in ${this.location}`;
    const check = (d: Descriptor, s: Descriptor) => namesSubject(this, d, s, where, this.#warn, { signal: options.signal });
    yield* listReferrers(
      this.#target,
      subject,
      options.artifactType,
      options.signal,
      (mode) => {
        this.referrersMode = mode;
      },
      check,
    );
  }

  async *tags(options: CallOptions = {}): AsyncIterable<string[]> {
    const { limits } = this.client;
    let url = `${this.client.baseUrl(this.host)}/v2/${this.repository}/tags/list`;
    const origin = new URL(url).origin;
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      // A short list read as the whole list would hide tags: past the cap is an error, not an end.
      if (page > limits.maxReferrersPages) throw new OciError('PAGINATION', `tags of ${this.location} span more than ${limits.maxReferrersPages} pages; giving up`);
      seen.add(url);
      const spec = { method: 'GET' as const, url, repository: this.repository, signal: options.signal };
      const res = await this.client.request(this.host, spec);
      if (!res.ok) await this.client.fail(res, spec, `listing tags of ${this.location}`);
      const bytes = await readCapped(res, limits.maxReferrersBytes, 'tag list');
      let json: { tags?: unknown } | null;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes)) as { tags?: unknown } | null;
      } catch (cause) {
        // A registry's answer is hostile input: not JSON is a typed registry error, never a SyntaxError.
        throw new OciError('REGISTRY_ERROR', `listing tags of ${this.location}: the answer is not JSON`, { cause, method: 'GET', url: redactUrl(url) });
      }
      yield typeof json === 'object' && json !== null && Array.isArray(json.tags) ? json.tags.filter((t): t is string => typeof t === 'string') : [];
      // distribution-spec "Listing Tags": the next page is the rel="next" Link, on this registry only.
      const next = nextPage(res.headers.get('link'), url, origin, seen, 'tag list');
      if (!next) return;
      url = next;
    }
  }

  isIndex(desc: Descriptor): boolean {
    return isIndexMediaType(desc.mediaType);
  }
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}

/** A broken connection mid-stream is a typed, retryable NETWORK error, not an internal one. */
async function* networkErrors(source: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (cause) {
    if (cause instanceof OciError) throw cause;
    throw new OciError('NETWORK', `${what} was interrupted (${(cause as Error).message})`, { cause });
  }
}
