import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isOciError, proxyFromEnv, RegistryClient, RemoteRepository, type Credential } from '@ocx/oci';
import { createEmulator, isCI, makeTestCertificate, pushImage, startProxy, type FaultHook, type RunningRegistry, type TestProxy } from '@ocx/testkit';

// Registry traffic through HTTP(S)_PROXY (issue 8 §2), on both transports: CONNECT tunnels for
// https targets (the proxy sees only host:port), absolute-form for http targets, NO_PROXY bypass,
// proxy credentials only from the proxy URL. The registry is reached as `registry.test:PORT`, a name
// only the proxy resolves (to loopback): ocx, like Go, never proxies localhost or loopback IPs.

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');

const USER = 'alice';
const PASS = 's3cret-pass';
const TOKEN = 'tok-7f3a9c';

/**
 * Bearer auth in front of the emulator: /token refuses wrong Basic credentials (anonymous clients get a
 * token too: ocx sends Basic to a realm only over https or loopback), /v2/ wants the token. The realm
 * names the Host the client used.
 */
const tokenAuth: FaultHook = (req) => {
  const u = new URL(req.url);
  const host = req.headers.get('host') ?? u.host;
  const scheme = req.headers.get('x-forwarded-proto') ?? 'http';
  if (u.pathname === '/token') {
    const auth = req.headers.get('authorization');
    if (auth !== null && auth !== `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`) return new Response('{}', { status: 401 });
    return new Response(JSON.stringify({ token: TOKEN, expires_in: 300 }), { headers: { 'content-type': 'application/json' } });
  }
  if (req.headers.get('authorization') === `Bearer ${TOKEN}`) return undefined;
  return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${scheme}://${host}/token",service="${host}"` },
  });
};

const credentials = async (host: string): Promise<Credential | undefined> => (host.startsWith('registry.test') ? { username: USER, password: PASS } : undefined);

describe.skipIf(!openssl)('registry traffic through a proxy', () => {
  let dir: string;
  let caFile: string;
  let plain: RunningRegistry;
  let tls: Server;
  let tlsPort: number;
  let proxy: TestProxy;
  let authProxy: TestProxy;
  let tlsProxy: TestProxy;
  const clients: RegistryClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-proxy-'));
    const cert = await makeTestCertificate(dir, { dnsNames: ['registry.test'] });
    caFile = cert.caFile;
    const pems = { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) };
    plain = await createEmulator({ faults: tokenAuth }).listen();
    tls = createServer(pems, (req, res) => {
      const up = request({ host: '127.0.0.1', port: plain.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-proto': 'https' } }, (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        u.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((ok) => tls.listen(0, '127.0.0.1', ok));
    tlsPort = (tls.address() as { port: number }).port;
    proxy = await startProxy({ hosts: { 'registry.test': '127.0.0.1' } });
    authProxy = await startProxy({ hosts: { 'registry.test': '127.0.0.1' }, auth: { username: 'proxyuser', password: 'proxy pass' } });
    tlsProxy = await startProxy({ hosts: { 'registry.test': '127.0.0.1' }, tls: pems });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    proxy.log.length = 0;
    authProxy.log.length = 0;
    tlsProxy.log.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await authProxy?.close();
    await tlsProxy?.close();
    await new Promise<void>((ok) => tls?.close(() => ok()));
    await plain?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (transport: 'fetch' | 'node-http', env: Record<string, string>, https: boolean) => {
    const c = new RegistryClient({ transport, proxy: proxyFromEnv(env), credentials, ...(https ? { caFile, plainHttp: false } : { plainHttp: true }), retries: 0 });
    clients.push(c);
    return c;
  };
  const repo = (c: RegistryClient, port: number) => new RemoteRepository(c, { host: `registry.test:${port}`, registry: `registry.test:${port}`, repository: 'proxy/app' });
  const leaks = (p: TestProxy) => JSON.stringify(p.log).match(new RegExp(`${PASS}|${TOKEN}|${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, 'g')) ?? [];

  for (const transport of ['fetch', 'node-http'] as const) {
    describe(`over ${transport}`, () => {
      it('tunnels https registry and token traffic with CONNECT; the proxy sees no credentials', async () => {
        const c = client(transport, { HTTPS_PROXY: proxy.url }, true);
        const desc = await pushImage(repo(c, tlsPort), 'proxy-https', 'v1');
        expect((await repo(c, tlsPort).resolve('v1')).digest).toBe(desc.digest);
        expect(proxy.log.length).toBeGreaterThan(0);
        expect(proxy.log.every((e) => e.kind === 'connect' && e.target === `registry.test:${tlsPort}` && e.status === 200)).toBe(true);
        expect(proxy.log.some((e) => e.cleartextAuthorizationInTunnel)).toBe(false);
        expect(proxy.log.some((e) => e.authorization !== undefined || e.proxyAuthorization !== undefined)).toBe(false);
        expect(leaks(proxy)).toEqual([]);
      });

      it('sends plain-http targets in absolute form to HTTP_PROXY (HTTPS_PROXY does not apply)', async () => {
        const c = client(transport, { HTTP_PROXY: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:9' }, false);
        const desc = await pushImage(repo(c, plain.port), 'proxy-http', 'v1');
        expect((await repo(c, plain.port).resolve('v1')).digest).toBe(desc.digest);
        const targets = proxy.log.map((e) => `${e.kind} ${e.method} ${e.target}`);
        expect(targets).toContain(`absolute GET http://registry.test:${plain.port}/v2/proxy/app/manifests/v1`);
        expect(targets.some((t) => t.includes(`http://registry.test:${plain.port}/token?`))).toBe(true);
        expect(proxy.log.every((e) => e.kind === 'absolute' && e.proxyAuthorization === undefined)).toBe(true);
      });

      it('sends Proxy-Authorization only when the proxy URL carries credentials, never to the registry', async () => {
        const anonymous = client(transport, { HTTPS_PROXY: authProxy.url }, true);
        const err = await repo(anonymous, tlsPort).resolve('v1').catch((e: unknown) => e);
        expect(isOciError(err)).toBe(true);
        expect(authProxy.log.at(-1)).toMatchObject({ kind: 'connect', status: 407 });
        expect(authProxy.log.at(-1)?.proxyAuthorization).toBeUndefined();

        authProxy.log.length = 0;
        const withCreds = client(transport, { HTTPS_PROXY: `http://proxyuser:proxy%20pass@127.0.0.1:${authProxy.port}` }, true);
        await pushImage(repo(withCreds, tlsPort), 'proxy-auth', 'v1');
        const expected = `Basic ${Buffer.from('proxyuser:proxy pass').toString('base64')}`;
        expect(authProxy.log.length).toBeGreaterThan(0);
        expect(authProxy.log.every((e) => e.status === 200 && e.proxyAuthorization === expected)).toBe(true);
        expect(leaks(authProxy)).toEqual([]);
      });

      it('reaches an https proxy over TLS and tunnels through it', async () => {
        expect(tlsProxy.url).toMatch(/^https:/);
        const c = client(transport, { HTTPS_PROXY: tlsProxy.url }, true);
        await pushImage(repo(c, tlsPort), 'proxy-tls', 'v1');
        expect(tlsProxy.log.length).toBeGreaterThan(0);
        expect(tlsProxy.log.every((e) => e.kind === 'connect' && e.status === 200 && !e.cleartextAuthorizationInTunnel)).toBe(true);
      });

      it('bypasses the proxy for NO_PROXY hosts (and always for loopback)', async () => {
        const c = client(transport, { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'example.org,.test' }, false);
        // Direct: registry.test does not resolve outside the proxy, so the request fails without reaching it.
        const err = await repo(c, plain.port).resolve('v1').catch((e: unknown) => e);
        expect(isOciError(err, 'NETWORK')).toBe(true);
        // Loopback never goes through a proxy (Go's httpproxy rule).
        const loop = new RemoteRepository(c, { host: plain.host, registry: plain.host, repository: 'proxy/loop' });
        await pushImage(loop, 'proxy-loop', 'v1');
        expect(proxy.log).toEqual([]);
      });
    });
  }
});
