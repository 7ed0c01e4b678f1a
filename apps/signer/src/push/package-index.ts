// One tag, many platforms: each `ocx package push` adds or replaces its platform in the image index
// the tag names, read-modify-write. Where the registry honours If-Match (ETag on the manifest GET;
// distribution-spec leaves it optional) the write is conditional and a 412 means "someone else
// wrote: read again". distribution 2.8 sends an ETag but ignores If-Match, so every write is also
// read back — twice, spaced out — and written again when a concurrent writer dropped our entry
// (the same rules as @ocx/oci's referrers tag-schema writer).
import {
  digestOf,
  encodeJson,
  isIndex,
  isOciError,
  MANIFEST_ACCEPT,
  MEDIA_TYPE_OCI_INDEX,
  OciError,
  parseManifest,
  readCapped,
  RemoteRepository,
  type CallOptions,
  type Descriptor,
  type ImageIndex,
  type Platform,
} from '@ocx/oci';
import type { SignerRepo } from '../dsse.ts';
import { SignerError } from '../errors.ts';

export const OCX_PACKAGE_ARTIFACT_TYPE = 'application/vnd.sh.ocx.package.v1';

interface TagState {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly mediaType: string;
  readonly etag?: string;
}

interface TagStore {
  read(tag: string): Promise<TagState | undefined>;
  /** `new`: the tag must not exist yet (If-None-Match: *); an ETag: If-Match. Throws OciError CONFLICT on 412. */
  write(tag: string, desc: Descriptor, bytes: Uint8Array, condition: { ifMatch: string } | 'new' | undefined): Promise<void>;
}

function remoteStore(repo: RemoteRepository, call: CallOptions): TagStore {
  const { client, host, repository } = repo;
  return {
    async read(tag) {
      const spec = { method: 'GET' as const, url: `/v2/${repository}/manifests/${tag}`, repository, signal: call.signal, headers: { accept: MANIFEST_ACCEPT } };
      const res = await client.request(host, spec);
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) await client.fail(res, spec, `reading ${repo.location}:${tag}`);
      const bytes = await readCapped(res, client.limits.maxManifestBytes, `manifest ${repo.location}:${tag}`);
      const { mediaType } = parseManifest(bytes, (res.headers.get('content-type') ?? '').split(';')[0]!.trim());
      const etag = res.headers.get('etag') ?? undefined;
      return { bytes, digest: digestOf(bytes), mediaType, ...(etag ? { etag } : {}) };
    },
    async write(tag, desc, bytes, condition) {
      const headers: Record<string, string> = { 'content-type': desc.mediaType };
      if (condition === 'new') headers['if-none-match'] = '*';
      else if (condition) headers['if-match'] = condition.ifMatch;
      const spec = { method: 'PUT' as const, url: `/v2/${repository}/manifests/${tag}`, repository, push: true, signal: call.signal, body: bytes, headers };
      const res = await client.request(host, spec);
      if (res.status === 412) {
        await res.body?.cancel();
        throw new OciError('CONFLICT', `${repo.location}:${tag} changed under us`);
      }
      if (res.status !== 201 && res.status !== 200) await client.fail(res, spec, `writing ${repo.location}:${tag}`);
      await res.body?.cancel();
    },
  };
}

/** Any other store (an OCI layout): plain read and write, no conditions; the read-back still guards. */
function plainStore(repo: SignerRepo, call: CallOptions): TagStore {
  return {
    async read(tag) {
      let desc: Descriptor;
      try {
        desc = await repo.resolve(tag, call);
      } catch (e) {
        if (isOciError(e, 'NOT_FOUND')) return undefined;
        throw e;
      }
      return { bytes: await repo.fetch(desc, call), digest: desc.digest, mediaType: desc.mediaType };
    },
    async write(tag, desc, bytes) {
      await repo.push(desc, bytes, call);
      await repo.tag(desc, tag, call);
    },
  };
}

function samePlatform(a: Platform | undefined, b: Platform): boolean {
  return a !== undefined && a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** The index with `entry` added, or replacing the entry of the same platform; refuses a tag that is not an OCX package. */
export function mergePackageIndex(current: TagState | undefined, entry: Descriptor & { platform: Platform }, where: string): ImageIndex {
  if (!current) return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [entry] };
  const { manifest } = parseManifest(current.bytes, current.mediaType);
  if (!isIndex(manifest)) {
    throw new SignerError('TAG_CONFLICT', `${where} holds a single manifest (${current.digest}), not an OCX package index: refusing to overwrite it (push under another tag, or delete it first)`);
  }
  const foreign = manifest.manifests.find((d) => d.platform && d.artifactType !== OCX_PACKAGE_ARTIFACT_TYPE);
  if (foreign) {
    throw new SignerError('TAG_CONFLICT', `${where} is an index of something other than OCX packages (${foreign.digest} has artifactType ${foreign.artifactType ?? 'none'}): refusing to add to it`);
  }
  const i = manifest.manifests.findIndex((d) => samePlatform(d.platform, entry.platform));
  const manifests = [...manifest.manifests];
  if (i >= 0) manifests[i] = entry;
  else manifests.push(entry);
  return { ...manifest, schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests };
}

function holds(state: TagState | undefined, entry: Descriptor & { platform: Platform }): boolean {
  if (!state) return false;
  try {
    const { manifest } = parseManifest(state.bytes, state.mediaType);
    return isIndex(manifest) && manifest.manifests.some((d) => d.digest === entry.digest && samePlatform(d.platform, entry.platform));
  } catch {
    return false;
  }
}

export interface IndexUpdateOptions extends CallOptions {
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface IndexUpdate {
  /** What the tag names after our write was confirmed (it may already hold other writers' platforms). */
  readonly index: Descriptor;
  /** The platform's previous manifest, when this push replaced one. */
  readonly replaced?: string;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Adds or replaces `entry`'s platform in the index under `tag`, read-modify-write, confirmed by read-back. */
export async function putPlatform(repo: SignerRepo, tag: string, entry: Descriptor & { platform: Platform }, opts: IndexUpdateOptions = {}): Promise<IndexUpdate> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const store = repo instanceof RemoteRepository ? remoteStore(repo, call) : plainStore(repo, call);
  const sleep = opts.sleep ?? defaultSleep;
  const where = `${'location' in repo ? String((repo as { location: string }).location) : ''}:${tag}`;
  const maxAttempts = opts.maxAttempts ?? 10;
  let replaced: string | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await store.read(tag);
    if (!holds(current, entry)) {
      const next = mergePackageIndex(current, entry, where);
      if (attempt === 1 && current) {
        const { manifest } = parseManifest(current.bytes, current.mediaType);
        if (isIndex(manifest)) replaced = manifest.manifests.find((d) => samePlatform(d.platform, entry.platform))?.digest;
      }
      const bytes = encodeJson(next);
      const desc = { mediaType: MEDIA_TYPE_OCI_INDEX, digest: digestOf(bytes), size: bytes.byteLength };
      try {
        await store.write(tag, desc, bytes, current === undefined ? 'new' : current.etag ? { ifMatch: current.etag } : undefined);
      } catch (e) {
        if (!isOciError(e, 'CONFLICT')) throw e;
        await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
        continue;
      }
    }
    // Read back; without a working If-Match a writer that read before us may land after us, so look
    // twice, spaced out, before calling it done.
    let back = await store.read(tag);
    if (!holds(back, entry)) continue;
    await sleep(50 + Math.random() * 100);
    back = await store.read(tag);
    if (!holds(back, entry) || !back) continue;
    return { index: { mediaType: back.mediaType, digest: back.digest, size: back.bytes.byteLength }, ...(replaced && replaced !== entry.digest ? { replaced } : {}) };
  }
  throw new OciError('CONFLICT', `could not add ${entry.digest} to ${where} after ${maxAttempts} attempts (concurrent writers)`);
}
