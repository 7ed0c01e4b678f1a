// `ocx package push`: pack, upload, manifest, add the platform to the tag's index; then the SBOM,
// the signature and the attestations, all on the platform manifest just pushed — in that order, so a
// failure leaves a report of every digest already written and names the step that failed.
import { basename } from 'node:path';
import { encodeJson, formatPlatform, MEDIA_TYPE_OCI_MANIFEST, digestOf, type CallOptions, type Descriptor, type PlatformSpec, type Repository } from '@ocx/oci';
import { attestOne, classifySbom, pushSbomReferrer } from '../attest/attest.ts';
import { resolvePredicate, type ResolvedPredicate } from '../attest/predicate.ts';
import { pushBlob } from '../dsse.ts';
import { SignerError } from '../errors.ts';
import type { SigningKey } from '../key.ts';
import { signNotation } from '../notation/sign.ts';
import type { NotationSignatureFormat } from '../notation/envelope.ts';
import { signPackage } from '../sign.ts';
import { packLayer, type PackedLayer } from './pack.ts';
import { OCX_PACKAGE_ARTIFACT_TYPE, putPlatform } from './package-index.ts';
import { uploadFile } from './upload.ts';

export const OCX_PACKAGE_CONFIG_MEDIA_TYPE = 'application/vnd.sh.ocx.package.v1+json';
export const OCX_PACKAGE_LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

export type PushStep = 'push' | 'sbom' | 'sign' | 'attest';

export type PushSigning =
  | { readonly kind: 'cosign'; readonly key: SigningKey; readonly tlogUpload?: boolean; readonly rekorURL?: string }
  | { readonly kind: 'notation'; readonly key: string; readonly certChain: string; readonly format?: NotationSignatureFormat };

export interface PushPackageOptions extends CallOptions {
  /** The file or directory to package. */
  readonly path: string;
  /** The tag whose index gets this platform. */
  readonly tag: string;
  readonly platform: PlatformSpec;
  readonly name: string;
  readonly version: string;
  /** `registry/repository` (statement subject names, simple-signing identity). */
  readonly repositoryName: string;
  /** An SBOM: a signed attestation with cosign signing, else a raw referrer (signed too with notation). */
  readonly sbom?: { readonly bytes: Uint8Array; readonly fileName: string };
  readonly sign?: PushSigning;
  /** Attestations (`--attest TYPE=FILE`): need cosign signing. */
  readonly attest?: readonly { readonly type: string; readonly predicate: Uint8Array }[];
  readonly now: Date;
  /** mtime of every archive entry (SOURCE_DATE_EPOCH); default the Unix epoch. */
  readonly mtime?: Date;
  readonly tmpDir?: string;
  readonly onProgress?: (sent: number, total: number) => void;
  /** Upload chunk size (default UPLOAD_CHUNK_BYTES). */
  readonly chunkBytes?: number;
  /**
   * `packLayer(path, …)` already started by the caller (e.g. while it decrypts the key); its failure
   * is the push step's, and pushPackage removes the temporary file as for its own.
   */
  readonly layer?: Promise<PackedLayer>;
}

export interface Written {
  readonly step: PushStep;
  readonly what: 'layer' | 'config' | 'manifest' | 'index' | 'sbom' | 'signature' | 'attestation';
  readonly digest: string;
  /** The registry already had it (nothing uploaded). */
  readonly skipped?: true;
  readonly tag?: string;
  readonly predicateType?: string;
  readonly format?: string;
  readonly referrers?: 'api' | 'tag-schema' | 'none';
}

export interface PushPackageResult {
  readonly platform: string;
  /** The platform manifest pushed (what the SBOM, signature and attestations name). */
  readonly manifest?: Descriptor;
  /** What the tag names after the push. */
  readonly index?: Descriptor;
  /** The platform's previous manifest in the index, when this push replaced it. */
  readonly replaced?: string;
  readonly written: readonly Written[];
  /** The step that failed (nothing after it ran) and its error; absent on success. */
  readonly failed?: { readonly step: PushStep; readonly error: unknown };
}

interface Plan {
  readonly sbom?: { readonly attest?: ResolvedPredicate; readonly mediaType?: string };
  readonly attest: readonly ResolvedPredicate[];
}

/** SBOM format → cosign `--type` of its signed attestation (the predicate type by format). */
function sbomAttestType(bytes: Uint8Array): string {
  const { detection } = classifySbom(bytes);
  if (detection.format === 'cyclonedx' && detection.encoding === 'json') return 'cyclonedx';
  if (detection.format === 'spdx') return detection.encoding === 'tag-value' ? 'spdx' : 'spdxjson';
  throw new SignerError('PREDICATE_INVALID', `a ${detection.format} ${detection.encoding} SBOM has no in-toto predicate type ocx signs (SPDX, CycloneDX JSON): push it without --sign, or convert it`);
}

/** Everything that can be refused is refused here, before the first byte is written. */
export function planPush(opts: Pick<PushPackageOptions, 'sbom' | 'sign' | 'attest' | 'now'>): Plan {
  const cosign = opts.sign?.kind === 'cosign';
  if (opts.attest?.length && !cosign) throw new SignerError('REFUSED', '--attest needs --sign with a cosign --key (attestations are always signed)');
  let sbom: Plan['sbom'];
  if (opts.sbom) {
    sbom = cosign ? { attest: resolvePredicate(sbomAttestType(opts.sbom.bytes), opts.sbom.bytes, opts.now) } : { mediaType: classifySbom(opts.sbom.bytes).mediaType };
  }
  return { ...(sbom ? { sbom } : {}), attest: (opts.attest ?? []).map((a) => resolvePredicate(a.type, a.predicate, opts.now)) };
}

export async function pushPackage(repo: Repository, opts: PushPackageOptions): Promise<PushPackageResult> {
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const plan = planPush(opts);
  const platform = formatPlatform(opts.platform);
  const written: Written[] = [];
  let manifest: Descriptor | undefined;
  let index: Descriptor | undefined;
  let replaced: string | undefined;
  let step: PushStep = 'push';
  const result = (failed?: unknown): PushPackageResult => ({
    platform,
    ...(manifest ? { manifest } : {}),
    ...(index ? { index } : {}),
    ...(replaced ? { replaced } : {}),
    written,
    ...(failed !== undefined ? { failed: { step, error: failed } } : {}),
  });
  let layer: PackedLayer | undefined;
  try {
    layer = await (opts.layer ?? packLayer(opts.path, { ...(opts.mtime ? { mtime: opts.mtime } : {}), ...(opts.tmpDir ? { tmpDir: opts.tmpDir } : {}) }));
    const layerDesc: Descriptor = { mediaType: OCX_PACKAGE_LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size };
    const { os, architecture, variant } = opts.platform;
    const configBytes = encodeJson({ platform: { os, architecture, ...(variant ? { variant } : {}) }, name: opts.name, version: opts.version });
    // The config blob goes up while the layer does (its round trips hide behind the layer's); the
    // report still lists whichever of the two was written if the other failed.
    const [up, cfg] = await Promise.allSettled([
      uploadFile(repo, layerDesc, layer.path, { ...call, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}) }),
      pushBlob(repo, OCX_PACKAGE_CONFIG_MEDIA_TYPE, configBytes, call),
    ]);
    if (up.status === 'fulfilled') written.push({ step, what: 'layer', digest: layerDesc.digest, ...(up.value ? { skipped: true as const } : {}) });
    if (cfg.status === 'fulfilled') written.push({ step, what: 'config', digest: cfg.value.digest });
    if (up.status === 'rejected') throw up.reason;
    if (cfg.status === 'rejected') throw cfg.reason;
    const config = cfg.value;
    const manifestBytes = encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, artifactType: OCX_PACKAGE_ARTIFACT_TYPE, config, layers: [layerDesc] });
    const m: Descriptor = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: digestOf(manifestBytes), size: manifestBytes.byteLength };
    await repo.push(m, manifestBytes, call);
    manifest = m;
    written.push({ step, what: 'manifest', digest: m.digest });
    const entry = { ...m, platform: { os, architecture, ...(variant ? { variant } : {}) }, artifactType: OCX_PACKAGE_ARTIFACT_TYPE };
    const update = await putPlatform(repo, opts.tag, entry, call);
    index = update.index;
    replaced = update.replaced;
    written.push({ step, what: 'index', digest: index.digest, tag: opts.tag });

    if (opts.sbom && plan.sbom) {
      step = 'sbom';
      if (plan.sbom.attest && opts.sign?.kind === 'cosign') {
        const a = await attestOne(repo, { desc: m }, plan.sbom.attest, { ...signing(opts.sign, opts), repositoryName: opts.repositoryName, now: opts.now }, call);
        written.push({ step, what: 'attestation', digest: a.referrer, predicateType: a.predicateType!, format: a.format, ...(a.referrers ? { referrers: a.referrers } : {}) });
      } else {
        const r = await pushSbomReferrer(repo, m, { ...call, sbom: opts.sbom.bytes, mediaType: plan.sbom.mediaType!, title: basename(opts.sbom.fileName), now: opts.now });
        written.push({ step, what: 'sbom', digest: r.referrer, format: plan.sbom.mediaType!, ...(r.referrers ? { referrers: r.referrers } : {}) });
        if (opts.sign?.kind === 'notation') {
          // A raw SBOM counts for `ocx sbom --require-signed` when its referrer is signed.
          const s = await signNotation({ repo, subject: r.descriptor, key: opts.sign.key, certChain: opts.sign.certChain, ...(opts.sign.format ? { format: opts.sign.format } : {}), now: opts.now, ...call });
          written.push({ step, what: 'signature', digest: s.descriptor.digest, format: opts.sign.format === 'cose' ? 'notation-cose' : 'notation-jws', ...(s.referrers ? { referrers: s.referrers } : {}) });
        }
      }
    }
    if (opts.sign) {
      step = 'sign';
      if (opts.sign.kind === 'cosign') {
        const s = await signPackage(repo, m.digest, { ...signing(opts.sign, opts), repositoryName: opts.repositoryName, now: opts.now, ...call });
        for (const x of s.signed) written.push({ step, what: 'signature', digest: x.signature, format: x.format, ...(x.referrers ? { referrers: x.referrers } : {}) });
      } else {
        const s = await signNotation({ repo, subject: m, key: opts.sign.key, certChain: opts.sign.certChain, ...(opts.sign.format ? { format: opts.sign.format } : {}), now: opts.now, ...call });
        written.push({ step, what: 'signature', digest: s.descriptor.digest, format: opts.sign.format === 'cose' ? 'notation-cose' : 'notation-jws', ...(s.referrers ? { referrers: s.referrers } : {}) });
      }
    }
    if (plan.attest.length > 0 && opts.sign?.kind === 'cosign') {
      step = 'attest';
      for (const resolved of plan.attest) {
        const a = await attestOne(repo, { desc: m }, resolved, { ...signing(opts.sign, opts), repositoryName: opts.repositoryName, now: opts.now }, call);
        written.push({ step, what: 'attestation', digest: a.referrer, predicateType: a.predicateType!, format: a.format, ...(a.referrers ? { referrers: a.referrers } : {}) });
      }
    }
    return result();
  } catch (error) {
    return result(error);
  } finally {
    await layer?.cleanup();
  }
}

function signing(sign: Extract<PushSigning, { kind: 'cosign' }>, opts: Pick<PushPackageOptions, 'now'>) {
  return { key: sign.key, now: opts.now, ...(sign.tlogUpload ? { tlogUpload: true } : {}), ...(sign.rekorURL ? { rekorURL: sign.rekorURL } : {}) };
}
