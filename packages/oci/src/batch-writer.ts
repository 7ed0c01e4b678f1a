// Writing a stream of chunks to a file with few system calls and no copies. Chunks are held by
// reference (HTTP bodies, zlib and tar-stream hand out fresh buffers, never reused) until about
// `batchBytes` are gathered; one positional writev(2) then writes them, with at most `inFlight`
// batches on the thread pool while the next one gathers, so a download never waits for the disk and
// no chunk is copied or written on its own (copies, writes and GC cost more than hashing before).
import type { FileHandle } from 'node:fs/promises';

export interface BatchWriterOptions {
  /** Bytes gathered before one writev (default 4 MiB). */
  readonly batchBytes?: number;
  /** Chunks gathered before one writev, whatever their size (default 512; IOV_MAX is 1024). */
  readonly maxParts?: number;
  /** Batches being written while the next gathers (default 3). */
  readonly inFlight?: number;
}

/** Writes every part at `position`, resuming after short writes (a part written in part keeps its tail). */
export async function writevAll(fh: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  let rest = parts;
  let pos = position;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, pos);
    if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
    pos += bytesWritten;
    let n = bytesWritten;
    let i = 0;
    while (i < rest.length && n >= rest[i]!.byteLength) n -= rest[i++]!.byteLength;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

/**
 * Batched positional writes to an open file from offset 0. Memory held: one gathering batch plus
 * `inFlight` batches being written. Call `drain()` at the end and `settle()` (in a finally) before
 * closing the handle: every started write settles first, even after a failure.
 */
export class BatchWriter {
  readonly #pending: Promise<void>[] = [];
  readonly #batch: number;
  readonly #maxParts: number;
  readonly #inFlight: number;
  #parts: Uint8Array[] = [];
  #size = 0;
  #position = 0;

  constructor(
    readonly fh: FileHandle,
    options: BatchWriterOptions = {},
  ) {
    this.#batch = options.batchBytes ?? 4 * 1024 * 1024;
    this.#maxParts = options.maxParts ?? 512;
    this.#inFlight = options.inFlight ?? 3;
  }

  /** Bytes handed to the file so far (written or being written). */
  get position(): number {
    return this.#position;
  }

  async add(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0) return;
    this.#parts.push(chunk);
    this.#size += chunk.byteLength;
    if (this.#size >= this.#batch || this.#parts.length >= this.#maxParts) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const write = writevAll(this.fh, this.#parts, this.#position);
    // Observed here so a failure while it waits its turn is no unhandled rejection; awaited later.
    write.catch(() => undefined);
    this.#pending.push(write);
    this.#position += this.#size;
    this.#parts = [];
    this.#size = 0;
    if (this.#pending.length > this.#inFlight) await this.#pending.shift();
  }

  async drain(): Promise<void> {
    await this.flush();
    while (this.#pending.length > 0) await this.#pending.shift();
  }

  /** After a failure: lets every started write settle, starts none. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#pending.splice(0));
  }
}
