import { afterEach, describe, expect, it } from 'vitest';
import { cannedFaults, combineFaults } from './faults.ts';
import { artifact, harness, type Harness, MT_INDEX, pushBlob, pushManifest, seedImage, sha256, type Transport } from './test-helpers.ts';

describe.each<Transport>(['fetch', 'http'])('canned faults over %s', (transport) => {
  let h: Harness;
  afterEach(() => h.close());
  const url = (p: string) => `${h.base}${p}`;

  it('status(): injects a status a limited number of times', async () => {
    h = await harness(transport, { faults: cannedFaults.status(503, /^\/v2\/$/, { times: 1, headers: { 'retry-after': '1' } }) });
    const first = await h.fetch(url('/v2/'));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    await first.arrayBuffer();
    expect((await h.fetch(url('/v2/'))).status).toBe(200);
  });

  it('wrongDigest(): serves bytes that do not match the digest the headers claim', async () => {
    h = await harness(transport);
    const m = await seedImage(h, 'repo');
    const { digest } = await pushBlob(h, 'repo', 'blob-bytes');
    h.emulator.setFaults(cannedFaults.wrongDigest());
    const man = await h.fetch(url(`/v2/repo/manifests/${m.digest}`));
    const manBytes = Buffer.from(await man.arrayBuffer());
    expect(man.headers.get('docker-content-digest')).toBe(m.digest);
    expect(sha256(manBytes)).not.toBe(m.digest);
    expect(manBytes.byteLength).toBe(m.size);
    const blob = await h.fetch(url(`/v2/repo/blobs/${digest}`));
    expect(sha256(Buffer.from(await blob.arrayBuffer()))).not.toBe(digest);
  });

  it('oversizeManifest(): answers a manifest GET with a body above 4 MiB', async () => {
    h = await harness(transport, { faults: cannedFaults.oversizeManifest() });
    const res = await h.fetch(url('/v2/repo/manifests/v1'));
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(5 * 1024 * 1024);
    expect((await res.arrayBuffer()).byteLength).toBe(5 * 1024 * 1024);
  });

  it('paginationLoop() and crossOriginLink(): Link rel="next" to the same page or another origin', async () => {
    h = await harness(transport, { faults: cannedFaults.paginationLoop() });
    const subject = sha256('s');
    const res = await h.fetch(url(`/v2/repo/referrers/${subject}?artifactType=x`));
    expect(res.headers.get('link')).toBe(`</v2/repo/referrers/${subject}?artifactType=x>; rel="next"`);
    expect(((await res.json()) as { mediaType: string }).mediaType).toBe(MT_INDEX);
    h.emulator.setFaults(cannedFaults.crossOriginLink('http://evil.example'));
    await seedImage(h, 'repo');
    const tags = await h.fetch(url('/v2/repo/tags/list'));
    expect(tags.headers.get('link')).toBe('<http://evil.example/v2/repo/tags/list>; rel="next"');
    await tags.arrayBuffer();
  });

  it('redirectBlob(): redirects blob GETs to another host', async () => {
    h = await harness(transport, { faults: cannedFaults.redirectBlob('http://storage.example') });
    const digest = sha256('x');
    const res = await h.fetch(url(`/v2/repo/blobs/${digest}`), { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`http://storage.example/v2/repo/blobs/${digest}`);
  });

  it('falseReferrers200() and referrersRedirect(): lie on /referrers/', async () => {
    h = await harness(transport, { faults: cannedFaults.falseReferrers200() });
    const res = await h.fetch(url(`/v2/repo/referrers/${sha256('s')}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html>');
    h.emulator.setFaults(cannedFaults.referrersRedirect('/somewhere'));
    const redirect = await h.fetch(url(`/v2/repo/referrers/${sha256('s')}`), { redirect: 'manual' });
    expect(redirect.status).toBe(302);
  });

  it('combineFaults(): first answering hook wins; others fall through to the registry', async () => {
    h = await harness(transport, {
      faults: combineFaults(cannedFaults.status(500, /\/tags\/list/), cannedFaults.status(502, /\/tags\/list|\/v2\/$/)),
    });
    expect((await h.fetch(url('/v2/repo/tags/list'))).status).toBe(500);
    expect((await h.fetch(url('/v2/'))).status).toBe(502);
    await pushBlob(h, 'repo', '{}');
    expect((await pushManifest(h, 'repo', 'v1', artifact())).response.status).toBe(201);
  });
});
