import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from './emulator/emulator.ts';
import { repoRoot } from './fixtures.ts';
import { isCI } from './proc.ts';
import { makeTestCertificate, type TestCertificate } from './tls.ts';

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');
if (!openssl) console.warn('skipping TLS emulator tests: openssl not found');

function httpsGet(url: string, ca: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

describe.skipIf(!openssl)('emulator over TLS', () => {
  let cert: TestCertificate;
  beforeAll(async () => {
    cert = await makeTestCertificate();
  });
  afterAll(async () => {
    await cert?.cleanup();
  });

  it('mints a CA and a leaf for 127.0.0.1 and localhost', async () => {
    const text = spawnSync('openssl', ['x509', '-in', cert.certFile, '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('DNS:localhost');
    expect(spawnSync('openssl', ['verify', '-CAfile', cert.caFile, cert.certFile]).status).toBe(0);
  });

  it('serves https with the certificate; trusted with the CA, refused without', async () => {
    const reg = createEmulator({ auth: { mode: 'anonymous-token' } });
    const server = await reg.listen({ tls: { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) } });
    try {
      expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
      const ca = await readFile(cert.caFile, 'utf8');
      const res = await httpsGet(`${server.url}/v2/`, ca);
      expect(res.status).toBe(401);
      // The realm is this server's own https origin.
      expect(res.headers['www-authenticate']).toContain(`realm="${server.url}/token"`);
      expect((await httpsGet(`https://localhost:${server.port}/token?scope=repository:r:pull`, ca)).status).toBe(200);
      await expect(httpsGet(`${server.url}/v2/`, undefined)).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    } finally {
      await server.close();
    }
  });

  it('`pnpm registry -- --auth token:U:P --tls` prints the URL and the CA file', async () => {
    const child = spawn(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', 'packages/testkit/src/bin/registry.ts', '--', '--auth', 'token:u:p:w', '--tls'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const url = (await lines.next()).value as string;
      const caFile = (await lines.next()).value as string;
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await readFile(caFile, 'utf8');
      const auth = `Basic ${Buffer.from('u:p:w').toString('base64')}`;
      expect((await httpsGet(`${url}/token?scope=repository:r:pull`, ca, { authorization: auth })).status).toBe(200);
      expect((await httpsGet(`${url}/token?scope=repository:r:pull`, ca)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('`pnpm registry` answers a bad --auth with usage, not a stack', () => {
    const r = spawnSync(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', 'packages/testkit/src/bin/registry.ts', '--', '--auth', 'weird'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/--auth expects/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
