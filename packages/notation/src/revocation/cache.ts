// Caches for OCSP responses and CRLs, kept until the document's nextUpdate (notation-core-go keeps
// CRLs in a file cache the same way). Keys are SHA-256 over the endpoint and what was asked, so a
// file name never carries URL text. A corrupt or unreadable entry is a miss: the checker then asks
// the network again (fail open to a fresh answer, never to "good").
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RevocationCache, RevocationCacheEntry } from './types.ts';

/** Cache key for an OCSP answer about one certificate, or for the CRL at one URL. */
export function revocationCacheKey(kind: 'ocsp' | 'crl', url: string, issuerSha256 = '', serial = ''): string {
  return createHash('sha256').update(`${kind}\n${url}\n${issuerSha256}\n${serial}`).digest('hex');
}

const MAX_MEMORY_ENTRIES = 1024;

export function memoryRevocationCache(): RevocationCache {
  const map = new Map<string, RevocationCacheEntry>();
  return {
    async get(key) {
      return map.get(key);
    },
    async set(key, entry) {
      if (map.size >= MAX_MEMORY_ENTRIES && !map.has(key)) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
      map.set(key, { data: entry.data.slice(), expires: entry.expires });
    },
  };
}

const fileEntrySchema = z.object({ v: z.literal(1), expires: z.iso.datetime(), data: z.base64() });

/** One JSON file per key under `dir` (created on first write, mode 0700). */
export function fileRevocationCache(dir: string): RevocationCache {
  const valid = (key: string) => /^[0-9a-f]{64}$/.test(key);
  return {
    async get(key) {
      if (!valid(key)) return undefined;
      try {
        const parsed = fileEntrySchema.safeParse(JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')));
        if (!parsed.success) return undefined;
        return { data: new Uint8Array(Buffer.from(parsed.data.data, 'base64')), expires: new Date(parsed.data.expires) };
      } catch {
        return undefined;
      }
    },
    async set(key, entry) {
      if (!valid(key) || Number.isNaN(entry.expires.getTime())) return;
      const body = JSON.stringify({ v: 1, expires: entry.expires.toISOString(), data: Buffer.from(entry.data).toString('base64') });
      const tmp = join(dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(tmp, body, { mode: 0o600 });
        await rename(tmp, join(dir, `${key}.json`));
      } catch {
        // A cache that cannot be written only costs a future request.
        await rm(tmp, { force: true }).catch(() => undefined);
      }
    },
  };
}
