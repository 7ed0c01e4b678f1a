import { describe, expect, it } from 'vitest';
import { createEmulator } from './emulator.ts';
import { cannedFaults } from './faults.ts';
import { sha256 } from './test-helpers.ts';

describe('injected fetch', () => {
  it('reaches the emulator for any origin and sets Response.url', async () => {
    const reg = createEmulator();
    const res = await reg.fetch('http://anything.example/v2/');
    expect(res.status).toBe(200);
    expect(res.url).toBe('http://anything.example/v2/');
    expect(res.redirected).toBe(false);
    const req = await reg.fetch(new Request('http://x.example/v2/'));
    expect(req.status).toBe(200);
  });

  it('follows a cross-host blob redirect like fetch, dropping Authorization on the other origin', async () => {
    const reg = createEmulator();
    const body = Buffer.from('layer');
    const digest = sha256(body);
    await reg.fetch(`http://registry.test/v2/repo/blobs/uploads/?digest=${digest}`, { method: 'POST', body });
    reg.setFaults(cannedFaults.redirectBlob('http://storage.test'));
    reg.clearLog();
    const res = await reg.fetch(`http://registry.test/v2/repo/blobs/${digest}`, { headers: { authorization: 'Bearer secret' } });
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`http://storage.test/v2/repo/blobs/${digest}`);
    expect(await res.text()).toBe('layer');
    expect(reg.log.map((e) => [e.host, e.status, e.headers.authorization])).toEqual([
      ['registry.test', 307, 'Bearer'],
      ['storage.test', 200, undefined],
    ]);
  });

  it('honours redirect: "manual" and "error", and stops redirect loops', async () => {
    const reg = createEmulator({ faults: cannedFaults.referrersRedirect('/v2/repo/referrers/x') });
    const url = `http://registry.test/v2/repo/referrers/${sha256('s')}`;
    expect((await reg.fetch(url, { redirect: 'manual' })).status).toBe(302);
    await expect(reg.fetch(url, { redirect: 'error' })).rejects.toThrow(TypeError);
    await expect(reg.fetch(url)).rejects.toThrow(/too many redirects/);
  });

  it('replays a byte body on 307 and turns POST into GET on 302', async () => {
    const seen: string[] = [];
    const reg = createEmulator({
      faults: async (req) => {
        const u = new URL(req.url);
        seen.push(`${req.method} ${u.pathname} ${req.method === 'GET' ? '' : await req.clone().text()}`);
        if (u.pathname === '/a') return new Response(null, { status: 307, headers: { location: '/b' } });
        if (u.pathname === '/c') return new Response(null, { status: 302, headers: { location: '/d' } });
        return new Response('ok');
      },
    });
    await reg.fetch('http://r.test/a', { method: 'PUT', body: 'data' });
    await reg.fetch('http://r.test/c', { method: 'POST', body: 'form' });
    expect(seen).toEqual(['PUT /a data', 'PUT /b data', 'POST /c form', 'GET /d ']);
  });
});
