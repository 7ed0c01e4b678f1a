import type { Context } from './context.ts';
import { checkDigest, isValidName } from './digest.ts';
import { baseHeaders, errorResponse, pageNotFound } from './errors.ts';
import { MT_OCI_INDEX } from './manifest.ts';
import type { StoredManifest } from './store.ts';

// distribution-spec "Content Discovery": tags list (end-8) and referrers (end-12).

export function listTags(ctx: Context, req: Request, name: string): Response {
  if (!isValidName(name)) return errorResponse(400, 'NAME_INVALID', `invalid repository name: ${name}`);
  const repo = ctx.store.repo(name);
  if (!repo) return errorResponse(404, 'NAME_UNKNOWN', `repository ${name} is not known`);
  const q = new URL(req.url).searchParams;
  const nParam = q.get('n');
  if (nParam !== null && !/^[0-9]+$/.test(nParam)) {
    return errorResponse(400, 'PAGINATION_NUMBER_INVALID', `n must be a non-negative integer, got ${nParam}`);
  }
  const last = q.get('last');
  // "ASCIIbetical" order, the order of Go's sort.Strings.
  const all = [...repo.tags.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).filter((t) => last === null || t > last);
  const limit = nParam !== null ? Number(nParam) : ctx.sw.tagsPageSize > 0 ? ctx.sw.tagsPageSize : all.length;
  const tags = all.slice(0, limit);
  const headers = baseHeaders({ 'content-type': 'application/json' });
  // When n is zero the spec forbids a Link header.
  if (limit > 0 && all.length > tags.length) {
    const next = new URLSearchParams({ n: String(limit), last: tags[tags.length - 1]! });
    headers.link = `</v2/${name}/tags/list?${next.toString()}>; rel="next"`;
  }
  return new Response(JSON.stringify({ name, tags }), { status: 200, headers });
}

/** "Listing Referrers": artifactType, else config.mediaType for an image manifest, and all annotations. */
function referrerDescriptor(m: StoredManifest): Record<string, unknown> {
  const artifactType = m.artifactType ?? m.configMediaType;
  return {
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.bytes.byteLength,
    ...(artifactType ? { artifactType } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  };
}

export function listReferrers(ctx: Context, req: Request, name: string, digest: string): Response {
  // distribution 2.8 has no such route: its mux answers a plain-text 404 and clients fall back to the tag schema.
  if (!ctx.sw.referrersApi) return pageNotFound();
  if (!isValidName(name)) return errorResponse(400, 'NAME_INVALID', `invalid repository name: ${name}`);
  if (!checkDigest(digest).ok) return errorResponse(400, 'DIGEST_INVALID', `invalid digest: ${digest}`, { detail: { digest } });
  const q = new URL(req.url).searchParams;
  const artifactType = q.get('artifactType') || undefined;
  const last = q.get('last');
  const repo = ctx.store.repo(name);
  // A registry supporting the API never answers 404 here: an unknown subject has an empty index.
  let found = [...(repo?.manifests.values() ?? [])]
    .filter((m) => m.subject === digest)
    .map(referrerDescriptor)
    .sort((a, b) => ((a.digest as string) < (b.digest as string) ? -1 : 1));
  if (artifactType) found = found.filter((d) => d.artifactType === artifactType);
  if (last) found = found.filter((d) => (d.digest as string) > last);
  const headers = baseHeaders({ 'content-type': MT_OCI_INDEX });
  if (artifactType) headers['oci-filters-applied'] = 'artifactType';
  const page = ctx.sw.pageSize > 0 ? found.slice(0, ctx.sw.pageSize) : found;
  if (page.length < found.length) {
    const next = new URLSearchParams();
    if (artifactType) next.set('artifactType', artifactType);
    next.set('last', page[page.length - 1]!.digest as string);
    headers.link = `</v2/${name}/referrers/${digest}?${next.toString()}>; rel="next"`;
  }
  const body = JSON.stringify({ schemaVersion: 2, mediaType: MT_OCI_INDEX, manifests: page });
  return new Response(body, { status: 200, headers });
}
