import { createHash, webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { createEmulator } from '@ocx/testkit';
import { makeCrl, makeOcspResponse, makeTestCa, startServer, type TestCa } from '../../../packages/notation/src/revocation/testpki.ts';
import { ocx } from './cli.ts';
import { makeNotationConfig } from './notation-helpers.ts';

// `ocx verify` checks notation revocation like notation: a leaf naming a loopback OCSP responder,
// signed with `ocx package sign --notation`, verified through --notation-config.

const pem = (label: string, der: Uint8Array | ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der as Uint8Array).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

describe('ocx verify: notation revocation over OCSP', () => {
  let reg: { host: string; close(): Promise<void> };
  let ocsp: Awaited<ReturnType<typeof startServer>>;
  let ca: TestCa;
  let status: 'good' | 'revoked' | 'hang' = 'good';
  let tmp: string;
  let ref: string;
  const configs: Record<string, string> = {};
  const home = () => mkdtemp(join(tmpdir(), 'ocx-rev-home-'));

  beforeAll(async () => {
    ocsp = await startServer((_req, _body, res) => {
      if (status === 'hang') return; // never answers
      const now = Date.now();
      void makeOcspResponse(ca.root, ca.rootKey.privateKey, 2, {
        status,
        revocationTime: new Date(now - 60_000),
        thisUpdate: new Date(now - 3600_000),
        nextUpdate: new Date(now + 3600_000),
      }).then((b) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(b));
    });
    ca = await makeTestCa({ ocsp: `${ocsp.url}/ocsp` });
    tmp = await mkdtemp(join(tmpdir(), 'ocx-rev-'));
    await writeFile(join(tmp, 'key.pem'), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', ca.leafKey.privateKey)));
    await writeFile(join(tmp, 'chain.pem'), pem('CERTIFICATE', ca.leaf) + pem('CERTIFICATE', ca.root));
    await writeFile(join(tmp, 'root.pem'), pem('CERTIFICATE', ca.root));
    for (const level of ['strict', 'permissive', 'audit']) {
      configs[level] = await makeNotationConfig(
        { version: '1.0', trustPolicies: [{ name: `rev-${level}`, registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:rev'], trustedIdentities: ['*'] }] },
        { 'ca:rev': [join(tmp, 'root.pem')] },
      );
    }

    const s = await createEmulator().listen();
    reg = { host: s.host, close: () => s.close() };
    const client = new RegistryClient({});
    const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: 'rev' });
    const put = async (mediaType: string, value: string): Promise<Descriptor> => {
      const b = new TextEncoder().encode(value);
      const d = { mediaType, digest: `sha256:${createHash('sha256').update(b).digest('hex')}`, size: b.length };
      await repo.push(d, b);
      return d;
    };
    try {
      const cfg = await put('application/vnd.oci.empty.v1+json', '{}');
      const layer = await put('application/vnd.oci.image.layer.v1.tar', 'revocation test layer\n');
      const m = await put('application/vnd.oci.image.manifest.v1+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] }));
      await repo.tag(m, 'v1');
    } finally {
      await client.close();
    }
    ref = `${reg.host}/rev:v1`;
    const signed = await ocx(['package', 'sign', ref, '--notation', '--key', join(tmp, 'key.pem'), '--cert', join(tmp, 'chain.pem'), '--no-cache']);
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await reg?.close();
    await ocsp?.close();
  });

  const verify = async (level: string, extra: string[] = [], env?: NodeJS.ProcessEnv) =>
    ocx(['verify', ref, '--notation-config', configs[level] as string, '--format', 'json', ...extra], env ?? { OCX_HOME: await home() });
  const revocationCheck = (stdout: string) => {
    type Check = { name: string; outcome: string; action?: string; detail?: string };
    const report = JSON.parse(stdout) as { results: { targets: { signatures: { checks: Check[] }[] }[] }[] };
    return report.results.flatMap((r) => r.targets.flatMap((t) => t.signatures.flatMap((s) => s.checks))).find((c) => c.name === 'revocation');
  };

  it('good: passes, and a second run answers from the cache under the ocx home without a request', async () => {
    status = 'good';
    const env = { OCX_HOME: await home() };
    const before = ocsp.requests.length;
    const r = await verify('strict', [], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(revocationCheck(r.stdout)).toMatchObject({ outcome: 'pass', action: 'enforce' });
    expect(ocsp.requests.length).toBe(before + 1);
    expect((await verify('strict', [], env)).code).toBe(0);
    expect(ocsp.requests.length).toBe(before + 1);
  });

  it('revoked: fails under strict, logged under permissive', async () => {
    status = 'revoked';
    const strict = await verify('strict');
    expect(strict.code, strict.stdout).toBe(65);
    expect(revocationCheck(strict.stdout)).toMatchObject({ outcome: 'fail', action: 'enforce' });
    expect(revocationCheck(strict.stdout)?.detail).toMatch(/revoked/);
    const permissive = await verify('permissive');
    expect(permissive.code, permissive.stdout).toBe(0);
    expect(revocationCheck(permissive.stdout)).toMatchObject({ outcome: 'fail', action: 'log' });
  });

  it('--offline: unavailable fails strict and is logged by permissive; a --crl answers without network', async () => {
    const before = ocsp.requests.length;
    const strict = await verify('strict', ['--offline']);
    expect(strict.code, strict.stdout).toBe(65);
    expect(revocationCheck(strict.stdout)?.detail).toMatch(/revocation status unavailable.*offline/);
    const permissive = await verify('permissive', ['--offline']);
    expect(permissive.code, permissive.stdout).toBe(0);
    const now = Date.now();
    const crl = await makeCrl(ca.root, ca.rootKey.privateKey, { thisUpdate: new Date(now - 3600_000), nextUpdate: new Date(now + 3600_000), revoked: [{ serial: 2, date: new Date(now - 60_000) }] });
    await writeFile(join(tmp, 'revoked.crl'), crl);
    const byo = await verify('strict', ['--offline', '--crl', join(tmp, 'revoked.crl')]);
    expect(byo.code, byo.stdout).toBe(65);
    expect(revocationCheck(byo.stdout)?.detail).toMatch(/revoked.*byo-crl/);
    expect(ocsp.requests.length).toBe(before);
  });

  it('--offline never silently skips an enforced revocation check; levels that log it report "skipped (offline)"', async () => {
    status = 'good';
    const before = ocsp.requests.length;
    const strict = await verify('strict', ['--offline']);
    expect(strict.code, strict.stdout).toBe(65);
    expect(revocationCheck(strict.stdout)).toMatchObject({ outcome: 'fail', action: 'enforce' });
    expect(revocationCheck(strict.stdout)?.detail).toMatch(/offline.*the trust policy \(level strict\) enforces revocation and --offline allows no OCSP or CRL request: pass the issuers' current CRLs with --crl FILE, or verify without --offline/);
    for (const level of ['permissive', 'audit']) {
      const r = await verify(level, ['--offline']);
      expect(r.code, r.stdout).toBe(0);
      const check = revocationCheck(r.stdout);
      expect(check).toMatchObject({ outcome: 'skipped', action: 'log', skippedBecause: 'offline' });
      expect(check?.detail).toMatch(/^skipped \(offline\): /);
      const text = await ocx(['verify', ref, '--notation-config', configs[level] as string, '--offline'], { OCX_HOME: await home() });
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('revocation skipped (offline) (log)');
      expect(text.stdout).toMatch(new RegExp(`revocation skipped \\(offline\\), logged by level ${level}`));
    }
    // A --crl that answers is a real check, offline too.
    const now = Date.now();
    await writeFile(join(tmp, 'good.crl'), await makeCrl(ca.root, ca.rootKey.privateKey, { thisUpdate: new Date(now - 3600_000), nextUpdate: new Date(now + 3600_000), revoked: [] }));
    const byo = await verify('strict', ['--offline', '--crl', join(tmp, 'good.crl')]);
    expect(byo.code, byo.stdout).toBe(0);
    expect(revocationCheck(byo.stdout)).toMatchObject({ outcome: 'pass', action: 'enforce' });
    expect(ocsp.requests.length).toBe(before);
  });

  it('a responder that never answers: --revocation-timeout bounds the wait and strict fails as unavailable', async () => {
    status = 'hang';
    const t0 = Date.now();
    const r = await verify('strict', ['--revocation-timeout', '0.3']);
    expect(Date.now() - t0).toBeLessThan(1900);
    expect(r.code, r.stdout).toBe(65);
    expect(revocationCheck(r.stdout)?.detail).toMatch(/revocation status unavailable.*timed out after 300 ms/);
  });

  it('--revocation-timeout must be a positive number of seconds; an unreadable --crl is a configuration error', async () => {
    expect((await verify('strict', ['--revocation-timeout', 'soon'])).code).toBe(64);
    expect((await verify('strict', ['--crl', join(tmp, 'missing.crl')])).code).toBe(78);
  });
});
