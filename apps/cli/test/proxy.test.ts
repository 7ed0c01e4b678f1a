import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFromEnv, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, freePort, isCI, makeTestCertificate, pushImage, startProxy, type RunningRegistry, type TestProxy } from '@ocx/testkit';
import { makeOcspResponse, makeTestCa, startServer, type TestCa } from '../../../packages/notation/src/revocation/testpki.ts';
import { ocx } from './cli.ts';
import { makeNotationConfig } from './notation-helpers.ts';

// Issue 8 acceptance: `ocx verify` of a cosign-signed and a notation-signed artifact on a TLS
// registry with token auth, reached through a CONNECT proxy, passes; the proxy saw the CONNECTs
// (registry and token realm), the OCSP requests in absolute form, and no credentials. The registry
// is `registry.test:PORT` and the OCSP responder `ocsp.test:PORT`: names only the proxy resolves
// (ocx, like Go, never sends loopback traffic to a proxy).

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');

const USER = 'alice';
const PASS = 'pr0xy-test-secret';
const pem = (label: string, der: Uint8Array | ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der as Uint8Array).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

describe.skipIf(!openssl)('ocx through an HTTPS proxy', () => {
  let dir: string;
  let caFile: string;
  let reg: RunningRegistry;
  let proxy: TestProxy;
  let ocspServer: Awaited<ReturnType<typeof startServer>>;
  let ca: TestCa;
  let host: string;
  let notationConfig: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-proxy-cli-'));
    const cert = await makeTestCertificate(dir, { dnsNames: ['registry.test'] });
    caFile = cert.caFile;

    // The token realm names the registry's public name, so token requests take the proxy too.
    const port = await freePort();
    host = `registry.test:${port}`;
    reg = await createEmulator({ auth: { mode: 'token', users: { [USER]: PASS }, realm: `https://${host}/token` } }).listen({ port, tls: { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) } });
    proxy = await startProxy({ hosts: { 'registry.test': '127.0.0.1', 'ocsp.test': '127.0.0.1' } });

    // Notation: a CA whose leaf names an OCSP responder behind the proxy; strict revocation.
    ocspServer = await startServer((_req, _body, res) => {
      const now = Date.now();
      void makeOcspResponse(ca.root, ca.rootKey.privateKey, 2, { status: 'good', thisUpdate: new Date(now - 3600_000), nextUpdate: new Date(now + 3600_000) }).then((b) =>
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(b),
      );
    });
    ca = await makeTestCa({ ocsp: `http://ocsp.test:${new URL(ocspServer.url).port}/ocsp` });
    await writeFile(join(dir, 'leaf.key'), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', ca.leafKey.privateKey)));
    await writeFile(join(dir, 'chain.pem'), pem('CERTIFICATE', ca.leaf) + pem('CERTIFICATE', ca.root));
    await writeFile(join(dir, 'root.pem'), pem('CERTIFICATE', ca.root));
    notationConfig = await makeNotationConfig(
      { version: '1.0', trustPolicies: [{ name: 'proxy', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:proxy'], trustedIdentities: ['*'] }] },
      { 'ca:proxy': [join(dir, 'root.pem')] },
    );
    // cosign: a key pair, the signature without a transparency log.
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, 'cosign.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'cosign.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));

    env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '', no_proxy: '', OCX_USERNAME: USER, OCX_PASSWORD: PASS };
    const client = new RegistryClient({ proxy: proxyFromEnv(env), caFile, credentials: async (h) => (h === host ? { username: USER, password: PASS } : undefined) });
    try {
      await pushImage(new RemoteRepository(client, { host, registry: host, repository: 'app' }), 'proxy-cli', 'v1');
    } finally {
      await client.close();
    }
    const ref = `${host}/app:v1`;
    const cosign = await ocx(['package', 'sign', ref, '--key', join(dir, 'cosign.key'), '--tlog-upload=false', '--ca-file', caFile, '--no-cache'], env);
    expect(cosign.code, cosign.stdout + cosign.stderr).toBe(0);
    const notation = await ocx(['package', 'sign', ref, '--notation', '--key', join(dir, 'leaf.key'), '--cert', join(dir, 'chain.pem'), '--ca-file', caFile, '--no-cache'], env);
    expect(notation.code, notation.stdout + notation.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await reg?.close();
    await proxy?.close();
    await ocspServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies cosign and notation signatures on a TLS registry with token auth; the proxy sees CONNECTs and no credentials', async () => {
    proxy.log.length = 0;
    const r = await ocx(['verify', `${host}/app:v1`, '--key', join(dir, 'cosign.pub'), '--insecure-ignore-tlog', '--notation-config', notationConfig, '--ca-file', caFile, '--no-cache', '--format', 'json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    type Sig = { family: string; ok: boolean; checks: { name: string; outcome: string }[] };
    const sigs = (JSON.parse(r.stdout) as { results: { targets: { signatures: Sig[] }[] }[] }).results[0]!.targets[0]!.signatures;
    expect(sigs.map((s) => `${s.family} ${s.ok}`).sort()).toEqual(['cosign true', 'notation true']);
    // Strict revocation passed: the OCSP responder answered through the proxy.
    expect(sigs.find((s) => s.family === 'notation')!.checks).toContainEqual(expect.objectContaining({ name: 'revocation', outcome: 'pass' }));

    const connects = proxy.log.filter((e) => e.kind === 'connect');
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((e) => e.target === host && e.status === 200 && e.cleartextAuthorizationInTunnel === false)).toBe(true);
    // OCSP (plain http) went through the proxy in absolute form.
    expect(proxy.log.some((e) => e.kind === 'absolute' && /^http:\/\/ocsp\.test:\d+\/ocsp/.test(e.target) && e.status === 200)).toBe(true);
    // Nothing the proxy could read carries a credential: no Authorization, no password, no token.
    expect(proxy.log.filter((e) => e.authorization !== undefined || e.proxyAuthorization !== undefined)).toEqual([]);
    const seen = JSON.stringify(proxy.log);
    expect(seen).not.toContain(PASS);
    expect(seen).not.toContain(Buffer.from(`${USER}:${PASS}`).toString('base64'));
  });

  it('fails with a message naming the proxy when it refuses the tunnel', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await ocx(['discover', `${host}/app:v1`, '--ca-file', caFile, '--no-cache'], { ...env, HTTPS_PROXY: closed });
    expect(r.code).toBe(75);
    expect(r.stderr).toContain(`cannot reach the proxy ${closed}`);
  });
});
