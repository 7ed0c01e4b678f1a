import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  artifact,
  EMPTY,
  errorCode,
  harness,
  type Harness,
  MT_INDEX,
  MT_MANIFEST,
  pushBlob,
  pushManifest,
  seedImage,
  sha256,
  sha512,
  type Transport,
} from './test-helpers.ts';

describe.each<Transport>(['fetch', 'http'])('manifests over %s', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(transport);
  });
  afterEach(() => h.close());
  const url = (p: string) => `${h.base}${p}`;

  it('stores the exact bytes and answers PUT with 201, Location and Docker-Content-Digest', async () => {
    await pushBlob(h, 'repo', '{}');
    const bytes = Buffer.from(`{ "schemaVersion": 2,\n  "mediaType": "${MT_MANIFEST}", "config": ${JSON.stringify(EMPTY)}, "layers": [] }`);
    const digest = sha256(bytes);
    const put = await h.fetch(url('/v2/repo/manifests/v1'), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: bytes });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`/v2/repo/manifests/${digest}`);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    for (const ref of ['v1', digest]) {
      const get = await h.fetch(url(`/v2/repo/manifests/${ref}`), { headers: { accept: MT_MANIFEST } });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe(MT_MANIFEST);
      expect(get.headers.get('docker-content-digest')).toBe(digest);
      expect(get.headers.get('content-length')).toBe(String(bytes.byteLength));
      expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
      const head = await h.fetch(url(`/v2/repo/manifests/${ref}`), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(bytes.byteLength));
      expect(await head.text()).toBe('');
    }
  });

  it('pushes by digest (sha256 and sha512) and rejects a body that does not match the digest reference', async () => {
    await pushBlob(h, 'repo', '{}');
    const doc = artifact();
    const ok = await pushManifest(h, 'repo', undefined, doc);
    expect(ok.response.status).toBe(201);
    const bytes = Buffer.from(JSON.stringify(doc));
    const by512 = await h.fetch(url(`/v2/repo/manifests/${sha512(bytes)}`), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: bytes });
    expect(by512.status).toBe(201);
    expect(by512.headers.get('docker-content-digest')).toBe(sha512(bytes));
    const wrong = await h.fetch(url(`/v2/repo/manifests/${sha256('other')}`), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: bytes });
    expect(wrong.status).toBe(400);
    expect(await errorCode(wrong)).toBe('DIGEST_INVALID');
    const malformed = await h.fetch(url('/v2/repo/manifests/sha256:baddigeststring'), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: bytes });
    expect(await errorCode(malformed)).toBe('DIGEST_INVALID');
  });

  it('rejects bodies that are not JSON, a Content-Type that differs from mediaType, and unknown manifest types', async () => {
    const notJson = await h.fetch(url('/v2/repo/manifests/v1'), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: 'nope' });
    expect(notJson.status).toBe(400);
    expect(await errorCode(notJson)).toBe('MANIFEST_INVALID');
    await pushBlob(h, 'repo', '{}');
    const mismatch = await pushManifest(h, 'repo', 'v1', artifact(), { 'content-type': MT_INDEX });
    expect(mismatch.response.status).toBe(400);
    expect(await errorCode(mismatch.response)).toBe('MANIFEST_INVALID');
    const unknown = await pushManifest(h, 'repo', 'v1', { schemaVersion: 2, mediaType: 'application/x-thing' });
    expect(await errorCode(unknown.response)).toBe('MANIFEST_INVALID');
    const noLayers = await pushManifest(h, 'repo', 'v1', { schemaVersion: 2, mediaType: MT_MANIFEST, config: EMPTY });
    expect(await errorCode(noLayers.response)).toBe('MANIFEST_INVALID');
    // Parameters on Content-Type are ignored.
    const withParams = await pushManifest(h, 'repo', 'v1', artifact(), { 'content-type': `${MT_MANIFEST}; charset=utf-8` });
    expect(withParams.response.status).toBe(201);
  });

  it('answers 413 for a manifest above maxManifestBytes', async () => {
    h.emulator.configure({ maxManifestBytes: 1024 });
    await pushBlob(h, 'repo', '{}');
    const big = await pushManifest(h, 'repo', 'v1', artifact({ annotations: { pad: 'x'.repeat(2000) } }));
    expect(big.response.status).toBe(413);
  });

  it('rejects manifests whose blobs or child manifests are missing (MANIFEST_BLOB_UNKNOWN) unless validation is off', async () => {
    const missing = await pushManifest(h, 'repo', 'v1', artifact());
    expect(missing.response.status).toBe(400);
    expect(await errorCode(missing.response)).toBe('MANIFEST_BLOB_UNKNOWN');
    const index = { schemaVersion: 2, mediaType: MT_INDEX, manifests: [{ mediaType: MT_MANIFEST, digest: sha256('child'), size: 5 }] };
    expect(await errorCode((await pushManifest(h, 'repo', 'idx', index)).response)).toBe('MANIFEST_BLOB_UNKNOWN');
    h.emulator.configure({ validateReferences: false });
    expect((await pushManifest(h, 'repo', 'v1', artifact())).response.status).toBe(201);
    expect((await pushManifest(h, 'repo', 'idx', index)).response.status).toBe(201);
  });

  it('accepts non-distributable layers and a subject that does not exist yet', async () => {
    await pushBlob(h, 'repo', '{}');
    const doc = {
      ...artifact({ subject: { digest: sha256('not pushed'), size: 10 } }),
      layers: [{ mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', digest: sha256('far'), size: 3, urls: ['https://x.example/b'] }],
    };
    expect((await pushManifest(h, 'repo', undefined, doc)).response.status).toBe(201);
  });

  it('validates repository names and tags with the spec grammars', async () => {
    const badName = await h.fetch(url('/v2/Bad_Name/manifests/v1'));
    expect(badName.status).toBe(400);
    expect(await errorCode(badName)).toBe('NAME_INVALID');
    const badTag = await h.fetch(url(`/v2/repo/manifests/${'t'.repeat(129)}`));
    expect(badTag.status).toBe(400);
    expect(await errorCode(badTag)).toBe('TAG_INVALID');
    const dotTag = await h.fetch(url('/v2/repo/manifests/.hidden'));
    expect(await errorCode(dotTag)).toBe('TAG_INVALID');
    const tagParam = await h.fetch(url(`/v2/repo/manifests/${sha256('x')}?tag=-bad`), { method: 'PUT', body: '{}' });
    expect(await errorCode(tagParam)).toBe('TAG_INVALID');
  });

  it('answers 404 NAME_UNKNOWN for unknown repositories and MANIFEST_UNKNOWN for unknown references', async () => {
    const repo = await h.fetch(url('/v2/nope/manifests/v1'));
    expect(repo.status).toBe(404);
    expect(await errorCode(repo)).toBe('NAME_UNKNOWN');
    await seedImage(h, 'repo');
    const tag = await h.fetch(url('/v2/repo/manifests/v2'));
    expect(await errorCode(tag)).toBe('MANIFEST_UNKNOWN');
    const dig = await h.fetch(url(`/v2/repo/manifests/${sha256('x')}`));
    expect(dig.status).toBe(404);
    expect(await errorCode(dig)).toBe('MANIFEST_UNKNOWN');
  });

  it('pushes extra tags with ?tag= on a digest PUT and answers OCI-Tag', async () => {
    await pushBlob(h, 'repo', '{}');
    const doc = artifact();
    const bytes = Buffer.from(JSON.stringify(doc));
    const put = await h.fetch(url(`/v2/repo/manifests/${sha256(bytes)}?tag=a&tag=b`), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: bytes });
    expect(put.status).toBe(201);
    expect(put.headers.get('oci-tag')).toBe('a, b');
    expect((await h.fetch(url('/v2/repo/manifests/b'), { method: 'HEAD' })).status).toBe(200);
  });

  it('deletes a tag (202) without deleting the manifest, and a manifest with every tag on it', async () => {
    const m = await seedImage(h, 'repo', 'v1');
    await h.fetch(url(`/v2/repo/manifests/${m.digest}?tag=v2`), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: m.bytes });
    expect((await h.fetch(url('/v2/repo/manifests/v1'), { method: 'DELETE' })).status).toBe(202);
    expect((await h.fetch(url('/v2/repo/manifests/v1'), { method: 'HEAD' })).status).toBe(404);
    expect((await h.fetch(url(`/v2/repo/manifests/${m.digest}`), { method: 'HEAD' })).status).toBe(200);
    expect((await h.fetch(url(`/v2/repo/manifests/${m.digest}`), { method: 'DELETE' })).status).toBe(202);
    expect((await h.fetch(url('/v2/repo/manifests/v2'), { method: 'HEAD' })).status).toBe(404);
    const again = await h.fetch(url(`/v2/repo/manifests/${m.digest}`), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('MANIFEST_UNKNOWN');
    const noRepo = await h.fetch(url('/v2/none/manifests/v1'), { method: 'DELETE' });
    expect(await errorCode(noRepo)).toBe('NAME_UNKNOWN');
  });

  it('serves manifests through the blobs endpoint, as distribution does', async () => {
    const m = await seedImage(h, 'repo');
    const res = await h.fetch(url(`/v2/repo/blobs/${m.digest}`));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(m.bytes)).toBe(true);
  });

  it('supports a manifest of 4 MiB', async () => {
    await pushBlob(h, 'repo', '{}');
    const big = await pushManifest(h, 'repo', 'big', artifact({ annotations: { pad: 'x'.repeat(4 * 1024 * 1024 - 1000) } }));
    expect(big.response.status).toBe(201);
    const get = await h.fetch(url('/v2/repo/manifests/big'));
    expect((await get.arrayBuffer()).byteLength).toBe(big.size);
  });
});
