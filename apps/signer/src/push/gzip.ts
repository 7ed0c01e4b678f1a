// gzip for the package layer, in independent 1 MiB blocks as pigz writes it: each block is raw
// deflate primed with the previous block's last 32 KiB (so the ratio stays that of one stream) and
// ended with a sync flush (RFC 1951 §3.2.4: byte-aligned, not final), so blocks compress in parallel
// on libuv's thread pool and still concatenate into ONE deflate stream that any gunzip reads.
// A block whose bytes are near-random (already-compressed files: zip, jar, png, nested .gz) is
// stored (level 0) instead of searched for matches it cannot have: level 6 spends ~20 ns a byte on
// random data to save nothing. The choice depends on the bytes only, so the layer stays reproducible.
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw) as (buf: Buffer, opts: object) => Promise<Buffer>;

export const GZIP_BLOCK_BYTES = 1024 * 1024;
const WINDOW = 32 * 1024;
// 10-byte gzip header (RFC 1952 §2.3): no name, mtime 0, OS Unix — as Node's createGzip writes it.
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
// An empty final block with fixed codes (BFINAL=1, BTYPE=01, end-of-block): what zlib's Z_FINISH emits.
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
// Bits per byte (order-0 entropy) above which a block is stored: random data measures ~7.99, zip
// and jpeg ~7.9–7.99, executables 5–6.5, text 4–5. Deflate's 32 KiB window sees little more.
const STORE_ABOVE_BITS = 7.9;

/** Order-0 entropy of `buf` in bits per byte. */
export function byteEntropy(buf: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < buf.length; i++) counts[buf[i]!]!++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / buf.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export interface BlockGzipOptions {
  readonly level?: number;
  readonly blockBytes?: number;
  /** Blocks compressed at once (libuv's pool has 4 threads by default). */
  readonly concurrency?: number;
}

/** A Transform from bytes to one gzip member, compressed block by block (see the file comment). */
export function createBlockGzip(options: BlockGzipOptions = {}): Transform {
  const level = options.level ?? 6;
  const blockBytes = options.blockBytes ?? GZIP_BLOCK_BYTES;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let parts: Buffer[] = [];
  let buffered = 0;
  let crc = 0;
  let isize = 0;
  let dictionary: Buffer = Buffer.alloc(0);
  const inFlight: Promise<Buffer>[] = [];

  const start = (block: Buffer): void => {
    crc = crc32(block, crc);
    isize = (isize + block.length) >>> 0;
    const blockLevel = byteEntropy(block) > STORE_ABOVE_BITS ? 0 : level;
    const opts = { level: blockLevel, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary.length > 0 && blockLevel > 0 ? { dictionary } : {}) };
    const done = deflate(block, opts);
    // Observed here so a block failing while an earlier one is awaited is not an unhandled rejection
    // (which would end the process); the error still reaches the stream when its turn is awaited.
    done.catch(() => undefined);
    inFlight.push(done);
    // A copy: the block's buffer is not ours to keep past this call's compression.
    dictionary = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW)));
  };
  const take = (n: number): Buffer => {
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, buffered);
    parts = n < all.length ? [all.subarray(n)] : [];
    buffered -= n;
    return all.subarray(0, n);
  };

  let headerSent = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!headerSent) {
        this.push(HEADER);
        headerSent = true;
      }
      parts.push(chunk);
      buffered += chunk.length;
      (async () => {
        while (buffered >= blockBytes) {
          start(take(blockBytes));
          while (inFlight.length >= concurrency) this.push(await inFlight.shift()!);
        }
      })().then(() => cb(), cb);
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(HEADER);
      (async () => {
        if (buffered > 0) start(take(buffered));
        while (inFlight.length > 0) this.push(await inFlight.shift()!);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(isize, 4);
        this.push(Buffer.concat([FINAL_BLOCK, trailer]));
      })().then(() => cb(), cb);
    },
  });
}
