// Push a one-layer image and an SBOM that refers to it, then list what is attached.
// Run: npx tsx examples/push-and-discover.ts localhost:5000   (or OCX_REGISTRY=localhost:5000)
import { digestOf, discover, encodeJson, parseReference, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';

const registry = process.argv[2] ?? process.env.OCX_REGISTRY ?? 'localhost:5000';
const client = new RegistryClient({}); // credentials: ~/.docker/config.json; loopback may be plain HTTP
const ref = parseReference(`${registry}/examples/hello:v1`);
if (ref.kind !== 'registry') throw new Error(`${registry} is not a registry`);
const repo = new RemoteRepository(client, ref);

async function put(mediaType: string, bytes: Uint8Array, extra: Partial<Descriptor> = {}): Promise<Descriptor> {
  const desc = { mediaType, digest: digestOf(bytes), size: bytes.length, ...extra };
  await repo.push(desc, bytes); // blobs and manifests alike, verified against the digest
  return desc;
}

try {
  const config = await put('application/vnd.oci.image.config.v1+json', encodeJson({ os: 'linux', architecture: 'amd64' }));
  const layer = await put('text/plain', new TextEncoder().encode('hello\n'), { annotations: { 'org.opencontainers.image.title': 'hello.txt' } });
  const image = await put('application/vnd.oci.image.manifest.v1+json', encodeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] }));
  await repo.tag(image, 'v1');

  // An OCI 1.1 referrer: its `subject` names the image (the tag-schema index is kept where the
  // registry has no referrers API).
  const empty = await put('application/vnd.oci.empty.v1+json', encodeJson({}));
  const sbom = await put('application/spdx+json', encodeJson({ spdxVersion: 'SPDX-2.3', name: 'hello' }));
  await put('application/vnd.oci.image.manifest.v1+json', encodeJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json', config: empty, layers: [sbom], subject: image }));

  const root = await repo.resolve('v1');
  const { root: tree, mode } = await discover(repo, root);
  console.log(`${registry}/examples/hello@${root.digest} (${mode})`);
  for (const r of tree.referrers) console.log(`└── ${r.descriptor.artifactType} ${r.descriptor.digest}`);
} finally {
  await client.close();
}
