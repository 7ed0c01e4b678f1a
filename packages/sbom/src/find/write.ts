// Writing a streamed SBOM to a file without ever leaving a partial one: the bytes go to a temporary
// file beside the target (same directory, so rename(2) is atomic on one filesystem), which replaces
// the target only after the stream ended without error — i.e. after its digest was verified.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BatchWriter } from '@ocx/oci';

export interface WriteResult {
  readonly path: string;
  readonly bytes: number;
}

// HTTP bodies arrive in 16–64 KiB chunks; @ocx/oci's BatchWriter gathers them by reference into
// 4 MiB positional writev batches, three in flight, so the download never waits for the disk.
export async function writeFileAtomic(chunks: AsyncIterable<Uint8Array>, path: string): Promise<WriteResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let bytes = 0;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    const w = new BatchWriter(fh);
    try {
      for await (const c of chunks) {
        bytes += c.byteLength;
        await w.add(c);
      }
      await w.drain();
    } finally {
      // Every started write settles before the handle closes (an error above leaves some pending).
      await w.settle();
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
