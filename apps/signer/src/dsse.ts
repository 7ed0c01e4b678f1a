// The two ways cosign stores a signed DSSE statement, shared by `package sign` and `package attest`:
// a Sigstore bundle v0.3 referrer (cosign v3) and a layer appended to a legacy `sha256-<hex>.<suffix>`
// tag (cosign ≤ v2).
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, RekorWitness, DEFAULT_REKOR_URL, type Signer, type Witness } from '@sigstore/sign';
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
import { BUNDLE_ANNOTATIONS, IN_TOTO_PAYLOAD_TYPE, legacyTag } from '@ocx/cosign';
import { SignerError } from './errors.ts';
import { signBytes, type SigningKey } from './key.ts';

export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export type SignerRepo = Resolver & Fetcher & Pusher & TagPusher;

export interface DsseSignOptions {
  readonly key: SigningKey;
  /** Upload a DSSE entry to Rekor (network); false: the bundle carries no tlog entry. */
  readonly tlogUpload?: boolean;
  readonly rekorURL?: string;
  /** Time written into org.opencontainers.image.created. */
  readonly now: Date;
}

/** A signer that brings its own witnesses (the keyless path: a Fulcio-certified key, Rekor and/or a TSA). */
export interface DsseWitnessedOptions {
  readonly signer: Signer;
  readonly witnesses: readonly Witness[];
  /** Time written into org.opencontainers.image.created. */
  readonly now: Date;
}

function localSigner(key: SigningKey): Signer {
  return {
    sign: async (data) => ({ signature: signBytes(key, data), key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.hint } }),
  };
}

function keySigning(opts: DsseSignOptions): { signer: Signer; witnesses: Witness[] } {
  const rekor = opts.tlogUpload ? [new RekorWitness({ rekorBaseURL: opts.rekorURL ?? DEFAULT_REKOR_URL, entryType: 'dsse', fetchOnConflict: true })] : [];
  return { signer: localSigner(opts.key), witnesses: rekor };
}

/** RFC 3339 without fractions, as cosign writes org.opencontainers.image.created. */
export function createdAnnotation(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function pushBlob(repo: Pusher, mediaType: string, bytes: Uint8Array, call: CallOptions): Promise<Descriptor> {
  const desc = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
  await repo.push(desc, bytes, call);
  return desc;
}

/**
 * Signs `statement` as a DSSE envelope in a Sigstore bundle v0.3 and pushes it as a referrer of
 * `target` (cosign pkg/oci/remote/write.go WriteReferrer: empty config, one bundle layer, the
 * bundle content and predicateType annotations). With a key, `opts.tlogUpload` adds a Rekor witness;
 * a witnessed signer (keyless) brings its own, and its errors are left to the caller to map.
 */
export async function pushDsseBundle(
  repo: Pusher,
  target: Descriptor,
  statement: Uint8Array,
  predicateType: string,
  opts: DsseSignOptions | DsseWitnessedOptions,
  call: CallOptions,
): Promise<{ signature: string; referrers?: PushResult['referrers'] }> {
  const keyed = 'key' in opts ? opts : undefined;
  const builder = new DSSEBundleBuilder('key' in opts ? keySigning(opts) : { signer: opts.signer, witnesses: [...opts.witnesses] });
  let bundle;
  try {
    bundle = await builder.create({ data: Buffer.from(statement), type: IN_TOTO_PAYLOAD_TYPE });
  } catch (cause) {
    // @sigstore/sign reports Rekor failures as TLOG_* codes: the log was unreachable or refused the entry.
    const code = (cause as { code?: unknown }).code;
    if (keyed?.tlogUpload && typeof code === 'string' && code.startsWith('TLOG')) {
      throw new SignerError('TLOG_FAILED', `the transparency log (${keyed.rekorURL ?? DEFAULT_REKOR_URL}) did not take the entry: ${(cause as Error).message}; nothing was pushed (--tlog-upload=false signs without it)`, { cause });
    }
    throw cause;
  }
  const json = bundleToJSON(bundle);
  // The DSSE keyid is unsigned metadata; sigstore-go (cosign) skips a signature whose keyid differs
  // from its own key id, so leave it out as cosign does and let `publicKey.hint` name the key.
  for (const sig of json.dsseEnvelope?.signatures ?? []) delete (sig as { keyid?: string }).keyid;
  const layer = pushBlob(repo, BUNDLE_V03, encodeJson(json), call);
  const annotations = { [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope', [BUNDLE_ANNOTATIONS.predicateType]: predicateType, [ANNOTATION_CREATED]: createdAnnotation(opts.now) };
  const { descriptor, referrers } = await pushReferrer(repo, target, BUNDLE_V03, layer, annotations, call);
  return { signature: descriptor.digest, ...(referrers ? { referrers } : {}) };
}

/** An OCI 1.1 referrer of `target`: the empty config, one layer, `artifactType` = the layer's kind. */
export async function pushReferrer(
  repo: Pusher,
  target: Descriptor,
  artifactType: string,
  layer: Descriptor | Promise<Descriptor>,
  annotations: Readonly<Record<string, string>>,
  call: CallOptions,
): Promise<{ descriptor: Descriptor; referrers?: PushResult['referrers'] }> {
  // The config and the layer are independent blobs: upload them concurrently (one round-trip chain
  // instead of two) when the caller hands the layer's upload in flight.
  const [layerDescriptor] = await Promise.all([layer, repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'), call)]);
  const manifest = encodeJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [layerDescriptor],
    subject: { mediaType: target.mediaType, digest: target.digest, size: target.size },
    annotations,
  });
  const descriptor = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(manifest), size: manifest.byteLength };
  const result = await repo.push(descriptor, manifest, call);
  return { descriptor, ...(result.referrers ? { referrers: result.referrers } : {}) };
}

/** DSSE pre-authentication encoding (secure-systems-lab/dsse protocol.md "Signature definition"). */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.byteLength} `), type, Buffer.from(` ${payload.byteLength} `), payload]);
}

/** A DSSE envelope as cosign ≤ v2 stores it in an `.att` layer (keyid empty, as cosign writes it). */
export function dsseEnvelope(key: SigningKey, payload: Uint8Array): Uint8Array {
  const sig = signBytes(key, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload));
  return encodeJson({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: Buffer.from(payload).toString('base64'), signatures: [{ keyid: '', sig: sig.toString('base64') }] });
}

/**
 * Appends `layer` to the manifest under cosign's legacy `sha256-<hex>.<suffix>` tag of `target`,
 * keeping the layers already there (as cosign does) except those `drop` matches, then writes
 * go-containerregistry's config for those layers and re-tags.
 */
export async function appendLegacyLayer(
  repo: SignerRepo,
  target: Descriptor,
  suffix: 'sig' | 'att',
  layer: Descriptor,
  drop: (existing: Descriptor) => boolean,
  call: CallOptions,
): Promise<{ signature: string; tag: string }> {
  const tag = legacyTag(target.digest, suffix);
  if (tag === undefined) throw new SignerError('INVALID_OPTIONS', `${target.digest} has no legacy .${suffix} tag (only sha256 digests fit a tag)`);
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
