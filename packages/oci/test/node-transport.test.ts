import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestHttpServer } from '@ocx/testkit';
import { createNodeTransport } from '../src/remote/node-transport.ts';

// The CLI's transport hands out bodies that read like a web ReadableStream without Node's web-stream
// adapter: whole reads, early exits, cancels and broken connections must behave as fetch's do.

const CHUNK = Buffer.alloc(64 * 1024, 7);
const CHUNKS = 32;

describe('node:http transport bodies', () => {
  let server: TestHttpServer;
  let base: string;
  let closedResponses = 0;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      res.on('close', () => closedResponses++);
      if (req.url === '/break') {
        res.writeHead(200, { 'content-length': String(CHUNK.length * CHUNKS) });
        res.write(CHUNK, () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      res.writeHead(200, { 'content-length': String(CHUNK.length * CHUNKS) });
      let i = 0;
      const more = () => {
        while (i < CHUNKS) {
          i++;
          if (!res.write(CHUNK)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    base = server.url;
  });
  afterAll(() => server.close());

  it('reads a whole body through arrayBuffer(), async iteration and getReader()', async () => {
    const t = createNodeTransport();
    const a = await t.fetch(`${base}/`);
    expect((await a.arrayBuffer()).byteLength).toBe(CHUNK.length * CHUNKS);
    const b = await t.fetch(`${base}/`);
    let n = 0;
    for await (const c of b.body as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
    expect(n).toBe(CHUNK.length * CHUNKS);
    const c = await t.fetch(`${base}/`);
    const reader = c.body!.getReader();
    let m = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) m += r.value.byteLength;
    expect(m).toBe(CHUNK.length * CHUNKS);
    await t.close();
  });

  it('a body is read once: a second reader is refused', async () => {
    const t = createNodeTransport();
    const res = await t.fetch(`${base}/`);
    res.body!.getReader();
    expect(() => res.body!.getReader()).toThrow(TypeError);
    await res.body!.cancel();
    await t.close();
  });

  it('leaving an iteration early or cancelling ends the response', async () => {
    const t = createNodeTransport();
    const before = closedResponses;
    const res = await t.fetch(`${base}/`);
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
      expect(c.byteLength).toBeGreaterThan(0);
      break;
    }
    const other = await t.fetch(`${base}/`);
    await other.body!.cancel();
    await expect.poll(() => closedResponses - before, { timeout: 2000 }).toBe(2);
    await t.close();
  });

  it('a connection that breaks mid-body rejects the read', async () => {
    const t = createNodeTransport();
    const res = await t.fetch(`${base}/break`);
    await expect(res.arrayBuffer()).rejects.toThrow();
    await t.close();
  });
});
