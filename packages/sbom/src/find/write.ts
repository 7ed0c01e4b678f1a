// Writing a streamed SBOM to a file without ever leaving a partial one: the bytes go to a temporary
// file beside the target (same directory, so rename(2) is atomic on one filesystem), which replaces
// the target only after the stream ended without error — i.e. after its digest was verified.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WriteResult {
  readonly path: string;
  readonly bytes: number;
}

export async function writeFileAtomic(chunks: AsyncIterable<Uint8Array>, path: string): Promise<WriteResult> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let bytes = 0;
  const counted = (async function* () {
    for await (const c of chunks) {
      bytes += c.byteLength;
      yield c;
    }
  })();
  try {
    await pipeline(Readable.from(counted, { objectMode: false }), createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return { path, bytes };
}

/** Streams to an already open sink (stdout) with backpressure, leaving it open. */
export async function writeToStream(chunks: AsyncIterable<Uint8Array>, sink: Writable): Promise<number> {
  let bytes = 0;
  for await (const c of chunks) {
    bytes += c.byteLength;
    if (!sink.write(c)) await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) => { sink.off('drain', onDrain); reject(e); };
      const onDrain = () => { sink.off('error', onErr); resolve(); };
      sink.once('drain', onDrain);
      sink.once('error', onErr);
    });
  }
  return bytes;
}
