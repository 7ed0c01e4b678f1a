import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, isOciError, proxyFromEnv } from '@ocx/oci';
import { dripForever, startHttpServer, startProxy, type TestHttpServer, type TestProxy } from '@ocx/testkit';
import { isCosignError, loadPublicGoodRoot } from '../src/index.ts';

// The TUF client downloads through the injected fetch (the CLI's: proxies and deadlines) and each
// TUF file is one bounded exchange. A mirror on loopback stands in for the CDN: the embedded
// public-good root is seeded for it, so tuf-js walks root versions from there.

const seeds = createRequire(createRequire(import.meta.url).resolve('@sigstore/tuf'))('../seeds.json') as Record<string, { 'root.json': string }>;

describe('Sigstore TUF through ocx fetch', () => {
  let server: TestHttpServer;
  let port: number;
  const paths: string[] = [];
  let proxy: TestProxy;
  let home: string;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url?.startsWith('/drip/')) return dripForever(res, 'application/json', 100000);
      res.writeHead(404).end();
    });
    port = server.port;
    proxy = await startProxy({ hosts: { 'tuf.test': '127.0.0.1' } });
    home = await mkdtemp(join(tmpdir(), 'ocx-tuf-'));
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** A cache for `mirror` seeded with the public-good root, as @sigstore/tuf seeds its own mirror. */
  const seeded = async (mirror: string) => {
    const cachePath = await mkdtemp(join(home, 'c-'));
    const u = new URL(mirror);
    const dir = join(cachePath, encodeURIComponent(u.host + u.pathname.replace(/\/$/, '')));
    await mkdir(join(dir, 'targets'), { recursive: true });
    await writeFile(join(dir, 'root.json'), Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev']!['root.json'], 'base64'));
    return cachePath;
  };

  it('sends TUF requests through HTTP_PROXY', async () => {
    const mirror = `http://tuf.test:${port}/repo`;
    const transport = createTransport({ transport: 'node-http', proxy: proxyFromEnv({ HTTP_PROXY: proxy.url }) });
    try {
      const err = await loadPublicGoodRoot({ cachePath: await seeded(mirror), mirrorURL: mirror, fetch: transport.fetch }).catch((e: unknown) => e);
      // The stand-in mirror has no timestamp.json: the refresh fails after the root walk.
      expect(isCosignError(err, 'INVALID_TRUSTED_ROOT'), String(err)).toBe(true);
    } finally {
      await transport.close();
    }
    const seen = proxy.log.map((e) => `${e.kind} ${e.method} ${e.target}`);
    expect(seen[0]).toMatch(new RegExp(`^absolute GET http://tuf\\.test:${port}/repo/\\d+\\.root\\.json$`));
    expect(seen).toContain(`absolute GET http://tuf.test:${port}/repo/timestamp.json`);
  });

  it('ends a TUF file that drips past the whole deadline with TIMEOUT', async () => {
    const mirror = `http://127.0.0.1:${port}/drip`;
    const transport = createTransport({ transport: 'node-http', proxy: null });
    try {
      const err = await loadPublicGoodRoot({ cachePath: await seeded(mirror), mirrorURL: mirror, fetch: transport.fetch, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(isOciError(err, 'TIMEOUT'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/127\.0\.0\.1:\d+ did not send TUF file \d+\.root\.json completely within 300 ms/);
    } finally {
      await transport.close();
    }
  });
});
