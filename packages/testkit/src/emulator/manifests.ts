import { BodyTooLarge, bytesResponse, readBody } from './body.ts';
import type { Context } from './context.ts';
import { checkDigest, digestOf, isValidName, isValidTag, type DigestAlgorithm } from './digest.ts';
import { baseHeaders, errorResponse } from './errors.ts';
import { isExternalLayer, parseManifest } from './manifest.ts';
import type { Repository, StoredManifest } from './store.ts';

// distribution-spec "Pulling manifests", "Pushing Manifests", "Deleting tags/Manifests", end-3/7/9.

type Ref = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string; algorithm: DigestAlgorithm };

function parseRef(name: string, ref: string, head = false): Ref | Response {
  if (!isValidName(name)) return errorResponse(400, 'NAME_INVALID', `invalid repository name: ${name}`, { head });
  if (ref.includes(':')) {
    const c = checkDigest(ref);
    if (!c.ok) return errorResponse(400, 'DIGEST_INVALID', `invalid digest: ${ref}`, { head, detail: { digest: ref } });
    return { kind: 'digest', digest: ref, algorithm: c.algorithm };
  }
  if (!isValidTag(ref)) return errorResponse(400, 'TAG_INVALID', `invalid tag: ${ref}`, { head, detail: { tag: ref } });
  return { kind: 'tag', tag: ref };
}

const quoted = (digest: string) => `"${digest}"`;

/** distribution-spec "Content Negotiation": the client lists the manifest types it can read. */
function accepts(req: Request, mediaType: string): boolean {
  const listed = req.headers
    .get('accept')
    ?.split(',')
    .map((v) => v.split(';')[0]!.trim());
  return listed?.some((t) => t === mediaType || t === '*/*' || t === 'application/*') ?? false;
}

function resolve(repo: Repository, ref: Ref): StoredManifest | undefined {
  const digest = ref.kind === 'tag' ? repo.tags.get(ref.tag) : ref.digest;
  return digest === undefined ? undefined : repo.manifests.get(digest);
}

export function getManifest(ctx: Context, req: Request, name: string, reference: string): Response {
  const head = req.method === 'HEAD';
  const ref = parseRef(name, reference, head);
  if (ref instanceof Response) return ref;
  const repo = ctx.store.repo(name);
  if (!repo) return errorResponse(404, 'NAME_UNKNOWN', `repository ${name} is not known`, { head });
  const m = resolve(repo, ref);
  if (!m) return errorResponse(404, 'MANIFEST_UNKNOWN', `manifest ${reference} is not known to ${name}`, { head, detail: { reference } });
  if (ctx.sw.requireAccept && !accepts(req, m.mediaType)) {
    return errorResponse(404, 'MANIFEST_UNKNOWN', `manifest found, but the Accept header does not list ${m.mediaType}`, { head });
  }
  const headers = baseHeaders({
    'content-type': m.mediaType,
    'content-length': String(m.bytes.byteLength),
    'docker-content-digest': m.digest,
  });
  if (ctx.sw.etag) headers.etag = quoted(m.digest);
  if (head) return new Response(null, { status: 200, headers });
  return bytesResponse(m.bytes, { status: 200, headers });
}

/** RFC 9110 §13.1.1: a list of entity tags or `*`; weak tags compare by their opaque value here. */
function etagMatches(header: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === quoted(current));
}

function preconditionFailed(message: string): Response {
  return errorResponse(412, 'PRECONDITION_FAILED', message);
}

function checkConditions(ctx: Context, req: Request, repo: Repository | undefined, ref: Ref): Response | undefined {
  if (!ctx.sw.etag) return undefined;
  const current = ref.kind === 'tag' ? repo?.tags.get(ref.tag) : repo?.manifests.has(ref.digest) ? ref.digest : undefined;
  const ifMatch = req.headers.get('if-match');
  if (ifMatch !== null && !etagMatches(ifMatch, current)) {
    return preconditionFailed(`If-Match ${ifMatch} does not match the current target ${current ?? '(none)'}`);
  }
  const ifNoneMatch = req.headers.get('if-none-match');
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, current)) {
    return preconditionFailed(`If-None-Match ${ifNoneMatch} matches the current target ${current}`);
  }
  return undefined;
}

export async function putManifest(ctx: Context, req: Request, name: string, reference: string): Promise<Response> {
  const ref = parseRef(name, reference);
  if (ref instanceof Response) return ref;
  const extraTags = ref.kind === 'digest' ? new URL(req.url).searchParams.getAll('tag') : [];
  const badTag = extraTags.find((t) => !isValidTag(t));
  if (badTag !== undefined) return errorResponse(400, 'TAG_INVALID', `invalid tag: ${badTag}`, { detail: { tag: badTag } });
  let bytes: Buffer;
  try {
    bytes = await readBody(req, ctx.sw.maxManifestBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) return errorResponse(413, 'MANIFEST_INVALID', `manifest exceeds ${e.limit} bytes`);
    throw e;
  }
  const contentType = req.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
  const parsed = parseManifest(bytes, contentType);
  if (!parsed.ok) return errorResponse(400, 'MANIFEST_INVALID', parsed.message);
  const m = parsed.manifest;
  const digest = digestOf(bytes, ref.kind === 'digest' ? ref.algorithm : 'sha256');
  if (ref.kind === 'digest' && digest !== ref.digest) {
    return errorResponse(400, 'DIGEST_INVALID', `manifest digest ${digest} does not match reference ${ref.digest}`, { detail: { digest: ref.digest } });
  }
  let repo = ctx.store.repo(name);
  const failed = checkConditions(ctx, req, repo, ref);
  if (failed) return failed;
  if (ctx.sw.validateReferences) {
    const missing = [
      ...m.blobs.filter((d) => !isExternalLayer(d) && !ctx.store.getBlob(name, d.digest)),
      ...m.children.filter((d) => !repo?.manifests.has(d.digest)),
    ];
    if (missing.length > 0) {
      return new Response(
        JSON.stringify({
          errors: missing.map((d) => ({ code: 'MANIFEST_BLOB_UNKNOWN', message: `manifest references unknown ${d.digest}`, detail: { digest: d.digest } })),
        }),
        { status: 400, headers: baseHeaders({ 'content-type': 'application/json' }) },
      );
    }
  }
  repo ??= ctx.store.ensureRepo(name);
  repo.manifests.set(digest, {
    digest,
    bytes,
    mediaType: m.mediaType,
    ...(m.subject ? { subject: m.subject.digest } : {}),
    ...(m.artifactType ? { artifactType: m.artifactType } : {}),
    ...(m.configMediaType ? { configMediaType: m.configMediaType } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  });
  const tags = ref.kind === 'tag' ? [ref.tag] : extraTags;
  for (const t of tags) repo.tags.set(t, digest);
  const headers = new Headers(
    baseHeaders({ location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest, 'content-length': '0' }),
  );
  // "Pushing Manifests with Subject": OCI-Subject tells the client the registry indexed the subject.
  if (m.subject && ctx.sw.referrersApi) headers.set('oci-subject', m.subject.digest);
  if (ref.kind === 'digest' && extraTags.length > 0) headers.set('oci-tag', extraTags.join(', '));
  if (ctx.sw.etag) headers.set('etag', quoted(digest));
  return new Response(null, { status: 201, headers });
}

export function deleteManifest(ctx: Context, req: Request, name: string, reference: string): Response {
  const ref = parseRef(name, reference);
  if (ref instanceof Response) return ref;
  const repo = ctx.store.repo(name);
  if (!repo) return errorResponse(404, 'NAME_UNKNOWN', `repository ${name} is not known`);
  const failed = checkConditions(ctx, req, repo, ref);
  if (failed) return failed;
  if (ref.kind === 'tag') {
    if (!repo.tags.delete(ref.tag)) return errorResponse(404, 'MANIFEST_UNKNOWN', `tag ${ref.tag} is not known to ${name}`, { detail: { tag: ref.tag } });
  } else {
    if (!repo.manifests.delete(ref.digest)) {
      return errorResponse(404, 'MANIFEST_UNKNOWN', `manifest ${ref.digest} is not known to ${name}`, { detail: { digest: ref.digest } });
    }
    // Deleting by digest removes every tag that pointed at it (spec "Deleting Manifests").
    for (const [t, d] of repo.tags) if (d === ref.digest) repo.tags.delete(t);
  }
  return new Response(null, { status: 202, headers: baseHeaders({ 'content-length': '0' }) });
}
