import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, createPeerSandbox, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { attestationFixtureRef, COSIGN_HTTP, COSIGN_KEY_PASSWORD, COSIGN_PEER_TARGETS, COSIGN_V3_OFFLINE, cosignPeerRig, FIXTURE, freshPackage, writeRootWithoutCtLogs } from './cosign-helpers.ts';

// cosign sign -a / verify -a against real cosign v2 and v3, both ways: what cosign signs with
// annotations, `ocx verify -a` checks; what `ocx package sign -a` writes, `cosign verify -a` accepts for
// the signed value and refuses for another. cosign runs offline with no transparency log. And
// --insecure-ignore-sct: cosign v3 and ocx agree on a keyless attestation under a root without CT logs.

const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');

for (const target of COSIGN_PEER_TARGETS) {
  describe.skipIf(!cosign2 || !cosign3 || !target.available)(`cosign -a and ocx -a agree on ${target.name}`, () => {
    const rig = cosignPeerRig(target);
    let n = 0;
    const { key, pub, run: cosign, ok: cosignOk } = rig;
    /** A fresh package; `ref` names its amd64 manifest by digest. */
    const fresh = () => freshPackage(rig.host, `annotations/p${++n}`, `${target.name}-a${n}`);
    const ocxVerify = (ref: string, ...extra: string[]) => ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', ...extra]);

    it('cosign v2 sign -a (legacy .sig tag) → ocx verify -a', async () => {
      const { ref } = await fresh();
      await cosignOk('cosign2', ['sign', '--key', key(), '--tlog-upload=false', '-a', 'env=prod', '-a', 'team=payments', ...COSIGN_HTTP, '-y', ref]);
      const ok = await ocxVerify(ref, '-a', 'env=prod', '--format', 'json');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-legacy', ok: true });
      const other = await ocxVerify(ref, '-a', 'env=dev');
      expect(other.code).toBe(65);
      expect(other.stdout).toContain('annotation env: expected dev, found prod');
      // cosign agrees on both.
      expect((await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=prod', ...COSIGN_HTTP, ref])).code).toBe(0);
      const theirs = await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=dev', ...COSIGN_HTTP, ref]);
      expect(theirs.code).not.toBe(0);
      expect(theirs.stderr).toMatch(/missing or incorrect annotation/);
    }, 180_000);

    it('cosign v2 sign -a as an OCI 1.1 referrer → ocx verify -a', async () => {
      const { ref } = await fresh();
      await cosignOk('cosign2', ['sign', '--key', key(), '--tlog-upload=false', '--registry-referrers-mode=oci-1-1', '-a', 'env=prod', ...COSIGN_HTTP, '-y', ref], { COSIGN_EXPERIMENTAL: '1' });
      const ok = await ocxVerify(ref, '-a', 'env=prod', '--format', 'json');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-oci11', ok: true });
      const missing = await ocxVerify(ref, '-a', 'region=eu');
      expect(missing.code).toBe(65);
      expect(missing.stdout).toContain('annotation region missing');
    }, 180_000);

    it('cosign v3 sign -a (bundle) → ocx verify -a', async () => {
      const { ref } = await fresh();
      await cosignOk('cosign3', ['sign', '--key', key(), ...COSIGN_V3_OFFLINE, '-a', 'env=prod', '-a', 'team=payments', ...COSIGN_HTTP, '-y', ref]);
      const ok = await ocxVerify(ref, '-a', 'env=prod,team=payments', '--format', 'json');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-bundle', ok: true });
      const other = await ocxVerify(ref, '-a', 'env=dev');
      expect(other.code).toBe(65);
      expect(other.stdout).toContain('annotation env: expected dev, found prod (in the signed statement subject)');
      const theirs = await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=dev', ...COSIGN_HTTP, ref]);
      expect(theirs.code).not.toBe(0);
      expect(theirs.stderr).toMatch(/missing or incorrect annotation/);
      expect((await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=prod', ...COSIGN_HTTP, ref])).code).toBe(0);
    }, 180_000);

    it('ocx package sign -a → cosign v3 verify -a (bundle) and cosign v2 verify -a (--legacy-tag)', async () => {
      const bundled = await fresh();
      const s1 = await ocx(['package', 'sign', bundled.tagRef, '--key', key(), '--tlog-upload=false', '--platform', 'linux/amd64', '-a', 'env=prod', '-a', 'team=payments'], { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD });
      expect(s1.code, s1.stderr).toBe(0);
      const v3 = await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=prod', '-a', 'team=payments', ...COSIGN_HTTP, bundled.ref]);
      expect(v3.code, v3.stderr).toBe(0);
      const v3bad = await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=dev', ...COSIGN_HTTP, bundled.ref]);
      expect(v3bad.code).not.toBe(0);
      expect(v3bad.stderr).toMatch(/missing or incorrect annotation/);

      const legacy = await fresh();
      const s2 = await ocx(['package', 'sign', legacy.tagRef, '--key', key(), '--legacy-tag', '--tlog-upload=false', '--platform', 'linux/amd64', '--annotations', 'env=prod,team=payments'], { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD });
      expect(s2.code, s2.stderr).toBe(0);
      const v2 = await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=prod', '-a', 'team=payments', ...COSIGN_HTTP, legacy.ref]);
      expect(v2.code, v2.stderr).toBe(0);
      const v2bad = await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', '-a', 'env=dev', ...COSIGN_HTTP, legacy.ref]);
      expect(v2bad.code).not.toBe(0);
      expect(v2bad.stderr).toMatch(/missing or incorrect annotation/);
      // ocx reads back what it wrote.
      expect((await ocxVerify(legacy.tagRef, '--platform', 'linux/amd64', '-a', 'team=payments')).code).toBe(0);
    }, 240_000);
  });
}

describe.skipIf(!cosign3)('cosign v3 and ocx agree on --insecure-ignore-sct', () => {
  let server: { host: string; close(): Promise<void> };
  let sandbox: PeerSandbox;
  let ref: string;
  let noCtRoot: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    sandbox = await createPeerSandbox();
    ref = await attestationFixtureRef(server.host);
    noCtRoot = await writeRootWithoutCtLogs(sandbox.dir);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await sandbox?.cleanup();
  });

  it('a trusted root without CT logs: both fail without the flag and pass with it', async () => {
    const who = ['--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', noCtRoot];
    const cosignArgs = (extra: string[]) => ['verify-attestation', '--type', 'custom', ...who, ...extra, ...COSIGN_HTTP, ref];
    const theirsStrict = await runPeer('cosign3', cosignArgs([]), { sandbox, timeoutMs: 120_000 });
    expect(theirsStrict.code, theirsStrict.stderr).not.toBe(0);
    expect(theirsStrict.stderr).toMatch(/signed certificate timestamp/);
    const theirsLax = await runPeer('cosign3', cosignArgs(['--insecure-ignore-sct']), { sandbox, timeoutMs: 120_000 });
    expect(theirsLax.code, theirsLax.stderr).toBe(0);
    expect((await ocx(['verify', ref, '--attestation', '--type', 'custom', ...who])).code).toBe(65);
    expect((await ocx(['verify', ref, '--attestation', '--type', 'custom', ...who, '--insecure-ignore-sct'])).code).toBe(0);
  }, 180_000);
});
