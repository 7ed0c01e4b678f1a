// One tag, many platforms: each `ocx package push` adds or replaces its platform in the image index
// the tag names, read-modify-write. Where the registry honours If-Match (ETag on the manifest GET;
// distribution-spec leaves it optional) the write is conditional and a 412 means "someone else
// wrote: read again". distribution 2.8 sends an ETag but ignores If-Match, so every write is also
// read back — twice, spaced out — and written again when a concurrent writer dropped our entry:
// @ocx/oci's updateIndexTag, the same writer as the referrers tag schema's.
import {
  digestOf,
  isIndex,
  isOciError,
  MANIFEST_ACCEPT,
  MEDIA_TYPE_OCI_INDEX,
  parseManifest,
  readCapped,
  RemoteRepository,
  updateIndexTag,
  type CallOptions,
  type Descriptor,
  type ImageIndex,
  type Platform,
  type TagIndexStore,
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

function remoteStore(repo: RemoteRepository, call: CallOptions): TagIndexStore<TagState> {
  const { client, host, repository } = repo;
  return {
    async readIndex(tag) {
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
    writeIndex: (tag, bytes, condition) => repo.putIndexTag(tag, bytes, condition, call.signal),
  };
}

/** Any other store (an OCI layout): plain read and write, no conditions; the read-back still guards. */
function plainStore(repo: SignerRepo, call: CallOptions): TagIndexStore<TagState> {
  return {
    async readIndex(tag) {
      let desc: Descriptor;
      try {
        desc = await repo.resolve(tag, call);
      } catch (e) {
        if (isOciError(e, 'NOT_FOUND')) return undefined;
        throw e;
      }
      return { bytes: await repo.fetch(desc, call), digest: desc.digest, mediaType: desc.mediaType };
    },
    async writeIndex(tag, bytes) {
      const desc = { mediaType: MEDIA_TYPE_OCI_INDEX, digest: digestOf(bytes), size: bytes.byteLength };
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

/** Adds or replaces `entry`'s platform in the index under `tag`, read-modify-write, confirmed by read-back. */
export async function putPlatform(repo: SignerRepo, tag: string, entry: Descriptor & { platform: Platform }, opts: IndexUpdateOptions = {}): Promise<IndexUpdate> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const store = repo instanceof RemoteRepository ? remoteStore(repo, call) : plainStore(repo, call);
  const where = `${'location' in repo ? String((repo as { location: string }).location) : ''}:${tag}`;
  let replaced: string | undefined;
  let firstRead = true;
  // holds() is false for an absent tag, so a confirmed write always read something back.
  const back = (await updateIndexTag(
    store,
    tag,
    {
      holds: (current) => {
        const held = holds(current, entry);
        // The platform's previous manifest, as the tag held it before this push.
        if (firstRead && !held && current) replaced = previousOf(current, entry.platform);
        firstRead = false;
        return held;
      },
      merge: (current) => mergePackageIndex(current, entry, where),
      what: `add ${entry.digest} to ${where}`,
    },
    { maxAttempts: opts.maxAttempts ?? 10, ...(opts.sleep ? { sleep: opts.sleep } : {}) },
  ))!;
  return { index: { mediaType: back.mediaType, digest: back.digest, size: back.bytes.byteLength }, ...(replaced && replaced !== entry.digest ? { replaced } : {}) };
}

function previousOf(current: TagState, platform: Platform): string | undefined {
  try {
    const { manifest } = parseManifest(current.bytes, current.mediaType);
    return isIndex(manifest) ? manifest.manifests.find((d) => samePlatform(d.platform, platform))?.digest : undefined;
  } catch {
    return undefined;
  }
}
