import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedExchange, isOciError, OciError, parseTimeouts, RegistryClient, RemoteRepository, type Timeouts } from '@ocx/oci';
import { startHttpServer, type TestHttpServer } from '@ocx/testkit';

// Deadlines (issue 10 item 2): a server that sends headers and then one byte at a time holds no
// exchange past its deadline; a blob body has only the idle bound; a timed-out exchange is not
// retried; the message names the host, what was being read and the bound. Short deadlines keep the
// test quick; no assertion is about elapsed time.

const BLOB = Buffer.from('0123456789');
const BLOB_DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const SUBJECT = `sha256:${'a'.repeat(64)}`;

describe('deadlines', () => {
  let server: TestHttpServer;
  let host: string;
  const hits = new Map<string, number>();

  /** Headers now, then `body` one byte every `everyMs`, stopping after `stopAfter` bytes (never ending). */
  const drip = (res: ServerResponse, type: string, body: Buffer, everyMs: number, stopAfter = body.length) => {
    res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) });
    let i = 0;
    const t = setInterval(() => {
      if (i >= stopAfter || res.destroyed) return void clearInterval(t);
      res.write(body.subarray(i, i + 1));
      i++;
      if (i === body.length) {
        clearInterval(t);
        res.end();
      }
    }, everyMs);
    res.on('close', () => clearInterval(t));
  };

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/v2/') return void res.writeHead(200).end();
      if (path.endsWith('/manifests/slow')) return drip(res, 'application/vnd.oci.image.manifest.v1+json', Buffer.alloc(4000, 0x20), 50);
      if (path.endsWith('/manifests/silent')) return; // never answers
      if (path.includes('/referrers/')) return drip(res, 'application/vnd.oci.image.index.v1+json', Buffer.alloc(4000, 0x20), 50);
      if (path.endsWith('/tags/list')) return drip(res, 'application/json', Buffer.alloc(4000, 0x20), 50);
      if (path.endsWith(`/blobs/${BLOB_DIGEST}`)) return drip(res, 'application/octet-stream', BLOB, 60);
      if (path.endsWith('/blobs/stalls')) return drip(res, 'application/octet-stream', BLOB, 10, 3);
      if (path.startsWith('/v2/tok/')) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="t"` });
        return void res.end();
      }
      if (path === '/token') return drip(res, 'application/json', Buffer.from(`{"token":"${'x'.repeat(3000)}"}`), 50);
      if (path === '/huge-token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 4 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        return more();
      }
      res.writeHead(404).end();
    });
    host = server.host;
  });
  afterAll(() => server.close());

  // Whole deadlines short, the idle bound long: a slow machine delaying the drip cannot change which fires.
  const timeouts: Partial<Timeouts> = { metadataMs: 400, exchangeMs: 400, idleMs: 5000 };
  const expectTimeout = async (p: Promise<unknown>, ...parts: (string | RegExp)[]) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOciError(err, 'TIMEOUT'), String(err)).toBe(true);
    for (const part of parts) expect((err as OciError).message).toMatch(part);
  };

  for (const transport of ['fetch', 'node-http'] as const) {
    describe(`over ${transport}`, () => {
      const open = (repository: string, t: Partial<Timeouts> = timeouts) => {
        const client = new RegistryClient({ transport, proxy: null, plainHttp: true, timeouts: t });
        return { client, repo: new RemoteRepository(client, { host, registry: host, repository }) };
      };

      it('ends a manifest that drips past the whole deadline, without retrying', async () => {
        const { client, repo } = open(`${transport}/m`);
        await expectTimeout(repo.resolve('slow'), host, `manifest ${transport}/m:slow`, '400 ms');
        expect(hits.get(`/v2/${transport}/m/manifests/slow`)).toBe(1);
        await client.close();
      });

      it('ends a manifest request whose headers never come after the idle bound', async () => {
        const { client, repo } = open(`${transport}/s`, { idleMs: 300, metadataMs: 10_000 });
        await expectTimeout(repo.resolve('silent'), host, 'no response headers', '300 ms');
        expect(hits.get(`/v2/${transport}/s/manifests/silent`)).toBe(1);
        await client.close();
      });

      it('ends a referrers listing and a tag list that drip past the whole deadline', async () => {
        const { client, repo } = open(`${transport}/r`);
        const list = async () => {
          for await (const page of repo.referrers({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: SUBJECT, size: 1 })) void page;
        };
        await expectTimeout(list(), host, `referrers listing of ${transport}/r@${SUBJECT}`);
        const tags = async () => {
          for await (const page of repo.tags()) void page;
        };
        await expectTimeout(tags(), host, `tag list of ${transport}/r`);
        await client.close();
      });

      it('lets a blob body take longer than the metadata deadline while bytes keep coming', async () => {
        const { client, repo } = open(`${transport}/b`, { metadataMs: 200, idleMs: 2000 });
        const stream = await repo.fetchStream({ mediaType: 'application/octet-stream', digest: BLOB_DIGEST, size: BLOB.length });
        const parts: Uint8Array[] = [];
        for await (const c of stream) parts.push(c);
        expect(Buffer.concat(parts)).toEqual(BLOB);
        await client.close();
      });

      it('ends a blob body that stalls after the idle bound', async () => {
        const { client, repo } = open(`${transport}/st`, { idleMs: 300 });
        // The stalling blob is served under its own path.
        const stall = async () => {
          const res = await client.request(host, { method: 'GET', url: `/v2/${transport}/st/blobs/stalls`, repository: `${transport}/st` });
          for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) void c;
        };
        await expectTimeout(stall(), host, 'sent nothing for 300 ms', `blob stalls of ${transport}/st`);
        await client.close();
      });

      it('bounds the token exchange as a whole and does not retry it', async () => {
        const { client, repo } = open(`tok/${transport}`);
        const before = hits.get('/token') ?? 0;
        await expectTimeout(repo.resolve('v1'), host, /a token for/, '400 ms');
        expect((hits.get('/token') ?? 0) - before).toBe(1);
        await client.close();
      });
    });
  }

  it('caps a token answer while reading it, whatever it declares', async () => {
    const err = await boundedExchange(fetch, { url: `http://${host}/huge-token`, wholeMs: 10_000, maxBytes: 1024 * 1024, what: 'a token' }).catch((e: unknown) => e);
    expect(isOciError(err, 'TOO_LARGE'), String(err)).toBe(true);
  });

  it('parses --timeout: a bare duration sets every bound, KIND=DURATION one', () => {
    expect(parseTimeouts('2m')).toEqual({ connectMs: 120_000, exchangeMs: 120_000, metadataMs: 120_000, idleMs: 120_000 });
    expect(parseTimeouts('connect=5s, idle=1.5m,metadata=500ms')).toEqual({ connectMs: 5000, idleMs: 90_000, metadataMs: 500 });
    expect(parseTimeouts('45')).toMatchObject({ exchangeMs: 45_000 });
    expect(() => parseTimeouts('soon')).toThrow(/not a duration/);
    expect(() => parseTimeouts('blob=3s')).toThrow(/unknown kind/);
  });
});
