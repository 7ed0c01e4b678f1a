// `ocx package attest`: a signed in-toto attestation over each platform manifest (cosign v3 bundle
// referrer, or cosign ≤ v2's `.att` tag), or — only when asked — an unsigned SBOM referrer.
import { ANNOTATION_CREATED, type CallOptions, type Descriptor, type PlatformSpec, type PushResult } from '@ocx/oci';
import { DSSE_ENVELOPE_MEDIA_TYPE, LEGACY_PREDICATE_ANNOTATION, COSIGN_ANNOTATIONS } from '@ocx/cosign';
import {
  detectSbomFormat,
  isSbomPredicateType,
  MEDIA_TYPE_CYCLONEDX_JSON,
  MEDIA_TYPE_CYCLONEDX_XML,
  MEDIA_TYPE_SPDX_JSON,
  MEDIA_TYPE_SPDX_TAG_VALUE,
  MEDIA_TYPE_SYFT_JSON,
  type SbomDetection,
} from '@ocx/sbom';
import { appendLegacyLayer, createdAnnotation, dsseEnvelope, pushBlob, pushDsseBundle, pushReferrer, type DsseSignOptions, type SignerRepo } from '../dsse.ts';
import { SignerError } from '../errors.ts';
import { resolveTargets, type PackageTarget } from '../targets.ts';
import type { SigningKey } from '../key.ts';
import { attestationStatement, MAX_PREDICATE_BYTES, predicateTypeOf, resolvePredicate, type ResolvedPredicate } from './predicate.ts';

export type AttestTarget = PackageTarget;

/** Each platform manifest of an index (or the one `platform` selects), else the manifest itself. */
export function platformTargets(repo: SignerRepo, reference: string, platform: PlatformSpec | undefined, call: CallOptions): Promise<{ root: Descriptor; targets: AttestTarget[] }> {
  return resolveTargets(repo, reference, platform, false, call);
}

export interface AttestOptions extends CallOptions {
  readonly key: SigningKey;
  /** cosign `--type`: an alias (cyclonedx, spdxjson, slsaprovenance1, custom, …) or a predicate URI. */
  readonly type: string;
  /** The predicate file's bytes (at most MAX_PREDICATE_BYTES). */
  readonly predicate: Uint8Array;
  readonly platform?: PlatformSpec;
  /** cosign ≤ v2's `sha256-<hex>.att` tag instead of a v0.3 bundle referrer. */
  readonly legacyTag?: boolean;
  readonly tlogUpload?: boolean;
  readonly rekorURL?: string;
  /** `registry/repository`: the statement subject's name, as cosign writes it. */
  readonly repositoryName: string;
  readonly now: Date;
}

export interface Attested {
  /** The manifest digest the statement names. */
  readonly digest: string;
  readonly platform?: string;
  readonly format: 'cosign-bundle' | 'cosign-legacy' | 'sbom-referrer';
  readonly predicateType?: string;
  /** The referrer manifest, or the `.att` manifest. */
  readonly referrer: string;
  readonly tag?: string;
  readonly referrers?: PushResult['referrers'];
}

export interface AttestResult {
  readonly root: Descriptor;
  readonly attested: readonly Attested[];
}

/** Appends a DSSE layer to the `.att` tag (cosign ATTESTATION_SPEC.md), replacing one of the same predicate type and signature. */
async function attestLegacy(repo: SignerRepo, target: Descriptor, statement: Uint8Array, predicateType: string, key: SigningKey, call: CallOptions): Promise<{ referrer: string; tag: string }> {
  const envelope = dsseEnvelope(key, statement);
  const layer = { ...(await pushBlob(repo, DSSE_ENVELOPE_MEDIA_TYPE, envelope, call)), annotations: { [LEGACY_PREDICATE_ANNOTATION]: predicateType, [COSIGN_ANNOTATIONS.signature]: '' } };
  const { signature, tag } = await appendLegacyLayer(repo, target, 'att', layer, (l) => l.digest === layer.digest, call);
  return { referrer: signature, tag };
}

/** Signs the predicate once per target; the predicate is resolved (and refused) before anything is written. */
export async function attestPackage(repo: SignerRepo, reference: string, opts: AttestOptions): Promise<AttestResult> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const resolved = resolvePredicate(opts.type, opts.predicate, opts.now);
  if (opts.legacyTag && opts.tlogUpload) {
    throw new SignerError('REFUSED', '--legacy-tag attestations are written without a Rekor entry here: add --tlog-upload=false, or use the bundle form (no --legacy-tag)');
  }
  const { root, targets } = await platformTargets(repo, reference, opts.platform, call);
  const attested: Attested[] = [];
  for (const t of targets) attested.push(await attestOne(repo, t, resolved, opts, call));
  return { root, attested };
}

/** One signed attestation on one manifest (also used by `package push`). */
export async function attestOne(repo: SignerRepo, t: AttestTarget, resolved: ResolvedPredicate, opts: Omit<AttestOptions, 'type' | 'predicate' | 'platform'>, call: CallOptions): Promise<Attested> {
  const statement = attestationStatement(opts.repositoryName, t.desc.digest, resolved);
  const base = { digest: t.desc.digest, ...(t.platform ? { platform: t.platform } : {}), predicateType: resolved.predicateType };
  if (opts.legacyTag) return { ...base, format: 'cosign-legacy', ...(await attestLegacy(repo, t.desc, statement, resolved.predicateType, opts.key, call)) };
  const dsse: DsseSignOptions = { key: opts.key, now: opts.now, ...(opts.tlogUpload ? { tlogUpload: true } : {}), ...(opts.rekorURL ? { rekorURL: opts.rekorURL } : {}) };
  const { signature, referrers } = await pushDsseBundle(repo, t.desc, statement, resolved.predicateType, dsse, call);
  return { ...base, format: 'cosign-bundle', referrer: signature, ...(referrers ? { referrers } : {}) };
}

// --- unsigned SBOM referrers -------------------------------------------------------------------

/** artifactType (= layer mediaType) of a raw SBOM referrer, by the SBOM's format, as oras/syft/cosign attach write them. */
export function sbomMediaType(d: SbomDetection): string | undefined {
  if (d.format === 'cyclonedx') return d.encoding === 'xml' ? MEDIA_TYPE_CYCLONEDX_XML : d.encoding === 'json' ? MEDIA_TYPE_CYCLONEDX_JSON : undefined;
  if (d.format === 'spdx') return d.encoding === 'tag-value' ? MEDIA_TYPE_SPDX_TAG_VALUE : MEDIA_TYPE_SPDX_JSON;
  if (d.format === 'syft') return MEDIA_TYPE_SYFT_JSON;
  return undefined;
}

/** An SBOM's format and media type, refusing what is not a recognised SBOM (and a `--type` it contradicts). */
export function classifySbom(bytes: Uint8Array, type?: string): { detection: SbomDetection; mediaType: string } {
  if (bytes.byteLength > MAX_PREDICATE_BYTES) throw new SignerError('PREDICATE_INVALID', `SBOM is ${bytes.byteLength} bytes, over the ${MAX_PREDICATE_BYTES}-byte cap`);
  let predicateType: string | undefined;
  if (type !== undefined) {
    predicateType = predicateTypeOf(type);
    // OCX: unsigned attachments are SBOMs only; provenance, VEX, links and custom data are signed or not attached.
    if (!isSbomPredicateType(predicateType)) throw new SignerError('REFUSED', `--unsigned attaches SBOMs only (--type cyclonedx, spdx or spdxjson), not ${type}: other attestations are only written signed`);
  }
  const detection = detectSbomFormat(bytes, predicateType ? { predicateType } : undefined, { limits: { maxBytes: MAX_PREDICATE_BYTES } });
  if (detection.hintMismatch) throw new SignerError('PREDICATE_INVALID', `--type ${type} names ${predicateType} but the file is a ${detection.format} SBOM`);
  const mediaType = sbomMediaType(detection);
  if (!mediaType) throw new SignerError('PREDICATE_INVALID', 'the file is not an SBOM ocx recognises (SPDX JSON or tag-value, CycloneDX JSON or XML, syft JSON)');
  return { detection, mediaType };
}

export interface SbomReferrerOptions extends CallOptions {
  readonly sbom: Uint8Array;
  readonly mediaType: string;
  /** org.opencontainers.image.title of the layer (the file name, as oras attach writes it). */
  readonly title?: string;
  readonly now: Date;
}

/** Pushes a raw SBOM as an OCI 1.1 referrer of `target`: artifactType and layer type by format, empty config. */
export async function pushSbomReferrer(repo: SignerRepo, target: Descriptor, opts: SbomReferrerOptions): Promise<{ referrer: string; descriptor: Descriptor; referrers?: PushResult['referrers'] }> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const blob = await pushBlob(repo, opts.mediaType, opts.sbom, call);
  const layer = { ...blob, ...(opts.title ? { annotations: { 'org.opencontainers.image.title': opts.title } } : {}) };
  const { descriptor, referrers } = await pushReferrer(repo, target, opts.mediaType, layer, { [ANNOTATION_CREATED]: createdAnnotation(opts.now) }, call);
  return { referrer: descriptor.digest, descriptor, ...(referrers ? { referrers } : {}) };
}

export interface AttachSbomOptions extends SbomReferrerOptions {
  readonly platform?: PlatformSpec;
}

/** `ocx package attest --unsigned`: a raw SBOM referrer on each platform manifest. */
export async function attachSbomPackage(repo: SignerRepo, reference: string, opts: AttachSbomOptions): Promise<AttestResult> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const { root, targets } = await platformTargets(repo, reference, opts.platform, call);
  const attested: Attested[] = [];
  for (const t of targets) {
    const { referrer, referrers } = await pushSbomReferrer(repo, t.desc, opts);
    attested.push({ digest: t.desc.digest, ...(t.platform ? { platform: t.platform } : {}), format: 'sbom-referrer', referrer, ...(referrers ? { referrers } : {}) });
  }
  return { root, attested };
}
