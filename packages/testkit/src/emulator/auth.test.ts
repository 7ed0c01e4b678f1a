import { describe, expect, it } from 'vitest';
import { createEmulator } from './emulator.ts';
import { sha256 } from './test-helpers.ts';

const BASE = 'http://registry.test';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function challengeOf(res: Response): Record<string, string> {
  const h = res.headers.get('www-authenticate') ?? '';
  const out: Record<string, string> = { scheme: h.split(' ')[0]! };
  for (const m of h.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

async function token(fetch: typeof globalThis.fetch, challenge: Record<string, string>, scope: string, auth?: string): Promise<Response> {
  const url = new URL(challenge.realm!);
  url.searchParams.set('service', challenge.service!);
  url.searchParams.set('scope', scope);
  return fetch(url, auth ? { headers: { authorization: auth } } : {});
}

async function pushBlob(fetch: typeof globalThis.fetch, repo: string, authorization: string, body = 'layer'): Promise<Response> {
  return fetch(`${BASE}/v2/${repo}/blobs/uploads/?digest=${sha256(body)}`, { method: 'POST', body, headers: { authorization } });
}

describe('emulator auth: anonymous-token', () => {
  it('challenges with a Bearer realm on this server and grants pull+push to anyone', async () => {
    const reg = createEmulator({ auth: { mode: 'anonymous-token' } });
    const first = await reg.fetch(`${BASE}/v2/repo/manifests/v1`);
    expect(first.status).toBe(401);
    const ch = challengeOf(first);
    expect(ch).toMatchObject({ scheme: 'Bearer', realm: `${BASE}/token`, service: 'registry.test', scope: 'repository:repo:pull' });
    const res = await token(reg.fetch, ch, 'repository:repo:pull,push');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    expect((await pushBlob(reg.fetch, 'repo', `Bearer ${body.token}`)).status).toBe(201);
    expect((await reg.fetch(`${BASE}/v2/repo/blobs/${sha256('layer')}`, { headers: { authorization: `Bearer ${body.token}` } })).status).toBe(200);
    // The token is scoped: another repository is refused with insufficient_scope.
    const other = await reg.fetch(`${BASE}/v2/other/tags/list`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(other.status).toBe(401);
    expect(challengeOf(other)).toMatchObject({ scope: 'repository:other:pull', error: 'insufficient_scope' });
  });

  it('logs the Authorization scheme and never the secret', async () => {
    const reg = createEmulator({ auth: { mode: 'anonymous-token' } });
    const t = (await (await token(reg.fetch, { realm: `${BASE}/token`, service: 'registry.test' }, 'repository:r:pull')).json()) as { token: string };
    await reg.fetch(`${BASE}/v2/r/tags/list`, { headers: { authorization: `Bearer ${t.token}` } });
    const last = reg.log.at(-1)!;
    expect(last.headers.authorization).toBe('Bearer');
    expect(last.auth).toEqual({ scheme: 'Bearer' });
    expect(JSON.stringify(reg.log)).not.toContain(t.token);
  });

  it('reports tokenExpiresIn as given and enforces it on the clock', async () => {
    let now = 1_000_000;
    const reg = createEmulator({ auth: { mode: 'anonymous-token' }, tokenExpiresIn: 2, now: () => now });
    const t = (await (await token(reg.fetch, { realm: `${BASE}/token`, service: 'registry.test' }, 'repository:r:pull')).json()) as { token: string; expires_in: number };
    expect(t.expires_in).toBe(2);
    const get = () => reg.fetch(`${BASE}/v2/r/tags/list`, { headers: { authorization: `Bearer ${t.token}` } });
    expect((await get()).status).toBe(404); // authorized; the repository does not exist
    now += 2_000;
    const expired = await get();
    expect(expired.status).toBe(401);
    expect(challengeOf(expired).error).toBe('invalid_token');
  });

  it('reports a nonsense expires_in verbatim', async () => {
    const reg = createEmulator({ auth: { mode: 'anonymous-token' }, tokenExpiresIn: 3e11 });
    const t = (await (await reg.fetch(`${BASE}/token?scope=repository:r:pull`)).json()) as { expires_in: number };
    expect(t.expires_in).toBe(3e11);
  });
});

describe('emulator auth: token behind Basic credentials', () => {
  const users = { alice: 'wonder:land' };

  it('issues pull+push tokens to a user and refuses a wrong password', async () => {
    const reg = createEmulator({ auth: { mode: 'token', users } });
    const ch = challengeOf(await reg.fetch(`${BASE}/v2/`));
    expect(ch).toMatchObject({ scheme: 'Bearer', realm: `${BASE}/token`, service: 'registry.test' });
    expect((await token(reg.fetch, ch, 'repository:a:pull,push', basic('alice', 'nope'))).status).toBe(401);
    expect((await token(reg.fetch, ch, 'repository:a:pull,push')).status).toBe(401);
    const ok = (await (await token(reg.fetch, ch, 'repository:a:pull,push', basic('alice', 'wonder:land'))).json()) as { token: string };
    expect((await pushBlob(reg.fetch, 'a', `Bearer ${ok.token}`)).status).toBe(201);
    expect(reg.log.at(-1)!.auth).toEqual({ scheme: 'Bearer', user: 'alice' });
    expect(reg.log.find((e) => e.path.startsWith('/token'))!.headers.authorization).toBe('Basic');
  });

  it('gives anonymous callers pull-only tokens with anonymousPull; writes then get 401', async () => {
    const reg = createEmulator({ auth: { mode: 'token', users, anonymousPull: true } });
    const ch = { realm: `${BASE}/token`, service: 'registry.test' };
    const anon = (await (await token(reg.fetch, ch, 'repository:a:pull,push')).json()) as { token: string };
    expect((await reg.fetch(`${BASE}/v2/a/tags/list`, { headers: { authorization: `Bearer ${anon.token}` } })).status).toBe(404);
    const write = await pushBlob(reg.fetch, 'a', `Bearer ${anon.token}`);
    expect(write.status).toBe(401);
    expect(challengeOf(write)).toMatchObject({ scope: 'repository:a:pull,push', error: 'insufficient_scope' });
  });

  it('ignores a cross-repository mount the token may not pull from (a plain upload starts)', async () => {
    const reg = createEmulator({ auth: { mode: 'token', users } });
    const ch = { realm: `${BASE}/token`, service: 'registry.test' };
    const src = (await (await token(reg.fetch, ch, 'repository:src:pull,push', basic('alice', 'wonder:land'))).json()) as { token: string };
    expect((await pushBlob(reg.fetch, 'src', `Bearer ${src.token}`)).status).toBe(201);
    const dst = (await (await token(reg.fetch, ch, 'repository:dst:pull,push', basic('alice', 'wonder:land'))).json()) as { token: string };
    const mount = `${BASE}/v2/dst/blobs/uploads/?mount=${sha256('layer')}&from=src`;
    expect((await reg.fetch(mount, { method: 'POST', headers: { authorization: `Bearer ${dst.token}` } })).status).toBe(202);
    const both = (await (await reg.fetch(`${BASE}/token?scope=repository:dst:pull,push&scope=repository:src:pull`, { headers: { authorization: basic('alice', 'wonder:land') } })).json()) as { token: string };
    expect((await reg.fetch(mount, { method: 'POST', headers: { authorization: `Bearer ${both.token}` } })).status).toBe(201);
  });

  it('supports the OAuth2 password and refresh_token grants (identity tokens)', async () => {
    const reg = createEmulator({ auth: { mode: 'token', users } });
    const post = (form: Record<string, string>) =>
      reg.fetch(`${BASE}/token`, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const first = (await (await post({ grant_type: 'password', username: 'alice', password: 'wonder:land', access_type: 'offline', scope: 'repository:a:pull', service: 'registry.test' })).json()) as { refresh_token: string };
    expect(first.refresh_token).toBeTruthy();
    const again = await post({ grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'repository:a:pull', service: 'registry.test' });
    expect(again.status).toBe(200);
    expect((await post({ grant_type: 'refresh_token', refresh_token: 'forged', scope: 'repository:a:pull' })).status).toBe(401);
  });

  it('names a configured realm in the challenge', async () => {
    const reg = createEmulator({ auth: { mode: 'token', users, realm: 'http://auth.test/token' } });
    expect(challengeOf(await reg.fetch(`${BASE}/v2/`)).realm).toBe('http://auth.test/token');
  });
});

describe('emulator auth: basic', () => {
  it('challenges with Basic and accepts only a known user', async () => {
    const reg = createEmulator({ auth: { mode: 'basic', users: { bob: 'pw' } } });
    const first = await reg.fetch(`${BASE}/v2/`);
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await reg.fetch(`${BASE}/v2/`, { headers: { authorization: basic('bob', 'bad') } })).status).toBe(401);
    expect((await pushBlob(reg.fetch, 'b', basic('bob', 'pw'))).status).toBe(201);
    expect(reg.log.at(-1)!.auth).toEqual({ scheme: 'Basic', user: 'bob' });
    expect(JSON.stringify(reg.log)).not.toContain(Buffer.from('bob:pw').toString('base64'));
    // No token endpoint in basic mode.
    expect((await reg.fetch(`${BASE}/token`)).status).toBe(404);
  });
});
