import { createHash, randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyingStream } from './digest.ts';
import { isOciError } from './errors.ts';

// verifyingStream checks size and digest before it completes, so a consumer that commits only on
// completion (writeFileAtomic's rename) never commits bad bytes.

const small = randomFillSync(new Uint8Array(300_000));
const digestOf = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function* chunked(b: Uint8Array, size = 64 * 1024 + 7): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < b.byteLength; off += size) yield b.subarray(off, Math.min(b.byteLength, off + size));
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of it) n += c.byteLength;
  return n;
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isOciError(err) ? err.code : String(err);
  }
}

describe('verifyingStream', () => {
  const bytes = small;
  it('passes every byte through and completes when the digest matches', async () => {
    expect(await drain(verifyingStream(chunked(bytes), digestOf(bytes), bytes.byteLength))).toBe(bytes.byteLength);
  });

  it('fails with DIGEST_MISMATCH before completing when one byte differs', async () => {
    const bad = Uint8Array.from(bytes);
    bad[bad.length >> 1]! ^= 1;
    expect(await code(drain(verifyingStream(chunked(bad), digestOf(bytes), bytes.byteLength)))).toBe('DIGEST_MISMATCH');
  });

  it('fails with SIZE_MISMATCH on too few or too many bytes', async () => {
    expect(await code(drain(verifyingStream(chunked(bytes.subarray(1)), digestOf(bytes), bytes.byteLength)))).toBe('SIZE_MISMATCH');
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expect(await code(drain(verifyingStream(chunked(longer), digestOf(bytes), bytes.byteLength)))).toBe('SIZE_MISMATCH');
  });

  it('can be left early without hanging', async () => {
    for await (const c of verifyingStream(chunked(bytes), digestOf(bytes), bytes.byteLength)) {
      expect(c.byteLength).toBeGreaterThan(0);
      break;
    }
  });
});
