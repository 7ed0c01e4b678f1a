import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteBudgetCache } from './byte-budget.ts';
import { assertVerifiableDigest, digestOf, parseDigest, type DigestAlgorithm } from './digest.ts';

/**
 * Manifests and small blobs by digest: immutable, so safe to keep forever. Every read is re-hashed,
 * so a tampered cache entry is a miss, never trusted content.
 */
export interface ContentCache {
  /** Largest item kept. */
  readonly maxItemBytes: number;
  get(digest: string): Promise<Uint8Array | undefined>;
  put(digest: string, bytes: Uint8Array): Promise<void>;
}

export function fileContentCache(dir: string, maxItemBytes = 1024 * 1024): ContentCache {
  const path = (digest: string) => {
    const { algorithm, encoded } = parseDigest(digest);
    return join(dir, algorithm, encoded);
  };
  return {
    maxItemBytes,
    async get(digest) {
      let algorithm: DigestAlgorithm;
      try {
        algorithm = assertVerifiableDigest(digest);
      } catch {
        return undefined;
      }
      try {
        const bytes = new Uint8Array(await readFile(path(digest)));
        return digestOf(bytes, algorithm) === digest ? bytes : undefined;
      } catch {
        return undefined;
      }
    },
    async put(digest, bytes) {
      if (bytes.byteLength > maxItemBytes) return;
      try {
        assertVerifiableDigest(digest);
        const p = path(digest);
        await mkdir(join(p, '..'), { recursive: true, mode: 0o700 });
        const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        await writeFile(tmp, bytes, { mode: 0o600 });
        await chmod(tmp, 0o600);
        await rename(tmp, p);
      } catch {
        // A cache that cannot be written is just a cache miss next time.
      }
    },
  };
}

/** An in-memory cache (tests, long-running library use), bounded by bytes (least recently used go first). */
export function memoryContentCache(maxItemBytes = 1024 * 1024, maxBytes = 64 * 1024 * 1024): ContentCache & { readonly bytes: number } {
  const items = new ByteBudgetCache<Uint8Array>(maxBytes, (b) => b.byteLength);
  return {
    maxItemBytes,
    get bytes() {
      return items.bytes;
    },
    get: async (digest) => items.get(digest),
    put: async (digest, bytes) => {
      if (bytes.byteLength <= maxItemBytes) items.set(digest, bytes);
    },
  };
}
