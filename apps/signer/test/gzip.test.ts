import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { byteEntropy, createBlockGzip } from '../src/push/gzip.ts';

const gz = (data: Buffer, chunk = 70_000, blockBytes = 64 * 1024) => {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
  return buffer(Readable.from(pieces).pipe(createBlockGzip({ blockBytes })));
};

// Text-like bytes: compressible, with matches that cross block boundaries.
const text = (n: number) => Buffer.from(Array.from({ length: Math.ceil(n / 40) }, (_, i) => `line ${i % 977} of the package readme\n`).join('').slice(0, n));

describe('createBlockGzip', () => {
  it('writes one gzip member that gunzip reads back byte for byte: empty, small, text, random, mixed', async () => {
    const mixed = Buffer.concat([text(100_000), randomBytes(150_000), text(90_001)]);
    for (const data of [Buffer.alloc(0), Buffer.from('x'), text(300_000), randomBytes(200_000), mixed]) {
      const out = await gz(data);
      expect(out.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 0x08]));
      expect(gunzipSync(out).equals(data)).toBe(true);
      // GNU gzip checks the CRC and length in the trailer, as docker and containerd's readers do.
      const r = spawnSync('gzip', ['-dc'], { input: out, maxBuffer: 1 << 26 });
      if (r.error === undefined) expect(r.status).toBe(0);
    }
  });

  it('is reproducible whatever the input chunking, and compresses like one zlib stream', async () => {
    const data = text(400_000);
    const [a, b] = [await gz(data, 70_000), await gz(data, 4_096)];
    expect(a.equals(b)).toBe(true);
    // The dictionary carries matches across blocks: within 1% of a single level-6 stream.
    expect(a.length).toBeLessThan(gzipSync(data, { level: 6 }).length * 1.01 + 64);
  });

  it('stores near-random blocks instead of searching them (size = input + framing)', async () => {
    const data = randomBytes(256 * 1024);
    expect(byteEntropy(data)).toBeGreaterThan(7.9);
    expect(byteEntropy(text(64 * 1024))).toBeLessThan(6);
    const out = await gz(data);
    expect(out.length).toBeLessThan(data.length + 64 + Math.ceil(data.length / 65_535) * 5 * 2);
  });
});
