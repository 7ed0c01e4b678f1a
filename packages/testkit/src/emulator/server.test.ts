import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures.ts';
import { createEmulator } from './emulator.ts';
import { sha256 } from './test-helpers.ts';

describe('node:http server', () => {
  it('streams a large blob through a chunked upload and back', async () => {
    const emulator = createEmulator();
    const server = await emulator.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(server.host).toBe(`127.0.0.1:${server.port}`);
      const chunk = randomBytes(16 * 1024 * 1024);
      const chunks = 8; // 128 MiB in total
      const hash = createHash('sha256');
      for (let i = 0; i < chunks; i++) hash.update(chunk);
      const digest = `sha256:${hash.digest('hex')}`;
      const post = await fetch(`${server.url}/v2/big/blobs/uploads/`, { method: 'POST' });
      let loc = post.headers.get('location')!;
      for (let i = 0; i < chunks; i++) {
        const start = i * chunk.byteLength;
        const res = await fetch(new URL(loc, server.url), {
          method: 'PATCH',
          headers: { 'content-range': `${start}-${start + chunk.byteLength - 1}`, 'content-type': 'application/octet-stream' },
          body: chunk,
        });
        expect(res.status).toBe(202);
        loc = res.headers.get('location')!;
      }
      const put = await fetch(new URL(`${loc}?digest=${digest}`, server.url), { method: 'PUT' });
      expect(put.status).toBe(201);
      const get = await fetch(`${server.url}/v2/big/blobs/${digest}`);
      expect(get.headers.get('content-length')).toBe(String(chunks * chunk.byteLength));
      const back = createHash('sha256');
      let size = 0;
      for await (const part of get.body as unknown as AsyncIterable<Uint8Array>) {
        back.update(part);
        size += part.byteLength;
      }
      expect(size).toBe(chunks * chunk.byteLength);
      expect(`sha256:${back.digest('hex')}`).toBe(digest);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('keeps the connection usable after answering without reading the body', async () => {
    const emulator = createEmulator();
    const server = await emulator.listen();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/v2/BAD/blobs/uploads/?digest=${sha256('x')}`, { method: 'POST', body: 'x'.repeat(100_000) });
        expect(res.status).toBe(400);
        await res.arrayBuffer();
      }
    } finally {
      await server.close();
    }
  });

  it('pnpm registry: prints its URL first, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@ocx/source', '--import', 'tsx', 'packages/testkit/src/bin/registry.ts', '--', '--port', '0', '--no-referrers-api', '--latency-ms', '1', '--page-size', '5'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`registry exited early (${code})`)));
      });
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${first}/v2/`)).status).toBe(200);
      // --no-referrers-api: distribution 2.8 behaviour.
      expect((await fetch(`${first}/v2/repo/referrers/${sha256('x')}`)).status).toBe(404);
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
