import { randomUUID } from 'node:crypto';
import { bytesResponse, discard, join, readChunks } from './body.ts';
import type { Context } from './context.ts';
import { checkDigest, digestOf, isSupportedAlgorithm, isValidName } from './digest.ts';
import { baseHeaders, errorResponse } from './errors.ts';
import type { UploadSession } from './store.ts';

// distribution-spec "Pulling blobs", "Pushing blobs", "Deleting Blobs", end-2/4/5/6/10/11/13/14.

const blobLocation = (name: string, digest: string) => `/v2/${name}/blobs/${digest}`;
const uploadLocation = (name: string, id: string) => `/v2/${name}/blobs/uploads/${id}`;

function digestError(value: string | null, head = false): Response | undefined {
  if (value === null || value === '') return errorResponse(400, 'DIGEST_INVALID', 'digest parameter is missing', { head });
  const c = checkDigest(value);
  if (c.ok) return undefined;
  const why = c.reason === 'unsupported' ? 'unsupported digest algorithm' : 'invalid digest';
  return errorResponse(400, 'DIGEST_INVALID', `${why}: ${value}`, { head, detail: { digest: value } });
}

function nameError(name: string, head = false): Response | undefined {
  return isValidName(name) ? undefined : errorResponse(400, 'NAME_INVALID', `invalid repository name: ${name}`, { head });
}

/** RFC 9110 §14.1.2 single byte range; undefined ⇒ serve the whole blob, 'unsatisfiable' ⇒ 416. */
function parseRange(header: string | null, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return 'unsatisfiable';
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export function getBlob(ctx: Context, req: Request, name: string, digest: string): Response {
  const head = req.method === 'HEAD';
  const bad = nameError(name, head) ?? digestError(digest, head);
  if (bad) return bad;
  const repo = ctx.store.repo(name);
  if (!repo) return errorResponse(404, 'NAME_UNKNOWN', `repository ${name} is not known`, { head });
  // distribution stores manifests as blobs too, so a manifest digest is readable here.
  const bytes = ctx.store.getBlob(name, digest) ?? repo.manifests.get(digest)?.bytes;
  if (!bytes) return errorResponse(404, 'BLOB_UNKNOWN', `blob ${digest} is not known to ${name}`, { head, detail: { digest } });
  const headers = baseHeaders({
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
  });
  if (head) return new Response(null, { status: 200, headers: { ...headers, 'content-length': String(bytes.byteLength) } });
  const range = parseRange(req.headers.get('range'), bytes.byteLength);
  if (range === 'unsatisfiable') {
    return errorResponse(416, 'RANGE_INVALID', 'requested range not satisfiable', { headers: { 'content-range': `bytes */${bytes.byteLength}` } });
  }
  if (range) {
    const part = bytes.subarray(range.start, range.end + 1);
    return bytesResponse(part, {
      status: 206,
      headers: { ...headers, 'content-length': String(part.byteLength), 'content-range': `bytes ${range.start}-${range.end}/${bytes.byteLength}` },
    });
  }
  return bytesResponse(bytes, { status: 200, headers: { ...headers, 'content-length': String(bytes.byteLength) } });
}

export function deleteBlob(ctx: Context, name: string, digest: string): Response {
  const bad = nameError(name) ?? digestError(digest);
  if (bad) return bad;
  if (!ctx.store.repo(name)) return errorResponse(404, 'NAME_UNKNOWN', `repository ${name} is not known`);
  if (!ctx.store.deleteBlob(name, digest)) return errorResponse(404, 'BLOB_UNKNOWN', `blob ${digest} is not known to ${name}`, { detail: { digest } });
  return new Response(null, { status: 202, headers: baseHeaders({ 'content-length': '0' }) });
}

function created(name: string, digest: string): Response {
  return new Response(null, {
    status: 201,
    headers: baseHeaders({ location: blobLocation(name, digest), 'docker-content-digest': digest, 'content-length': '0' }),
  });
}

function sessionHeaders(s: UploadSession): Record<string, string> {
  return baseHeaders({
    location: uploadLocation(s.repo, s.id),
    range: `0-${Math.max(0, s.size - 1)}`,
    'docker-upload-uuid': s.id,
    'content-length': '0',
  });
}

function contentLengthMismatch(req: Request, size: number): Response | undefined {
  const cl = req.headers.get('content-length');
  if (cl !== null && Number(cl) !== size) {
    return errorResponse(400, 'SIZE_INVALID', `Content-Length ${cl} does not match the ${size} bytes received`);
  }
  return undefined;
}

/** Verifies and stores the assembled upload (one Buffer.concat for all chunks). */
function commit(ctx: Context, name: string, digest: string, chunks: Uint8Array[], size: number): Response {
  const c = checkDigest(digest);
  if (!c.ok) return digestError(digest)!;
  const bytes = join(chunks, size);
  const actual = digestOf(bytes, c.algorithm);
  if (actual !== digest) {
    return errorResponse(400, 'DIGEST_INVALID', `provided digest ${digest} does not match uploaded content ${actual}`, { detail: { digest } });
  }
  ctx.store.putBlob(name, digest, bytes);
  return created(name, digest);
}

export async function postUpload(ctx: Context, req: Request, name: string): Promise<Response> {
  const bad = nameError(name);
  if (bad) return bad;
  const q = new URL(req.url).searchParams;
  const algorithm = q.get('digest-algorithm');
  if (algorithm !== null && !isSupportedAlgorithm(algorithm)) {
    return errorResponse(400, 'UNSUPPORTED', `digest algorithm ${algorithm} is not supported`);
  }
  const mount = q.get('mount');
  if (mount !== null) {
    const badMount = digestError(mount);
    if (badMount) return badMount;
    const from = q.get('from');
    if (from !== null && !isValidName(from)) return errorResponse(400, 'NAME_INVALID', `invalid repository name: ${from}`);
    if (from !== null || ctx.sw.mountAnonymous) {
      if (ctx.store.mountBlob(name, mount, from ?? undefined)) return created(name, mount);
    }
    // Not mountable: the spec's fallback is a 202 with an ordinary upload session.
  } else {
    const digest = q.get('digest');
    if (digest !== null) {
      const badDigest = digestError(digest);
      if (badDigest) return badDigest;
      const { chunks, size } = await readChunks(req);
      return contentLengthMismatch(req, size) ?? commit(ctx, name, digest, chunks, size);
    }
  }
  await discard(req);
  const session: UploadSession = { id: randomUUID(), repo: name, chunks: [], size: 0, ...(algorithm ? { algorithm } : {}) };
  ctx.store.uploads.set(session.id, session);
  const headers = sessionHeaders(session);
  if (ctx.sw.chunkMinLength > 0) headers['oci-chunk-min-length'] = String(ctx.sw.chunkMinLength);
  return new Response(null, { status: 202, headers });
}

function session(ctx: Context, name: string, id: string): UploadSession | Response {
  const bad = nameError(name);
  if (bad) return bad;
  const s = ctx.store.uploads.get(id);
  if (!s || s.repo !== name) return errorResponse(404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known to ${name}`);
  return s;
}

/** Content-Range on PATCH/PUT: `^[0-9]+-[0-9]+$` and must continue where the upload stands, else 416. */
async function checkChunkRange(req: Request, s: UploadSession): Promise<Response | { end: number } | undefined> {
  const header = req.headers.get('content-range');
  if (header === null) return undefined;
  const m = /^([0-9]+)-([0-9]+)$/.exec(header);
  const outOfOrder = () =>
    new Response(null, { status: 416, headers: sessionHeaders(s) });
  if (!m) {
    await discard(req);
    return errorResponse(400, 'BLOB_UPLOAD_INVALID', `Content-Range ${header} does not match ^[0-9]+-[0-9]+$`);
  }
  if (Number(m[1]) !== s.size || Number(m[2]) < Number(m[1])) {
    await discard(req);
    return outOfOrder();
  }
  return { end: Number(m[2]) };
}

async function appendChunk(req: Request, s: UploadSession): Promise<Response | undefined> {
  const range = await checkChunkRange(req, s);
  if (range instanceof Response) return range;
  const { chunks, size } = await readChunks(req);
  const mismatch = contentLengthMismatch(req, size);
  if (mismatch) return mismatch;
  if (range && range.end - s.size + 1 !== size) {
    return errorResponse(416, 'BLOB_UPLOAD_INVALID', `Content-Range ${s.size}-${range.end} does not match the ${size} bytes received`, {
      headers: sessionHeaders(s),
    });
  }
  s.chunks.push(...chunks);
  s.size += size;
  return undefined;
}

export async function patchUpload(ctx: Context, req: Request, name: string, id: string): Promise<Response> {
  const s = session(ctx, name, id);
  if (s instanceof Response) return s;
  const failed = await appendChunk(req, s);
  if (failed) return failed;
  return new Response(null, { status: 202, headers: sessionHeaders(s) });
}

export async function putUpload(ctx: Context, req: Request, name: string, id: string): Promise<Response> {
  const s = session(ctx, name, id);
  if (s instanceof Response) return s;
  const digest = new URL(req.url).searchParams.get('digest');
  const badDigest = digestError(digest);
  if (badDigest) {
    await discard(req);
    return badDigest;
  }
  const failed = await appendChunk(req, s);
  if (failed) return failed;
  ctx.store.uploads.delete(s.id);
  return commit(ctx, name, digest!, s.chunks, s.size);
}

export function getUpload(ctx: Context, name: string, id: string): Response {
  const s = session(ctx, name, id);
  if (s instanceof Response) return s;
  return new Response(null, { status: 204, headers: sessionHeaders(s) });
}

export function deleteUpload(ctx: Context, name: string, id: string): Response {
  const s = session(ctx, name, id);
  if (s instanceof Response) return s;
  ctx.store.uploads.delete(s.id);
  return new Response(null, { status: 204, headers: baseHeaders({ 'content-length': '0' }) });
}
