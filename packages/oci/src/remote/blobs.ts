import { OciError } from '../errors.ts';
import { pullStream } from '../streams.ts';
import type { Descriptor } from '../types.ts';
import type { RegistryClient } from './client.ts';

// Blob uploads (distribution-spec v1.1.1 "Pushing blobs"): POST then PUT, because distribution 2.8
// ignores the single-request `POST ?digest=` form; chunked PATCH for large in-memory blobs;
// cross-repository mount when the blob is known to live in another repository of the same registry.

export const CHUNK_BYTES = 32 * 1024 * 1024;

interface Target {
  readonly client: RegistryClient;
  readonly host: string;
  readonly repository: string;
}

async function startUpload(t: Target, signal: AbortSignal | undefined, mount?: { digest: string; from: string }): Promise<{ location?: string; mounted: boolean }> {
  const base = `/v2/${t.repository}/blobs/uploads/`;
  const url = mount ? `${base}?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : base;
  const spec = { method: 'POST' as const, url, repository: t.repository, push: true, signal, headers: { 'content-length': '0' } };
  const res = await t.client.request(t.host, spec);
  if (res.status === 201 && mount) {
    await res.body?.cancel();
    return { mounted: true };
  }
  if (res.status !== 202) await t.client.fail(res, spec, 'starting a blob upload');
  await res.body?.cancel();
  const location = res.headers.get('location');
  if (!location) throw new OciError('REGISTRY_ERROR', `registry ${t.host} started an upload without a Location header`);
  return { location: new URL(location, t.client.baseUrl(t.host) + spec.url).href, mounted: false };
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.href;
}

/** Cross-repository mount (distribution-spec "Mounting a blob from another repository"): true when mounted. */
export async function mountBlob(t: Target, desc: Descriptor, from: string, signal?: AbortSignal): Promise<boolean> {
  const { location, mounted } = await startUpload(t, signal, { digest: desc.digest, from });
  if (mounted) return true;
  // 202: the registry opened a plain upload session instead; close it rather than leave it dangling.
  const spec = { method: 'DELETE' as const, url: location!, repository: t.repository, push: true, signal };
  const res = await t.client.request(t.host, spec).catch(() => undefined);
  await res?.body?.cancel().catch(() => undefined);
  return false;
}

export async function pushBlob(t: Target, desc: Descriptor, content: Uint8Array, signal?: AbortSignal, mountFrom?: string): Promise<void> {
  const { location, mounted } = await startUpload(t, signal, mountFrom ? { digest: desc.digest, from: mountFrom } : undefined);
  if (mounted) return;
  let loc = location!;
  let offset = 0;
  // Large in-memory blobs go in PATCH chunks; the final PUT carries the rest.
  while (content.byteLength - offset > CHUNK_BYTES) {
    const chunk = content.subarray(offset, offset + CHUNK_BYTES);
    const spec = {
      method: 'PATCH' as const,
      url: loc,
      repository: t.repository,
      push: true,
      signal,
      body: chunk,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.byteLength - 1}`, 'content-length': String(chunk.byteLength) },
    };
    const res = await t.client.request(t.host, spec);
    if (res.status !== 202) await t.client.fail(res, spec, `uploading ${desc.digest}`);
    await res.body?.cancel();
    const next = res.headers.get('location');
    if (next) loc = new URL(next, loc).href;
    offset += chunk.byteLength;
  }
  const rest = content.subarray(offset);
  const spec = {
    method: 'PUT' as const,
    url: withDigest(loc, desc.digest),
    repository: t.repository,
    push: true,
    signal,
    body: rest,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(rest.byteLength) },
  };
  const res = await t.client.request(t.host, { ...spec, idempotent: true });
  if (res.status === 404) {
    // A retried PUT finds the session gone when the first one landed after all.
    await res.body?.cancel();
    const head = await t.client.request(t.host, { method: 'HEAD', url: `/v2/${t.repository}/blobs/${desc.digest}`, repository: t.repository, signal });
    await head.body?.cancel();
    if (head.ok) return;
    throw new OciError('NOT_FOUND', `the upload session of ${desc.digest} on ${t.host} is gone and the blob is not there`, { status: 404, method: 'PUT' });
  }
  if (res.status !== 201) await t.client.fail(res, spec, `completing the upload of ${desc.digest}`);
  await res.body?.cancel();
}

/** Streams a blob in one PUT (Content-Length from the descriptor), never buffering it whole. */
export async function pushBlobStream(t: Target, desc: Descriptor, content: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  const { location } = await startUpload(t, signal);
  const body = pullStream(content);
  const spec = {
    method: 'PUT' as const,
    url: withDigest(location!, desc.digest),
    repository: t.repository,
    push: true,
    signal,
    body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
  };
  const res = await t.client.request(t.host, spec);
  if (res.status !== 201) await t.client.fail(res, spec, `uploading ${desc.digest}`);
  await res.body?.cancel();
}
