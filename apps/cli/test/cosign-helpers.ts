// Shared setup for the cosign CLI tests: a registry with a small multi-platform package, keys on disk.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER_TAR, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { afterAll, beforeAll, expect } from 'vitest';
import { blob, createEmulator, createPeerSandbox, fixturePath, pushBundleReferrer, pushManifest, registryOrSkip, runPeer, startRegistry, type PeerName, type PeerSandbox } from '@ocx/testkit';

export function repoAt(host: string, repository: string, fetchImpl?: typeof fetch): { repo: RemoteRepository; client: RegistryClient } {
  const client = new RegistryClient(fetchImpl ? { fetch: fetchImpl as never } : {});
  return { repo: new RemoteRepository(client, { host, registry: host, repository }), client };
}

async function pushBytes(repo: RemoteRepository, mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
  const b = blob(bytes, mediaType);
  await repo.push(b.desc, b.bytes);
  return b.desc;
}

/** linux/amd64 + linux/arm64 image index tagged `tag`; configs carry `rootfs`, which the peers require. */
export async function pushPackage(repo: RemoteRepository, seed: string, tag: string): Promise<{ index: Descriptor; amd64: Descriptor; arm64: Descriptor }> {
  const image = async (arch: string) => {
    const config = await pushBytes(repo, MEDIA_TYPE_OCI_CONFIG, new TextEncoder().encode(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed })));
    const layer = await pushBytes(repo, MEDIA_TYPE_OCI_LAYER_TAR, new TextEncoder().encode(`${seed} ${arch}`));
    return pushManifest(repo, { config, layers: [layer] });
  };
  const amd64 = await image('amd64');
  const arm64 = await image('arm64');
  const manifests = [
    { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
  ];
  const index = await pushManifest(repo, { manifests }, MEDIA_TYPE_OCI_INDEX);
  await repo.tag(index, tag);
  return { index, amd64, arm64 };
}

export interface KeyFiles {
  dir: string;
  priv: string;
  pub: string;
  cleanup(): Promise<void>;
}

export async function keyFiles(type: 'ec' | 'ed25519' = 'ec'): Promise<KeyFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'ocx-cosign-'));
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const priv = join(dir, 'key.pem');
  const pub = join(dir, 'key.pub');
  await writeFile(priv, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(pub, pair.publicKey.export({ format: 'pem', type: 'spki' }));
  return { dir, priv, pub, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// cosign pkg/cosign/testdata (SOURCES.md "cosign"): a keyless v0.3 attestation on ggcr's empty image.
export const FIXTURE = {
  bundle: fixturePath('cosign/pkg/cosign/testdata/oci-attestation.sigstore.json'),
  trustedRoot: fixturePath('cosign/pkg/cosign/testdata/trusted_root_pgi.json'),
  manifestDigest: 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4',
  configDigest: 'sha256:5b943e2b943f6c81dbbd4e2eca5121f4fcc39139e3d1219d6d89bd925b77d9fe',
  identity: 'cody@soyland.com',
  issuer: 'https://github.com/login/oauth',
};

/** Attaches a bundle as a v0.3 referrer of `subject` (cosign pkg/oci/remote/write.go WriteReferrer shape). */
export function attachBundle(repo: RemoteRepository, subject: Descriptor, bundle: object | Uint8Array, annotations: Record<string, string>): Promise<Descriptor> {
  return pushBundleReferrer(repo, subject, bundle, { 'org.opencontainers.image.created': '2025-02-28T00:00:00Z', ...annotations });
}

/** Pushes the empty image and attaches the fixture bundle as a v0.3 referrer, as cosign's own test does. */
export async function pushAttestationFixture(repo: RemoteRepository): Promise<Descriptor> {
  const blobs = (d: string) => fixturePath('cosign/derived-ggcr-empty-image/blobs/sha256', d.slice('sha256:'.length));
  await pushBytes(repo, 'application/vnd.docker.container.image.v1+json', await readFile(blobs(FIXTURE.configDigest)));
  const subject = await pushBytes(repo, 'application/vnd.docker.distribution.manifest.v2+json', await readFile(blobs(FIXTURE.manifestDigest)));
  await attachBundle(repo, subject, await readFile(FIXTURE.bundle), {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': 'https://cosign.sigstore.dev/attestation/v1',
  });
  return subject;
}

/** The attestation fixture in the registry at `host` (through `fetchImpl`, e.g. an emulator's): its reference by digest. */
export async function attestationFixtureRef(host: string, fetchImpl?: typeof fetch): Promise<string> {
  const { repo, client } = repoAt(host, 'fixture/empty', fetchImpl);
  const subject = await pushAttestationFixture(repo);
  await client.close();
  return `${host}/fixture/empty@${subject.digest}`;
}

/** The fixture's trusted root without its CT logs (a private CA without certificate transparency), written in `dir`. */
export async function writeRootWithoutCtLogs(dir: string): Promise<string> {
  const path = join(dir, 'trusted_root_no_ct.json');
  await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(FIXTURE.trustedRoot, 'utf8')), ctlogs: [] }));
  return path;
}

// The rig the cosign peer tests share: both registries, cosign's flags for a plain-HTTP registry and
// for signing offline without a transparency log, one password for the generated keys.
export const COSIGN_PEER_TARGETS = [
  { name: 'emulator', available: true, start: async () => { const s = await createEmulator().listen(); return { host: s.host, stop: () => s.close() }; } },
  { name: 'docker-registry 2.8', available: registryOrSkip('distribution2') !== undefined, start: async () => { const r = await startRegistry('distribution2'); return { host: r.host, stop: () => r.stop() }; } },
];
export const COSIGN_HTTP = ['--allow-insecure-registry', '--allow-http-registry'];
// cosign v3 signs offline only without the TUF signing config (a --signing-config without Rekor works too).
export const COSIGN_V3_OFFLINE = ['--use-signing-config=false', '--tlog-upload=false'];
export const COSIGN_KEY_PASSWORD = 'ocx-test-password';

/** Runs a cosign peer in the sandbox `sandbox()` returns (set in beforeAll); `ok` also expects exit 0. */
export function cosignRunner(sandbox: () => PeerSandbox) {
  const run = (peer: PeerName, args: string[], env: Record<string, string> = {}) => runPeer(peer, args, { sandbox: sandbox(), env: { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD, ...env }, timeoutMs: 120_000 });
  const ok = async (peer: PeerName, args: string[], env: Record<string, string> = {}) => {
    const r = await run(peer, args, env);
    expect(r.code, `${peer} ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r;
  };
  return { run, ok };
}

export type CosignPeerTarget = (typeof COSIGN_PEER_TARGETS)[number];

export interface CosignPeerRig extends ReturnType<typeof cosignRunner> {
  /** host:port of the started registry. */
  readonly host: string;
  readonly sandbox: PeerSandbox;
  /** The key pair cosign v2 generated in the sandbox (password COSIGN_KEY_PASSWORD). */
  key(): string;
  pub(): string;
  /** A path in the sandbox. */
  file(name: string): string;
}

/**
 * The cosign peer rig, registered in the calling describe: beforeAll starts `target`'s registry and a
 * peer sandbox and has cosign v2 generate cosign.key/cosign.pub (then `setup`); afterAll stops both.
 */
export function cosignPeerRig(target: CosignPeerTarget, setup?: (rig: CosignPeerRig) => Promise<void>): CosignPeerRig {
  let reg: { host: string; stop(): Promise<void> } | undefined;
  let sandbox: PeerSandbox | undefined;
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the cosign peer rig is used before its beforeAll ran');
    return v;
  };
  const rig: CosignPeerRig = {
    get host() {
      return started(reg).host;
    },
    get sandbox() {
      return started(sandbox);
    },
    key: () => join(rig.sandbox.dir, 'cosign.key'),
    pub: () => join(rig.sandbox.dir, 'cosign.pub'),
    file: (name) => join(rig.sandbox.dir, name),
    ...cosignRunner(() => rig.sandbox),
  };
  beforeAll(async () => {
    reg = await target.start();
    sandbox = await createPeerSandbox();
    await rig.ok('cosign2', ['generate-key-pair']);
    await setup?.(rig);
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
    await sandbox?.cleanup();
  });
  return rig;
}

/** A fresh linux/amd64 + linux/arm64 package at `host/repository`: `ref` names its amd64 manifest by digest. */
export async function freshPackage(host: string, repository: string, seed: string): Promise<{ ref: string; tagRef: string; repository: string; digest: Descriptor }> {
  const { repo, client } = repoAt(host, repository);
  const pkg = await pushPackage(repo, seed, 'v1');
  await client.close();
  return { ref: `${host}/${repository}@${pkg.amd64.digest}`, tagRef: `${host}/${repository}:v1`, repository, digest: pkg.amd64 };
}
