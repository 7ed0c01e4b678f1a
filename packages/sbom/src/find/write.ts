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

// HTTP bodies arrive in 16–64 KiB chunks; one reused 1 MiB buffer turns them into few large
// write(2)s and allocates nothing per chunk (the 256 MiB bench spent more time in writes and GC
// than in hashing before).
const BLOCK = 1024 * 1024;

async function writeAll(fh: FileHandle, buf: Uint8Array, length: number): Promise<void> {
  let off = 0;
  while (off < length) off += (await fh.write(buf, off, length - off)).bytesWritten;
}

export async function writeFileAtomic(chunks: AsyncIterable<Uint8Array>, path: string): Promise<WriteResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let bytes = 0;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    try {
      const block = Buffer.allocUnsafe(BLOCK);
      let used = 0;
      for await (const c of chunks) {
        bytes += c.byteLength;
        if (used === 0 && c.byteLength >= BLOCK) {
          await writeAll(fh, c, c.byteLength);
          continue;
        }
        let off = 0;
        while (off < c.byteLength) {
          const n = Math.min(BLOCK - used, c.byteLength - off);
          block.set(c.subarray(off, off + n), used);
          used += n;
          off += n;
          if (used === BLOCK) {
            await writeAll(fh, block, used);
            used = 0;
          }
        }
      }
      if (used > 0) await writeAll(fh, block, used);
    } finally {
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
