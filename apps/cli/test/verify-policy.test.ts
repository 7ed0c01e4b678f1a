import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { attach, createEmulator, type RunningRegistry } from '@ocx/testkit';
import { makePki, P256 } from '@ocx/testkit/pki';
import { ocx } from './cli.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// The decision table of issue 9, end to end through `ocx verify --policy` against the emulator,
// with real signatures made by `ocx package sign` (cosign bundles with a key, notation JWS with an
// X.509 chain): allowed signer → 0; unsigned, wrong key, wrong notation subject, required signer
// missing, SBOM required and absent → 81 with the why-tree; audit → 0 and one warning; 2-of-3
// across cosign and notation.

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const SLSA1 = 'https://slsa.dev/provenance/v1';

/** A key-signed (no log entry) DSSE attestation over `digest`, attached as a v0.3 bundle referrer (cosign v3 attest's shape). */
async function attest(host: string, repository: string, digest: string, keyPem: string, predicateType: string, predicate: unknown): Promise<void> {
  const [alg, hex] = digest.split(':');
  const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: repository, digest: { [alg!]: hex } }], predicateType, predicate }));
  const type = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${payload.length} `), payload]);
  const key = createPrivateKey(keyPem);
  const hint = createHash('sha256').update(createPublicKey(key).export({ format: 'der', type: 'spki' })).digest('base64');
  const bundle = { mediaType: BUNDLE, verificationMaterial: { publicKey: { hint }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } }, dsseEnvelope: { payload: payload.toString('base64'), payloadType: type, signatures: [{ sig: sign('sha256', pae, key).toString('base64') }] } };
  const client = new RegistryClient({});
  const repo = new RemoteRepository(client, { host, registry: host, repository });
  const subject = await repo.resolve(digest);
  await attach(repo, subject, { content: JSON.stringify(bundle), mediaType: BUNDLE }, { artifactType: BUNDLE, annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType } });
  await client.close();
}

/** An SPDX document attached as `oras attach --artifact-type application/spdx+json` does. */
async function attachSpdx(host: string, repository: string, digest: string): Promise<void> {
  const client = new RegistryClient({});
  const repo = new RemoteRepository(client, { host, registry: host, repository });
  const subject = await repo.resolve(digest);
  const spdx = JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', dataLicense: 'CC0-1.0', documentNamespace: 'https://x/1', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: t'] }, packages: [] });
  await attach(repo, subject, { content: spdx, mediaType: 'application/spdx+json' }, { artifactType: 'application/spdx+json' });
  await client.close();
}

describe('ocx verify under a policy (emulator)', () => {
  let server: RunningRegistry;
  let dir: string;
  let a: KeyFiles;
  let b: KeyFiles;
  let c: KeyFiles;
  let policy: string;
  let notationKey: string;
  let notationChain: string;
  const ref = (repo: string) => `${server.host}/${repo}:v1`;

  async function pkg(repo: string, ...signers: ('a' | 'b' | 'notation')[]): Promise<string> {
    const { repo: r, client } = repoAt(server.host, repo);
    await pushPackage(r, repo, 'v1');
    await client.close();
    for (const s of signers) {
      const args =
        s === 'notation'
          ? ['--notation', '--key', notationKey, '--cert', notationChain]
          : ['--key', (s === 'a' ? a : b).priv, '--tlog-upload=false'];
      const signed = await ocx(['package', 'sign', ref(repo), ...args, '--no-cache']);
      expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    }
    return ref(repo);
  }

  beforeAll(async () => {
    server = await createEmulator().listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-policy-'));
    [a, b, c] = await Promise.all([keyFiles(), keyFiles(), keyFiles()]);
    const pki = await makePki(P256, 'acme-release');
    notationKey = join(dir, 'notation.key');
    notationChain = join(dir, 'notation.crt');
    await writeFile(notationKey, pki.keyPem);
    await writeFile(notationChain, pki.chainPem);
    const store = join(dir, 'notation', 'truststore', 'x509', 'ca', 'acme');
    await mkdir(store, { recursive: true });
    await writeFile(join(store, 'root.pem'), pki.rootPem);
    const h = server.host;
    const doc = {
      version: 1,
      signers: {
        a: { key: a.pub, tlog: 'optional' },
        b: { key: b.pub, tlog: 'optional' },
        c: { key: c.pub, tlog: 'optional' },
        corp: { notation: { trustStore: 'ca:acme', identities: [`x509.subject: ${pki.leafSubject}`] } },
        other: { notation: { trustStore: 'ca:acme', identities: ['x509.subject: CN=someone-else, O=ocx test, L=Seattle, ST=WA, C=US'] } },
      },
      trust: { notation: { config: join(dir, 'notation') } },
      rules: [
        { name: 'only-a', scope: `${h}/pkg/**`, signatures: { threshold: 1, of: ['a'] } },
        { name: 'audit', scope: `${h}/audit/**`, mode: 'audit', signatures: { threshold: 1, of: ['a'] } },
        { name: 'two-of-three', scope: `${h}/multi/**`, signatures: { threshold: 2, of: ['a', 'b', 'corp'] } },
        { name: 'b-required', scope: `${h}/req/**`, signatures: { threshold: 1, of: ['a', 'b'], required: ['b'] } },
        { name: 'notation', scope: `${h}/nota/**`, signatures: { threshold: 1, of: ['corp'] } },
        { name: 'wrong-subject', scope: `${h}/nota-wrong/**`, signatures: { threshold: 1, of: ['other'] } },
        { name: 'sbom', scope: `${h}/sbom/**`, signatures: { threshold: 1, of: ['a'] }, sbom: { required: true } },
        { name: 'c-only', scope: `${h}/c/**`, signatures: { threshold: 1, of: ['c'] } },
        { name: 'slsa', scope: `${h}/slsa/**`, signatures: { threshold: 1, of: ['a'] }, attestations: [{ type: 'slsaprovenance1', signers: ['a'], builderId: 'https://github.com/actions/runner' }] },
      ],
    };
    policy = join(dir, 'policy.yaml');
    await writeFile(policy, JSON.stringify(doc, null, 2));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all([a, b, c].map((k) => k?.cleanup()));
    await rm(dir, { recursive: true, force: true });
  });

  const verify = (r: string, ...extra: string[]) => ocx(['verify', r, '--policy', policy, '--platform', 'linux/amd64', '--no-cache', ...extra]);

  it('signed by the allowed signer → 0; JSON carries the decision and where the policy came from', async () => {
    const r = await verify(await pkg('pkg/allowed', 'a'), '--format', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ verified: true, mode: 'policy', policy: { source: '--policy', path: policy } });
    expect(doc.results[0].targets[0].decision).toMatchObject({ allowed: true, signers: ['a'], rule: { name: 'only-a' } });
  });

  it('unsigned → 81 with the why-tree ("no signature found" is a policy failure too)', async () => {
    const r = await verify(await pkg('pkg/unsigned'));
    expect(r.code, r.stdout + r.stderr).toBe(81);
    expect(r.stdout).toMatch(/blocked by rule "only-a"/);
    expect(r.stdout).toMatch(/FAIL/);
  });

  it('wrong key → 81', async () => {
    const r = await verify(await pkg('c/signed-by-a', 'a'));
    expect(r.code, r.stdout + r.stderr).toBe(81);
    expect(r.stdout).toMatch(/expected/);
  });

  it('audit → 0 and one warning', async () => {
    const r = await verify(await pkg('audit/unsigned'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr.match(/^warning: /gm)).toHaveLength(1);
  });

  it('2-of-3 across cosign and notation: a + corp → 0; a alone → 81', async () => {
    const both = await verify(await pkg('multi/both', 'a', 'notation'), '--format', 'json');
    expect(both.code, both.stdout + both.stderr).toBe(0);
    expect(JSON.parse(both.stdout).results[0].targets[0].decision.signers.sort()).toEqual(['a', 'corp']);
    const one = await verify(await pkg('multi/one', 'a'));
    expect(one.code, one.stdout).toBe(81);
  });

  it('a required signer missing → 81', async () => {
    const r = await verify(await pkg('req/only-a', 'a'));
    expect(r.code, r.stdout).toBe(81);
    expect(r.stdout).toMatch(/"b"|\bb\b/);
    expect((await verify(await pkg('req/with-b', 'b'))).code).toBe(0);
  });

  it('notation: the trusted subject → 0; another subject → 81', async () => {
    const ok = await verify(await pkg('nota/signed', 'notation'));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const wrong = await verify(await pkg('nota-wrong/signed', 'notation'));
    expect(wrong.code, wrong.stdout).toBe(81);
  });

  it('SBOM required and absent → 81', async () => {
    const r = await verify(await pkg('sbom/no-sbom', 'a'));
    expect(r.code, r.stdout).toBe(81);
    expect(r.stdout).toMatch(/sbom/i);
  });

  it('SBOM required and present → 0', async () => {
    const r = await pkg('sbom/with-sbom', 'a');
    const amd64 = JSON.parse((await ocx(['verify', r, '--policy', policy, '--platform', 'linux/amd64', '--format', 'json', '--no-cache'])).stdout).results[0].targets[0].digest;
    await attachSpdx(server.host, 'sbom/with-sbom', amd64);
    const ok = await verify(r);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('attestation: the right builder id → 0; the wrong builder id → 81', async () => {
    const digestOf = async (r: string) => JSON.parse((await verify(r, '--format', 'json')).stdout).results[0].targets[0].digest as string;
    const good = await pkg('slsa/good', 'a');
    await attest(server.host, 'slsa/good', await digestOf(good), await readFile(a.priv, 'utf8'), SLSA1, { buildDefinition: { buildType: 'x' }, runDetails: { builder: { id: 'https://github.com/actions/runner' } } });
    const g = await verify(good, '--format', 'json');
    expect(g.code, g.stdout + g.stderr).toBe(0);
    const bad = await pkg('slsa/bad', 'a');
    await attest(server.host, 'slsa/bad', await digestOf(bad), await readFile(a.priv, 'utf8'), SLSA1, { buildDefinition: { buildType: 'x' }, runDetails: { builder: { id: 'https://evil.example/builder' } } });
    const b2 = await verify(bad);
    expect(b2.code, b2.stdout).toBe(81);
    expect(b2.stdout).toContain('https://evil.example/builder');
  });

  it('OCX_POLICY and $OCX_HOME/policy.yaml are found; --verbose says which', async () => {
    const r = await pkg('pkg/env', 'a');
    const env = await ocx(['verify', r, '--platform', 'linux/amd64', '--verbose', '--no-cache'], { OCX_POLICY: policy });
    expect(env.code, env.stdout + env.stderr).toBe(0);
    expect(env.stderr).toContain(`policy: OCX_POLICY=${policy}`);
    const home = await mkdtemp(join(tmpdir(), 'ocx-policy-home-'));
    try {
      await writeFile(join(home, 'policy.yaml'), await readFile(policy));
      const h = await ocx(['verify', r, '--platform', 'linux/amd64', '--format', 'json', '--no-cache'], { OCX_HOME: home });
      expect(h.code, h.stdout + h.stderr).toBe(0);
      expect(JSON.parse(h.stdout).policy).toEqual({ source: 'OCX_HOME', path: join(home, 'policy.yaml') });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('trust flags override the policy, which is not even loaded', async () => {
    const r = await pkg('pkg/flags', 'a');
    const f = await ocx(['verify', r, '--key', a.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--no-cache'], { OCX_POLICY: join(dir, 'does-not-exist.yaml') });
    expect(f.code, f.stdout + f.stderr).toBe(0);
  });

  it('a policy that does not load → 78 naming the rule; no policy and no flags → 64', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nrules:\n  - name: typo\n    scpoe: x.example/a\n    signatures: { threshold: 1, of: [a] }\n');
    const r = await ocx(['verify', ref('pkg/allowed'), '--policy', bad]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/typo|rules\[0\]/);
    const none = await ocx(['verify', ref('pkg/allowed')], { OCX_POLICY: '' });
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/policy/);
  });
});

describe('ocx sbom --require-signed under a policy', () => {
  let server: RunningRegistry;
  let dir: string;
  let a: KeyFiles;
  let b: KeyFiles;
  let policy: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-sbom-policy-'));
    [a, b] = await Promise.all([keyFiles(), keyFiles()]);
    policy = join(dir, 'policy.yaml');
    await writeFile(policy, JSON.stringify({ version: 1, signers: { a: { key: a.pub, tlog: 'optional' } }, rules: [{ name: 'app', scope: `${server.host}/app/**`, signatures: { threshold: 1, of: ['a'] } }] }));
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([a, b].map((k) => k?.cleanup()));
    await rm(dir, { recursive: true, force: true });
  });

  it('an SBOM signed by a rule signer counts; unsigned or signed by another key does not', async () => {
    const { repo, client } = repoAt(server.host, 'app/tool');
    const pkg = await pushPackage(repo, 'sbom-policy', 'v1');
    await client.close();
    await attachSpdx(server.host, 'app/tool', pkg.amd64.digest);
    const ref = `${server.host}/app/tool@${pkg.amd64.digest}`;
    const unsigned = await ocx(['sbom', ref, '--require-signed', '--policy', policy, '--no-cache']);
    expect(unsigned.code, unsigned.stdout + unsigned.stderr).toBe(79);
    // Sign the SBOM referrer itself (what cosign sign on an SBOM referrer does), first with b, then with a.
    const listed = JSON.parse((await ocx(['sbom', ref, '--format', 'json', '--no-cache'])).stdout);
    const referrer = listed.sboms?.[0]?.referrer ?? listed.rows?.[0]?.referrer ?? JSON.stringify(listed).match(/"referrer":\s*"(sha256:[0-9a-f]{64})"/)?.[1];
    expect(referrer).toMatch(/^sha256:/);
    expect((await ocx(['package', 'sign', `${server.host}/app/tool@${referrer}`, '--key', b.priv, '--tlog-upload=false', '--no-cache'])).code).toBe(0);
    const wrong = await ocx(['sbom', ref, '--require-signed', '--policy', policy, '--no-cache']);
    expect(wrong.code, wrong.stdout + wrong.stderr).not.toBe(0);
    expect((await ocx(['package', 'sign', `${server.host}/app/tool@${referrer}`, '--key', a.priv, '--tlog-upload=false', '--no-cache'])).code).toBe(0);
    const ok = await ocx(['sbom', ref, '--require-signed', '--policy', policy, '--no-cache']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });
});

describe('a keyless signer under a policy (cosign keyless attestation fixture)', () => {
  let server: RunningRegistry;
  let dir: string;
  let ref: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-keyless-policy-'));
    ref = await attestationFixtureRef(server.host);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function attestationNode(identity: string) {
    const policy = join(dir, `${identity.replace(/\W/g, '_')}.yaml`);
    await writeFile(
      policy,
      JSON.stringify({
        version: 1,
        signers: { dev: { keyless: { issuer: FIXTURE.issuer, identity } } },
        trust: { sigstore: { trustedRoot: FIXTURE.trustedRoot } },
        rules: [{ name: 'fixture', scope: `${server.host}/fixture/empty`, mode: 'audit', signatures: { threshold: 1, of: ['dev'] }, attestations: [{ type: 'custom', signers: ['dev'] }] }],
      }),
    );
    const r = await ocx(['verify', ref, '--policy', policy, '--format', 'json', '--no-cache']);
    expect(r.code, r.stdout + r.stderr).toBe(0); // audit: reported, never blocks
    const why = JSON.parse(r.stdout).results[0].targets[0].decision.why;
    const node = why.children.find((n: { label: string }) => n.label.startsWith("attestations[0]"));
    return node;
  }

  it('the certificate identity and issuer are matched against the signer (trusted root from the policy, no TUF)', async () => {
    expect((await attestationNode(FIXTURE.identity)).outcome).toBe('pass');
    const wrong = await attestationNode('someone-else@example.com');
    expect(wrong.outcome).toBe('fail');
    expect(JSON.stringify(wrong)).toContain(FIXTURE.identity);
  });
});
