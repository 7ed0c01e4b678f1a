import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { signNotation } from '@ocx/signer';
import { createEmulator, pushImage, repoRoot, type RunningRegistry } from '@ocx/testkit';
import { makePki, P256 } from '@ocx/testkit/pki';
import { attachRaw } from '../../../packages/sbom/test/helpers.ts';

// issue 9: every published package has a README saying what it is for with a short runnable
// example. The examples are real files (<package>/examples/*.ts) that the README shows verbatim
// (checked here, so the two cannot drift), and each runs here against the emulator, as a user would
// run it: its own process, importing the package by name.

const PACKAGES = ['packages/oci', 'packages/cosign', 'packages/notation', 'packages/sbom', 'packages/policy', 'apps/signer'] as const;

const examplesOf = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir, 'examples'))
    .filter((f) => f.endsWith('.ts'))
    .sort();

describe('package READMEs', () => {
  it.each(PACKAGES)('%s: README names the package, and shows each example file verbatim', (dir) => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
    expect(pkg.private).toBeUndefined();
    const readme = readFileSync(join(repoRoot, dir, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toMatch(new RegExp(`^# ${pkg.name.replace('/', '\\/')}\\b`));
    const examples = examplesOf(dir);
    expect(examples.length).toBeGreaterThan(0);
    for (const f of examples) {
      const code = readFileSync(join(repoRoot, dir, 'examples', f), 'utf8');
      expect(readme, `${dir}/README.md must show examples/${f} verbatim`).toContain(`\`examples/${f}\``);
      expect(readme, `${dir}/README.md must show examples/${f} verbatim`).toContain(`\`\`\`ts\n${code}\`\`\`\n`);
    }
  });
});

/** Runs one example as a user would (tsx), from its package directory. */
function example(dir: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', join('examples', file), ...args], {
      cwd: join(repoRoot, dir),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('package examples run against the emulator', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let priv: string;
  let pub: string;
  let host: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    host = server.host;
    client = new RegistryClient({});
    work = await mkdtemp(join(tmpdir(), 'ocx-examples-'));
    // No credentials of the user's, no policy or notation config of theirs.
    await mkdir(join(work, 'docker'));
    env = { OCX_REGISTRY: host, DOCKER_CONFIG: join(work, 'docker'), NOTATION_CONFIG: join(work, 'no-notation') };
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    priv = join(work, 'cosign.key');
    pub = join(work, 'cosign.pub');
    await writeFile(priv, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const repo = new RemoteRepository(client, { host, registry: host, repository: 'examples/app' });
    const image = await pushImage(repo, 'examples', 'v1');
    await pushImage(repo, 'unsigned', 'unsigned');
    await attachRaw(repo, image, 'application/spdx+json', '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","dataLicense":"CC0-1.0","documentNamespace":"https://x/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1.0.0","downloadLocation":"NOASSERTION","licenseConcluded":"MIT"}]}', 'application/spdx+json');
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('@ocx/oci push-and-discover: pushes an image and its SBOM referrer, then lists it (registry from OCX_REGISTRY)', async () => {
    const r = await example('packages/oci', 'push-and-discover.ts', [], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}/examples/hello@sha256:[0-9a-f]{64} \\(referrers-api\\)\\n└── application/spdx\\+json sha256:`));
  });

  it('@ocx/signer sign, then @ocx/cosign verify-key verifies it; another key does not', async () => {
    const s = await example('apps/signer', 'sign.ts', [`${host}/examples/app:v1`, priv], env);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^signed sha256:[0-9a-f]{64}: cosign-bundle sha256:/);
    const v = await example('packages/cosign', 'verify-key.ts', [`${host}/examples/app:v1`, pub, '--insecure-ignore-tlog'], env);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^verified sha256:[0-9a-f]{64}: cosign-bundle signature/);
    const other = join(work, 'other.pub');
    await writeFile(other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const w = await example('packages/cosign', 'verify-key.ts', [`${host}/examples/app:v1`, other, '--insecure-ignore-tlog'], env);
    expect(w.code).toBe(1);
    expect(w.stdout).toMatch(/^NOT verified/);
  });

  it('@ocx/policy gate: explains, then allows the signed image and blocks the unsigned one (81)', async () => {
    const s = await example('apps/signer', 'sign.ts', [`${host}/examples/app:v1`, priv], env);
    expect(s.code, s.stderr).toBe(0);
    const policy = join(work, 'policy.yaml');
    await writeFile(policy, `version: 1\nsigners:\n  release-key: { key: ${pub}, tlog: optional }\nrules:\n  - name: examples\n    scope: ${host}/examples/**\n    signatures: { threshold: 1, of: [release-key] }\n`);
    const ok = await example('packages/policy', 'gate.ts', [policy, `${host}/examples/app:v1`], env);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^rule "examples", mode enforce\n {2}will check: /);
    expect(ok.stdout).toMatch(/\nallowed sha256:/);
    const blocked = await example('packages/policy', 'gate.ts', [policy, `${host}/examples/app:unsigned`], env);
    expect(blocked.code).toBe(81);
    expect(blocked.stdout).toMatch(/\nblocked sha256:/);
  });

  it('@ocx/notation verify: a signature by a certificate the trust store anchors verifies', async () => {
    const pki = await makePki(P256, 'ocx-example');
    const repo = new RemoteRepository(client, { host, registry: host, repository: 'examples/notation' });
    const subject = await pushImage(repo, 'notation example', 'v1');
    const now = new Date();
    await signNotation({ repo, subject, key: pki.keyPem, certChain: pki.chainPem, format: 'jws', expiry: new Date(now.getTime() + 3600_000), now });
    const config = join(work, 'notation');
    await mkdir(join(config, 'truststore', 'x509', 'ca', 'examples'), { recursive: true });
    await writeFile(join(config, 'truststore', 'x509', 'ca', 'examples', 'root.pem'), pki.rootPem);
    await writeFile(join(config, 'trustpolicy.json'), JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'examples', registryScopes: [`${host}/examples/notation`], signatureVerification: { level: 'strict' }, trustStores: ['ca:examples'], trustedIdentities: [`x509.subject: ${pki.leafSubject}`] }],
    }));
    const r = await example('packages/notation', 'verify.ts', [`${host}/examples/notation:v1`, config], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^verified sha256:[0-9a-f]{64} \(trust policy "examples", 1 signature\(s\)\)/);
  });

  it('@ocx/sbom list-sboms: finds and summarises the attached SBOM', async () => {
    const r = await example('packages/sbom', 'list-sboms.ts', [`${host}/examples/app:v1`], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^referrer sha256:[0-9a-f]{64}: spdx \S+, 1 package\(s\), licenses MIT$/m);
  });
});
