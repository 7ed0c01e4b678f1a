import { OciError, isOciError } from './errors.ts';
import { isManifestMediaType, parseManifest, type ParsedManifest } from './manifest.ts';
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

/**
 * Whether an entry of a listing ocx cannot trust (a tag-schema index, a layout's index) is a
 * referrer of `subject`: its own manifest must name it. A missing or foreign manifest is left out
 * with a warning; content that fails its digest or size is left out with the error attached, so
 * the caller can exit non-zero. Transport failures propagate.
 */
export async function namesSubject(fetcher: Fetcher, d: Descriptor, subject: Descriptor, where: string, warn: (message: string, error?: OciError) => void, options: CallOptions = {}): Promise<boolean> {
  if (!isManifestMediaType(d.mediaType)) {
    warn(`${where} lists ${d.digest} of type ${d.mediaType}, which is not a manifest; ignoring it`);
    return false;
  }
  try {
    await fetchReferrer(fetcher, d, subject.digest, options);
    return true;
  } catch (err) {
    if (!isOciError(err)) throw err;
    if (err.code === 'NOT_FOUND') {
      warn(`${where} lists ${d.digest}, which is not there; ignoring it`);
      return false;
    }
    if (err.code === 'INVALID_MANIFEST' || err.code === 'UNSUPPORTED_MEDIA_TYPE') {
      warn(`${where}: ${err.message}; ignoring it`);
      return false;
    }
    if (err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH' || err.code === 'TOO_LARGE') {
      warn(`${where}: referrer ${d.digest} left out: ${err.message}`, err);
      return false;
    }
    throw err;
  }
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
