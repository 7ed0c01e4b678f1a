import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciError, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, isCI, makeTestCertificate, pushImage } from '@ocx/testkit';

// TLS: a registry with a private CA is reached with --ca-file, refused without it, and reached with
// --insecure. The emulator sits behind an HTTPS forwarder with a certificate made by openssl (testkit's makeTestCertificate).

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');

describe.skipIf(!openssl)('TLS to a registry', () => {
  let dir: string;
  let server: Server;
  let host: string;
  let caFile: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-tls-'));
    const cert = await makeTestCertificate(dir);
    caFile = cert.caFile;
    const emu = createEmulator();
    const plain = await emu.listen();
    server = createServer({ key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) }, (req, res) => {
      // Forward to the plain-HTTP emulator.
      const up = request({ host: '127.0.0.1', port: plain.port, path: req.url, method: req.method, headers: req.headers }, (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        u.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    host = `127.0.0.1:${port}`;
    close = async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plain.close();
    };
  });
  afterAll(async () => {
    await close?.();
    await rm(dir, { recursive: true, force: true });
  });

  const repo = (client: RegistryClient) => new RemoteRepository(client, { host, registry: host, repository: 'tls/app' });

  for (const transport of ['fetch', 'node-http'] as const) {
    describe(`over ${transport}`, () => {
      it('trusts a private CA given as a file', async () => {
        const client = new RegistryClient({ transport, plainHttp: false, caFile });
        const desc = await pushImage(repo(client), 'tls', 'v1');
        expect((await repo(client).resolve('v1')).digest).toBe(desc.digest);
        await client.close();
      });

      it('refuses an untrusted certificate with TLS_UNTRUSTED (configuration, not a network blip)', async () => {
        const client = new RegistryClient({ transport, plainHttp: false, retries: 0 });
        await expect(repo(client).resolve('v1')).rejects.toMatchObject({ code: 'TLS_UNTRUSTED' });
        await expect(repo(client).resolve('v1')).rejects.toBeInstanceOf(OciError);
        await client.close();
      });

      it('skips verification with insecure', async () => {
        const client = new RegistryClient({ transport, plainHttp: false, insecure: true });
        await repo(client).resolve('v1');
        await client.close();
      });
    });
  }
});
