// Builders for small but real OCI artifacts (image-spec v1.1.1 manifest.md, image-index.md), pushed
// into whatever the test gives. The testkit is the oracle @ocx/oci is tested against, so nothing here
// imports @ocx/oci: digests come from node:crypto and targets are typed by shape.
import { createHash } from 'node:crypto';

const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const MEDIA_TYPE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
// image-spec manifest.md "Guidance for an Empty Descriptor".
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2, data: 'e30=' } as const;
const EMPTY_BYTES = new TextEncoder().encode('{}');
/** What oras and cosign stamp on the referrers they write; fixed so digests are reproducible. */
const CREATED = { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } as const;

/** An OCI descriptor (descriptor.md); a type alias so it fits @ocx/oci's loose `Descriptor`. */
export type ArtifactDescriptor = {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  data?: string;
};

/** Where artifacts go: a repository, an OCI layout, an emulator client. */
export interface ArtifactTarget {
  push(descriptor: ArtifactDescriptor, content: Uint8Array): Promise<unknown>;
}

export interface TaggableTarget extends ArtifactTarget {
  tag(descriptor: ArtifactDescriptor, tag: string): Promise<unknown>;
}

export interface BuiltBlob {
  readonly desc: ArtifactDescriptor;
  readonly bytes: Uint8Array;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blob(content: string | Uint8Array, mediaType: string): BuiltBlob {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { desc: { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength }, bytes };
}

/** A manifest (or, with the index media type, an index) around `body`, as compact JSON. */
export function manifest(body: Record<string, unknown>, mediaType = MEDIA_TYPE_MANIFEST): BuiltBlob {
  return blob(JSON.stringify({ schemaVersion: 2, mediaType, ...body }), mediaType);
}

export async function pushManifest(target: ArtifactTarget, body: Record<string, unknown>, mediaType = MEDIA_TYPE_MANIFEST): Promise<ArtifactDescriptor> {
  const m = manifest(body, mediaType);
  await target.push(m.desc, m.bytes);
  return m.desc;
}

/** A one-layer linux/amd64 image whose bytes (and so digest) depend only on `seed`. */
export async function pushImage(target: TaggableTarget, seed: string, tag?: string): Promise<ArtifactDescriptor> {
  const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }), MEDIA_TYPE_CONFIG);
  const layer = blob(`layer ${seed}`, MEDIA_TYPE_LAYER_TAR);
  await target.push(config.desc, config.bytes);
  await target.push(layer.desc, layer.bytes);
  const desc = await pushManifest(target, { config: config.desc, layers: [layer.desc] });
  if (tag) await target.tag(desc, tag);
  return desc;
}

/** An index of linux/amd64 and linux/arm64/v8 images. */
export async function pushMultiPlatform(target: TaggableTarget, seed: string, tag?: string): Promise<{ index: ArtifactDescriptor; children: ArtifactDescriptor[] }> {
  const amd = await pushImage(target, `${seed}-amd64`);
  const arm = await pushImage(target, `${seed}-arm64`);
  const manifests = [
    { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
    { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  const index = await pushManifest(target, { manifests }, MEDIA_TYPE_INDEX);
  if (tag) await target.tag(index, tag);
  return { index, children: [amd, arm] };
}

export interface AttachOptions {
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
  /** Name another subject digest than `subject`'s (a lying referrer). */
  readonly subjectDigest?: string;
}

/**
 * An OCI 1.1 artifact with one layer and the empty config, naming `subject` (manifest.md "subject");
 * returns the descriptor a referrers listing carries for it (artifactType and annotations included).
 */
export async function attach(target: ArtifactTarget, subject: ArtifactDescriptor, layer: { content: string | Uint8Array; mediaType: string }, options: AttachOptions = {}): Promise<ArtifactDescriptor> {
  const l = blob(layer.content, layer.mediaType);
  await target.push({ ...EMPTY }, EMPTY_BYTES);
  await target.push(l.desc, l.bytes);
  const { artifactType, annotations } = options;
  const desc = await pushManifest(target, {
    ...(artifactType ? { artifactType } : {}),
    config: EMPTY,
    layers: [l.desc],
    subject: { mediaType: subject.mediaType, digest: options.subjectDigest ?? subject.digest, size: subject.size },
    ...(annotations ? { annotations } : {}),
  });
  return { ...desc, ...(artifactType ? { artifactType } : {}), ...(annotations ? { annotations } : {}) };
}

/** `oras attach --artifact-type <artifactType>` of an octet-stream `payload`. */
export function pushReferrer(target: ArtifactTarget, subject: ArtifactDescriptor, artifactType: string, annotations: Record<string, string> = {}, payload = `payload for ${artifactType}`): Promise<ArtifactDescriptor> {
  return attach(target, subject, { content: payload, mediaType: 'application/octet-stream' }, { artifactType, annotations: { ...CREATED, ...annotations } });
}

/** A Sigstore bundle referrer as cosign v3 writes it (cosign BUNDLE_SPEC.md): one bundle layer. */
export function pushBundleReferrer(target: ArtifactTarget, subject: ArtifactDescriptor, bundle: object | Uint8Array, annotations: Record<string, string>): Promise<ArtifactDescriptor> {
  const content = bundle instanceof Uint8Array ? bundle : JSON.stringify(bundle);
  return attach(target, subject, { content, mediaType: MEDIA_TYPE_BUNDLE }, { artifactType: MEDIA_TYPE_BUNDLE, annotations: { ...CREATED, ...annotations } });
}

/** A manifest with a `{}` config and these layers under `tag` (cosign's legacy `.sig`/`.att`/`.sbom` tags). */
export async function pushTagged(target: TaggableTarget, tag: string, layers: readonly { content: string | Uint8Array; mediaType: string; annotations?: Record<string, string> }[]): Promise<ArtifactDescriptor> {
  const config = blob('{}', MEDIA_TYPE_CONFIG);
  await target.push(config.desc, config.bytes);
  const descs: ArtifactDescriptor[] = [];
  for (const l of layers) {
    const b = blob(l.content, l.mediaType);
    await target.push(b.desc, b.bytes);
    descs.push({ ...b.desc, ...(l.annotations ? { annotations: l.annotations } : {}) });
  }
  const desc = await pushManifest(target, { config: config.desc, layers: descs });
  await target.tag(desc, tag);
  return desc;
}
