import { deleteBlob, deleteUpload, getBlob, getUpload, patchUpload, postUpload, putUpload } from './blobs.ts';
import type { Context } from './context.ts';
import { listReferrers, listTags } from './discovery.ts';
import { baseHeaders, errorResponse, pageNotFound } from './errors.ts';
import { deleteManifest, getManifest, putManifest } from './manifests.ts';

// The name may contain slashes, so the route is found from the end of the path (distribution-spec "Endpoints").
const ROUTE = /^\/v2\/(.+?)\/(?:manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+)|(tags)\/list|referrers\/([^/]+))$/;

function notAllowed(method: string, allowed: string[]): Response {
  return errorResponse(405, 'UNSUPPORTED', `method ${method} is not allowed here`, {
    headers: { allow: allowed.join(', ') },
    head: method === 'HEAD',
  });
}

export async function route(ctx: Context, req: Request): Promise<Response> {
  const { pathname } = new URL(req.url);
  const method = req.method;
  if (pathname === '/v2/' || pathname === '/v2') {
    if (method !== 'GET' && method !== 'HEAD') return notAllowed(method, ['GET', 'HEAD']);
    return new Response(method === 'HEAD' ? null : '{}', { status: 200, headers: baseHeaders({ 'content-type': 'application/json' }) });
  }
  const m = ROUTE.exec(pathname);
  if (!m) return pageNotFound();
  const [, name = '', reference, uploadId, blobDigest, tags, subject] = m;
  if (reference !== undefined) {
    if (method === 'GET' || method === 'HEAD') return getManifest(ctx, req, name, reference);
    if (method === 'PUT') return putManifest(ctx, req, name, reference);
    if (method === 'DELETE') return deleteManifest(ctx, req, name, reference);
    return notAllowed(method, ['GET', 'HEAD', 'PUT', 'DELETE']);
  }
  if (uploadId !== undefined) {
    if (uploadId === '') {
      if (method === 'POST') return postUpload(ctx, req, name);
      return notAllowed(method, ['POST']);
    }
    if (method === 'GET') return getUpload(ctx, name, uploadId);
    if (method === 'PATCH') return patchUpload(ctx, req, name, uploadId);
    if (method === 'PUT') return putUpload(ctx, req, name, uploadId);
    if (method === 'DELETE') return deleteUpload(ctx, name, uploadId);
    return notAllowed(method, ['GET', 'PATCH', 'PUT', 'DELETE']);
  }
  if (blobDigest !== undefined) {
    if (method === 'GET' || method === 'HEAD') return getBlob(ctx, req, name, blobDigest);
    if (method === 'DELETE') return deleteBlob(ctx, name, blobDigest);
    return notAllowed(method, ['GET', 'HEAD', 'DELETE']);
  }
  if (tags !== undefined) {
    if (method === 'GET') return listTags(ctx, req, name);
    return notAllowed(method, ['GET']);
  }
  if (subject !== undefined) {
    if (!ctx.sw.referrersApi) return pageNotFound();
    if (method === 'GET') return listReferrers(ctx, req, name, subject);
    return notAllowed(method, ['GET']);
  }
  return pageNotFound();
}
