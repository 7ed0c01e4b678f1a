// Writing cosign's two signature shapes for the keyless path. Same wire shapes as sign.ts writes for a
// key (cosign pkg/oci/remote/write.go WriteReferrer; the legacy `.sig` image): kept here so the keyless
// path does not reach into sign.ts's private helpers.
import {
  ANNOTATION_CREATED,
  digestOf,
  EMPTY_DESCRIPTOR,
  encodeJson,
  isIndex,
  isOciError,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
  parseManifest,
  type CallOptions,
  type Descriptor,
  type Fetcher,
  type Pusher,
  type PushResult,
  type Resolver,
  type TagPusher,
} from '@ocx/oci';
import { BUNDLE_ANNOTATIONS, legacyTag } from '@ocx/cosign';
import { SignerError } from '../errors.ts';

export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export type SignerRepo = Resolver & Fetcher & Pusher & TagPusher;

export async function pushBlob(repo: Pusher, mediaType: string, bytes: Uint8Array, call: CallOptions): Promise<Descriptor> {
  const desc = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
  await repo.push(desc, bytes, call);
  return desc;
}

/** A bundle v0.3 referrer of `target`: empty config, one bundle layer, cosign's annotations. */
export async function pushBundleReferrer(
  repo: Pusher,
  target: Descriptor,
  bundleJson: unknown,
  predicateType: string,
  now: Date,
  call: CallOptions,
): Promise<{ signature: string; referrers?: PushResult['referrers'] }> {
  const layer = await pushBlob(repo, BUNDLE_V03, encodeJson(bundleJson), call);
  await repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'), call);
  const manifest = encodeJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: BUNDLE_V03,
    config: EMPTY_DESCRIPTOR,
    layers: [layer],
    subject: { mediaType: target.mediaType, digest: target.digest, size: target.size },
    annotations: {
      [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope',
      [BUNDLE_ANNOTATIONS.predicateType]: predicateType,
      [ANNOTATION_CREATED]: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
  const desc = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(manifest), size: manifest.byteLength };
  const result = await repo.push(desc, manifest, call);
  return { signature: desc.digest, ...(result.referrers ? { referrers: result.referrers } : {}) };
}

/** Appends `layer` to the `.sig` image of `target` (keeping the layers `drop` does not match) and re-tags it. */
export async function appendLegacyLayer(
  repo: SignerRepo,
  target: Descriptor,
  layer: Descriptor,
  drop: (existing: Descriptor) => boolean,
  call: CallOptions,
): Promise<{ signature: string; tag: string }> {
  const tag = legacyTag(target.digest, 'sig');
  if (tag === undefined) throw new SignerError('INVALID_OPTIONS', `${target.digest} has no legacy signature tag (only sha256 digests fit a tag)`);
  let layers: Descriptor[] = [];
  try {
    const existing = await repo.resolve(tag, call);
    const { manifest } = parseManifest(await repo.fetch(existing, call), existing.mediaType);
    if (!isIndex(manifest)) layers = manifest.layers.filter((l) => !drop(l));
  } catch (e) {
    if (!(isOciError(e) && e.code === 'NOT_FOUND')) throw e;
  }
  layers.push(layer);
  // go-containerregistry's config for an image of these layers (their diff IDs are their digests).
  const config = await pushBlob(
    repo,
    MEDIA_TYPE_OCI_CONFIG,
    encodeJson({ architecture: '', created: '0001-01-01T00:00:00Z', os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {} }),
    call,
  );
  const manifest = encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers });
  const desc = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(manifest), size: manifest.byteLength };
  await repo.push(desc, manifest, call);
  await repo.tag(desc, tag, call);
  return { signature: desc.digest, tag };
}
