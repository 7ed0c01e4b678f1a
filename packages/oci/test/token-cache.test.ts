import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileTokenStore, memoryTokenStore, RegistryClient, RemoteRepository, tokenKey, type Credential, type TokenStore } from '@ocx/oci';
import { createEmulator, pushImage, type Emulator } from '@ocx/testkit';

// Bearer tokens (issue 12): one token request per registry and scope within a run, none for a
// registry that does not ask, and anonymous pull tokens (only those) kept across runs.

const HOST = 'registry.test';
const tokenRequests = (emu: Emulator) => emu.log.filter((e) => e.path.startsWith('/token'));
const unauthorized = (emu: Emulator) => emu.log.filter((e) => e.status === 401);

function clientFor(emu: Emulator, opts: { store?: TokenStore; credentials?: Credential } = {}) {
  const client = new RegistryClient({
    fetch: emu.fetch,
    plainHttp: false,
    ...(opts.store ? { tokenStore: opts.store } : {}),
    ...(opts.credentials ? { credentials: async () => opts.credentials } : {}),
  });
  return { client, repo: (name = 'app') => new RemoteRepository(client, { host: HOST, registry: HOST, repository: name }) };
}

describe('bearer tokens within one run', () => {
  it('one token request per scope, however many requests (concurrent ones too) use it', async () => {
    const emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    const seed = clientFor(emu);
    const desc = await pushImage(seed.repo(), 'x', 'v1');
    await seed.client.close();
    emu.clearLog();
    const { client, repo } = clientFor(emu);
    const r = repo();
    // Concurrent first requests: the ones that met a 401 before the token arrived reuse it.
    const all = await Promise.all([r.resolve('v1'), r.resolve('v1'), r.resolve('v1'), r.fetch(desc)]);
    expect(all[0].digest).toBe(desc.digest);
    await r.resolve('v1');
    await r.fetch(desc);
    expect(tokenRequests(emu).map((e) => new URL(e.path, 'http://x').searchParams.getAll('scope'))).toEqual([['repository:app:pull']]);
    // Another repository (and push rights) are other scopes: one token each, none asked twice.
    await pushImage(repo('other'), 'y', 'v1');
    await repo('other').resolve('v1');
    await repo('other').resolve('v1');
    const scopes = tokenRequests(emu).map((e) => new URL(e.path, 'http://x').searchParams.getAll('scope').join(' '));
    expect(scopes.length).toBeGreaterThan(1);
    expect(new Set(scopes).size).toBe(scopes.length);
    await client.close();
  });

  it('no token request (and no Authorization) for a registry that does not ask', async () => {
    const emu = createEmulator();
    const store = memoryTokenStore();
    const { client, repo } = clientFor(emu, { store });
    await pushImage(repo(), 'x', 'v1');
    await repo().resolve('v1');
    expect(tokenRequests(emu)).toEqual([]);
    expect(emu.log.every((e) => e.auth.scheme === undefined)).toBe(true);
    expect(store.data).toEqual({ hosts: {}, tokens: {} });
    await client.close();
  });
});

describe('anonymous pull tokens across runs', () => {
  it('a repeat run with the store sends its first request with the token: no 401, no token request', async () => {
    const emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    const seed = clientFor(emu);
    const desc = await pushImage(seed.repo(), 'x', 'v1');
    await seed.client.close();
    const store = memoryTokenStore();
    const first = clientFor(emu, { store });
    await first.repo().resolve('v1');
    await first.client.close();
    expect(Object.keys(store.data.tokens)).toEqual([tokenKey({ realm: `https://${HOST}/token`, service: HOST }, 'repository:app:pull')]);
    emu.clearLog();
    const second = clientFor(emu, { store });
    expect((await second.repo().resolve('v1')).digest).toBe(desc.digest);
    expect(tokenRequests(emu)).toEqual([]);
    expect(unauthorized(emu)).toEqual([]);
    await second.client.close();
  });

  it('a push token is not stored', async () => {
    const emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    const store = memoryTokenStore();
    const { client, repo } = clientFor(emu, { store });
    await pushImage(repo(), 'x', 'v1');
    expect(Object.keys(store.data.tokens).every((k) => JSON.parse(k)[2] === 'repository:app:pull')).toBe(true);
    await client.close();
  });

  it('a token obtained with credentials is never stored, and a stored one is not used for a host with credentials', async () => {
    const emu = createEmulator({ auth: { mode: 'token', users: { alice: 'pw' }, anonymousPull: true } });
    const alice = { username: 'alice', password: 'pw' };
    const seed = clientFor(emu, { credentials: alice });
    await pushImage(seed.repo(), 'x', 'v1');
    await seed.client.close();
    const store = memoryTokenStore();
    const withCreds = clientFor(emu, { store, credentials: alice });
    await withCreds.repo().resolve('v1');
    await withCreds.client.close();
    expect(store.data).toEqual({ hosts: {}, tokens: {} });
    // Anonymous: stored; the same host with credentials afterwards asks for its own token.
    const anon = clientFor(emu, { store });
    await anon.repo().resolve('v1');
    await anon.client.close();
    expect(Object.keys(store.data.tokens).length).toBe(1);
    emu.clearLog();
    const again = clientFor(emu, { store, credentials: alice });
    await again.repo().resolve('v1');
    await again.client.close();
    expect(tokenRequests(emu).map((e) => e.auth.scheme)).toEqual(['Basic']);
  });

  it('a stored token the registry refuses is replaced (and forgotten)', async () => {
    const emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    const seed = clientFor(emu);
    const desc = await pushImage(seed.repo(), 'x', 'v1');
    await seed.client.close();
    const ch = { realm: `https://${HOST}/token`, service: HOST };
    const store = memoryTokenStore({ hosts: { [HOST]: ch }, tokens: { [tokenKey(ch, 'repository:app:pull')]: { token: 'revoked', expiresAt: Date.now() + 3_600_000 } } });
    emu.clearLog();
    const { client, repo } = clientFor(emu, { store });
    expect((await repo().resolve('v1')).digest).toBe(desc.digest);
    expect(tokenRequests(emu).length).toBe(1);
    expect(Object.values(store.data.tokens).map((t) => t.token)).not.toContain('revoked');
    await client.close();
  });
});

describe('fileTokenStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-token-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const ch = { realm: 'https://auth.example/token', service: 'example' };

  it('writes the file 0600 in a 0700 directory, and drops expired entries', async () => {
    const tokensDir = join(dir, 'tokens');
    const store = fileTokenStore(tokensDir);
    const now = Date.now();
    await store.save('example', ch, 'repository:a:pull', { token: 't-old', expiresAt: now - 1 }, now - 10);
    await store.save('example', ch, 'repository:b:pull', { token: 't-new', expiresAt: now + 60_000 }, now);
    expect((await stat(tokensDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(tokensDir, 'anonymous.json'))).mode & 0o777).toBe(0o600);
    const data = await store.load();
    expect(Object.values(data.tokens).map((t) => t.token)).toEqual(['t-new']);
    expect(data.hosts).toEqual({ example: ch });
  });

  it('a corrupt or foreign file reads as empty', async () => {
    const tokensDir = join(dir, 'corrupt');
    const store = fileTokenStore(tokensDir);
    await store.save('example', ch, 'repository:a:pull', { token: 't', expiresAt: Date.now() + 60_000 }, Date.now());
    await writeFile(join(tokensDir, 'anonymous.json'), '{"version":2}');
    expect(await store.load()).toEqual({ hosts: {}, tokens: {} });
    await writeFile(join(tokensDir, 'anonymous.json'), 'not json');
    expect(await store.load()).toEqual({ hosts: {}, tokens: {} });
    expect(await readFile(join(tokensDir, 'anonymous.json'), 'utf8')).toBe('not json');
  });
});
