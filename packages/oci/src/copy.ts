import { OciError } from './errors.ts';
import { isIndex, isManifestMediaType, parseManifest } from './manifest.ts';
import { collectReferrers, fetchReferrer, mapLimit } from './referrer.ts';
import { RemoteRepository } from './remote/repository.ts';
import type { CallOptions, Repository } from './roles.ts';
import type { Descriptor } from './types.ts';

export interface CopyOptions extends CallOptions {
  /** Copy the referrer graph too (default true). */
  readonly referrers?: boolean;
  /** Tag the root with this tag in the destination. */
  readonly tag?: string;
  readonly concurrency?: number;
  readonly maxDepth?: number;
  readonly maxNodes?: number;
  /** Blobs up to this size are copied through memory; larger ones are streamed. */
  readonly streamThreshold?: number;
  readonly onCopied?: (desc: Descriptor, what: 'blob' | 'manifest' | 'referrer' | 'skipped') => void;
}

export interface CopyResult {
  readonly root: Descriptor;
  readonly manifests: number;
  readonly blobs: number;
  readonly skippedBlobs: number;
  /** Blobs the destination registry mounted from the source repository instead of receiving them. */
  readonly mountedBlobs: number;
  readonly referrers: number;
}

/**
 * Copies a manifest (an index with every child) and its blobs between any two repositories, then
 * its whole referrer graph breadth-first; the destination records referrers its own way (API,
 * tag-schema index, or layout index).
 */
/** Same registry, different repository: ask the registry to mount instead of moving the bytes. */
async function tryMount(src: Repository, dst: Repository, d: Descriptor, signal?: AbortSignal): Promise<boolean> {
  if (!(src instanceof RemoteRepository) || !(dst instanceof RemoteRepository)) return false;
  if (src.host !== dst.host || src.repository === dst.repository) return false;
  return dst.mount(d, src.repository, { signal }).catch(() => false);
}

export async function copy(src: Repository, dst: Repository, root: Descriptor, options: CopyOptions = {}): Promise<CopyResult> {
  const concurrency = options.concurrency ?? 6;
  const maxDepth = options.maxDepth ?? 16;
  const maxNodes = options.maxNodes ?? 10_000;
  const threshold = options.streamThreshold ?? 8 * 1024 * 1024;
  const stats = { manifests: 0, blobs: 0, skippedBlobs: 0, mountedBlobs: 0, referrers: 0 };
  const doneManifests = new Map<string, Promise<Descriptor[]>>();
  const doneBlobs = new Map<string, Promise<void>>();
  const signal = options.signal;

  const copyBlob = (d: Descriptor): Promise<void> => {
    let p = doneBlobs.get(d.digest);
    if (!p) {
      p = (async () => {
        if (await dst.exists(d, { signal })) {
          stats.skippedBlobs++;
          options.onCopied?.(d, 'skipped');
          return;
        }
        if (await tryMount(src, dst, d, signal)) {
          stats.mountedBlobs++;
          options.onCopied?.(d, 'blob');
          return;
        }
        if (d.size <= threshold) await dst.push(d, await src.fetch(d, { signal }), { signal });
        else if ('pushStream' in dst && typeof (dst as { pushStream?: unknown }).pushStream === 'function') {
          await (dst as Repository & { pushStream(d: Descriptor, c: AsyncIterable<Uint8Array>, o?: CallOptions): Promise<void> }).pushStream(d, await src.fetchStream(d, { signal }), { signal });
        } else throw new OciError('IO', `destination cannot stream blob ${d.digest}`);
        stats.blobs++;
        options.onCopied?.(d, 'blob');
      })();
      doneBlobs.set(d.digest, p);
    }
    return p;
  };

  /** Copies one manifest tree; resolves to every manifest descriptor in it (for referrer lookup). */
  const copyManifest = (d: Descriptor, bytes?: Uint8Array): Promise<Descriptor[]> => {
    let p = doneManifests.get(d.digest);
    if (!p) {
      p = (async () => {
        const content = bytes ?? (await src.fetch(d, { signal }));
        const { manifest } = parseManifest(content, d.mediaType);
        const all: Descriptor[] = [d];
        if (isIndex(manifest)) {
          const kids = await mapLimit(manifest.manifests, concurrency, (c) => (isManifestMediaType(c.mediaType) ? copyManifest(c) : copyBlob(c).then(() => [])));
          for (const k of kids) all.push(...k);
        } else {
          await mapLimit([manifest.config, ...manifest.layers], concurrency, copyBlob);
        }
        if (++stats.manifests > maxNodes) throw new OciError('TOO_MANY', `more than ${maxNodes} manifests to copy`);
        await dst.push({ mediaType: d.mediaType, digest: d.digest, size: d.size }, content, { signal });
        options.onCopied?.(d, 'manifest');
        return all;
      })();
      doneManifests.set(d.digest, p);
    }
    return p;
  };

  const subjects = await copyManifest(root);
  if (options.referrers !== false) {
    let level = subjects;
    const seen = new Set(subjects.map((s) => s.digest));
    for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
      const next: Descriptor[] = [];
      await mapLimit(level, concurrency, async (subject) => {
        const refs = await collectReferrers(src.referrers(subject, { signal }));
        await mapLimit(refs, concurrency, async (r) => {
          if (seen.has(r.digest)) return;
          seen.add(r.digest);
          if (seen.size > maxNodes) throw new OciError('TOO_MANY', `more than ${maxNodes} referrers to copy`);
          const { bytes } = await fetchReferrer(src, r, subject.digest, { signal });
          const copied = await copyManifest({ mediaType: r.mediaType, digest: r.digest, size: r.size }, bytes);
          stats.referrers++;
          options.onCopied?.(r, 'referrer');
          next.push(...copied);
        });
      });
      level = next;
    }
  }
  if (options.tag) await dst.tag(root, options.tag, { signal });
  return { root, ...stats };
}
