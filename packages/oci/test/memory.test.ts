import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, memoryContentCache, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, pushImage, pushManifest } from '@ocx/testkit';

// issue 10 item 5: what ocx keeps in memory is bounded by bytes, not by a count a registry controls.

const HOST = '127.0.0.1:5997';
const MiB = 1024 * 1024;

async function pushLarge(repo: RemoteRepository, n: number, bytes: number) {
  const base = await pushImage(repo, 'base');
  const body = JSON.parse(new TextDecoder().decode(await repo.fetch(base))) as Record<string, unknown>;
  const out = [];
  for (let i = 0; i < n; i++) out.push(await pushManifest(repo, { ...body, annotations: { i: String(i), pad: 'x'.repeat(bytes) } }));
  return out;
}

describe('manifest memory is bounded by bytes', () => {
  it('the default budget is 64 MiB', () => {
    expect(DEFAULT_LIMITS.maxManifestCacheBytes).toBe(64 * MiB);
  });

  it('pushing and reading many large manifests keeps the cache under the default budget', async () => {
    const emu = createEmulator();
    const client = new RegistryClient({ fetch: emu.fetch });
    const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'mem/app' });
    const pushed = await pushLarge(repo, 24, 3.5 * MiB);
    expect(client.manifestCache.bytes).toBeLessThanOrEqual(64 * MiB);
    expect(client.manifestCache.bytes).toBeGreaterThan(32 * MiB);
    for (const d of pushed) await repo.fetch(d);
    expect(client.manifestCache.bytes).toBeLessThanOrEqual(64 * MiB);
  }, 120_000);

  it('a small budget evicts the oldest, and an evicted manifest is fetched (and verified) again', async () => {
    const emu = createEmulator();
    const client = new RegistryClient({ fetch: emu.fetch, limits: { maxManifestCacheBytes: MiB } });
    const repo = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'mem/small' });
    const pushed = await pushLarge(repo, 12, 200 * 1024);
    expect(client.manifestCache.bytes).toBeLessThanOrEqual(MiB);
    emu.clearLog();
    await repo.fetch(pushed.at(-1)!);
    expect(emu.log).toHaveLength(0);
    await repo.fetch(pushed[0]!);
    expect(emu.log.filter((e) => e.path.endsWith(pushed[0]!.digest))).toHaveLength(1);
    expect(client.manifestCache.bytes).toBeLessThanOrEqual(MiB);
  });

  it('one repository cannot answer for another from the shared cache', async () => {
    const emu = createEmulator();
    const client = new RegistryClient({ fetch: emu.fetch });
    const a = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'mem/a' });
    const b = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'mem/b' });
    const d = await pushImage(a, 'only-in-a');
    await expect(b.resolve(d.digest)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the in-memory content cache is bounded by bytes too', async () => {
    const cache = memoryContentCache(MiB, 2 * MiB);
    for (let i = 0; i < 10; i++) await cache.put(`sha256:${String(i).padStart(64, '0')}`, new Uint8Array(512 * 1024));
    expect(cache.bytes).toBeLessThanOrEqual(2 * MiB);
  });
});
