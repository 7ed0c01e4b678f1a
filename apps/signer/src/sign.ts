import { encodeJson, type CallOptions, type Descriptor, type PlatformSpec, type PushResult } from '@ocx/oci';
import { COSIGN_ANNOTATIONS, COSIGN_SIGN_PREDICATE_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '@ocx/cosign';
import { appendLegacyLayer, pushBlob, pushDsseBundle, type SignerRepo } from './dsse.ts';
import { signBytes, type SigningKey } from './key.ts';
import { resolveTargets } from './targets.ts';

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

type Repo = SignerRepo;

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

function signBundle(repo: Repo, target: Descriptor, opts: SignPackageOptions, call: CallOptions): Promise<{ signature: string; referrers?: PushResult['referrers'] }> {
  return pushDsseBundle(repo, target, signStatement(target.digest, opts.annotations), COSIGN_SIGN_PREDICATE_TYPE, opts, call);
}

/** Appends a simple-signing layer to the `.sig` manifest (keeping signatures already there, as cosign does). */
async function signLegacy(repo: Repo, target: Descriptor, opts: SignPackageOptions, call: CallOptions): Promise<{ signature: string; tag: string }> {
  const payload = simpleSigningPayload(opts.repositoryName, target.digest, opts.annotations);
  const layer = { ...(await pushBlob(repo, SIMPLE_SIGNING_MEDIA_TYPE, payload, call)), annotations: { [COSIGN_ANNOTATIONS.signature]: signBytes(opts.key, payload).toString('base64') } };
  const same = (l: Descriptor) => l.digest === layer.digest && l.annotations?.[COSIGN_ANNOTATIONS.signature] === layer.annotations[COSIGN_ANNOTATIONS.signature];
  return appendLegacyLayer(repo, target, 'sig', layer, same, call);
}

/**
 * Signs the manifest(s) `reference` names with a local key, as cosign does: an index and each
 * platform manifest under it (or only the one `platform` selects), else the manifest itself. Bundle form by default
 * (cosign v3), the legacy `.sig` tag with `legacyTag`.
 */
export async function signPackage(repo: Repo, reference: string, opts: SignPackageOptions): Promise<SignPackageResult> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const { root, targets } = await resolveTargets(repo, reference, opts.platform, true, call);
  const signed: SignedManifest[] = [];
  for (const t of targets) {
    const base = { digest: t.desc.digest, ...(t.platform ? { platform: t.platform } : {}) };
    if (opts.legacyTag) signed.push({ ...base, format: 'cosign-legacy', ...(await signLegacy(repo, t.desc, opts, call)) });
    else signed.push({ ...base, format: 'cosign-bundle', ...(await signBundle(repo, t.desc, opts, call)) });
  }
  return { root, signed };
}
