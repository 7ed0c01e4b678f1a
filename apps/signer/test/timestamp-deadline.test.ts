import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, isOciError, proxyFromEnv } from '@ocx/oci';
import { isSignerError, requestTimestamp } from '@ocx/signer';
import { dripForever, startHttpServer, startProxy, type TestHttpServer, type TestProxy } from '@ocx/testkit';
import { startTsa, type TestTsa } from './notation-tsa.ts';

// The TSA exchange is bounded as a whole, capped while reading (issue 10 item 2) and goes through
// HTTP_PROXY like every other request (issue 8 §2).

describe('TSA exchange', () => {
  let slow: TestHttpServer;
  let base: string;
  let tsa: TestTsa;
  let proxy: TestProxy;

  beforeAll(async () => {
    slow = await startHttpServer((req, res) => {
      if (req.url === '/drip') return dripForever(res, 'application/timestamp-reply', 5000, 'x');
      // /huge: no Content-Length, 2 MiB of bytes.
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
      res.end(Buffer.alloc(2 * 1024 * 1024, 1));
    });
    base = slow.url;
    tsa = await startTsa();
    proxy = await startProxy({ hosts: { 'tsa.test': '127.0.0.1' } });
  }, 60_000);
  afterAll(async () => {
    await slow?.close();
    await tsa?.close();
    await proxy?.close();
  });

  it('ends a TSA answer that drips past the whole deadline with TIMEOUT naming the TSA', async () => {
    const err = await requestTimestamp(new Uint8Array([1]), { url: `${base}/drip`, hash: 'sha256', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isOciError(err, 'TIMEOUT'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/TSA .*\/drip.*timestamp answer.*300 ms/);
  });

  it('refuses an oversized TSA answer while reading it', async () => {
    const err = await requestTimestamp(new Uint8Array([1]), { url: `${base}/huge`, hash: 'sha256' }).catch((e: unknown) => e);
    expect(isSignerError(err, 'TIMESTAMP_FAILED') && (err as Error).message).toMatch(/above 1048576 bytes/);
  });

  it('reaches the TSA through HTTP_PROXY', async () => {
    const port = new URL(tsa.url).port;
    const transport = createTransport({ transport: 'node-http', proxy: proxyFromEnv({ HTTP_PROXY: proxy.url }) });
    try {
      const url = `http://tsa.test:${port}/tsa`;
      const { verified } = await requestTimestamp(new Uint8Array([7, 7]), { url, hash: 'sha256', rootCertificates: tsa.rootPem, fetch: transport.fetch as typeof fetch });
      expect(verified).toBeDefined();
      expect(proxy.log).toEqual([expect.objectContaining({ kind: 'absolute', method: 'POST', target: url, status: 200 })]);
    } finally {
      await transport.close();
    }
  });
});
