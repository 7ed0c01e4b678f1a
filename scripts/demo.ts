import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, EMPTY_DESCRIPTOR, encodeJson, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER_TAR, MEDIA_TYPE_OCI_MANIFEST, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { createEmulator } from '@ocx/testkit';
import { run } from 'ocx';

// `pnpm demo`: the main job end to end on a local registry, with nothing installed beyond the repo.
// A spec-strict registry starts on 127.0.0.1, a multi-platform package and its SBOM are pushed,
// then ocx discovers the supply-chain graph and copies it, referrers and all, into an OCI layout.

const say = (s: string) => process.stdout.write(`\n\x1b[1m▶ ${s}\x1b[0m\n`);

async function ocx(...args: string[]): Promise<number> {
  process.stdout.write(`$ ocx ${args.join(' ')}\n`);
  const code = await run(args);
  process.stdout.write(`(exit ${code})\n`);
  return code;
}

function blob(content: string, mediaType: string): { desc: Descriptor; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(content);
  return { desc: { mediaType, digest: digestOf(bytes), size: bytes.byteLength }, bytes };
}

async function pushManifest(repo: RemoteRepository, body: Record<string, unknown>, mediaType = MEDIA_TYPE_OCI_MANIFEST): Promise<Descriptor> {
  const bytes = encodeJson({ schemaVersion: 2, mediaType, ...body });
  const desc = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
  await repo.push(desc, bytes);
  return desc;
}

const emulator = createEmulator();
const server = await emulator.listen();
const work = await mkdtemp(join(tmpdir(), 'ocx-demo-'));
const client = new RegistryClient({});
try {
  const ref = `${server.host}/demo/hello`;
  say(`A local OCI registry (referrers API on) at ${server.url}`);
  const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'demo/hello' });

  say('Push a multi-platform package: linux/amd64 + linux/arm64 under one index, tag 1.0.0');
  const platforms: Descriptor[] = [];
  for (const [os, architecture] of [['linux', 'amd64'], ['linux', 'arm64']] as const) {
    const config = blob(JSON.stringify({ os, architecture, config: {} }), MEDIA_TYPE_OCI_CONFIG);
    const layer = blob(`hello from ${os}/${architecture}\n`, MEDIA_TYPE_OCI_LAYER_TAR);
    await repo.push(config.desc, config.bytes);
    await repo.push(layer.desc, layer.bytes);
    const m = await pushManifest(repo, { config: config.desc, layers: [layer.desc] });
    platforms.push({ ...m, platform: { os, architecture } });
  }
  const index = await pushManifest(repo, { manifests: platforms }, MEDIA_TYPE_OCI_INDEX);
  await repo.tag(index, '1.0.0');
  console.log(`index ${index.digest}`);

  say('Attach an SPDX SBOM to the linux/amd64 manifest (an OCI 1.1 referrer)');
  const sbom = blob(JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'hello', dataLicense: 'CC0-1.0', documentNamespace: 'https://example.com/hello', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: ocx-demo'] }, packages: [{ name: 'hello', SPDXID: 'SPDXRef-hello', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'Apache-2.0' }] }), 'application/spdx+json');
  await repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'));
  await repo.push(sbom.desc, sbom.bytes);
  await pushManifest(repo, { artifactType: 'application/spdx+json', config: EMPTY_DESCRIPTOR, layers: [sbom.desc], subject: { mediaType: platforms[0]!.mediaType, digest: platforms[0]!.digest, size: platforms[0]!.size }, annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } });

  say('Discover what is attached (tree, then JSON in the shape of `oras discover --format json`)');
  await ocx('discover', `${ref}:1.0.0`, '--platform', 'linux/amd64', '--no-cache');
  await ocx('discover', `${ref}:1.0.0`, '--platform', 'linux/amd64', '--format', 'json', '--no-cache');

  say('Copy the package with its whole referrer graph into an OCI layout (air-gap style)');
  const layout = join(work, 'layout');
  await ocx('copy', `${ref}:1.0.0`, `oci-layout:${layout}:1.0.0`, '--no-cache');
  await ocx('discover', `oci-layout:${layout}:1.0.0`, '--platform', 'linux/amd64');

  say('Copy it on into a registry without the referrers API: ocx writes the tag-schema index');
  const legacy = createEmulator({ referrersApi: false });
  const legacyServer = await legacy.listen();
  await ocx('copy', `oci-layout:${layout}:1.0.0`, `${legacyServer.host}/demo/hello:1.0.0`, '--no-cache');
  await ocx('discover', `${legacyServer.host}/demo/hello:1.0.0`, '--platform', 'linux/amd64', '--no-cache');
  await legacyServer.close();

  say('A bad reference gets a clear message and the usage exit code (64)');
  await ocx('discover', `${server.host}/Demo/Hello:1.0.0`);
} finally {
  await client.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
