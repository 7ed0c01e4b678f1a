import { afterEach, describe, expect, it } from 'vitest';
import { artifact, errorCode, harness, type Harness, MT_MANIFEST, pushManifest, seedImage, sha256, type Transport } from './test-helpers.ts';

describe.each<Transport>(['fetch', 'http'])('switches over %s', (transport) => {
  let h: Harness;
  afterEach(() => h.close());
  const url = (p: string) => `${h.base}${p}`;

  describe('referrersApi: false (distribution 2.8)', () => {
    it('answers /referrers/ with a plain-text 404 and never sends OCI-Subject', async () => {
      h = await harness(transport, { referrersApi: false });
      const m = await seedImage(h, 'repo');
      const res = await h.fetch(url(`/v2/repo/referrers/${m.digest}`));
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('404 page not found\n');
      const sig = await pushManifest(h, 'repo', undefined, artifact({ subject: { digest: m.digest, size: m.size } }));
      expect(sig.response.status).toBe(201);
      expect(sig.response.headers.get('oci-subject')).toBeNull();
    });

    it('defaults etag to off, and lets it be turned on', async () => {
      h = await harness(transport, { referrersApi: false });
      await seedImage(h, 'repo');
      expect((await h.fetch(url('/v2/repo/manifests/v1'), { method: 'HEAD' })).headers.get('etag')).toBeNull();
      await h.close();
      h = await harness(transport, { referrersApi: false, etag: true });
      const m = await seedImage(h, 'repo');
      expect((await h.fetch(url('/v2/repo/manifests/v1'), { method: 'HEAD' })).headers.get('etag')).toBe(`"${m.digest}"`);
    });

    it('switches at run time with setReferrersApi', async () => {
      h = await harness(transport);
      const subject = sha256('s');
      expect((await h.fetch(url(`/v2/repo/referrers/${subject}`))).status).toBe(200);
      h.emulator.setReferrersApi(false);
      expect((await h.fetch(url(`/v2/repo/referrers/${subject}`))).status).toBe(404);
      expect(h.emulator.switches.referrersApi).toBe(false);
    });
  });

  describe('etag', () => {
    it('returns the quoted digest as ETag on GET/HEAD and honours If-Match / If-None-Match on PUT', async () => {
      h = await harness(transport, { etag: true });
      const first = await seedImage(h, 'repo', 'sha256-abc');
      const get = await h.fetch(url('/v2/repo/manifests/sha256-abc'));
      expect(get.headers.get('etag')).toBe(`"${first.digest}"`);
      await get.arrayBuffer();
      const next = artifact({ annotations: { v: '2' } });
      const stale = await pushManifest(h, 'repo', 'sha256-abc', next, { 'if-match': `"${sha256('old')}"` });
      expect(stale.response.status).toBe(412);
      expect(await errorCode(stale.response)).toBe('PRECONDITION_FAILED');
      const fresh = await pushManifest(h, 'repo', 'sha256-abc', next, { 'if-match': `"${first.digest}"` });
      expect(fresh.response.status).toBe(201);
      const create = await pushManifest(h, 'repo', 'sha256-abc', artifact({ annotations: { v: '3' } }), { 'if-none-match': '*' });
      expect(create.response.status).toBe(412);
      const createNew = await pushManifest(h, 'repo', 'sha256-new', next, { 'if-none-match': '*' });
      expect(createNew.response.status).toBe(201);
      const ifMatchMissing = await pushManifest(h, 'repo', 'sha256-none', next, { 'if-match': `"${first.digest}"` });
      expect(ifMatchMissing.response.status).toBe(412);
    });

    it('ignores If-Match when off, as distribution 2.8 does', async () => {
      h = await harness(transport, { etag: false });
      await seedImage(h, 'repo');
      const put = await pushManifest(h, 'repo', 'v1', artifact({ annotations: { v: '2' } }), { 'if-match': '"nope"' });
      expect(put.response.status).toBe(201);
      h.emulator.setEtag(true);
      const guarded = await pushManifest(h, 'repo', 'v1', artifact({ annotations: { v: '3' } }), { 'if-match': '"nope"' });
      expect(guarded.response.status).toBe(412);
    });
  });

  it('adds latencyMs to every request', async () => {
    h = await harness(transport, { latencyMs: 60 });
    const t0 = performance.now();
    await (await h.fetch(url('/v2/'))).arrayBuffer();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    h.emulator.setLatencyMs(0);
    expect(h.emulator.switches.latencyMs).toBe(0);
  });

  it('records a request log with method, path+query, status, selected headers and time; clearLog empties it', async () => {
    let clock = 1_000;
    h = await harness(transport, { now: () => clock++ });
    await (await h.fetch(url('/v2/'))).arrayBuffer();
    await (await h.fetch(url('/v2/repo/tags/list?n=1'), { headers: { accept: 'application/json' } })).arrayBuffer();
    const log = h.emulator.log;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/v2/', status: 200, time: 1_000 });
    expect(log[1]).toMatchObject({ method: 'GET', path: '/v2/repo/tags/list?n=1', status: 404, headers: { accept: 'application/json' } });
    expect(log[1]!.durationMs).toBeGreaterThanOrEqual(0);
    h.emulator.clearLog();
    expect(h.emulator.log).toHaveLength(0);
  });

  it('consults the faults hook first and falls through when it returns undefined', async () => {
    h = await harness(transport, {
      faults: (req) => (new URL(req.url).pathname === '/v2/' ? new Response('teapot', { status: 418 }) : undefined),
    });
    expect((await h.fetch(url('/v2/'))).status).toBe(418);
    expect((await h.fetch(url('/v2/repo/tags/list'))).status).toBe(404);
    expect(h.emulator.log.map((e) => e.status)).toEqual([418, 404]);
    h.emulator.setFaults(undefined);
    expect((await h.fetch(url('/v2/'))).status).toBe(200);
  });

  it('reset() drops all content', async () => {
    h = await harness(transport);
    await seedImage(h, 'repo');
    h.emulator.reset();
    expect((await h.fetch(url('/v2/repo/manifests/v1'), { method: 'HEAD', headers: { accept: MT_MANIFEST } })).status).toBe(404);
  });
});

describe('requireAccept', () => {
  it('hides a manifest whose media type the Accept header does not list', async () => {
    const h = await harness('fetch', { requireAccept: true });
    await seedImage(h, 'repo');
    const none = await h.fetch(`${h.base}/v2/repo/manifests/v1`);
    expect(none.status).toBe(404);
    expect(await errorCode(none)).toBe('MANIFEST_UNKNOWN');
    const other = await h.fetch(`${h.base}/v2/repo/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    expect(other.status).toBe(404);
    await other.arrayBuffer();
    const listed = await h.fetch(`${h.base}/v2/repo/manifests/v1`, { headers: { accept: `application/vnd.oci.image.index.v1+json, ${MT_MANIFEST};q=0.9` } });
    expect(listed.status).toBe(200);
    await listed.arrayBuffer();
  });
});
