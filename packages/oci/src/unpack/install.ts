// Unpacks a manifest's layers into a directory that appears atomically: everything goes into a
// staging directory next to it (same file system, so rename(2) is atomic), which replaces the
// target only when every layer unpacked and verified; on any failure the staging directory goes.
import { chmod, lstat, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OciError } from '../errors.ts';
import type { Descriptor } from '../types.ts';
import { UnpackSession, type UnpackLimits } from './extract.ts';
import { layerDisposition } from './media.ts';
import { digestFileName, titlePath } from './paths.ts';

export interface UnpackLayer {
  readonly descriptor: Descriptor;
  /** Opens the layer's content; it must be digest-verified while it streams (StreamFetcher). */
  open(): Promise<AsyncIterable<Uint8Array>>;
}

export interface UnpackProgress {
  /** 1-based index of the layer being read. */
  readonly layer: number;
  readonly layers: number;
  /** Compressed bytes read so far, all layers. */
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface UnpackOptions {
  readonly limits?: Partial<UnpackLimits>;
  readonly onProgress?: (progress: UnpackProgress) => void;
  /** A blob layer written under its digest because its title was not a plain name. */
  readonly onWarning?: (message: string) => void;
  /** Aborts the unpack (e.g. on SIGINT); the staging directory is removed as on any failure. */
  readonly signal?: AbortSignal;
}

export interface UnpackedLayer {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  /** `tar` for unpacked layers (`dir`: the titled directory an oras directory layer fills), else the file written. */
  readonly as: { readonly kind: 'tar'; readonly dir?: string } | { readonly kind: 'file'; readonly name: string };
}

export interface UnpackResult {
  readonly dir: string;
  readonly layers: readonly UnpackedLayer[];
  readonly entries: number;
  readonly bytes: number;
}

function aborted(signal: AbortSignal): unknown {
  return signal.reason instanceof OciError ? signal.reason : new OciError('ABORTED', 'unpack was aborted', { cause: signal.reason });
}

/** Throws unless `dir` is absent or an empty directory (what `ocx pull -o DIR` accepts). */
export async function assertUnpackTarget(dir: string): Promise<void> {
  let info;
  try {
    info = await lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new OciError('IO', `cannot use ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (!info.isDirectory()) throw new OciError('IO', `${dir} exists and is not a directory`);
  if ((await readdir(dir)).length > 0) throw new OciError('IO', `${dir} exists and is not empty`);
}

/** Unpacks `layers` in order into `dir` (absent or empty); `dir` appears only when all succeeded. */
export async function unpackLayers(dir: string, layers: readonly UnpackLayer[], options: UnpackOptions = {}): Promise<UnpackResult> {
  const target = resolve(dir);
  await assertUnpackTarget(target);
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.ocx-partial-`));
  try {
    const session = new UnpackSession(staging, options.limits, options.signal);
    const totalBytes = layers.reduce((n, l) => n + l.descriptor.size, 0);
    let read = 0;
    const done: UnpackedLayer[] = [];
    for (const [i, layer] of layers.entries()) {
      if (options.signal?.aborted) throw aborted(options.signal);
      const d = layer.descriptor;
      const report = () => options.onProgress?.({ layer: i + 1, layers: layers.length, bytes: read, totalBytes });
      report();
      const counted = async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          read += chunk.byteLength;
          report();
          yield chunk;
        }
      };
      const how = layerDisposition(d.mediaType, d.annotations);
      if (how.kind === 'tar' && how.title !== undefined) {
        // An oras directory: its entries must all lie under the title, as oras-go's extractTarDirectory requires.
        const prefix = titlePath(how.title);
        if (prefix === undefined) throw new OciError('UNSAFE_ARCHIVE', `layer ${d.digest}: directory title ${JSON.stringify(how.title)} is not a safe relative path`);
        await session.tarLayer(counted(await layer.open()), how.compression, `layer ${d.digest} (${prefix}/)`, { prefix, ...(how.uncompressedDigest ? { uncompressedDigest: how.uncompressedDigest } : {}) });
        done.push({ digest: d.digest, size: d.size, mediaType: d.mediaType, as: { kind: 'tar', dir: prefix } });
      } else if (how.kind === 'tar') {
        await session.tarLayer(counted(await layer.open()), how.compression, `layer ${d.digest}`);
        done.push({ digest: d.digest, size: d.size, mediaType: d.mediaType, as: { kind: 'tar' } });
      } else {
        const path = titlePath(how.title);
        if (how.title !== undefined && path === undefined) options.onWarning?.(`layer ${d.digest}: title ${JSON.stringify(how.title)} is not a safe relative file name; written as ${digestFileName(d.digest)}`);
        const name = path ?? digestFileName(d.digest);
        await session.blobLayer(counted(await layer.open()), name, d.size);
        done.push({ digest: d.digest, size: d.size, mediaType: d.mediaType, as: { kind: 'file', name } });
      }
    }
    await session.verifySymlinks();
    if (options.signal?.aborted) throw aborted(options.signal);
    await chmod(staging, 0o755);
    try {
      // rename(2) replaces an empty directory atomically; a non-empty one (raced in) makes it fail.
      await rename(staging, target);
    } catch (err) {
      throw new OciError('IO', `cannot move the unpacked content to ${target}: ${(err as Error).message}`, { cause: err });
    }
    return { dir: target, layers: done, entries: session.entries, bytes: session.bytes };
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
