import { digestOf, EMPTY_DESCRIPTOR, encodeJson, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER_TAR, MEDIA_TYPE_OCI_MANIFEST, type Descriptor, type Pusher, type TagPusher } from '@ocx/oci';

// Builders for small but real artifacts, pushed through the role interfaces under test.

export function blob(content: string | Uint8Array, mediaType: string): { desc: Descriptor; bytes: Uint8Array } {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { desc: { mediaType, digest: digestOf(bytes), size: bytes.byteLength }, bytes };
}

export function manifest(body: Record<string, unknown>, mediaType = MEDIA_TYPE_OCI_MANIFEST): { desc: Descriptor; bytes: Uint8Array } {
  const bytes = encodeJson({ schemaVersion: 2, mediaType, ...body });
  return { desc: { mediaType, digest: digestOf(bytes), size: bytes.byteLength }, bytes };
}

export async function pushImage(target: Pusher & TagPusher, seed: string, tag?: string): Promise<Descriptor> {
  const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }), MEDIA_TYPE_OCI_CONFIG);
  const layer = blob(`layer ${seed}`, MEDIA_TYPE_OCI_LAYER_TAR);
  await target.push(config.desc, config.bytes);
  await target.push(layer.desc, layer.bytes);
  const m = manifest({ config: config.desc, layers: [layer.desc] });
  await target.push(m.desc, m.bytes);
  if (tag) await target.tag(m.desc, tag);
  return m.desc;
}

export async function pushMultiPlatform(target: Pusher & TagPusher, seed: string, tag?: string): Promise<{ index: Descriptor; children: Descriptor[] }> {
  const amd = await pushImage(target, `${seed}-amd64`);
  const arm = await pushImage(target, `${seed}-arm64`);
  const children = [
    { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
    { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  const idx = manifest({ manifests: children }, MEDIA_TYPE_OCI_INDEX);
  await target.push(idx.desc, idx.bytes);
  if (tag) await target.tag(idx.desc, tag);
  return { index: idx.desc, children: [amd, arm] };
}

/** An OCI 1.1 artifact attached to `subject`, as `oras attach` builds it. */
export async function pushReferrer(target: Pusher, subject: Descriptor, artifactType: string, annotations: Record<string, string> = {}, payload = `payload for ${artifactType}`): Promise<Descriptor> {
  const layer = blob(payload, 'application/octet-stream');
  await target.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'));
  await target.push(layer.desc, layer.bytes);
  const m = manifest({
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [layer.desc],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', ...annotations },
  });
  await target.push(m.desc, m.bytes);
  return { ...m.desc, artifactType, annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', ...annotations } };
}
