import { describe, expect, it } from 'vitest';
import { collectReferrers, createDockerCredentials, RegistryClient, RemoteRepository, type Credential } from '@ocx/oci';
import { blob, createEmulator, pushImage, type Emulator } from '@ocx/testkit';

// Issue 10 item 1: credentials are bound to the registry host they were configured for (and to the
// token realm that registry's own challenge names). Authorization is decided by the host a request
// goes to: an absolute upload Location, a mount answer or a tag-list Link on another host gets none.

const REG = 'registry.test';
const OTHER = 'other.test';
const users = { alice: 'alice-pw' };
const basic = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;

/**
 * The emulator behind REG wants alice; OTHER is "a second server recording headers": every request
 * to it is recorded, then served by the registry with alice's credentials added by the test itself
 * (so the client gets a working answer without ever having sent them there).
 */
function rig(mode: 'basic' | 'token', rewrite: (req: Request, res: Response) => Response | undefined) {
  const seen: { host: string; method: string; path: string; authorization: string | null }[] = [];
  const emu: Emulator = createEmulator({ auth: { mode, users } });
  emu.setFaults(async (req, next) => {
    const u = new URL(req.url);
    seen.push({ host: u.host, method: req.method, path: u.pathname, authorization: req.headers.get('authorization') });
    if (u.host === OTHER) {
      const headers = new Headers(req.headers);
      if (mode === 'basic') headers.set('authorization', basic);
      else {
        const scope = `repository:${/^\/v2\/(.+?)\/(?:blobs|tags)/.exec(u.pathname)?.[1]}:pull,push`;
        const t = (await (await next(new Request(`https://${REG}/token?scope=${scope}`, { headers: { authorization: basic } }))).json()) as { token: string };
        headers.set('authorization', `Bearer ${t.token}`);
      }
      u.host = REG;
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer());
      return next(new Request(u, { method: req.method, headers, ...(body ? { body } : {}) }));
    }
    const res = await next(req);
    return rewrite(req, res) ?? res;
  });
  const credentials = createDockerCredentials({ env: {}, explicit: new Map<string, Credential>([[REG, { username: 'alice', password: 'alice-pw' }]]) });
  const client = new RegistryClient({ fetch: emu.fetch, plainHttp: false, credentials });
  const repo = (name = 'app') => new RemoteRepository(client, { host: REG, registry: REG, repository: name });
  return { emu, seen, client, repo };
}

/** Rewrites a same-registry Location to the other host, keeping path and query. */
function toOther(res: Response): Response {
  const loc = res.headers.get('location');
  if (!loc) return res;
  const u = new URL(loc, `https://${REG}`);
  u.host = OTHER;
  const headers = new Headers(res.headers);
  headers.set('location', u.href);
  return new Response(res.body, { status: res.status, headers });
}

const toOtherHost = (seen: { host: string; method: string; authorization: string | null }[]) => seen.filter((s) => s.host === OTHER);

describe('credentials stay on their registry host', () => {
  for (const mode of ['basic', 'token'] as const) {
    it(`${mode}: an absolute upload Location on another host gets no Authorization`, async () => {
      const { seen, repo } = rig(mode, (req, res) => (req.method === 'POST' && res.status === 202 ? toOther(res) : undefined));
      await pushImage(repo(), 'x', 'v1');
      const other = toOtherHost(seen);
      expect(other.length).toBeGreaterThan(0);
      expect(other.map((s) => s.authorization)).toEqual(other.map(() => null));
      // The registry itself did get them.
      expect(seen.some((s) => s.host === REG && s.authorization !== null && s.path.startsWith('/v2/'))).toBe(true);
    });
  }

  it('a mount answered with a plain upload on another host: the cleanup DELETE carries no Authorization', async () => {
    const { seen, repo } = rig('basic', (req, res) => (req.method === 'POST' && new URL(req.url).searchParams.has('mount') && res.status === 202 ? toOther(res) : undefined));
    const b = blob('never pushed anywhere', 'application/octet-stream');
    expect(await repo('dst').mount(b.desc, 'src')).toBe(false);
    const other = toOtherHost(seen);
    expect(other.map((s) => [s.method, s.authorization])).toEqual([['DELETE', null]]);
  });

  it('a tag-list Link to another host is refused without sending anything there', async () => {
    const { seen, repo, emu } = rig('basic', (req, res) => {
      const u = new URL(req.url);
      if (u.host === REG && u.pathname.endsWith('/tags/list') && !u.searchParams.has('last')) {
        const headers = new Headers(res.headers);
        headers.set('link', `<https://${OTHER}${u.pathname}?last=v1>; rel="next"`);
        return new Response(res.body, { status: res.status, headers });
      }
      return undefined;
    });
    emu.configure({});
    await pushImage(repo(), 'a', 'v1');
    await pushImage(repo(), 'b', 'v2');
    const pages: string[][] = [];
    const listing = (async () => {
      for await (const page of repo().tags()) pages.push(page);
    })();
    await expect(listing).rejects.toMatchObject({ code: 'PAGINATION' });
    expect(pages.flat()).toContain('v2');
    expect(toOtherHost(seen)).toEqual([]);
  });

  it('a host with no credentials of its own goes anonymous; the realm its challenge names gets them', async () => {
    // The registry names a token realm on another host: that is where its credentials go (the token spec flow).
    const emu = createEmulator({ auth: { mode: 'token', users, realm: 'https://auth.test/token', anonymousPull: true } });
    const credentials = createDockerCredentials({ env: {}, explicit: new Map<string, Credential>([[REG, { username: 'alice', password: 'alice-pw' }]]) });
    const client = new RegistryClient({ fetch: emu.fetch, plainHttp: false, credentials });
    await pushImage(new RemoteRepository(client, { host: REG, registry: REG, repository: 'app' }), 'x', 'v1');
    const realm = emu.log.filter((e) => e.host === 'auth.test');
    expect(realm.length).toBeGreaterThan(0);
    expect(realm.every((e) => e.auth.user === 'alice')).toBe(true);
    // A second registry served by the same emulator: alice's credentials never reach it or its realm.
    emu.clearLog();
    const other = new RemoteRepository(client, { host: 'second.test', registry: 'second.test', repository: 'app' });
    // (The emulator serves one store for every host name: the image is there, pulled anonymously.)
    await other.resolve('v1');
    expect(emu.log.length).toBeGreaterThan(0);
    expect(emu.log.filter((e) => e.auth.user !== undefined)).toEqual([]);
  });

  it('a referrers Link to another host is refused without sending anything there', async () => {
    const { seen, repo, emu } = rig('basic', () => undefined);
    const subject = await pushImage(repo(), 's', 'v1');
    emu.setFaults(async (req, next) => {
      const u = new URL(req.url);
      seen.push({ host: u.host, method: req.method, path: u.pathname, authorization: req.headers.get('authorization') });
      const res = await next(req);
      if (!u.pathname.includes('/referrers/')) return res;
      const headers = new Headers(res.headers);
      headers.set('link', `<https://${OTHER}${u.pathname}?n=1>; rel="next"`);
      return new Response(res.body, { status: res.status, headers });
    });
    await expect(collectReferrers(repo().referrers(subject))).rejects.toMatchObject({ code: 'PAGINATION' });
    expect(toOtherHost(seen)).toEqual([]);
  });
});
