// Pushes cosign-shaped evidence into a registry through @ocx/oci role interfaces, as cosign writes it
// (BUNDLE_SPEC.md referrer manifest; SIGNATURE_SPEC.md legacy `.sig` tag).
import { digestOf, EMPTY_DESCRIPTOR, encodeJson, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_LAYER_TAR, MEDIA_TYPE_OCI_MANIFEST, type Descriptor, type Pusher, type TagPusher } from '@ocx/oci';

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

const BUNDLE_MT = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A bundle referrer manifest as cosign v3 writes it; returns the descriptor a listing would carry. */
export async function pushBundleReferrer(target: Pusher, subject: Descriptor, bundle: object | Uint8Array, annotations: Record<string, string>): Promise<Descriptor> {
  const layer = blob(bundle instanceof Uint8Array ? bundle : JSON.stringify(bundle), BUNDLE_MT);
  await target.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'));
  await target.push(layer.desc, layer.bytes);
  const all = { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', ...annotations };
  const m = manifest({ artifactType: BUNDLE_MT, config: EMPTY_DESCRIPTOR, layers: [layer.desc], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations: all });
  await target.push(m.desc, m.bytes);
  return { ...m.desc, artifactType: BUNDLE_MT, annotations: all };
}

/** A legacy `sha256-<hex>.sig` manifest with simple-signing layers (cosign ≤ v2). */
export async function pushLegacySig(target: Pusher & TagPusher, subject: Descriptor, layers: { payload: Uint8Array; annotations: Record<string, string> }[], suffix = 'sig'): Promise<Descriptor> {
  const config = blob('{}', MEDIA_TYPE_OCI_CONFIG);
  await target.push(config.desc, config.bytes);
  const descs: Descriptor[] = [];
  for (const l of layers) {
    const b = blob(l.payload, suffix === 'sig' ? 'application/vnd.dev.cosign.simplesigning.v1+json' : 'application/vnd.dsse.envelope.v1+json');
    await target.push(b.desc, b.bytes);
    descs.push({ ...b.desc, annotations: l.annotations });
  }
  const m = manifest({ config: config.desc, layers: descs });
  await target.push(m.desc, m.bytes);
  await target.tag(m.desc, `${subject.digest.replace(':', '-')}.${suffix}`);
  return m.desc;
}
