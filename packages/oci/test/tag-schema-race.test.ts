import { describe, expect, it } from 'vitest';
import { addToTagIndex, digestOf, emptyIndex, OciError, readTagIndex, type Descriptor, type TagIndexStore } from '@ocx/oci';

// issue 10 item 9: a registry that sends ETags but ignores If-Match (distribution 2.8) lets a writer
// that read before our write land after it. After writing, ocx reads back after a jittered delay and
// re-merges until its entries are present in two consecutive reads (bounded).

const SUBJECT = `sha256:${'a'.repeat(64)}`;
const entry = (n: number): Descriptor => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(n).padStart(64, '0')}`, size: 100 + n, artifactType: 'application/x' });
const encode = (manifests: Descriptor[]) => new TextEncoder().encode(JSON.stringify({ ...emptyIndex(), manifests }));

/** A tag store like distribution 2.8: an ETag on every read, If-Match accepted and ignored. */
function ignoringIfMatch() {
  let bytes: Uint8Array | undefined;
  const log: string[] = [];
  const store: TagIndexStore & { put(m: Descriptor[]): void; list(): string[] } = {
    async readIndex() {
      log.push('read');
      return bytes ? { bytes, etag: `"${digestOf(bytes)}"` } : undefined;
    },
    async writeIndex(_tag, b) {
      log.push('write');
      bytes = b;
    },
    put(m) {
      bytes = encode(m);
    },
    list: () => (bytes ? (readTagIndex(bytes)?.manifests ?? []).map((d) => d.digest) : []),
  };
  return { store, log };
}

describe('tag-schema writes on a registry that ignores If-Match', () => {
  it('a stale write landing after our first read-back is noticed and re-merged', async () => {
    const { store } = ignoringIfMatch();
    const rival = entry(2);
    let sleeps = 0;
    // The rival read the empty index before our write; its PUT lands during our first wait.
    const sleep = async () => {
      if (sleeps++ === 1) store.put([rival]);
    };
    await addToTagIndex(store, SUBJECT, [entry(1)], { sleep, random: () => 0.5 });
    expect(store.list().sort()).toEqual([entry(1).digest, rival.digest].sort());
  });

  it('reads back after a delay, twice in a row, before it trusts the write', async () => {
    const { store, log } = ignoringIfMatch();
    const waits: number[] = [];
    await addToTagIndex(store, SUBJECT, [entry(1)], { sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
    expect(log).toEqual(['read', 'write', 'read', 'read']);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms > 0)).toBe(true);
  });

  it('jitter spreads the waits', async () => {
    const a: number[] = [];
    const b: number[] = [];
    await addToTagIndex(ignoringIfMatch().store, SUBJECT, [entry(1)], { sleep: async (ms) => void a.push(ms), random: () => 0 });
    await addToTagIndex(ignoringIfMatch().store, SUBJECT, [entry(1)], { sleep: async (ms) => void b.push(ms), random: () => 0.99 });
    expect(a[0]).toBeLessThan(b[0]!);
  });

  it('gives up after a bounded number of attempts with a typed CONFLICT', async () => {
    const { store } = ignoringIfMatch();
    // A rival that always wins: every wait ends with our entry gone.
    const sleep = async () => store.put([entry(9)]);
    await expect(addToTagIndex(store, SUBJECT, [entry(1)], { sleep, maxAttempts: 4 })).rejects.toBeInstanceOf(OciError);
  });
});
