import { digestOf, EMPTY_DESCRIPTOR, encodeJson, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_LAYER_TAR, MEDIA_TYPE_OCI_MANIFEST, type Descriptor, type Pusher, type TagPusher } from '@ocx/oci';

// Small artifacts shaped like the ones oras, cosign v2 and cosign v3 write, pushed through the role
// interfaces. Signatures are dummies: finding never verifies.

const enc = new TextEncoder();

export function blob(content: string | Uint8Array, mediaType: string): { desc: Descriptor; bytes: Uint8Array } {
  const bytes = typeof content === 'string' ? enc.encode(content) : content;
  return { desc: { mediaType, digest: digestOf(bytes), size: bytes.byteLength }, bytes };
}

export function manifestOf(body: Record<string, unknown>): { desc: Descriptor; bytes: Uint8Array } {
  const bytes = encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, ...body });
  return { desc: { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(bytes), size: bytes.byteLength }, bytes };
}

export async function pushImage(repo: Pusher & TagPusher, seed: string, tag?: string): Promise<Descriptor> {
  const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }), MEDIA_TYPE_OCI_CONFIG);
  const layer = blob(`layer ${seed}`, MEDIA_TYPE_OCI_LAYER_TAR);
  await repo.push(config.desc, config.bytes);
  await repo.push(layer.desc, layer.bytes);
  const m = manifestOf({ config: config.desc, layers: [layer.desc] });
  await repo.push(m.desc, m.bytes);
  if (tag) await repo.tag(m.desc, tag);
  return m.desc;
}

/** `oras attach --artifact-type <artifactType> ref file:<layerType>`. */
export async function attachRaw(repo: Pusher, subject: Descriptor, artifactType: string | undefined, content: string | Uint8Array, layerType: string, subjectDigest = subject.digest): Promise<Descriptor> {
  const layer = blob(content, layerType);
  await repo.push({ ...EMPTY_DESCRIPTOR }, enc.encode('{}'));
  await repo.push(layer.desc, layer.bytes);
  const m = manifestOf({
    ...(artifactType ? { artifactType } : {}),
    config: EMPTY_DESCRIPTOR,
    layers: [layer.desc],
    subject: { mediaType: subject.mediaType, digest: subjectDigest, size: subject.size },
  });
  await repo.push(m.desc, m.bytes);
  return m.desc;
}

export function statement(subjectDigest: string, predicateType: string, predicate: unknown): string {
  const [alg, hex] = subjectDigest.split(':');
  return JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { [alg!]: hex } }], predicateType, predicate });
}

export function dsse(statementJson: string): Record<string, unknown> {
  return { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(statementJson).toString('base64'), signatures: [{ keyid: '', sig: 'AAAA' }] };
}

/** cosign v3 `attest`: a Sigstore bundle referrer announcing its predicate type. */
export async function attachBundle(repo: Pusher, subject: Descriptor, statementJson: string, predicateType: string): Promise<Descriptor> {
  const type = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const bundle = blob(JSON.stringify({ mediaType: type, verificationMaterial: { publicKey: { hint: 'k' } }, dsseEnvelope: dsse(statementJson) }), type);
  await repo.push({ ...EMPTY_DESCRIPTOR }, enc.encode('{}'));
  await repo.push(bundle.desc, bundle.bytes);
  const m = manifestOf({
    artifactType: type,
    config: EMPTY_DESCRIPTOR,
    layers: [bundle.desc],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType },
  });
  await repo.push(m.desc, m.bytes);
  return m.desc;
}

/** A manifest under a legacy cosign tag (`sha256-<hex>.att` / `.sbom`) with these layers. */
export async function pushLegacy(repo: Pusher & TagPusher, tag: string, layers: { content: string; mediaType: string; annotations?: Record<string, string> }[]): Promise<Descriptor> {
  const config = blob('{}', MEDIA_TYPE_OCI_CONFIG);
  await repo.push(config.desc, config.bytes);
  const descs: Descriptor[] = [];
  for (const l of layers) {
    const b = blob(l.content, l.mediaType);
    await repo.push(b.desc, b.bytes);
    descs.push({ ...b.desc, ...(l.annotations ? { annotations: l.annotations } : {}) });
  }
  const m = manifestOf({ config: config.desc, layers: descs });
  await repo.push(m.desc, m.bytes);
  await repo.tag(m.desc, tag);
  return m.desc;
}
