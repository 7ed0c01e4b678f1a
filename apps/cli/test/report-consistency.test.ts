import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, createEmulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { copyLayout, E2E, makeNotationConfig } from './notation-helpers.ts';

// issue 10 item 13: a security report never says a check passed that it did not establish. Each
// failure path below must fail, and no check of a failed signature may claim what the failure left
// unproven (`ocx verify --key wrong.pub` once listed "key: pass, signed with the provided key").

interface Check { name: string; outcome: 'pass' | 'fail' | 'skipped'; detail?: string }
interface Sig { family: string; ok: boolean; reasons: string[]; checks: Check[]; signingTimeSource?: string; tlogIndex?: string }

const passed = (s: Sig, name: string) => s.checks.some((c) => c.name === name && c.outcome === 'pass');

/** What a pass can rest on when the signature itself did not verify. */
function assertNoUnearnedPass(s: Sig): void {
  expect(s.ok).toBe(false);
  expect(s.checks.some((c) => c.outcome === 'fail') || s.checks.length === 0, JSON.stringify(s)).toBe(true);
  if (s.family === 'cosign') {
    if (!passed(s, 'signature')) {
      // Without a verified signature only what is checked on its own stands: the bundle parsed, the
      // certificate chain, the log entry and a signed time (when there is one).
      const independent = new Set(['bundle', 'certificate', 'tlog', ...(s.signingTimeSource && s.signingTimeSource !== 'none' ? ['timestamps'] : [])]);
      for (const c of s.checks) if (c.outcome === 'pass') expect(independent.has(c.name), `${c.name} passed without a verified signature: ${JSON.stringify(s.checks)}`).toBe(true);
    }
    // No signed time and no log entry establish nothing, whatever the outcome.
    if (s.signingTimeSource === 'none') expect(passed(s, 'timestamps'), JSON.stringify(s.checks)).toBe(false);
    if (s.tlogIndex === undefined) expect(passed(s, 'tlog'), JSON.stringify(s.checks)).toBe(false);
  } else if (s.family === 'notation') {
    if (!passed(s, 'integrity')) for (const c of s.checks) expect(c.outcome, `${c.name} without integrity`).not.toBe('pass');
    // Revocation and the signing time are judged by a chain ocx does not trust: not established.
    if (!passed(s, 'authenticity')) for (const n of ['authenticTimestamp', 'revocation']) expect(passed(s, n), `${n} without authenticity: ${JSON.stringify(s.checks)}`).toBe(false);
  }
}

async function failedSignatures(args: string[], code = 65): Promise<Sig[]> {
  const r = await ocx([...args, '--format', 'json', '--no-cache']);
  expect(r.code, r.stdout + r.stderr).toBe(code);
  const sigs: Sig[] = JSON.parse(r.stdout).results.flatMap((x: { targets: { signatures: Sig[] }[] }) => x.targets.flatMap((t) => t.signatures));
  expect(sigs.length).toBeGreaterThan(0);
  return sigs;
}

describe('cosign failure paths report no unearned pass', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let other: KeyFiles;
  let ref: string;
  let legacy: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    other = await keyFiles();
    const { repo, client } = repoAt(server.host, 'consistency/app');
    await pushPackage(repo, 'consistency', 'v1');
    const { repo: lrepo } = repoAt(server.host, 'consistency/legacy');
    await pushPackage(lrepo, 'consistency-legacy', 'v1');
    await client.close();
    ref = `${server.host}/consistency/app:v1`;
    legacy = `${server.host}/consistency/legacy:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
    // Only the platform manifest: a signature on the index would also bind it.
    expect((await ocx(['package', 'sign', legacy, '--key', keys.priv, '--tlog-upload=false', '--legacy-tag', '--platform', 'linux/amd64'])).code).toBe(0);
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await other?.cleanup();
  });

  it('wrong key (bundle): the key check does not pass', async () => {
    const sigs = await failedSignatures(['verify', ref, '--key', other.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64']);
    for (const s of sigs) {
      assertNoUnearnedPass(s);
      expect(passed(s, 'key')).toBe(false);
    }
  });

  it('wrong key (legacy .sig tag): neither key nor subject pass', async () => {
    const sigs = await failedSignatures(['verify', legacy, '--key', other.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64']);
    for (const s of sigs) {
      assertNoUnearnedPass(s);
      expect(passed(s, 'subject')).toBe(false);
    }
  });

  it('tampered payload (legacy): the subject named in unsigned bytes is not a pass', async () => {
    const { repo, client } = repoAt(server.host, 'consistency/legacy');
    const index = JSON.parse(new TextDecoder().decode(await repo.fetch(await repo.resolve('v1'))));
    const amd64 = index.manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === 'amd64');
    const sigTag = `sha256-${amd64.digest.slice(7)}.sig`;
    const sigDesc = await repo.resolve(sigTag);
    const manifest = JSON.parse(new TextDecoder().decode(await repo.fetch(sigDesc)));
    const layer = manifest.layers[0];
    const payload = JSON.parse(new TextDecoder().decode(await repo.fetch(layer)));
    payload.optional = { ...(payload.optional ?? {}), tampered: 'yes' };
    const bytes = new TextEncoder().encode(JSON.stringify(payload));
    const { createHash } = await import('node:crypto');
    const newLayer = { ...layer, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.byteLength };
    await repo.push(newLayer, bytes);
    const mBytes = new TextEncoder().encode(JSON.stringify({ ...manifest, layers: [newLayer, ...manifest.layers.slice(1)] }));
    const mDesc = { mediaType: sigDesc.mediaType, digest: `sha256:${createHash('sha256').update(mBytes).digest('hex')}`, size: mBytes.byteLength };
    await repo.push(mDesc, mBytes);
    await repo.tag(mDesc, sigTag);
    await client.close();
    const sigs = await failedSignatures(['verify', legacy, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64']);
    for (const s of sigs) {
      assertNoUnearnedPass(s);
      expect(passed(s, 'subject')).toBe(false);
      expect(passed(s, 'key')).toBe(false);
    }
  });

  it('digest mismatch: a valid signature for another image fails on its subject only', async () => {
    const { repo, client } = repoAt(server.host, 'consistency/moved');
    await pushPackage(repo, 'consistency-moved', 'v1');
    const moved1 = `${server.host}/consistency/moved:v1`;
    expect((await ocx(['package', 'sign', moved1, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64'])).code).toBe(0);
    const index = JSON.parse(new TextDecoder().decode(await repo.fetch(await repo.resolve('v1'))));
    const [a, b] = index.manifests as { digest: string; size: number }[];
    // The amd64 bundle referrer, re-attached to arm64 (the emulator lists it by its subject field).
    const listed: { digest: string; mediaType: string; size: number }[] = [];
    for await (const page of repo.referrers({ ...a!, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 0 } as never)) listed.push(...page);
    const sig = JSON.parse(new TextDecoder().decode(await repo.fetch(listed[0]!)));
    const { createHash } = await import('node:crypto');
    const moved = new TextEncoder().encode(JSON.stringify({ ...sig, subject: { ...sig.subject, digest: b!.digest, size: b!.size } }));
    const desc = { mediaType: listed[0]!.mediaType, digest: `sha256:${createHash('sha256').update(moved).digest('hex')}`, size: moved.byteLength };
    await repo.push(desc, moved);
    await client.close();
    const sigs = await failedSignatures(['verify', moved1, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/arm64']);
    const movedSig = sigs.filter((s) => !s.ok);
    expect(movedSig.length).toBeGreaterThan(0);
    for (const s of movedSig) {
      assertNoUnearnedPass(s);
      expect(s.checks.find((c) => c.name === 'subject')?.outcome).toBe('fail');
    }
  });

  it('no log entry and no --insecure-ignore-tlog: no signed time is claimed', async () => {
    const sigs = await failedSignatures(['verify', ref, '--key', keys.pub, '--offline', '--platform', 'linux/amd64']);
    for (const s of sigs) assertNoUnearnedPass(s);
  });
});

describe('keyless failure paths report no unearned pass', () => {
  let server: RunningRegistry;
  let ref: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    ref = await attestationFixtureRef(server.host);
  });
  afterAll(async () => server?.close());

  it.each([
    ['wrong identity', ['--certificate-identity', 'someone@example.com', '--certificate-oidc-issuer', FIXTURE.issuer]],
    ['wrong issuer', ['--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', 'https://issuer.example.com']],
  ])('%s: identity fails, nothing downstream passes', async (_name, flags) => {
    const sigs = await failedSignatures(['verify', ref, '--attestation', '--type', 'custom', '--trusted-root', FIXTURE.trustedRoot, ...flags]);
    for (const s of sigs) {
      assertNoUnearnedPass(s);
      expect(s.checks.find((c) => c.name === 'identity')?.outcome).toBe('fail');
    }
  });
});

describe('notation failure paths report no unearned pass', () => {
  let server: RunningRegistry;
  const key = (f: string) => fixturePath(E2E, 'config/localkeys', f);
  const TIME = ['--verification-time', '2025-06-01T00:00:00Z'];
  beforeAll(async () => {
    server = await createEmulator().listen();
    for (const l of ['e2e-valid-signature', 'e2e-invalid-signature', 'e2e-with-expired-cert', 'e2e-expired-signature']) await copyLayout(l, server.host, l);
  }, 60_000);
  afterAll(async () => server?.close());

  it.each([
    ['tampered signature (integrity)', 'e2e-invalid-signature', 'e2e.crt'],
    ['untrusted chain (authenticity)', 'e2e-valid-signature', 'new_e2e.crt'],
    ['expired certificate', 'e2e-with-expired-cert', 'expired_e2e.crt'],
    ['expired signature', 'e2e-expired-signature', 'e2e.crt'],
  ])('%s', async (_name, layout, cert) => {
    const config = await makeNotationConfig('trustpolicy.json', { 'ca:e2e': [key(cert)] });
    const sigs = await failedSignatures(['verify', `${server.host}/${layout}:v1`, '--notation-config', config, ...TIME]);
    for (const s of sigs) assertNoUnearnedPass(s);
  });
});
