import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository, TOKEN_TTL_MAX_S, TOKEN_TTL_MIN_S, tokenLifetime, type Credential } from '@ocx/oci';
import { createEmulator, isCI, makeTestCertificate, pushImage, type Emulator, type RunningRegistry, type TestCertificate } from '@ocx/testkit';

// The emulator over TLS (a private CA from makeTestCertificate) and over plain HTTP, with its token
// and basic auth modes: loopback https-first with fallback, untrusted certificates, token lifetimes.

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');
if (!openssl) console.warn('skipping TLS client tests: openssl not found');

const alice: Credential = { username: 'alice', password: 'alice-pw' };
const users = { alice: 'alice-pw' };

describe('token lifetime', () => {
  it('honours expires_in within [60 s, 1 h]; nonsense falls back to the 60 s default', () => {
    expect(tokenLifetime(300)).toBe(300);
    expect(tokenLifetime(3e11)).toBe(TOKEN_TTL_MAX_S);
    expect(tokenLifetime(Infinity)).toBe(TOKEN_TTL_MIN_S);
    expect(tokenLifetime(5)).toBe(TOKEN_TTL_MIN_S);
    expect(tokenLifetime(-1)).toBe(TOKEN_TTL_MIN_S);
    expect(tokenLifetime('3600')).toBe(TOKEN_TTL_MIN_S);
    expect(tokenLifetime(undefined)).toBe(TOKEN_TTL_MIN_S);
    expect(tokenLifetime(Number.NaN)).toBe(TOKEN_TTL_MIN_S);
  });

  const tokenFetches = (emu: Emulator) => emu.log.filter((e) => e.path.startsWith('/token')).length;

  it('a 3e11 expires_in does not keep a token past the cap', async () => {
    let now = 1_700_000_000_000;
    const emu = createEmulator({ auth: { mode: 'anonymous-token' }, tokenExpiresIn: 3e11, now: () => now });
    const client = new RegistryClient({ fetch: emu.fetch, plainHttp: false, now: () => now });
    const repo = new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'app' });
    const desc = await pushImage(repo, 'x', 'v1');
    const before = tokenFetches(emu);
    await repo.resolve('v1');
    expect(tokenFetches(emu)).toBe(before);
    now += 30 * 60_000;
    await repo.resolve('v1');
    expect(tokenFetches(emu)).toBe(before);
    now += TOKEN_TTL_MAX_S * 1000;
    expect((await repo.resolve('v1')).digest).toBe(desc.digest);
    expect(tokenFetches(emu)).toBe(before + 1);
  });

  it('a token that expires sooner than the 60 s floor is replaced on the 401', async () => {
    let now = 1_700_000_000_000;
    const emu = createEmulator({ auth: { mode: 'anonymous-token' }, tokenExpiresIn: 5, now: () => now });
    const client = new RegistryClient({ fetch: emu.fetch, plainHttp: false, now: () => now });
    const repo = new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'app' });
    const desc = await pushImage(repo, 'x', 'v1');
    now += 10_000;
    expect((await repo.resolve('v1')).digest).toBe(desc.digest);
  });
});

describe.skipIf(!openssl)('loopback registries: https first', () => {
  let cert: TestCertificate;
  let tls: { key: Buffer; cert: Buffer };
  const servers: RunningRegistry[] = [];
  beforeAll(async () => {
    cert = await makeTestCertificate();
    tls = { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) };
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await cert?.cleanup();
  });
  const listen = async (emu: Emulator, withTls: boolean) => {
    const s = await emu.listen(withTls ? { tls } : {});
    servers.push(s);
    return s;
  };
  const repoOf = (client: RegistryClient, host: string) => new RemoteRepository(client, { host, registry: host, repository: 'tls/app' });

  for (const transport of ['fetch', 'node-http'] as const) {
    describe(`over ${transport}`, () => {
      it('a TLS registry with token auth behind Basic credentials: https to the registry and to its realm', async () => {
        const emu = createEmulator({ auth: { mode: 'token', users } });
        const s = await listen(emu, true);
        const client = new RegistryClient({ transport, caFile: cert.caFile, credentials: async (h) => (h === s.host ? alice : undefined) });
        try {
          const desc = await pushImage(repoOf(client, s.host), 'x', 'v1');
          expect((await repoOf(client, s.host).resolve('v1')).digest).toBe(desc.digest);
          expect(emu.log.some((e) => e.path.startsWith('/token') && e.auth.user === 'alice')).toBe(true);
          expect(emu.log.at(-1)!.auth).toEqual({ scheme: 'Bearer', user: 'alice' });
        } finally {
          await client.close();
        }
      });

      it('a plain-HTTP loopback registry is reached after the TLS attempt fails, and remembered', async () => {
        const emu = createEmulator({ auth: { mode: 'basic', users } });
        const s = await listen(emu, false);
        const client = new RegistryClient({ transport, credentials: async () => alice });
        try {
          await pushImage(repoOf(client, s.host), 'x', 'v1');
          expect(client.baseUrl(s.host)).toBe(`http://${s.host}`);
          const sent = client.requestCount;
          await repoOf(client, s.host).resolve('v1');
          expect(client.requestCount - sent).toBe(1); // no second TLS attempt
        } finally {
          await client.close();
        }
      });

      it('a loopback TLS registry is not downgraded: https is kept, verified with the CA', async () => {
        const emu = createEmulator({ auth: { mode: 'anonymous-token' } });
        const s = await listen(emu, true);
        const client = new RegistryClient({ transport, caFile: cert.caFile });
        try {
          await pushImage(repoOf(client, s.host), 'x', 'v1');
          expect(client.baseUrl(s.host)).toBe(`https://${s.host}`);
        } finally {
          await client.close();
        }
      });

      it('with a CA file there is no fallback to plain http', async () => {
        const s = await listen(createEmulator(), false);
        const client = new RegistryClient({ transport, caFile: cert.caFile, retries: 0 });
        try {
          await expect(repoOf(client, s.host).resolve('v1')).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('--plain-http') });
        } finally {
          await client.close();
        }
      });

      it('plainHttp: false forbids the fallback; plainHttp: true never tries TLS', async () => {
        const plain = await listen(createEmulator(), false);
        const strict = new RegistryClient({ transport, plainHttp: false, retries: 0 });
        const forced = new RegistryClient({ transport, plainHttp: true, retries: 0 });
        try {
          await expect(repoOf(strict, plain.host).resolve('v1')).rejects.toMatchObject({ code: 'NETWORK' });
          await expect(repoOf(forced, plain.host).resolve('v1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
          expect(forced.requestCount).toBe(1);
        } finally {
          await strict.close();
          await forced.close();
        }
      });

      it('an untrusted certificate is TLS_UNTRUSTED, names the fixes, and is never retried', async () => {
        const s = await listen(createEmulator(), true);
        const client = new RegistryClient({ transport, retries: 3 });
        try {
          const err = await repoOf(client, s.host).resolve('v1').catch((e: unknown) => e);
          expect(err).toMatchObject({ code: 'TLS_UNTRUSTED' });
          const message = (err as Error).message;
          for (const fix of ['--ca-file', 'NODE_EXTRA_CA_CERTS', '--insecure']) expect(message).toContain(fix);
          expect(client.requestCount).toBe(1);
          // No fallback to plain http for a server that does speak TLS.
          expect(client.baseUrl(s.host)).toBe(`https://${s.host}`);
        } finally {
          await client.close();
        }
      });

      it('a token realm with an untrusted certificate is TLS_UNTRUSTED too', async () => {
        const other = await makeTestCertificate();
        try {
          const realm = await createEmulator({ auth: { mode: 'anonymous-token' } }).listen({ tls: { key: await readFile(other.keyFile), cert: await readFile(other.certFile) } });
          servers.push(realm);
          // The registry is trusted (its CA is given); the realm it names is not.
          const emu = createEmulator({ auth: { mode: 'anonymous-token', realm: `${realm.url}/token` } });
          const s = await listen(emu, true);
          const client = new RegistryClient({ transport, caFile: cert.caFile, retries: 3 });
          try {
            await expect(repoOf(client, s.host).resolve('v1')).rejects.toMatchObject({ code: 'TLS_UNTRUSTED', message: expect.stringContaining('--ca-file') });
          } finally {
            await client.close();
          }
        } finally {
          await other.cleanup();
        }
      });
    });
  }
});
