import { randomFillSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writevAll } from '@ocx/oci';
import { writeFileAtomic } from './write.ts';

// writeFileAtomic gathers chunks into batched positional writev(2)s with several in flight: the
// file must still hold exactly the stream's bytes, in order, or not exist at all.

const data = randomFillSync(new Uint8Array(9 * 1024 * 1024 + 333));

async function* chunks(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let off = 0;
  for (let i = 0; off < b.byteLength; i++) {
    const n = sizes[i % sizes.length]!;
    // A fresh copy per chunk, as a stream producer hands out.
    yield b.slice(off, Math.min(b.byteLength, off + n));
    off += n;
  }
}

describe('writeFileAtomic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['64 KiB chunks', [65536]],
    ['odd and tiny chunks', [1, 7, 65535, 3, 1 << 20, 0, 12345]],
    ['chunks larger than a batch', [5 * 1024 * 1024]],
  ])('writes exactly the bytes of %s', async (_name, sizes) => {
    const target = join(dir, `out-${sizes.join('-')}`);
    const r = await writeFileAtomic(chunks(data, sizes), target);
    expect(r.bytes).toBe(data.byteLength);
    expect(Buffer.compare(await readFile(target), Buffer.from(data))).toBe(0);
  });

  it('a stream that fails midway leaves neither the target nor a partial file', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* chunks(data.subarray(0, 6 * 1024 * 1024), [65536]);
      throw new Error('digest mismatch');
    }
    const target = join(dir, 'failed');
    await expect(writeFileAtomic(failing(), target)).rejects.toThrow('digest mismatch');
    expect((await readdir(dir)).filter((n) => n.includes('failed'))).toEqual([]);
  });
});

describe('writevAll', () => {
  it('finishes a batch the file system accepted only in part', async () => {
    const written: number[] = [];
    let calls = 0;
    const fh = {
      async writev(parts: Uint8Array[], position: number) {
        calls++;
        // Accept at most 1000 bytes per call, like a short write.
        let n = 0;
        for (const p of parts) {
          for (const byte of p) {
            if (n === 1000) break;
            written[position + n] = byte;
            n++;
          }
          if (n === 1000) break;
        }
        return { bytesWritten: n, buffers: parts };
      },
    } as unknown as FileHandle;
    const parts = [data.subarray(0, 700), data.subarray(700, 2500), data.subarray(2500, 2501), data.subarray(2501, 4000)];
    await writevAll(fh, parts, 10);
    expect(calls).toBe(4);
    expect(Uint8Array.from(written.slice(10))).toEqual(data.subarray(0, 4000));
  });
});
