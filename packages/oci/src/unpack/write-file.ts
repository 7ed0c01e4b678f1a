// Writing a stream of chunks to a new file with few system calls and no copies: chunks are held by
// reference (zlib and tar-stream hand out fresh buffers, never reused) until about BATCH bytes are
// gathered, then one positional writev(2) writes them, with at most IN_FLIGHT batches on the thread
// pool while the next gathers. The earlier Buffer.concat + fs.WriteStream path copied every byte once
// more and paid a stream hop per batch (bench pull: ~17 ms of copies per 64 MiB).
import { open, type FileHandle } from 'node:fs/promises';

const BATCH = 1024 * 1024;
const MAX_PARTS = 256;
const IN_FLIGHT = 2;

async function writevAll(fh: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
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
 * Creates `path` (flag `wx`: never through an existing name) and writes `source` to it. Memory held:
 * one gathering batch plus IN_FLIGHT batches being written. Aborting stops before the next chunk.
 */
export async function writeNewFile(source: AsyncIterable<Uint8Array>, path: string, mode: number, signal?: AbortSignal): Promise<number> {
  const fh = await open(path, 'wx', mode);
  const pending: Promise<void>[] = [];
  let parts: Uint8Array[] = [];
  let size = 0;
  let position = 0;
  const flush = async () => {
    if (size === 0) return;
    const write = writevAll(fh, parts, position);
    // Observed here so a failure while it waits its turn is no unhandled rejection; awaited below.
    write.catch(() => undefined);
    pending.push(write);
    position += size;
    parts = [];
    size = 0;
    if (pending.length > IN_FLIGHT) await pending.shift();
  };
  try {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      if (chunk.byteLength === 0) continue;
      parts.push(chunk);
      size += chunk.byteLength;
      if (size >= BATCH || parts.length >= MAX_PARTS) await flush();
    }
    await flush();
    while (pending.length > 0) await pending.shift();
    return position;
  } finally {
    // Every started write settles before the handle closes (a failure above leaves some pending).
    await Promise.allSettled(pending.splice(0));
    await fh.close();
  }
}
