import { beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, peerOrSkip } from '@ocx/testkit';
import { ocx, ocxWithFetch } from './cli.ts';
import { attestationFixtureRef, COSIGN_HTTP, COSIGN_PEER_TARGETS, cosignPeerRig, FIXTURE, freshPackage, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// Issue 8 §4: `ocx verify --format json` carries, per verified cosign signature, the payload that was
// signed, as `cosign verify` prints it (a simple-signing claim, or an in-toto statement), so jq
// pipelines written for cosign keep working on `.results[].targets[].signatures[].payload`.

interface Sig {
  ok: boolean;
  format: string;
  payload?: { critical?: { identity?: Record<string, string>; image: Record<string, string>; type: string }; optional?: Record<string, unknown> | null; predicateType?: string; subject?: { digest: Record<string, string> }[] };
}
const signatures = (stdout: string): Sig[] => (JSON.parse(stdout) as { results: { targets: { signatures: Sig[] }[] }[] }).results.flatMap((r) => r.targets.flatMap((t) => t.signatures));

describe('verify --format json: the signed payload (emulator)', () => {
  const emu = createEmulator();
  const host = 'registry.test';
  let keys: KeyFiles;
  let pkg: Awaited<ReturnType<typeof pushPackage>>;
  const at = (args: string[]) => ocxWithFetch(emu.fetch, args);

  beforeAll(async () => {
    keys = await keyFiles();
    const { repo, client } = repoAt(host, 'pkg/payload', emu.fetch as typeof fetch);
    pkg = await pushPackage(repo, 'payload', 'v1');
    await client.close();
    return () => keys.cleanup();
  });

  it('a legacy .sig signature: the simple-signing claim with its signed annotations', async () => {
    const ref = `${host}/pkg/payload@${pkg.amd64.digest}`;
    expect((await at(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--legacy-tag', '-a', 'team=blue'])).code).toBe(0);
    const r = await at(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [sig] = signatures(r.stdout).filter((s) => s.ok);
    expect(sig?.format).toBe('cosign-legacy');
    expect(sig?.payload).toMatchObject({ critical: { image: { 'docker-manifest-digest': pkg.amd64.digest }, type: 'cosign container image signature' }, optional: { team: 'blue' } });
  });

  it('a v3 bundle signature: the in-toto statement; text output is unchanged', async () => {
    const ref = `${host}/pkg/payload@${pkg.arm64.digest}`;
    expect((await at(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
    const r = await at(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [sig] = signatures(r.stdout).filter((s) => s.ok);
    expect(sig?.payload).toMatchObject({ predicateType: 'https://sigstore.dev/cosign/sign/v1', subject: [{ digest: { sha256: pkg.arm64.digest.slice(7) } }] });
    expect((await at(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog'])).stdout).not.toContain('predicateType');
  });

  it('an attestation: its in-toto statement; failed signatures carry no payload', async () => {
    const ref = await attestationFixtureRef(host, emu.fetch as typeof fetch);
    const args = ['verify', ref, '--attestation', '--type', 'custom', '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', FIXTURE.trustedRoot, '--format', 'json'];
    const r = await at([...args, '--certificate-identity', FIXTURE.identity]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(signatures(r.stdout)[0]?.payload).toMatchObject({ predicateType: 'https://cosign.sigstore.dev/attestation/v1', subject: [{ digest: { sha256: FIXTURE.manifestDigest.slice(7) } }] });
    const bad = await at([...args, '--certificate-identity', 'someone@else.example']);
    expect(bad.code).toBe(65);
    expect(signatures(bad.stdout)[0]?.payload).toBeUndefined();
  });
});

const cosign2 = peerOrSkip('cosign2');
const emulatorTarget = COSIGN_PEER_TARGETS[0]!;
describe.skipIf(!cosign2)('verify --format json: the same claim `cosign verify` prints (cosign v2, legacy tag)', () => {
  const rig = cosignPeerRig(emulatorTarget);
  const { ok: cosignOk, key, pub } = rig;

  it('critical matches cosign verify -o json, optional holds the signed annotations', async () => {
    const { ref } = await freshPackage(rig.host, 'cosign/payload', 'payload-peer');
    await cosignOk('cosign2', ['sign', '--key', key(), '--tlog-upload=false', '-a', 'team=blue', ...COSIGN_HTTP, '-y', ref]);
    const theirs = JSON.parse((await cosignOk('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, '-o', 'json', ref])).stdout) as { critical: unknown; optional: Record<string, unknown> }[];
    const ours = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--format', 'json']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const payloads = signatures(ours.stdout).filter((s) => s.ok).map((s) => s.payload);
    expect(payloads.map((p) => p?.critical)).toEqual(theirs.map((t) => t.critical));
    expect(payloads[0]?.optional).toMatchObject({ team: 'blue' });
  }, 120_000);
});
