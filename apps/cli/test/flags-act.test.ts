import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, pushImage, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// issue 10 item 10: a flag either acts or is a usage error naming why; none is parsed and ignored.

describe('flags act or are refused', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let pkg: Awaited<ReturnType<typeof pushPackage>>;
  let src: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    const { repo, client } = repoAt(server.host, 'flags/app');
    pkg = await pushPackage(repo, 'flags', 'v1');
    await pushImage(repo, 'single', 'single');
    await client.close();
    src = `${server.host}/flags/app:v1`;
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
  });

  it('copy --platform copies only that platform manifest (as oras copy --platform)', async () => {
    const r = await ocx(['copy', src, `${server.host}/flags/arm:v1`, '--platform', 'linux/arm64', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.digest).toBe(pkg.arm64.digest);
    expect(doc.manifests).toBe(1);
    const { repo, client } = repoAt(server.host, 'flags/arm');
    expect((await repo.resolve('v1')).digest).toBe(pkg.arm64.digest);
    await expect(repo.fetch(pkg.index)).rejects.toThrow();
    await client.close();
  });

  it('copy --platform of a single manifest checks its platform', async () => {
    const ok = await ocx(['copy', `${server.host}/flags/app:single`, `${server.host}/flags/one:v1`, '--platform', 'linux/amd64']);
    expect(ok.code, ok.stderr).toBe(0);
    const no = await ocx(['copy', `${server.host}/flags/app:single`, `${server.host}/flags/two:v1`, '--platform', 'linux/s390x']);
    expect(no.code).toBe(79);
    expect(no.stderr).toMatch(/linux\/s390x/);
  });

  it.each([
    ['--legacy-tag', ['--legacy-tag']],
    ['--tlog-upload', ['--tlog-upload=false']],
    ['-a', ['-a', 'k=v']],
    ['--annotation', ['--annotation', 'k=v']],
  ])('package sign --notation refuses %s (notation has no such thing)', async (flag, extra) => {
    const r = await ocx(['package', 'sign', src, '--notation', '--key', keys.priv, '--cert', keys.pub, ...extra]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain(flag);
    expect(r.stderr).toMatch(/notation/);
  });

  it.each([
    ['--cert', ['--cert', 'x.crt']],
    ['--signature-format', ['--signature-format', 'cose']],
    ['--expiry', ['--expiry', '24h']],
    ['--timestamp-url', ['--timestamp-url', 'http://127.0.0.1:9/']],
    ['--timestamp-root-cert', ['--timestamp-root-cert', 'x.pem']],
    ['--user-metadata', ['--user-metadata', 'k=v']],
  ])('package sign (cosign) refuses the notation flag %s', async (flag, extra) => {
    const r = await ocx(['package', 'sign', src, '--key', keys.priv, '--tlog-upload=false', ...extra]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain(flag);
    expect(r.stderr).toMatch(/--notation/);
  });

  it.each([
    ['--crl', ['--crl', 'x.crl']],
    ['--user-metadata', ['--user-metadata', 'k=v']],
    ['--revocation-timeout', ['--revocation-timeout', '3']],
  ])('verify with cosign only refuses the notation flag %s', async (flag, extra) => {
    for (const cmd of ['verify', 'sbom']) {
      const r = await ocx([cmd, src, '--key', keys.pub, '--insecure-ignore-tlog', ...extra]);
      expect(r.code, `${cmd} ${r.stderr}`).toBe(64);
      expect(r.stderr).toContain(flag);
    }
  });

  it.each([
    ['--insecure-ignore-tlog', ['--insecure-ignore-tlog']],
    ['--insecure-ignore-sct', ['--insecure-ignore-sct']],
  ])('verify with notation only refuses the cosign flag %s', async (flag, extra) => {
    for (const cmd of ['verify', 'sbom']) {
      const r = await ocx([cmd, src, '--notation-config', keys.dir, ...extra]);
      expect(r.code, `${cmd} ${r.stderr}`).toBe(64);
      expect(r.stderr).toContain(flag);
    }
  });

  it('verify --platform with --all-platforms is refused (one would be ignored)', async () => {
    const r = await ocx(['verify', src, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--all-platforms']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--all-platforms/);
  });

  it('--platform is refused where no index is read (login, logout)', async () => {
    for (const cmd of ['login', 'logout']) {
      const r = await ocx([cmd, server.host, '--platform', 'linux/amd64']);
      expect(r.code, r.stderr).toBe(64);
      expect(r.stderr).toMatch(/--platform/);
    }
  });

  it('--format tree is for discover only', async () => {
    const r = await ocx(['verify', src, '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'tree']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/tree/);
    expect((await ocx(['discover', src, '--format', 'tree'])).code).toBe(0);
  });

  it('--verbose logs each registry exchange on stderr, in every command', async () => {
    for (const args of [['verify', src, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64'], ['copy', src, `${server.host}/flags/verbose:v1`], ['sbom', src, '--platform', 'linux/amd64']]) {
      const r = await ocx([...args, '--verbose', '--no-cache']);
      expect(r.stderr, args[0]).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v2\/flags\/app\/manifests\/v1 → 200/m);
    }
  });
});
