import { assertVerifiableDigest, digestOf } from '../digest.ts';
import { OciError, isOciError } from '../errors.ts';
import { parseIndex } from '../manifest.ts';
import { mapLimit } from '../referrer.ts';
import { ANNOTATION_FILTERS_APPLIED, HEADER_OCI_FILTERS_APPLIED, MEDIA_TYPE_OCI_INDEX } from '../media-types.ts';
import { readTagIndex, referrersTag } from '../tag-schema.ts';
import type { Descriptor } from '../types.ts';
import type { RegistryClient } from './client.ts';
import { nextPage, readCapped } from './http.ts';

// Listing referrers (distribution-spec v1.1.1 "Listing Referrers" and "Referrers Tag Schema").

interface Target {
  readonly client: RegistryClient;
  readonly host: string;
  readonly repository: string;
}

/** The API answered in a way that means "not implemented here": fall back to the tag schema. */
class ApiUnsupported extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

function filterType(page: Descriptor[], artifactType: string | undefined): Descriptor[] {
  // Always re-filter: a registry may ignore the query or claim a filter it did not apply.
  return artifactType === undefined ? page : page.filter((d) => d.artifactType === artifactType);
}

/** Pages from `GET /v2/<name>/referrers/<digest>`, following same-origin `Link` with a page cap. */
async function* apiPages(t: Target, subject: Descriptor, artifactType: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<Descriptor[]> {
  const { client } = t;
  let url = `${client.baseUrl(t.host)}/v2/${t.repository}/referrers/${subject.digest}`;
  if (artifactType) url += `?artifactType=${encodeURIComponent(artifactType)}`;
  const origin = new URL(url).origin;
  const seen = new Set<string>();
  let total = 0;
  for (let page = 1; ; page++) {
    if (page > client.limits.maxReferrersPages) {
      throw new OciError('PAGINATION', `referrers of ${subject.digest} span more than ${client.limits.maxReferrersPages} pages; giving up`);
    }
    seen.add(url);
    const spec = { method: 'GET' as const, url, repository: t.repository, signal, headers: { accept: MEDIA_TYPE_OCI_INDEX } };
    const res = await client.request(t.host, spec);
    // distribution-spec "Listing Referrers": only a 404 means the API is missing (several registries
    // answer 400 or 405 instead). Anything else that is not a 200 is an error — 429/5xx arrive here
    // only after the retry policy gave up — and never "no API", which would read as "nothing attached".
    if (res.status === 404) {
      const body = await readCapped(res, 64 * 1024, 'referrers error').catch(() => new Uint8Array());
      const text = new TextDecoder().decode(body);
      if (page === 1 && !/"NAME_UNKNOWN"/.test(text)) throw new ApiUnsupported('404 without NAME_UNKNOWN');
      throw new OciError('NOT_FOUND', `repository ${t.host}/${t.repository} not found`, { status: 404, method: 'GET', url });
    }
    if (page === 1 && (res.status === 400 || res.status === 405)) {
      await res.body?.cancel();
      throw new ApiUnsupported(`status ${res.status}`);
    }
    if (!res.ok) await client.fail(res, spec, `listing referrers of ${subject.digest}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const bytes = await readCapped(res, client.limits.maxReferrersBytes, 'referrers page');
    let index;
    try {
      if (type !== MEDIA_TYPE_OCI_INDEX) throw new OciError('INVALID_MANIFEST', `content type "${type}"`);
      index = parseIndex(bytes, 'referrers response');
    } catch (err) {
      if (page === 1 && isOciError(err)) throw new ApiUnsupported(`200 that is not an image index (${err.message})`);
      throw err;
    }
    const applied = (res.headers.get(HEADER_OCI_FILTERS_APPLIED) ?? index.annotations?.[ANNOTATION_FILTERS_APPLIED] ?? '').split(',').map((s) => s.trim());
    void applied; // informative only: ocx filters client-side regardless.
    total += index.manifests.length;
    if (total > client.limits.maxReferrers) throw new OciError('TOO_MANY', `more than ${client.limits.maxReferrers} referrers for ${subject.digest}`);
    yield filterType(index.manifests, artifactType);
    const next = nextPage(res.headers.get('link'), url, origin, seen, 'referrers');
    if (!next) return;
    url = next;
  }
}

/** Reads the `<alg>-<ref>` fallback index; a missing tag is "no referrers". */
export async function readFallbackIndex(t: Target, subjectDigest: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array; etag?: string } | undefined> {
  const tag = referrersTag(subjectDigest);
  const spec = { method: 'GET' as const, url: `/v2/${t.repository}/manifests/${tag}`, repository: t.repository, signal, headers: { accept: MEDIA_TYPE_OCI_INDEX } };
  const res = await t.client.request(t.host, spec);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) await t.client.fail(res, spec, `reading referrers tag ${tag}`);
  const bytes = await readCapped(res, t.client.limits.maxReferrersBytes, `referrers tag ${tag}`);
  return { bytes, etag: res.headers.get('etag') ?? undefined };
}

/** Whether a tag-schema entry's own manifest names the subject (it is fetched, digest-checked, and cached). */
export type EntryCheck = (entry: Descriptor, subject: Descriptor) => Promise<boolean>;

async function* tagSchemaPages(t: Target, subject: Descriptor, artifactType: string | undefined, signal: AbortSignal | undefined, check: EntryCheck | undefined): AsyncGenerator<Descriptor[]> {
  const found = await readFallbackIndex(t, subject.digest, signal);
  if (!found) return;
  const tag = referrersTag(subject.digest);
  // GitLab answers `sha256-<hex>` with the subject itself: for a multi-arch index that IS an index,
  // and its platform manifests would pass for referrers.
  if (digestOf(found.bytes, assertVerifiableDigest(subject.digest)) === subject.digest) {
    t.client.warn(`tag ${tag} in ${t.host}/${t.repository} holds the subject itself, not a referrers index (GitLab answers so); treating ${subject.digest} as having no referrers`);
    return;
  }
  const index = readTagIndex(found.bytes);
  if (!index) {
    t.client.warn(`tag ${tag} in ${t.host}/${t.repository} is not a referrers index; treating ${subject.digest} as having no referrers`);
    return;
  }
  if (index.manifests.some((d) => d.digest === subject.digest)) {
    t.client.warn(`referrers index for ${subject.digest} lists the subject itself; ignoring that entry`);
  }
  const entries = index.manifests.filter((d) => d.digest !== subject.digest);
  if (entries.length > t.client.limits.maxReferrers) throw new OciError('TOO_MANY', `more than ${t.client.limits.maxReferrers} referrers for ${subject.digest}`);
  // The tag is anyone's metadata: an entry counts only when its own manifest names the subject.
  const kept = check ? (await mapLimit(entries, 8, async (d) => ((await check(d, subject)) ? d : undefined))).filter((d): d is Descriptor => d !== undefined) : entries;
  yield filterType(kept, artifactType);
}

export interface ListReferrersResult {
  readonly mode: 'referrers-api' | 'tag-schema';
}

/**
 * Lists referrers with the API when the host supports it (or is not known yet), else with the tag
 * schema, and records what it learned. `onMode` reports the mode actually used.
 */
export async function* listReferrers(t: Target, subject: Descriptor, artifactType: string | undefined, signal: AbortSignal | undefined, onMode: (mode: 'referrers-api' | 'tag-schema') => void, check?: EntryCheck): AsyncGenerator<Descriptor[]> {
  const forced = t.client.options.referrersMode ?? 'auto';
  const state = forced === 'api' ? 'supported' : forced === 'tag-schema' ? 'unsupported' : await t.client.capability.get(t.host);
  if (state !== 'unsupported') {
    const pages = apiPages(t, subject, artifactType, signal);
    let first = true;
    try {
      for await (const page of pages) {
        if (first) {
          first = false;
          onMode('referrers-api');
          if (forced === 'auto') await t.client.capability.set(t.host, 'supported');
        }
        yield page;
      }
      return;
    } catch (err) {
      if (!(err instanceof ApiUnsupported)) throw err;
      if (forced === 'api') throw new OciError('REFERRERS_UNSUPPORTED', `registry ${t.host} has no referrers API (${err.why})`);
      if (state === 'supported') t.client.warn(`registry ${t.host} no longer answers the referrers API (${err.why}); using the tag schema`);
      await t.client.capability.set(t.host, 'unsupported');
    }
  }
  onMode('tag-schema');
  yield* tagSchemaPages(t, subject, artifactType, signal, check);
}
