// Decompression with bounded memory: each stage is pull-driven (a node:stream pipeline stage), so a
// small, highly compressed input never becomes a large buffer ahead of the tar reader. The zstd and
// xz decoders are imported when a layer needs them: every command loads @ocx/oci, few unpack.
import { createGunzip } from 'node:zlib';
import type { Duplex } from 'node:stream';
import type { XzReadableStream } from 'xz-decompress';
import { OciError } from '../errors.ts';
import { pullStream } from '../streams.ts';
import type { LayerCompression } from './media.ts';

/** Largest zstd window accepted: zstd's own default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27). */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;
// fzstd decodes every complete block of the input it is given at once; feeding it small slices keeps
// what one step can produce small (an RLE block turns 4 bytes into up to 128 KiB).
const ZSTD_SLICE = 256;

// zlib inflates on the thread pool, one round trip per output chunk (16 KiB by default). Measured
// on the 64 MiB bench layer fed in 64 KiB pieces: 64 KiB chunks ~100 ms CPU, 256 KiB ~50 ms, 1 MiB
// no better. The tar guard still slices what it passes on to 64 KiB; memory stays one chunk.
const GUNZIP_CHUNK = 256 * 1024;

type Stage = Duplex | ((source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array>);

/** The pipeline stage that undoes `compression`, or undefined for none. */
export function decompressor(compression: LayerCompression): Stage | undefined {
  switch (compression) {
    case 'none':
      return undefined;
    case 'gzip':
      return createGunzip({ chunkSize: GUNZIP_CHUNK });
    case 'zstd':
      return zstdStage;
    case 'xz':
      return xzStage;
  }
}

/**
 * RFC 8878 §3.1.1.1: the frame header's window size, from the window descriptor or, for a single
 * segment frame, the content size. Checked before fzstd allocates a window of that size.
 */
export function zstdWindowSize(header: Uint8Array): number | undefined {
  if (header.length < 6 || header[0] !== 0x28 || header[1] !== 0xb5 || header[2] !== 0x2f || header[3] !== 0xfd) return undefined;
  const flags = header[4]!;
  const singleSegment = (flags >> 5) & 1;
  if (!singleSegment) {
    const wd = header[5]!;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  const fcsFlag = flags >> 6;
  const dictBytes = [0, 1, 2, 4][flags & 3]!;
  const fcsBytes = [1, 2, 4, 8][fcsFlag]!;
  const at = 5 + dictBytes;
  if (header.length < at + fcsBytes) return undefined;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + header[at + i]!;
  return fcsBytes === 2 ? size + 256 : size;
}

async function* zstdStage(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { Decompress } = await import('fzstd');
  const out: Uint8Array[] = [];
  const dec = new Decompress((chunk) => {
    if (chunk.byteLength > 0) out.push(chunk);
  });
  let head: Uint8Array = new Uint8Array(0);
  let checked = false;
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      dec.push(chunk, final);
    } catch (err) {
      throw new OciError('UNSAFE_ARCHIVE', `zstd layer does not decompress: ${(err as Error).message}`, { cause: err });
    }
  };
  for await (const chunk of source) {
    if (!checked) {
      head = concat(head, chunk);
      if (head.length < 18) continue;
      checkWindow(head);
      checked = true;
      for (let i = 0; i < head.length; i += ZSTD_SLICE) {
        push(head.subarray(i, i + ZSTD_SLICE), false);
        while (out.length > 0) yield out.shift()!;
      }
      continue;
    }
    for (let i = 0; i < chunk.length; i += ZSTD_SLICE) {
      push(chunk.subarray(i, i + ZSTD_SLICE), false);
      while (out.length > 0) yield out.shift()!;
    }
  }
  if (!checked) {
    checkWindow(head);
    push(head, true);
  } else push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift()!;
}

function checkWindow(head: Uint8Array): void {
  const window = zstdWindowSize(head);
  if (window === undefined) throw new OciError('UNSAFE_ARCHIVE', 'zstd layer does not start with a zstd frame header');
  if (window > MAX_ZSTD_WINDOW) throw new OciError('UNSAFE_ARCHIVE', `zstd layer asks for a ${window}-byte window, over the ${MAX_ZSTD_WINDOW}-byte limit`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// xz-decompress runs xz-embedded (public domain, by the xz authors) in WebAssembly: no native code.
// A UMD bundle: Node's ESM loader sees only its default export.
async function loadXz(): Promise<typeof XzReadableStream> {
  const mod = (await import('xz-decompress')) as { XzReadableStream?: typeof XzReadableStream; default?: { XzReadableStream: typeof XzReadableStream } };
  return mod.XzReadableStream ?? mod.default!.XzReadableStream;
}

async function* xzStage(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const Xz = await loadXz();
  const input = pullStream(source);
  try {
    for await (const chunk of new Xz(input) as unknown as AsyncIterable<Uint8Array>) yield chunk;
  } catch (err) {
    if (err instanceof OciError) throw err;
    throw new OciError('UNSAFE_ARCHIVE', `xz layer does not decompress: ${(err as Error).message}`, { cause: err });
  }
}
