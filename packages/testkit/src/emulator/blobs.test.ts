import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, harness, type Harness, pushBlob, sha256, sha512, type Transport } from './test-helpers.ts';

describe.each<Transport>(['fetch', 'http'])('blobs over %s', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(transport);
  });
  afterEach(() => h.close());
  const url = (p: string) => `${h.base}${p}`;

  it('answers GET and HEAD /v2/ with 200', async () => {
    const res = await h.fetch(url('/v2/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect((await h.fetch(url('/v2/'), { method: 'HEAD' })).status).toBe(200);
  });

  it('pushes monolithically with a single POST ?digest= and serves GET/HEAD', async () => {
    const { digest } = await pushBlob(h, 'a/b', 'hello');
    const head = await h.fetch(url(`/v2/a/b/blobs/${digest}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5');
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    const get = await h.fetch(url(`/v2/a/b/blobs/${digest}`));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-length')).toBe('5');
    expect(await get.text()).toBe('hello');
  });

  it('pushes with POST then PUT ?digest= and returns a pullable Location', async () => {
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    expect(post.status).toBe(202);
    const loc = post.headers.get('location')!;
    expect(loc).toMatch(/^\/v2\/repo\/blobs\/uploads\/[0-9a-f-]{36}$/);
    const digest = sha256('payload');
    const put = await h.fetch(url(`${loc}?digest=${digest}`), { method: 'PUT', body: 'payload' });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    const pulled = await h.fetch(url(put.headers.get('location')!));
    expect(await pulled.text()).toBe('payload');
  });

  it('pushes in chunks with Content-Range, reports Range and status, and verifies the digest of all chunks', async () => {
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST', headers: { 'content-length': '0' } });
    let loc = post.headers.get('location')!;
    const p1 = await h.fetch(url(loc), { method: 'PATCH', headers: { 'content-range': '0-2' }, body: 'abc' });
    expect(p1.status).toBe(202);
    expect(p1.headers.get('range')).toBe('0-2');
    loc = p1.headers.get('location')!;
    const status = await h.fetch(url(loc));
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-2');
    expect(status.headers.get('location')).toBe(loc);
    // Out of order: 416 with the current Location and Range; the session survives.
    const bad = await h.fetch(url(loc), { method: 'PATCH', headers: { 'content-range': '5-7' }, body: 'xyz' });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('range')).toBe('0-2');
    const p2 = await h.fetch(url(loc), { method: 'PATCH', headers: { 'content-range': '3-5' }, body: 'def' });
    expect(p2.headers.get('range')).toBe('0-5');
    // The last chunk may travel with the closing PUT.
    const digest = sha256('abcdefgh');
    const put = await h.fetch(url(`${p2.headers.get('location')!}?digest=${digest}`), {
      method: 'PUT',
      headers: { 'content-range': '6-7' },
      body: 'gh',
    });
    expect(put.status).toBe(201);
    expect(await (await h.fetch(url(`/v2/repo/blobs/${digest}`))).text()).toBe('abcdefgh');
  });

  it('accepts a streamed PATCH without Content-Range', async () => {
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    const patch = await h.fetch(url(post.headers.get('location')!), { method: 'PATCH', body: 'stream' });
    expect(patch.status).toBe(202);
    const put = await h.fetch(url(`${patch.headers.get('location')!}?digest=${sha256('stream')}`), { method: 'PUT' });
    expect(put.status).toBe(201);
  });

  it('rejects a closing PUT whose digest does not match the chunks (DIGEST_INVALID) and forgets the session', async () => {
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    const loc = post.headers.get('location')!;
    await h.fetch(url(loc), { method: 'PATCH', body: 'one' });
    const put = await h.fetch(url(`${loc}?digest=${sha256('two')}`), { method: 'PUT' });
    expect(put.status).toBe(400);
    expect(await errorCode(put)).toBe('DIGEST_INVALID');
    const status = await h.fetch(url(loc));
    expect(status.status).toBe(404);
    expect(await errorCode(status)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('rejects a monolithic POST with a wrong digest, a malformed digest and a missing digest on PUT', async () => {
    const wrong = await h.fetch(url(`/v2/repo/blobs/uploads/?digest=${sha256('x')}`), { method: 'POST', body: 'y' });
    expect(wrong.status).toBe(400);
    expect(await errorCode(wrong)).toBe('DIGEST_INVALID');
    const malformed = await h.fetch(url('/v2/repo/blobs/uploads/?digest=sha256:nothex'), { method: 'POST', body: 'y' });
    expect(await errorCode(malformed)).toBe('DIGEST_INVALID');
    const unsupported = await h.fetch(url(`/v2/repo/blobs/uploads/?digest=md5:${'a'.repeat(32)}`), { method: 'POST', body: 'y' });
    expect(unsupported.status).toBe(400);
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    const put = await h.fetch(url(post.headers.get('location')!), { method: 'PUT', body: 'y' });
    expect(await errorCode(put)).toBe('DIGEST_INVALID');
  });

  it('verifies sha512 digests', async () => {
    const digest = sha512('five');
    const ok = await h.fetch(url(`/v2/repo/blobs/uploads/?digest=${digest}`), { method: 'POST', body: 'five' });
    expect(ok.status).toBe(201);
    expect((await h.fetch(url(`/v2/repo/blobs/${digest}`))).status).toBe(200);
    const bad = await h.fetch(url(`/v2/repo/blobs/uploads/?digest=${sha512('six')}`), { method: 'POST', body: 'five' });
    expect(bad.status).toBe(400);
  });

  it('cancels an upload session with DELETE (204) and rejects unknown sessions', async () => {
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    const loc = post.headers.get('location')!;
    expect((await h.fetch(url(loc), { method: 'DELETE' })).status).toBe(204);
    const again = await h.fetch(url(loc), { method: 'PATCH', body: 'x' });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('mounts across repositories: 201 when `from` holds the blob, else 202 with an upload session', async () => {
    const { digest } = await pushBlob(h, 'src', 'shared');
    const mounted = await h.fetch(url(`/v2/dst/blobs/uploads/?mount=${digest}&from=src`), { method: 'POST' });
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/dst/blobs/${digest}`);
    expect(mounted.headers.get('docker-content-digest')).toBe(digest);
    expect(await (await h.fetch(url(`/v2/dst/blobs/${digest}`))).text()).toBe('shared');
    const missing = await h.fetch(url(`/v2/dst2/blobs/uploads/?mount=${digest}&from=elsewhere`), { method: 'POST' });
    expect(missing.status).toBe(202);
    expect(missing.headers.get('location')).toMatch(/^\/v2\/dst2\/blobs\/uploads\//);
    // A blob is only visible where it was pushed or mounted.
    expect((await h.fetch(url(`/v2/dst2/blobs/${digest}`), { method: 'HEAD' })).status).toBe(404);
  });

  it('mounts without `from` when mountAnonymous is on, not when it is off', async () => {
    const { digest } = await pushBlob(h, 'src', 'anon');
    expect((await h.fetch(url(`/v2/x/blobs/uploads/?mount=${digest}`), { method: 'POST' })).status).toBe(201);
    h.emulator.configure({ mountAnonymous: false });
    expect((await h.fetch(url(`/v2/y/blobs/uploads/?mount=${digest}`), { method: 'POST' })).status).toBe(202);
  });

  it('serves single byte ranges (206) and answers 416 to unsatisfiable ones', async () => {
    const { digest } = await pushBlob(h, 'repo', '0123456789');
    const part = await h.fetch(url(`/v2/repo/blobs/${digest}`), { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    const suffix = await h.fetch(url(`/v2/repo/blobs/${digest}`), { headers: { range: 'bytes=-3' } });
    expect(await suffix.text()).toBe('789');
    const open = await h.fetch(url(`/v2/repo/blobs/${digest}`), { headers: { range: 'bytes=8-' } });
    expect(await open.text()).toBe('89');
    const past = await h.fetch(url(`/v2/repo/blobs/${digest}`), { headers: { range: 'bytes=20-30' } });
    expect(past.status).toBe(416);
    await past.arrayBuffer();
  });

  it('deletes blobs (202), then 404 BLOB_UNKNOWN; unknown repositories answer NAME_UNKNOWN', async () => {
    const { digest } = await pushBlob(h, 'repo', 'gone');
    expect((await h.fetch(url(`/v2/repo/blobs/${digest}`), { method: 'DELETE' })).status).toBe(202);
    const after = await h.fetch(url(`/v2/repo/blobs/${digest}`));
    expect(after.status).toBe(404);
    expect(await errorCode(after)).toBe('BLOB_UNKNOWN');
    const del = await h.fetch(url(`/v2/repo/blobs/${digest}`), { method: 'DELETE' });
    expect(await errorCode(del)).toBe('BLOB_UNKNOWN');
    const unknownRepo = await h.fetch(url(`/v2/nope/blobs/${digest}`));
    expect(unknownRepo.status).toBe(404);
    expect(await errorCode(unknownRepo)).toBe('NAME_UNKNOWN');
    const head = await h.fetch(url(`/v2/nope/blobs/${digest}`), { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
  });

  it('validates names and digests in blob paths', async () => {
    const badName = await h.fetch(url(`/v2/UPPER/blobs/${sha256('x')}`));
    expect(badName.status).toBe(400);
    expect(await errorCode(badName)).toBe('NAME_INVALID');
    const badDigest = await h.fetch(url('/v2/repo/blobs/sha256:123'));
    expect(await errorCode(badDigest)).toBe('DIGEST_INVALID');
    const badMount = await h.fetch(url('/v2/repo/blobs/uploads/?mount=nope&from=src'), { method: 'POST' });
    expect(await errorCode(badMount)).toBe('DIGEST_INVALID');
    const badAlg = await h.fetch(url('/v2/repo/blobs/uploads/?digest-algorithm=md5'), { method: 'POST' });
    expect(await errorCode(badAlg)).toBe('UNSUPPORTED');
  });

  it('answers 405 UNSUPPORTED for a method a route does not have, and a plain 404 for unknown paths', async () => {
    const res = await h.fetch(url(`/v2/repo/blobs/${sha256('x')}`), { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(await errorCode(res)).toBe('UNSUPPORTED');
    const unknown = await h.fetch(url('/v2/repo/whatever'));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('404 page not found\n');
  });

  it('advertises OCI-Chunk-Min-Length when configured', async () => {
    h.emulator.configure({ chunkMinLength: 1024 });
    const post = await h.fetch(url('/v2/repo/blobs/uploads/'), { method: 'POST' });
    expect(post.headers.get('oci-chunk-min-length')).toBe('1024');
  });
});
