import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { boundedFetch } from './http.ts';
import { startServer } from './testpki.ts';

describe('boundedFetch', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    srv = await startServer((req, body, res) => {
      if (req.url === '/echo') res.writeHead(200, { 'x-type': req.headers['content-type'] ?? '' }).end(body);
      else if (req.url === '/chunked') {
        res.writeHead(200);
        for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024));
        res.end();
      } else if (req.url === '/slow-body') {
        res.writeHead(200);
        res.write('x'); // then stalls
      } else res.writeHead(404).end();
    });
  });
  afterAll(() => srv.close());

  const base = { method: 'GET' as const, timeoutMs: 1000, maxBytes: 4096 };

  it('POSTs the body with its content type', async () => {
    const out = await boundedFetch(fetch, { ...base, url: `${srv.url}/echo`, method: 'POST', body: new Uint8Array([1, 2, 3]), contentType: 'application/ocsp-request' });
    expect([...out]).toEqual([1, 2, 3]);
    expect(srv.requests.at(-1)).toMatchObject({ method: 'POST', url: '/echo' });
  });

  it('caps a streamed body without a content length, and times out a stalled body', async () => {
    await expect(boundedFetch(fetch, { ...base, url: `${srv.url}/chunked` })).rejects.toThrow(/exceeds the 4096-byte limit/);
    const err = await boundedFetch(fetch, { ...base, url: `${srv.url}/slow-body`, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(isNotationError(err, 'REVOCATION')).toBe(true);
    expect((err as Error).message).toMatch(/timed out after 150 ms/);
  });

  it('reports the HTTP status and refuses non-http URLs', async () => {
    await expect(boundedFetch(fetch, { ...base, url: `${srv.url}/nope` })).rejects.toThrow(/HTTP status 404/);
    await expect(boundedFetch(fetch, { ...base, url: 'ldap://127.0.0.1/x' })).rejects.toThrow(/only http and https/);
  });
});
