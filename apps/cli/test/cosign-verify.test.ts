import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { attachBundle, attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// `ocx package sign --key` → `ocx verify --key` on the emulator, and the keyless cosign attestation
// fixture, all without a socket beyond the loopback registry.

describe('ocx package sign + ocx verify (cosign, key)', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let other: KeyFiles;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    other = await keyFiles();
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await other?.cleanup();
  });

  it('signs every platform as a bundle referrer and verifies it', async () => {
    const { repo, client } = repoAt(server.host, 'pkg/app');
    const pkg = await pushPackage(repo, 'bundle', 'v1');
    await client.close();
    const ref = `${server.host}/pkg/app:v1`;
    const signed = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--format', 'json']);
    expect(signed.code, signed.stderr).toBe(0);
    const doc = JSON.parse(signed.stdout);
    expect(doc.signed.map((s: { digest: string }) => s.digest).sort()).toEqual([pkg.index.digest, pkg.amd64.digest, pkg.arm64.digest].sort());
    expect(signed.stderr).toMatch(/--tlog-upload=false/);

    const ok = await ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--all-platforms', '--format', 'json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/warning: --insecure-ignore-tlog/);
    const report = JSON.parse(ok.stdout);
    expect(report.verified).toBe(true);
    const sig = report.results[0].targets[0].signatures.find((s: { ok: boolean }) => s.ok);
    expect(sig).toMatchObject({ family: 'cosign', format: 'cosign-bundle', kind: 'signature', level: 'manifest', signingTimeSource: 'none' });
    expect(sig.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(sig.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['subject', 'predicate', 'signature']));

    const noTlog = await ocx(['verify', ref, '--key', keys.pub, '--platform', 'linux/arm64', '--offline']);
    expect(noTlog.code).toBe(65);
    expect(noTlog.stdout).toMatch(/no transparency log entry.*--insecure-ignore-tlog/);

    const wrongKey = await ocx(['verify', ref, '--key', other.pub, '--platform', 'linux/amd64', '--insecure-ignore-tlog']);
    expect(wrongKey.code).toBe(65);
    expect(wrongKey.stdout).toMatch(/bad signature/);
  });

  it('signs with --legacy-tag and --platform, verified from the .sig tag', async () => {
    const { repo, client } = repoAt(server.host, 'pkg/legacy');
    const pkg = await pushPackage(repo, 'legacy', 'v1');
    await client.close();
    const ref = `${server.host}/pkg/legacy:v1`;
    const signed = await ocx(['package', 'sign', ref, '--key', keys.priv, '--legacy-tag', '--platform', 'linux/amd64', '--tlog-upload=false']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`sha256-${pkg.amd64.digest.slice(7)}.sig`);
    const ok = await ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-legacy', ok: true });
    const arm = await ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/arm64']);
    expect(arm.code).toBe(79);
    expect(arm.stdout).toMatch(/no signatures found/);
  });

  it('verifies a message-signature bundle over the subject manifest bytes', async () => {
    const { repo, client } = repoAt(server.host, 'pkg/msg');
    const pkg = await pushPackage(repo, 'msg', 'v1');
    const bytes = await repo.fetch(pkg.amd64);
    const pem = await readFile(keys.priv, 'utf8');
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(bytes).digest('base64') },
        signature: sign('sha256', bytes, createPrivateKey(pem)).toString('base64'),
      },
    };
    await attachBundle(repo, pkg.amd64, bundle, { 'dev.sigstore.bundle.content': 'message-signature' });
    await client.close();
    const ok = await ocx(['verify', `${server.host}/pkg/msg:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ ok: true, kind: 'signature', format: 'cosign-bundle' });
    // The same signature claimed for the other platform is a digest mismatch.
    const { repo: r2, client: c2 } = repoAt(server.host, 'pkg/msg');
    await attachBundle(r2, pkg.arm64, bundle, { 'dev.sigstore.bundle.content': 'message-signature' });
    await c2.close();
    const bad = await ocx(['verify', `${server.host}/pkg/msg:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/arm64']);
    expect(bad.code).toBe(65);
    expect(bad.stdout).toMatch(/digest mismatch/);
  });

  it('usage and configuration errors', async () => {
    const ref = `${server.host}/pkg/app:v1`;
    expect((await ocx(['verify', ref, '--key', keys.pub, '--attestation'])).code).toBe(64);
    expect((await ocx(['verify', ref, '--key', '/nonexistent.pub', '--insecure-ignore-tlog'])).code).toBe(78);
    expect((await ocx(['verify', ref, '--key', keys.priv, '--insecure-ignore-tlog'])).code).toBe(78);
    expect((await ocx(['package', 'sign', ref, '--tlog-upload=false'])).code).toBe(64);
    expect((await ocx(['package', 'frobnicate', ref])).code).toBe(64);
  });
});

describe('the cosign attestation fixture in a registry (keyless, trusted_root_pgi.json)', () => {
  let server: RunningRegistry;
  let ref: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    ref = await attestationFixtureRef(server.host);
  });
  afterAll(async () => {
    await server?.close();
  });
  const trust = ['--trusted-root', FIXTURE.trustedRoot, '--certificate-oidc-issuer', FIXTURE.issuer];

  it('verifies in attestation mode for cody@soyland.com', async () => {
    const r = await ocx(['verify', ref, '--attestation', '--type', 'custom', '--certificate-identity', FIXTURE.identity, ...trust, '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const sig = JSON.parse(r.stdout).results[0].targets[0].signatures[0];
    expect(sig).toMatchObject({ ok: true, kind: 'attestation', identity: FIXTURE.identity, issuer: FIXTURE.issuer, signingTimeSource: 'tlog', predicateType: 'https://cosign.sigstore.dev/attestation/v1' });
    expect(Number(sig.tlogIndex)).toBeGreaterThan(0);
  });

  it('fails for another identity, saying which identity it found', async () => {
    const r = await ocx(['verify', ref, '--attestation', '--type', 'custom', '--certificate-identity', 'someone@example.com', ...trust]);
    expect(r.code).toBe(65);
    expect(r.stdout).toContain('identity found: cody@soyland.com, issuer: https://github.com/login/oauth — expected: subject someone@example.com');
  });

  it('is not accepted as a signature, and names the attestation it saw', async () => {
    const r = await ocx(['verify', ref, '--certificate-identity', FIXTURE.identity, ...trust]);
    expect(r.code).toBe(79);
    expect(r.stdout).toContain('attestation https://cosign.sigstore.dev/attestation/v1 is not a signature');
  });

  it('does not match another predicate type', async () => {
    const r = await ocx(['verify', ref, '--attestation', '--type', 'spdxjson', '--certificate-identity', FIXTURE.identity, ...trust]);
    expect(r.code).not.toBe(0);
  });
});
