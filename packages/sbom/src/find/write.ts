// Writing a streamed SBOM to a file without ever leaving a partial one: the bytes go to a temporary
// file beside the target (same directory, so rename(2) is atomic on one filesystem), which replaces
// the target only after the stream ended without error — i.e. after its digest was verified.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteResult {
  readonly path: string;
  readonly bytes: number;
}

// HTTP bodies arrive in 16–64 KiB chunks; a few reused 1 MiB buffers turn them into few large
// write(2)s and allocate nothing per chunk (the 256 MiB bench spent more time in writes and GC than
// in hashing before). Up to IN_FLIGHT blocks are being written while the next one fills, so the
// download never waits for the disk (it did, once per MiB, when each write was awaited in turn).
const BLOCK = 1024 * 1024;
const IN_FLIGHT = 3;

async function writeAll(fh: FileHandle, buf: Uint8Array, length: number, position: number): Promise<void> {
  let off = 0;
  while (off < length) off += (await fh.write(buf, off, length - off, position + off)).bytesWritten;
}

/** Positional writes of full blocks, at most IN_FLIGHT at a time, each block reused once written. */
class BlockWriter {
  readonly #blocks = Array.from({ length: IN_FLIGHT + 1 }, () => Buffer.allocUnsafe(BLOCK));
  readonly #pending: Promise<void>[] = [];
  #next = 0;
  #position = 0;
  block: Buffer = this.#blocks[0]!;
  used = 0;

  constructor(readonly fh: FileHandle) {}

  /** Starts writing the current block and hands out the next free one. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const write = writeAll(this.fh, this.block, this.used, this.#position);
    // Handled here so a failure while it waits its turn is not an unhandled rejection; awaited below.
    write.catch(() => undefined);
    this.#pending.push(write);
    this.#position += this.used;
    this.used = 0;
    this.#next = (this.#next + 1) % this.#blocks.length;
    this.block = this.#blocks[this.#next]!;
    // The block handed out was last filled IN_FLIGHT + 1 flushes ago: its write is the oldest pending.
    if (this.#pending.length > IN_FLIGHT) await this.#pending.shift();
  }

  /** A chunk too large to be worth copying, written in place once everything before it is. */
  async direct(chunk: Uint8Array): Promise<void> {
    await this.drain();
    await writeAll(this.fh, chunk, chunk.byteLength, this.#position);
    this.#position += chunk.byteLength;
  }

  async drain(): Promise<void> {
    await this.flush();
    while (this.#pending.length > 0) await this.#pending.shift();
  }
}

export async function writeFileAtomic(chunks: AsyncIterable<Uint8Array>, path: string): Promise<WriteResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let bytes = 0;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    const w = new BlockWriter(fh);
    try {
      for await (const c of chunks) {
        bytes += c.byteLength;
        if (w.used === 0 && c.byteLength >= BLOCK) {
          await w.direct(c);
          continue;
        }
        let off = 0;
        while (off < c.byteLength) {
          const n = Math.min(BLOCK - w.used, c.byteLength - off);
          w.block.set(c.subarray(off, off + n), w.used);
          w.used += n;
          off += n;
          if (w.used === BLOCK) await w.flush();
        }
      }
      await w.drain();
    } finally {
      // Every started write settles before the handle closes (an error above leaves some pending).
      await w.drain().catch(() => undefined);
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return { path, bytes };
}

/** Streams to an already open sink (stdout) with backpressure, leaving it open. */
export async function writeToStream(chunks: AsyncIterable<Uint8Array>, sink: NodeJS.WritableStream): Promise<number> {
  let bytes = 0;
  for await (const c of chunks) {
    bytes += c.byteLength;
    if (!sink.write(c)) {
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: Error) => {
          sink.off('drain', onDrain);
          reject(e);
        };
        const onDrain = () => {
          sink.off('error', onErr);
          resolve();
        };
        sink.once('drain', onDrain);
        sink.once('error', onErr);
      });
    }
  }
  return bytes;
}
