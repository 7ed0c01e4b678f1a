import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, RekorWitness, DEFAULT_REKOR_URL, type Signer, type Witness } from '@sigstore/sign';
import {
  ANNOTATION_CREATED,
  digestOf,
  EMPTY_DESCRIPTOR,
  encodeJson,
  formatPlatform,
  isIndex,
  isOciError,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
  parseManifest,
  platformEntries,
  selectPlatform,
  type CallOptions,
  type Descriptor,
  type Fetcher,
  type PlatformSpec,
  type Pusher,
  type PushResult,
  type Resolver,
  type TagPusher,
} from '@ocx/oci';
import { BUNDLE_ANNOTATIONS, COSIGN_ANNOTATIONS, COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, legacyTag, SIMPLE_SIGNING_MEDIA_TYPE } from '@ocx/cosign';
import { SignerError } from './errors.ts';
import { signBytes, type SigningKey } from './key.ts';

const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface SignPackageOptions extends CallOptions {
  readonly key: SigningKey;
  /** Sign only this platform of an index; default: every platform manifest. */
  readonly platform?: PlatformSpec;
  /** Write cosign's legacy `sha256-<hex>.sig` tag form instead of a bundle referrer. */
  readonly legacyTag?: boolean;
  /** Upload to the Rekor transparency log (network). Default false: the bundle carries no tlog entry. */
  readonly tlogUpload?: boolean;
  readonly rekorURL?: string;
  /** `registry/repository`, written as the simple-signing docker-reference. */
  readonly repositoryName: string;
  /**
   * cosign sign -a k=v: signed where cosign writes them, so `cosign verify -a` checks them — the
   * statement subject's annotations in a bundle (cosign v3 sign.go signDigestBundle), the
   * simple-signing `optional` map in a legacy `.sig` layer (cosign v2, sigstore payload.Cosign).
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Time written into org.opencontainers.image.created. */
  readonly now: Date;
}

export interface SignedManifest {
  /** The manifest digest that was signed. */
  readonly digest: string;
  readonly platform?: string;
  readonly format: 'cosign-bundle' | 'cosign-legacy';
  /** The referrer manifest (bundle form) or the `.sig` manifest (legacy form). */
  readonly signature: string;
  readonly tag?: string;
  readonly referrers?: PushResult['referrers'];
}

export interface SignPackageResult {
  /** What the reference resolved to. */
  readonly root: Descriptor;
  readonly signed: readonly SignedManifest[];
}

type Repo = Resolver & Fetcher & Pusher & TagPusher;

function localSigner(key: SigningKey): Signer {
  return {
    sign: async (data) => ({ signature: signBytes(key, data), key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.hint } }),
  };
}

/** The statement `cosign sign` (v3) signs (cosign pkg/types/predicate.go, sign.go signDigestBundle). */
export function signStatement(digest: string, annotations?: Readonly<Record<string, string>>): Uint8Array {
  const [alg, hex] = digest.split(':');
  const subject = { digest: { [alg!]: hex }, ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}) };
  return encodeJson({ _type: 'https://in-toto.io/Statement/v1', subject: [subject], predicateType: COSIGN_SIGN_PREDICATE_TYPE, predicate: {} });
}

/** The simple-signing payload cosign ≤ v2 signs (cosign specs/SIGNATURE_SPEC.md "Simple Signing"). */
export function simpleSigningPayload(repositoryName: string, digest: string, annotations?: Readonly<Record<string, string>>): Uint8Array {
  return encodeJson({
    critical: { identity: { 'docker-reference': repositoryName }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional: annotations && Object.keys(annotations).length > 0 ? annotations : null,
  });
}

async function pushBlob(repo: Repo, mediaType: string, bytes: Uint8Array, call: CallOptions): Promise<Descriptor> {
  const desc = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
  await repo.push(desc, bytes, call);
  return desc;
}

async function signBundle(repo: Repo, target: Descriptor, opts: SignPackageOptions, call: CallOptions): Promise<{ signature: string; referrers?: PushResult['referrers'] }> {
  const witnesses: Witness[] = opts.tlogUpload ? [new RekorWitness({ rekorBaseURL: opts.rekorURL ?? DEFAULT_REKOR_URL, entryType: 'dsse', fetchOnConflict: true })] : [];
  const builder = new DSSEBundleBuilder({ signer: localSigner(opts.key), witnesses });
  const bundle = await builder.create({ data: Buffer.from(signStatement(target.digest, opts.annotations)), type: IN_TOTO_PAYLOAD_TYPE });
  const json = bundleToJSON(bundle);
  // The DSSE keyid is unsigned metadata; sigstore-go (cosign) skips a signature whose keyid differs
  // from its own key id, so leave it out as cosign does and let `publicKey.hint` name the key.
  for (const sig of json.dsseEnvelope?.signatures ?? []) delete (sig as { keyid?: string }).keyid;
  const layer = await pushBlob(repo, BUNDLE_V03, encodeJson(json), call);
  await repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'), call);
  // cosign pkg/oci/remote/write.go WriteReferrer: empty config, one bundle layer, cosign annotations.
  const manifest = encodeJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: BUNDLE_V03,
    config: EMPTY_DESCRIPTOR,
    layers: [layer],
    subject: { mediaType: target.mediaType, digest: target.digest, size: target.size },
    annotations: {
      [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope',
      [BUNDLE_ANNOTATIONS.predicateType]: COSIGN_SIGN_PREDICATE_TYPE,
      [ANNOTATION_CREATED]: opts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
  const desc = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(manifest), size: manifest.byteLength };
  const result = await repo.push(desc, manifest, call);
  return { signature: desc.digest, ...(result.referrers ? { referrers: result.referrers } : {}) };
}

/** Appends a simple-signing layer to the `.sig` manifest (keeping signatures already there, as cosign does). */
async function signLegacy(repo: Repo, target: Descriptor, opts: SignPackageOptions, call: CallOptions): Promise<{ signature: string; tag: string }> {
  const tag = legacyTag(target.digest, 'sig');
  if (tag === undefined) throw new SignerError('INVALID_OPTIONS', `${target.digest} has no legacy signature tag (only sha256 digests fit a tag)`);
  const payload = simpleSigningPayload(opts.repositoryName, target.digest, opts.annotations);
  const layer = { ...(await pushBlob(repo, SIMPLE_SIGNING_MEDIA_TYPE, payload, call)), annotations: { [COSIGN_ANNOTATIONS.signature]: signBytes(opts.key, payload).toString('base64') } };
  let layers: Descriptor[] = [];
  try {
    const existing = await repo.resolve(tag, call);
    const { manifest } = parseManifest(await repo.fetch(existing, call), existing.mediaType);
    if (!isIndex(manifest)) layers = manifest.layers.filter((l) => !(l.digest === layer.digest && l.annotations?.[COSIGN_ANNOTATIONS.signature] === layer.annotations[COSIGN_ANNOTATIONS.signature]));
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

/**
 * Signs the manifest(s) `reference` names with a local key, as cosign does: an index and each
 * platform manifest under it (or only the one `platform` selects), else the manifest itself. Bundle form by default
 * (cosign v3), the legacy `.sig` tag with `legacyTag`.
 */
export async function signPackage(repo: Repo, reference: string, opts: SignPackageOptions): Promise<SignPackageResult> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const root = await repo.resolve(reference, call);
  const { manifest } = parseManifest(await repo.fetch(root, call), root.mediaType);
  // An index: the index itself and every platform manifest under it, as `cosign sign --recursive`
  // does, so `cosign verify <tag>` finds a signature on what the tag names; --platform: that one only.
  const targets: { desc: Descriptor; platform?: string }[] = isIndex(manifest)
    ? [
        ...(opts.platform ? [] : [{ desc: { mediaType: root.mediaType, digest: root.digest, size: root.size } }]),
        ...(opts.platform ? [selectPlatform(manifest, opts.platform)] : platformEntries(manifest)).map((d) => ({
          desc: { mediaType: d.mediaType, digest: d.digest, size: d.size },
          ...(d.platform ? { platform: formatPlatform(d.platform) } : {}),
        })),
      ]
    : [{ desc: root }];
  const signed: SignedManifest[] = [];
  for (const t of targets) {
    const base = { digest: t.desc.digest, ...(t.platform ? { platform: t.platform } : {}) };
    if (opts.legacyTag) signed.push({ ...base, format: 'cosign-legacy', ...(await signLegacy(repo, t.desc, opts, call)) });
    else signed.push({ ...base, format: 'cosign-bundle', ...(await signBundle(repo, t.desc, opts, call)) });
  }
  return { root, signed };
}
