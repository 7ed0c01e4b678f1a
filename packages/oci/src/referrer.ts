import { OciError } from './errors.ts';
import { parseManifest, type ParsedManifest } from './manifest.ts';
import type { CallOptions, Fetcher } from './roles.ts';
import type { Descriptor } from './types.ts';

/**
 * Fetches a referrer manifest and checks that it names `subjectDigest` as its subject: listings
 * (and tag-schema indexes above all) are registry metadata, the manifest's own `subject` is the claim.
 */
export async function fetchReferrer(fetcher: Fetcher, desc: Descriptor, subjectDigest: string, options: CallOptions = {}): Promise<ParsedManifest & { bytes: Uint8Array }> {
  const bytes = await fetcher.fetch(desc, options);
  const parsed = parseManifest(bytes, desc.mediaType);
  const subject = parsed.manifest.subject?.digest;
  if (subject !== subjectDigest) {
    throw new OciError('INVALID_MANIFEST', `referrer ${desc.digest} names ${subject ? `subject ${subject}` : 'no subject'}, not ${subjectDigest}`);
  }
  return { ...parsed, bytes };
}

/** Collects every page of a referrers listing. */
export async function collectReferrers(pages: AsyncIterable<Descriptor[]>): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  const seen = new Set<string>();
  for await (const page of pages) {
    for (const d of page) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      out.push(d);
    }
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}
