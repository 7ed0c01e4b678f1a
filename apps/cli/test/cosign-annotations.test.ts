import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIndex, parseManifest } from '@ocx/oci';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { attachBundle, attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, writeRootWithoutCtLogs, type KeyFiles } from './cosign-helpers.ts';

// `ocx package sign -a` → `ocx verify -a` on the emulator (cosign verify -a semantics: every pair must
// be SIGNED), and --insecure-ignore-sct on the keyless attestation fixture.

type Sig = { ok: boolean; format: string; reasons: string[]; checks: { name: string; outcome: string; detail: string }[] };
const signatures = (stdout: string): Sig[] => JSON.parse(stdout).results[0].targets[0].signatures;

describe('ocx package sign -a + ocx verify -a (cosign, key)', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let n = 0;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
  });

  async function fresh(): Promise<{ ref: string; repository: string }> {
    const repository = `pkg/a${++n}`;
    const { repo, client } = repoAt(server.host, repository);
    await pushPackage(repo, `annotations-${n}`, 'v1');
    await client.close();
    return { ref: `${server.host}/${repository}:v1`, repository };
  }
  const verify = (ref: string, ...extra: string[]) => ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', ...extra]);

  for (const form of [
    { name: 'bundle referrer', flags: [], format: 'cosign-bundle', where: 'the signed statement subject' },
    { name: 'legacy .sig tag', flags: ['--legacy-tag'], format: 'cosign-legacy', where: 'the simple-signing payload' },
  ]) {
    it(`${form.name}: passes for signed pairs, fails for another value or a missing key`, async () => {
      const { ref } = await fresh();
      const s = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64', ...form.flags, '-a', 'env=prod,team=payments', '--annotations', 'build=42']);
      expect(s.code, s.stderr).toBe(0);

      const ok = await verify(ref, '-a', 'env=prod', '--annotations', 'build=42', '--format', 'json');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      const sig = signatures(ok.stdout)[0]!;
      expect(sig).toMatchObject({ ok: true, format: form.format });
      expect(sig.checks.find((c) => c.name === 'annotations')).toEqual({ name: 'annotations', outcome: 'pass', detail: `signed annotations env=prod, build=42 (${form.where})` });
      expect((await verify(ref, '-a', 'env=prod,team=payments,build=42')).code).toBe(0);

      const other = await verify(ref, '-a', 'env=dev');
      expect(other.code).toBe(65);
      expect(other.stdout).toContain(`annotation env: expected dev, found prod (in ${form.where})`);
      const missing = await verify(ref, '-a', 'env=prod', '-a', 'region=eu', '--format', 'json');
      expect(missing.code).toBe(65);
      expect(signatures(missing.stdout)[0]!.reasons).toEqual([`annotation region missing (in ${form.where})`]);
    });
  }

  it('a signature made without annotations does not count, and unsigned manifest annotations never do', async () => {
    const { ref, repository } = await fresh();
    const s = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64', '--format', 'json']);
    expect(s.code, s.stderr).toBe(0);
    expect((await verify(ref)).code).toBe(0);
    const bare = await verify(ref, '-a', 'env=prod');
    expect(bare.code).toBe(65);
    expect(bare.stdout).toContain('annotation env missing (the signed statement subject holds no annotations)');

    // The same bundle attached again, this time with env=prod on the (unsigned) referrer manifest.
    const signed = JSON.parse(s.stdout).signed[0] as { digest: string; signature: string };
    const { repo, client } = repoAt(server.host, repository);
    const refDesc = await repo.resolve(signed.signature);
    const { manifest } = parseManifest(await repo.fetch(refDesc), refDesc.mediaType);
    if (isIndex(manifest)) throw new Error('unexpected index');
    const bundle = await repo.fetch(manifest.layers[0]!);
    const subject = await repo.resolve(signed.digest);
    await attachBundle(repo, subject, bundle, {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
      env: 'prod',
    });
    await client.close();
    const r = await verify(ref, '-a', 'env=prod', '--format', 'json');
    expect(r.code).toBe(65);
    expect(signatures(r.stdout).length).toBe(2);
    expect(signatures(r.stdout).every((x) => !x.ok)).toBe(true);
  });

  it('usage errors: bad -a syntax, -a with --attestation, bad package sign -a', async () => {
    const { ref } = await fresh();
    for (const bad of ['novalue', '=x', 'a=b,', '"a=b', 'a="b"']) {
      const r = await verify(ref, '-a', bad);
      expect(r.code, bad).toBe(64);
      expect(r.stderr).toMatch(/-a\/--annotations/);
    }
    const att = await verify(ref, '--attestation', '--type', 'custom', '-a', 'env=prod');
    expect(att.code).toBe(64);
    expect(att.stderr).toMatch(/cosign verify-attestation has no -a/);
    const sign = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '-a', 'oops']);
    expect(sign.code).toBe(64);
    // A quoted pair may hold a comma, as in cosign (pflag's CSV).
    const quoted = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64', '-a', '"list=a,b",env=prod']);
    expect(quoted.code, quoted.stderr).toBe(0);
    expect((await verify(ref, '-a', '"list=a,b"')).code).toBe(0);
    expect((await verify(ref, '-a', 'list=a')).code).toBe(65);
  });
});

describe('--insecure-ignore-sct (keyless attestation fixture, trusted root without CT logs)', () => {
  let server: RunningRegistry;
  let ref: string;
  let dir: string;
  let noCtRoot: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    ref = await attestationFixtureRef(server.host);
    dir = await mkdtemp(join(tmpdir(), 'ocx-sct-'));
    noCtRoot = await writeRootWithoutCtLogs(dir);
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const args = () => ['verify', ref, '--attestation', '--type', 'custom', '--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', noCtRoot];

  it('fails without the flag, naming it', async () => {
    const r = await ocx(args());
    expect(r.code).toBe(65);
    expect(r.stdout).toContain('certificate SCT rejected');
    expect(r.stdout).toContain('verifies only with --insecure-ignore-sct');
  });

  it('passes with the flag, with a warning, and says the SCT was not checked', async () => {
    const r = await ocx([...args(), '--insecure-ignore-sct', '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --insecure-ignore-sct/);
    const cert = signatures(r.stdout)[0]!.checks.find((c) => c.name === 'certificate');
    expect(cert?.detail).toMatch(/SCT not checked \(--insecure-ignore-sct\)/);
  });

  it('still checks the identity', async () => {
    const r = await ocx(['verify', ref, '--attestation', '--type', 'custom', '--certificate-identity', 'someone@example.com', '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', noCtRoot, '--insecure-ignore-sct']);
    expect(r.code).toBe(65);
    expect(r.stdout).toContain('identity found: cody@soyland.com');
  });
});
