import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostPlatform, MEDIA_TYPE_OCI_MANIFEST } from '@ocx/oci';
import { createEmulator, rawHeader, registryOrSkip, startRegistry, tarGz, type Emulator, type RealRegistry, type RunningRegistry } from '@ocx/testkit';
import { run } from '../src/run.ts';
import { locatePolicy } from '../src/policy-source.ts';
import { makePki, P256 } from '@ocx/testkit/pki';
import { ocx } from './cli.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { manyEntriesGz, pushLayers, pushTwoPlatforms, TGZ } from './pull-helpers.ts';

// `ocx pull` against the emulator: unpacking, platform selection, the policy gate deciding before
// any layer is requested (checked on the emulator's request log), and a tag moved mid-pull.

let emulator: Emulator;
let server: RunningRegistry;
let keys: KeyFiles;
let work: string;
/** An ocx home with no policy.yaml, so "no policy configured" is deterministic. */
let home: string;

beforeAll(async () => {
  emulator = createEmulator();
  server = await emulator.listen();
  keys = await keyFiles();
});
afterAll(async () => {
  await server?.close();
  await keys?.cleanup();
});
beforeEach(async (t) => {
  work = await mkdtemp(join(tmpdir(), 'ocx-pull-'));
  home = join(work, 'home');
  await mkdir(home);
  t.onTestFinished(() => rm(work, { recursive: true, force: true }));
});

const env = () => ({ OCX_HOME: home, OCX_POLICY: '', OCX_NO_VERIFY: '' });

async function pushApp(repository: string, tag = 'v1', files = [{ name: 'bin/app', content: 'app v1' }]) {
  const { repo, client } = repoAt(server.host, repository);
  try {
    return await pushLayers(repo, [{ bytes: await tarGz(files), mediaType: TGZ }], tag);
  } finally {
    await client.close();
  }
}

const layerGets = (digests: readonly string[]) => emulator.log.filter((e) => e.method === 'GET' && digests.some((d) => e.path.endsWith(`/blobs/${d}`)));

async function writePolicy(body: string): Promise<string> {
  const path = join(work, 'policy.yaml');
  await writeFile(path, body);
  return path;
}

const keyPolicy = (scope: string) => `version: 1
signers:
  release-key: { key: ${keys.pub}, tlog: optional }
rules:
  - name: apps
    scope: ${scope}
    signatures: { threshold: 1, of: [release-key] }
`;

describe('ocx pull (emulator)', () => {
  it('pulls and unpacks; without a policy it says once that nothing was verified', async () => {
    const pushed = await pushApp('pull/plain', 'v1', [
      { name: 'bin/app', content: 'app v1' },
      { name: 'share/doc/README', content: 'read me' },
    ]);
    const dir = join(work, 'out');
    const r = await ocx(['pull', `${server.host}/pull/plain:v1`, '-o', dir, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/nothing was verified/g)).toHaveLength(1);
    expect(await readFile(join(dir, 'bin/app'), 'utf8')).toBe('app v1');
    expect(await readFile(join(dir, 'share/doc/README'), 'utf8')).toBe('read me');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      reference: `${server.host}/pull/plain:v1`,
      digest: pushed.manifest.digest,
      platform: null,
      dir,
      layers: [{ digest: pushed.layers[0]!.digest, size: pushed.layers[0]!.size, mediaType: TGZ }],
      verification: { mode: 'unverified', allowed: true },
    });
    expect(r.stderr).not.toMatch(/\r|layer 1\/1/);
    // Nothing but DIR appears next to it.
    expect(await readdir(work)).toEqual(['home', 'out'].sort());
  });

  it('draws progress (layers and bytes) on stderr only when it is a terminal', async () => {
    await pushApp('pull/progress');
    let stderr = '';
    let stdout = '';
    const code = await run(['pull', `${server.host}/pull/progress:v1`, '-o', join(work, 'out'), '--no-verify'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { ...process.env, ...env() },
      cwd: process.cwd(),
      stderrIsTTY: true,
    });
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/\r\u001b\[Klayer 1\/1 {2}\d+ B \/ \d+ B/);
    expect(stdout).toMatch(/✓ /);
  });

  it('finds the policy: --policy, else OCX_POLICY, else $OCX_HOME/policy.yaml when it exists', async () => {
    expect(locatePolicy('p.yaml', { OCX_POLICY: '/x/q.yaml', OCX_HOME: home }, '/cwd')).toEqual({ path: '/cwd/p.yaml', from: '--policy' });
    expect(locatePolicy(undefined, { OCX_POLICY: 'q.yaml', OCX_HOME: home }, '/cwd')).toEqual({ path: '/cwd/q.yaml', from: 'OCX_POLICY' });
    expect(locatePolicy(undefined, { OCX_HOME: home }, '/cwd')).toBeUndefined();
    await writeFile(join(home, 'policy.yaml'), 'version: 1\n');
    expect(locatePolicy(undefined, { OCX_HOME: home, OCX_POLICY: '' }, '/cwd')).toEqual({ path: join(home, 'policy.yaml'), from: 'OCX_HOME' });
  });

  it('writes non-tar layers as files named by their title', async () => {
    const { repo, client } = repoAt(server.host, 'pull/files');
    await pushLayers(repo, [{ bytes: new TextEncoder().encode('{"a":1}'), mediaType: 'application/json', annotations: { 'org.opencontainers.image.title': 'config.json' } }], 'v1');
    await client.close();
    const dir = join(work, 'out');
    const r = await ocx(['pull', `${server.host}/pull/files:v1`, '-o', dir], env());
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe('{"a":1}');
    expect(r.stdout).toMatch(/✓ .*pull\/files:v1@sha256:[0-9a-f]{12} → .*out \(1 layer, 7 B; not verified\)/);
  });

  it('selects the host platform of an index, or --platform', async () => {
    const { repo, client } = repoAt(server.host, 'pull/multi');
    const pkg = await pushTwoPlatforms(repo, 'v1');
    await client.close();
    const host = hostPlatform();
    const arm = join(work, 'arm');
    const r = await ocx(['pull', `${server.host}/pull/multi:v1`, '-o', arm, '--platform', 'linux/arm64', '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(arm, 'arch.txt'), 'utf8')).toBe('arm64');
    expect(JSON.parse(r.stdout)).toMatchObject({ digest: pkg.arm64.digest, index: pkg.index.digest, platform: 'linux/arm64' });
    if (host.os === 'linux' && (host.architecture === 'amd64' || host.architecture === 'arm64')) {
      const def = join(work, 'default');
      const d = await ocx(['pull', `${server.host}/pull/multi:v1`, '-o', def], env());
      expect(d.code, d.stderr).toBe(0);
      expect(await readFile(join(def, 'arch.txt'), 'utf8')).toBe(host.architecture);
    }
    const none = await ocx(['pull', `${server.host}/pull/multi:v1`, '-o', join(work, 'none'), '--platform', 'linux/s390x'], env());
    expect(none.code).toBe(79);
  });

  it('--no-verify and OCX_NO_VERIFY=1 pull with one warning, and never read the policy', async () => {
    await pushApp('pull/noverify');
    const policy = await writePolicy('this is: [not a valid policy');
    const a = await ocx(['pull', `${server.host}/pull/noverify:v1`, '-o', join(work, 'a'), '--no-verify', '--policy', policy], env());
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr.match(/warning:/g)).toHaveLength(1);
    expect(a.stderr).toMatch(/--no-verify: the trust policy is not evaluated/);
    const b = await ocx(['pull', `${server.host}/pull/noverify:v1`, '-o', join(work, 'b')], { ...env(), OCX_NO_VERIFY: '1', OCX_POLICY: policy });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr.match(/warning:/g)).toHaveLength(1);
    expect(b.stderr).toMatch(/OCX_NO_VERIFY/);
  });

  it('a policy that blocks: exit 81, the why-tree, and no layer blob requested', async () => {
    const pushed = await pushApp('pull/unsigned');
    const policy = await writePolicy(keyPolicy(`${server.host}/pull/**`));
    emulator.clearLog();
    const dir = join(work, 'out');
    const r = await ocx(['pull', `${server.host}/pull/unsigned:v1`, '-o', dir, '--policy', policy, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(81);
    expect(r.stderr).toMatch(/FAIL rule "apps"/);
    expect(r.stderr).not.toMatch(/nothing was verified/);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ pulled: false, dir: null, digest: pushed.manifest.digest, verification: { mode: 'policy', allowed: false, policy: { path: policy, from: '--policy' }, decision: { mode: 'enforce', rule: { name: 'apps' } } } });
    expect(doc.verification.decision.why.outcome).toBe('fail');
    expect(layerGets(pushed.layers.map((l) => l.digest))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(await readdir(work)).toEqual(['home', 'policy.yaml']);
  });

  it('an unmatched target is denied by default; OCX_POLICY and $OCX_HOME/policy.yaml are found', async () => {
    const pushed = await pushApp('pull/elsewhere');
    const policy = await writePolicy(keyPolicy('other.example'));
    emulator.clearLog();
    const r = await ocx(['pull', `${server.host}/pull/elsewhere:v1`, '-o', join(work, 'out')], { ...env(), OCX_POLICY: policy });
    expect(r.code, r.stderr).toBe(81);
    expect(r.stderr).toMatch(/defaults\.unmatched: deny/);
    await writeFile(join(home, 'policy.yaml'), keyPolicy('other.example'));
    const h = await ocx(['pull', `${server.host}/pull/elsewhere:v1`, '-o', join(work, 'out'), '--format', 'json'], env());
    expect(h.code).toBe(81);
    expect(JSON.parse(h.stdout).verification.policy).toEqual({ path: join(home, 'policy.yaml'), from: 'OCX_HOME' });
    expect(layerGets(pushed.layers.map((l) => l.digest))).toEqual([]);
  });

  it('a policy that allows: the signed package is pulled', async () => {
    const pushed = await pushApp('pull/signed');
    const ref = `${server.host}/pull/signed:v1`;
    const signed = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'], env());
    expect(signed.code, signed.stderr).toBe(0);
    const policy = await writePolicy(keyPolicy(`${server.host}/pull/**`));
    const dir = join(work, 'out');
    const r = await ocx(['pull', ref, '-o', dir, '--policy', policy, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'bin/app'), 'utf8')).toBe('app v1');
    const doc = JSON.parse(r.stdout);
    expect(doc.verification).toMatchObject({ mode: 'policy', allowed: true, decision: { rule: { name: 'apps' }, signers: ['release-key'], failures: [] } });
    expect(doc.digest).toBe(pushed.manifest.digest);
    expect(r.stderr).toMatch(/tlog: optional/);
  });

  it('a keyless signer: an attestation by that identity is not a signature, so the pull is blocked', async () => {
    const ref = await attestationFixtureRef(server.host);
    const policy = await writePolicy(`version: 1
signers:
  cody: { keyless: { issuer: ${FIXTURE.issuer}, identity: ${FIXTURE.identity} } }
trust:
  sigstore: { trustedRoot: ${FIXTURE.trustedRoot} }
rules:
  - name: fixture
    scope: ${server.host}/fixture/empty
    signatures: { threshold: 1, of: [cody] }
`);
    const r = await ocx(['pull', ref, '-o', join(work, 'out'), '--policy', policy, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(81);
    expect(r.stderr).toMatch(/FAIL signer "cody"/);
    expect(JSON.parse(r.stdout).verification.decision.signers).toEqual([]);
    expect(existsSync(join(work, 'out'))).toBe(false);
  });

  it('a notation signer: a notation signature by a trusted identity lets the pull through; another identity blocks', async () => {
    const pushed = await pushApp('pull/notation');
    const ref = `${server.host}/pull/notation:v1`;
    const pki = await makePki(P256, 'ocx-release');
    const key = join(work, 'leaf.key');
    const chain = join(work, 'chain.pem');
    await writeFile(key, pki.keyPem);
    await writeFile(chain, pki.chainPem);
    const signed = await ocx(['package', 'sign', ref, '--notation', '--key', key, '--cert', chain, '--no-cache'], env());
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    const config = join(work, 'notation');
    await mkdir(join(config, 'truststore', 'x509', 'ca', 'release'), { recursive: true });
    await writeFile(join(config, 'truststore', 'x509', 'ca', 'release', 'root.pem'), pki.rootPem);
    const policyFor = (subject: string) => `version: 1
signers:
  corp: { notation: { trustStore: ca:release, identities: ["x509.subject: ${subject}"] } }
trust:
  notation: { config: ${config} }
rules:
  - name: notation
    scope: ${server.host}/pull/notation
    signatures: { threshold: 1, of: [corp] }
`;
    const ok = await ocx(['pull', ref, '-o', join(work, 'ok'), '--policy', await writePolicy(policyFor(pki.leafSubject)), '--format', 'json', '--no-cache'], env());
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).verification.decision).toMatchObject({ signers: ['corp'], digest: pushed.manifest.digest });
    emulator.clearLog();
    const other = await ocx(['pull', ref, '-o', join(work, 'other'), '--policy', await writePolicy(policyFor('CN=someone else, O=ocx test, L=Seattle, ST=WA, C=US')), '--no-cache'], env());
    expect(other.code, other.stderr).toBe(81);
    expect(other.stderr).toMatch(/FAIL signer "corp"/);
    expect(layerGets(pushed.layers.map((l) => l.digest))).toEqual([]);
  });

  it('2-of-3 across cosign and notation; a missing required signer blocks', async () => {
    const pushed = await pushApp('pull/twoofthree');
    const ref = `${server.host}/pull/twoofthree:v1`;
    const pki = await makePki(P256, 'ocx-two');
    const key = join(work, 'leaf.key');
    const chain = join(work, 'chain.pem');
    await writeFile(key, pki.keyPem);
    await writeFile(chain, pki.chainPem);
    const config = join(work, 'notation');
    await mkdir(join(config, 'truststore', 'x509', 'ca', 'two'), { recursive: true });
    await writeFile(join(config, 'truststore', 'x509', 'ca', 'two', 'root.pem'), pki.rootPem);
    const other = await keyFiles();
    try {
      const policyWith = (signatures: string) => `version: 1
signers:
  release-key: { key: ${keys.pub}, tlog: optional }
  other-key: { key: ${other.pub}, tlog: optional }
  corp: { notation: { trustStore: ca:two, identities: ["x509.subject: ${pki.leafSubject}"] } }
trust:
  notation: { config: ${config} }
rules:
  - name: two
    scope: ${server.host}/pull/twoofthree
    signatures: ${signatures}
`;
      const twoOfThree = await writePolicy(policyWith('{ threshold: 2, of: [release-key, other-key, corp] }'));
      const sign = async (args: string[]) => {
        const r = await ocx(['package', 'sign', ref, ...args, '--no-cache'], env());
        expect(r.code, r.stdout + r.stderr).toBe(0);
      };
      await sign(['--key', keys.priv, '--tlog-upload=false']);
      const one = await ocx(['pull', ref, '-o', join(work, 'one'), '--policy', twoOfThree, '--no-cache'], env());
      expect(one.code, one.stderr).toBe(81);
      await sign(['--notation', '--key', key, '--cert', chain]);
      const two = await ocx(['pull', ref, '-o', join(work, 'two'), '--policy', twoOfThree, '--format', 'json', '--no-cache'], env());
      expect(two.code, two.stderr).toBe(0);
      expect([...JSON.parse(two.stdout).verification.decision.signers].sort()).toEqual(['corp', 'release-key']);
      emulator.clearLog();
      const required = await writePolicy(policyWith('{ threshold: 2, of: [release-key, other-key, corp], required: [other-key] }'));
      const r = await ocx(['pull', ref, '-o', join(work, 'req'), '--policy', required, '--no-cache'], env());
      expect(r.code, r.stderr).toBe(81);
      expect(r.stderr).toMatch(/other-key/);
      expect(layerGets(pushed.layers.map((l) => l.digest))).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it('audit allows with one warning; skip (exact repository) allows with a warning', async () => {
    const pushed = await pushApp('pull/audited');
    const audit = await writePolicy(`${keyPolicy(`${server.host}/pull/**`)}    mode: audit\n`);
    const a = await ocx(['pull', `${server.host}/pull/audited:v1`, '-o', join(work, 'a'), '--policy', audit, '--format', 'json'], env());
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr.match(/warning: audit: rule "apps" would block/g)).toHaveLength(1);
    expect(JSON.parse(a.stdout).verification).toMatchObject({ mode: 'policy', allowed: true, decision: { mode: 'audit', digest: pushed.manifest.digest } });
    const skip = await writePolicy(`version: 1
rules:
  - name: dev
    scope: ${server.host}/pull/audited
    mode: skip
`);
    const s = await ocx(['pull', `${server.host}/pull/audited:v1`, '-o', join(work, 's'), '--policy', skip], env());
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/warning: rule "dev" skips verification/);
  });

  it('a signature on the index covers the platform manifest pulled from it', async () => {
    const { repo, client } = repoAt(server.host, 'pull/indexsigned');
    const pkg = await pushTwoPlatforms(repo, 'v1');
    await client.close();
    const ref = `${server.host}/pull/indexsigned:v1`;
    const signed = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'], env());
    expect(signed.code, signed.stderr).toBe(0);
    // Keep only the index's signature: delete the referrers of both platform manifests.
    for (const child of [pkg.amd64, pkg.arm64]) {
      const list = (await (await emulator.handle(new Request(`${server.url}/v2/pull/indexsigned/referrers/${child.digest}`))).json()) as { manifests: { digest: string }[] };
      for (const r of list.manifests) {
        const del = await emulator.handle(new Request(`${server.url}/v2/pull/indexsigned/manifests/${r.digest}`, { method: 'DELETE' }));
        expect(del.status).toBe(202);
      }
    }
    const policy = await writePolicy(keyPolicy(`${server.host}/pull/**`));
    const r = await ocx(['pull', ref, '-o', join(work, 'out'), '--platform', 'linux/arm64', '--policy', policy, '--format', 'json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verification.decision).toMatchObject({ level: 'index', digest: pkg.index.digest, signers: ['release-key'] });
    expect(r.stderr.match(/tlog: optional/g)).toHaveLength(1);
    expect(await readFile(join(work, 'out', 'arch.txt'), 'utf8')).toBe('arm64');
  });

  it('a policy that does not load: exit 78 before any request', async () => {
    await pushApp('pull/badpolicy');
    const policy = await writePolicy(`version: 1\nrules:\n  - name: x\n    scoop: ${server.host}/**\n`);
    emulator.clearLog();
    const r = await ocx(['pull', `${server.host}/pull/badpolicy:v1`, '-o', join(work, 'out'), '--policy', policy], env());
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toMatch(/scoop/);
    expect(emulator.log).toEqual([]);
    const missing = await ocx(['pull', `${server.host}/pull/badpolicy:v1`, '-o', join(work, 'out')], { ...env(), OCX_POLICY: join(work, 'nope.yaml') });
    expect(missing.code).toBe(78);
  });

  it('installs the digest it resolved even when the tag moves mid-pull', async () => {
    const first = await pushApp('pull/moving', 'v1', [{ name: 'version', content: 'one' }]);
    const second = await pushApp('pull/moving', 'v2', [{ name: 'version', content: 'two' }]);
    const bytes = await (await emulator.handle(new Request(`${server.url}/v2/pull/moving/manifests/${second.manifest.digest}`))).arrayBuffer();
    let moved = false;
    emulator.setFaults(async (req) => {
      if (!moved && req.method === 'GET' && new URL(req.url).pathname.includes('/blobs/')) {
        moved = true;
        const put = await emulator.handle(new Request(`${server.url}/v2/pull/moving/manifests/v1`, { method: 'PUT', headers: { 'content-type': MEDIA_TYPE_OCI_MANIFEST }, body: bytes }));
        expect(put.status).toBe(201);
      }
      return undefined;
    });
    try {
      const dir = join(work, 'out');
      const r = await ocx(['pull', `${server.host}/pull/moving:v1`, '-o', dir, '--no-verify', '--format', 'json', '--no-cache'], env());
      expect(r.code, r.stderr).toBe(0);
      expect(moved).toBe(true);
      expect(JSON.parse(r.stdout).digest).toBe(first.manifest.digest);
      expect(await readFile(join(dir, 'version'), 'utf8')).toBe('one');
    } finally {
      emulator.setFaults(undefined);
    }
    // The tag did move: a new pull gets the other package.
    const again = join(work, 'again');
    const r2 = await ocx(['pull', `${server.host}/pull/moving:v1`, '-o', again, '--no-verify', '--no-cache'], env());
    expect(r2.code).toBe(0);
    expect(await readFile(join(again, 'version'), 'utf8')).toBe('two');
  });

  it('pulls from an OCI layout; a policy there is a usage error (policies scope registries)', async () => {
    await pushApp('pull/tolayout', 'v1', [{ name: 'from-layout', content: 'yes' }]);
    const layout = join(work, 'layout');
    const cp = await ocx(['copy', `${server.host}/pull/tolayout:v1`, `oci-layout:${layout}:v1`], env());
    expect(cp.code, cp.stderr).toBe(0);
    const r = await ocx(['pull', `oci-layout:${layout}:v1`, '-o', join(work, 'out'), '--no-verify'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(work, 'out', 'from-layout'), 'utf8')).toBe('yes');
    const policy = await writePolicy(keyPolicy(`${server.host}/pull/**`));
    const p = await ocx(['pull', `oci-layout:${layout}:v1`, '-o', join(work, 'out2'), '--policy', policy], env());
    expect(p.code).toBe(64);
    expect(p.stderr).toMatch(/OCI layout/);
  });

  it('a hostile layer: exit 65 and nothing left behind', async () => {
    await pushApp('pull/hostile', 'v1', [
      { name: 'ok', content: 'fine' },
      { name: '../escape', content: 'evil' },
    ]);
    const dir = join(work, 'out');
    const r = await ocx(['pull', `${server.host}/pull/hostile:v1`, '-o', dir, '--no-verify'], env());
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/climbs out of the target directory/);
    expect(await readdir(work)).toEqual(['home']);
  });

  it.each([
    ['path traversal', () => tarGz([{ name: 'a/../../escape', content: 'x' }]), /climbs out/],
    ['absolute path', () => tarGz([{ name: '/tmp/ocx-escape', content: 'x' }]), /absolute path/],
    ['escaping symlink', () => tarGz([{ name: 'l', type: 'symlink', linkname: '../../../etc' }]), /outside the target/],
    ['escaping hardlink', () => tarGz([{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]), /climbs out/],
    ['device node', () => tarGz([{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }]), /device node/],
    ['10^6 tiny entries', () => manyEntriesGz(1_000_000), /more than 100000 entries/],
    ['10 GiB sparse claim', async () => gzipSync(Buffer.concat([rawHeader('sparse.img', 10 * 1024 ** 3), Buffer.alloc(64 * 1024)])), /declares 10737418240 bytes/],
  ] as const)('hostile archive (%s): exit 65, nothing left behind, nothing written outside', async (_name, build, message) => {
    const { repo, client } = repoAt(server.host, 'pull/hostile-table');
    await pushLayers(repo, [{ bytes: await build(), mediaType: TGZ }], 'v1');
    await client.close();
    const dir = join(work, 'deep', 'er', 'out');
    await mkdir(join(work, 'deep', 'er'), { recursive: true });
    const r = await ocx(['pull', `${server.host}/pull/hostile-table:v1`, '-o', dir, '--no-verify'], env());
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toMatch(message);
    expect(await readdir(join(work, 'deep', 'er'))).toEqual([]);
    expect(await readdir(join(work, 'deep'))).toEqual(['er']);
    expect(existsSync('/tmp/ocx-escape')).toBe(false);
  });

  it('refuses a DIR that is not empty (exit 64) before touching the registry', async () => {
    const dir = join(work, 'full');
    await mkdir(dir);
    await writeFile(join(dir, 'keep'), 'x');
    emulator.clearLog();
    const r = await ocx(['pull', `${server.host}/pull/plain:v1`, '-o', dir], env());
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/not empty/);
    expect(emulator.log).toEqual([]);
    expect(await readdir(dir)).toEqual(['keep']);
  });
});

describe.skipIf(registryOrSkip('distribution2') === undefined)('ocx pull (docker-registry 2.8)', () => {
  let reg: RealRegistry;
  beforeAll(async () => {
    reg = await startRegistry('distribution2');
  });
  afterAll(async () => reg?.stop());

  it('pulls a tar+gzip package', async () => {
    const { repo, client } = repoAt(reg.host, 'pull/app');
    await pushLayers(repo, [{ bytes: await tarGz([{ name: 'bin/tool', content: 'tool' }]), mediaType: TGZ }], 'v1');
    await client.close();
    const dir = join(work, 'out');
    const r = await ocx(['pull', `${reg.host}/pull/app:v1`, '-o', dir, '--no-cache'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'bin/tool'), 'utf8')).toBe('tool');
  });
});
