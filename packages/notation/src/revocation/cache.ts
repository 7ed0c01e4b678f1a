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

/**
 * One cache entry for a base CRL and its delta: the two DER CRLs back to back (a DER SEQUENCE carries
 * its own length), so the pair is stored, expires and is read as one.
 */
export function encodeCrlPair(base: Uint8Array, delta?: Uint8Array): Uint8Array {
  if (!delta) return base;
  const out = new Uint8Array(base.byteLength + delta.byteLength);
  out.set(base, 0);
  out.set(delta, base.byteLength);
  return out;
}

/** Split an entry written by encodeCrlPair; undefined when the bytes are not one or two DER SEQUENCEs. */
export function decodeCrlPair(data: Uint8Array): { base: Uint8Array; delta?: Uint8Array } | undefined {
  const first = derElementLength(data, 0);
  if (first === undefined) return undefined;
  if (first === data.byteLength) return { base: data };
  const second = derElementLength(data, first);
  if (second === undefined || first + second !== data.byteLength) return undefined;
  return { base: data.subarray(0, first), delta: data.subarray(first) };
}

/** Total length (header included) of the DER SEQUENCE at `at`, or undefined. */
function derElementLength(data: Uint8Array, at: number): number | undefined {
  if (data[at] !== 0x30 || at + 2 > data.byteLength) return undefined;
  const b = data[at + 1] as number;
  if (b < 0x80) return 2 + b;
  const n = b & 0x7f;
  if (n === 0 || n > 4 || at + 2 + n > data.byteLength) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (data[at + 2 + i] as number);
  const total = 2 + n + len;
  return at + total <= data.byteLength ? total : undefined;
}
