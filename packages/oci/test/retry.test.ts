import { describe, expect, it } from 'vitest';
import { collectReferrers, OciError, RegistryClient, RemoteRepository, type RegistryClientOptions } from '@ocx/oci';
import { cannedFaults, createEmulator, pushImage, pushReferrer, type Emulator } from '@ocx/testkit';

// issue 10 item 3: transient answers on /referrers are retried (bounded, with backoff and jitter,
// Retry-After honoured up to 10 s) and never read as "this registry has no referrers API".

const HOST = '127.0.0.1:5998';
const REFERRERS = /\/referrers\//;

type Fetch = Emulator['fetch'];

async function setup(options: { referrersApi?: boolean } = {}, clientOptions: Partial<RegistryClientOptions> = {}, wrap: (f: Fetch) => Fetch = (f) => f) {
  const emu = createEmulator({ referrersApi: options.referrersApi ?? true });
  const sleeps: number[] = [];
  const make = () => new RegistryClient({ fetch: wrap(emu.fetch), sleep: async (ms: number) => void sleeps.push(ms), ...clientOptions });
  const client = make();
  const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'retry/app' });
  const subject = await pushImage(repo, 's', 'v1');
  const ref = await pushReferrer(repo, subject, 'application/vnd.example.sig');
  // A fresh client: nothing learned about the host from the pushes above.
  const fresh = make();
  const r = new RemoteRepository(fresh, { host: HOST, registry: HOST, repository: 'retry/app' });
  emu.clearLog();
  sleeps.length = 0;
  return { emu, client: fresh, repo: r, subject, ref, sleeps };
}

async function failure(p: Promise<unknown>): Promise<OciError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OciError);
    return err as OciError;
  }
  throw new Error('expected a typed error, got an answer');
}

const referrerCalls = (emu: { log: readonly { path: string }[] }) => emu.log.filter((e) => REFERRERS.test(e.path)).length;
const tagSchemaCalls = (emu: { log: readonly { path: string }[] }) => emu.log.filter((e) => /\/manifests\/sha256-/.test(e.path)).length;

describe('referrers listing under transient failures', () => {
  for (const status of [500, 502, 503, 504, 429]) {
    it(`${status} twice then 200: retried, the API answers`, async () => {
      const { emu, client, repo, subject, ref, sleeps } = await setup();
      emu.setFaults(cannedFaults.status(status, REFERRERS, { times: 2 }));
      const listed = await collectReferrers(repo.referrers(subject));
      expect(listed.map((d) => d.digest)).toEqual([ref.digest]);
      expect(repo.referrersMode).toBe('referrers-api');
      expect(referrerCalls(emu)).toBe(3);
      expect(sleeps).toHaveLength(2);
      expect(await client.capability.get(HOST)).toBe('supported');
    });
  }

  for (const status of [500, 503, 429]) {
    it(`${status} on every attempt: UNAVAILABLE after 3 attempts, no fallback, nothing cached`, async () => {
      const { emu, client, repo, subject } = await setup();
      emu.setFaults(cannedFaults.status(status, REFERRERS));
      const err = await failure(collectReferrers(repo.referrers(subject)));
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toMatch(new RegExp(`answered ${status} on each of 3 attempts over \\d+\\.\\d s`));
      expect(err.message).toMatch(/\/referrers\/sha256:/);
      expect(referrerCalls(emu)).toBe(3);
      expect(tagSchemaCalls(emu)).toBe(0);
      expect(await client.capability.get(HOST)).toBe('unknown');
    });
  }

  it('a registry whose tag schema holds the referrers still answers 5xx on /referrers: an error, not "no referrers"', async () => {
    const { emu, repo, subject } = await setup({ referrersApi: false });
    emu.setReferrersApi(true);
    emu.setFaults(cannedFaults.status(503, REFERRERS));
    expect((await failure(collectReferrers(repo.referrers(subject)))).code).toBe('UNAVAILABLE');
  });

  it('Retry-After in seconds is honoured', async () => {
    const { emu, repo, subject, sleeps } = await setup();
    emu.setFaults(cannedFaults.status(429, REFERRERS, { times: 1, headers: { 'retry-after': '3' } }));
    await collectReferrers(repo.referrers(subject));
    expect(sleeps).toEqual([3000]);
  });

  it('Retry-After as an HTTP-date is honoured', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const { emu, repo, subject, sleeps } = await setup({}, { now: () => now });
    emu.setFaults(cannedFaults.status(503, REFERRERS, { times: 1, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' } }));
    await collectReferrers(repo.referrers(subject));
    expect(sleeps).toEqual([7000]);
  });

  it('a Retry-After over 10 s ends at once with a message that says so', async () => {
    const { emu, repo, subject, sleeps } = await setup();
    emu.setFaults(cannedFaults.status(429, REFERRERS, { headers: { 'retry-after': '120' } }));
    const err = await failure(collectReferrers(repo.referrers(subject)));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toMatch(/retry after 120\.0 s, more than 10\.0 s/);
    expect(referrerCalls(emu)).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('backoff grows and carries jitter', async () => {
    const { emu, repo, subject, sleeps } = await setup({}, { random: () => 0.25 });
    emu.setFaults(cannedFaults.status(502, REFERRERS));
    await failure(collectReferrers(repo.referrers(subject)));
    expect(sleeps).toEqual([150, 300]);
  });

  it('connection resets are retried, then a NETWORK error naming the attempts', async () => {
    let resets = 2;
    // A reset is the transport failing, below any HTTP answer: wrap the injected fetch.
    const { repo, subject, ref } = await setup({}, {}, (f) => async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (REFERRERS.test(url) && resets-- > 0) throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
      return f(input, init);
    });
    expect((await collectReferrers(repo.referrers(subject))).map((d) => d.digest)).toEqual([ref.digest]);
    resets = 100;
    const err = await failure(collectReferrers(repo.referrers(subject)));
    expect(err.code).toBe('NETWORK');
    expect(err.message).toMatch(/tried 3 times over/);
  });

  for (const status of [404, 400, 405]) {
    it(`${status} means "no referrers API": the tag schema answers`, async () => {
      const { emu, client, repo, subject } = await setup({ referrersApi: false });
      emu.setFaults(cannedFaults.status(status, REFERRERS));
      await collectReferrers(repo.referrers(subject));
      expect(repo.referrersMode).toBe('tag-schema');
      expect(await client.capability.get(HOST)).toBe('unsupported');
    });
  }

  for (const status of [406, 501]) {
    it(`${status} is a registry error, not "no API"`, async () => {
      const { emu, client, repo, subject } = await setup();
      emu.setFaults(cannedFaults.status(status, REFERRERS));
      const err = await failure(collectReferrers(repo.referrers(subject)));
      expect(err.code).toBe('REGISTRY_ERROR');
      expect(tagSchemaCalls(emu)).toBe(0);
      expect(await client.capability.get(HOST)).toBe('unknown');
    });
  }
});

describe('idempotent writes are retried', () => {
  it('a manifest PUT answered 503 once is sent again', async () => {
    const { emu, client, subject } = await setup();
    const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'retry/app' });
    emu.setFaults(cannedFaults.status(503, (req) => req.method === 'PUT' && /\/manifests\//.test(req.url), { times: 1 }));
    await pushReferrer(repo, subject, 'application/vnd.example.again');
    expect(emu.log.filter((e) => e.method === 'PUT' && /\/manifests\/sha256:/.test(e.path)).map((e) => e.status)).toEqual([503, 201]);
  });

  it('a blob upload whose PUT answered 500 once is completed', async () => {
    const { emu, client } = await setup();
    const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'retry/blobs' });
    emu.setFaults(cannedFaults.status(500, (req) => req.method === 'PUT' && /\/blobs\/uploads\//.test(req.url), { times: 1 }));
    const desc = await pushImage(repo, 'blobby', 'v1');
    expect(await repo.exists(desc)).toBe(true);
    expect(emu.log.filter((e) => e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path)).map((e) => e.status)[0]).toBe(500);
  });

  it('a POST (not idempotent) is not retried', async () => {
    const { emu, client } = await setup();
    const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'retry/post' });
    emu.setFaults(cannedFaults.status(503, (req) => req.method === 'POST', {}));
    const err = await failure(pushImage(repo, 'nope', 'v1'));
    expect(err.code).toBe('UNAVAILABLE');
    expect(emu.log.filter((e) => e.method === 'POST')).toHaveLength(1);
  });
});
