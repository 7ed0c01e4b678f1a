// Uploading the package layer from its temporary file: skipped when the registry has it, else in
// chunks (distribution-spec "Pushing a blob in chunks": POST, PATCH with Content-Range, closing PUT
// ?digest=) so memory stays at one chunk and progress can be shown; the registry checks the digest.
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { OciError, RemoteRepository, type CallOptions, type Descriptor, type Exister, type Pusher, type StreamPusher } from '@ocx/oci';

/** Chunk size: large enough that a 64 MiB layer costs a handful of requests, small enough for memory. */
export const UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024;

export interface UploadOptions extends CallOptions {
  /** Called after each chunk with the bytes the registry has accepted so far. */
  readonly onProgress?: (sent: number, total: number) => void;
  readonly chunkBytes?: number;
}

async function readChunk(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    let n = 0;
    while (n < length) {
      const { bytesRead } = await fh.read(buf, n, length - n, offset + n);
      if (bytesRead === 0) throw new OciError('IO', `${path} shrank while uploading`);
      n += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

async function chunkedUpload(repo: RemoteRepository, desc: Descriptor, path: string, opts: UploadOptions): Promise<void> {
  const { client, host, repository } = repo;
  const signal = opts.signal;
  let chunk = opts.chunkBytes ?? UPLOAD_CHUNK_BYTES;
  const start = { method: 'POST' as const, url: `/v2/${repository}/blobs/uploads/`, repository, push: true, signal, headers: { 'content-length': '0' } };
  let res = await client.request(host, start);
  if (res.status !== 202) await client.fail(res, start, 'starting a blob upload');
  await res.body?.cancel();
  const first = res.headers.get('location');
  if (!first) throw new OciError('REGISTRY_ERROR', `registry ${host} started an upload without a Location header`);
  let loc = new URL(first, client.baseUrl(host) + start.url).href;
  // distribution-spec "Pushing a blob in chunks": honour the registry's OCI-Chunk-Min-Length (capped).
  const min = Number(res.headers.get('oci-chunk-min-length') ?? 0);
  if (Number.isSafeInteger(min) && min > chunk) chunk = Math.min(min, 256 * 1024 * 1024);
  let offset = 0;
  // Every chunk but the last is a PATCH; the closing PUT carries the rest (as @ocx/oci pushBlob does).
  while (desc.size - offset > chunk) {
    const body = await readChunk(path, offset, chunk);
    const spec = {
      method: 'PATCH' as const,
      url: loc,
      repository,
      push: true,
      signal,
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + body.byteLength - 1}`, 'content-length': String(body.byteLength) },
    };
    res = await client.request(host, spec);
    if (res.status !== 202) await client.fail(res, spec, `uploading ${desc.digest}`);
    await res.body?.cancel();
    const next = res.headers.get('location');
    if (next) loc = new URL(next, loc).href;
    offset += body.byteLength;
    opts.onProgress?.(offset, desc.size);
  }
  const rest = await readChunk(path, offset, desc.size - offset);
  const url = new URL(loc);
  url.searchParams.set('digest', desc.digest);
  const spec = { method: 'PUT' as const, url: url.href, repository, push: true, signal, body: rest, headers: { 'content-type': 'application/octet-stream', 'content-length': String(rest.byteLength) } };
  res = await client.request(host, spec);
  if (res.status !== 201) await client.fail(res, spec, `completing the upload of ${desc.digest}`);
  await res.body?.cancel();
  opts.onProgress?.(desc.size, desc.size);
}

/** Uploads the blob in `path` unless the repository has it; true when it was skipped. */
export async function uploadFile(repo: Pusher & Partial<Exister & StreamPusher>, desc: Descriptor, path: string, opts: UploadOptions = {}): Promise<boolean> {
  const call = opts.signal ? { signal: opts.signal } : {};
  if (repo.exists && (await repo.exists(desc, call))) {
    opts.onProgress?.(desc.size, desc.size);
    return true;
  }
  if (repo instanceof RemoteRepository) await chunkedUpload(repo, desc, path, opts);
  else if (repo.pushStream) await repo.pushStream(desc, createReadStream(path), call);
  else await repo.push(desc, await readChunk(path, 0, desc.size), call);
  return false;
}
