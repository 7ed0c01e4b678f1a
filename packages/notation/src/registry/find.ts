// Finding notation signatures of a subject in a registry (notary signature-specification.md
// "Storage": a signature is a referrer manifest whose artifactType — or, in the OCI 1.0 form, whose
// config.mediaType — is application/vnd.cncf.notary.signature, with exactly one envelope layer).
// This is the I/O edge: it lists and fetches; verification stays pure (verify/verify.ts).
import { collectReferrers, fetchReferrer, isIndex, isOciError, MEDIA_TYPE_OCI_MANIFEST, type CallOptions, type Descriptor, type Fetcher, type ImageManifest, type ReferrerLister } from '@ocx/oci';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, SIGNATURE_ARTIFACT_TYPE, THUMBPRINT_ANNOTATION, type EnvelopeMediaType } from '../envelope/constants.ts';
import { NotationError } from '../errors.ts';

/** notation's caps (notation-go registry: 4 MiB manifests, 32 MiB envelopes; `--max-signatures` 100). */
export const NOTATION_LIMITS = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxEnvelopeBytes: 32 * 1024 * 1024,
  maxSignatures: 100,
} as const;

export interface FindNotationOptions extends CallOptions {
  readonly maxManifestBytes?: number;
  readonly maxEnvelopeBytes?: number;
  /** How many signature referrers are examined at most (the rest are reported as not examined). */
  readonly maxSignatures?: number;
  /** Lowercase hex SHA-256 of the configured trust anchors: signatures naming one are tried first. */
  readonly trustedThumbprints?: ReadonlySet<string>;
}

/** A signature referrer, listed but not yet loaded. */
export interface NotationSignatureRef {
  readonly referrer: Descriptor;
  /** Thumbprints from the listing's `io.cncf.notary.x509chain.thumbprint#S256` annotation, lowercased. */
  readonly thumbprints: readonly string[];
  /** Whether a thumbprint names a configured trust anchor (those are tried first). */
  readonly preferred: boolean;
}

/** A signature referrer whose manifest passed the structural rules; the envelope is fetched separately. */
export interface LoadedNotationSignature {
  readonly referrer: Descriptor;
  readonly manifest: ImageManifest;
  readonly envelopeDescriptor: Descriptor;
  readonly envelopeMediaType: EnvelopeMediaType;
  readonly envelope: Uint8Array;
}

export function isNotationSignatureDescriptor(d: Descriptor): boolean {
  return d.artifactType === SIGNATURE_ARTIFACT_TYPE;
}

/** The thumbprint annotation is a JSON array of hex strings; anything else counts as absent (it is only a hint). */
export function parseThumbprints(annotations: Readonly<Record<string, string>> | undefined): string[] {
  const raw = annotations?.[THUMBPRINT_ANNOTATION];
  if (raw === undefined || raw.length > 64 * 1024) return [];
  try {
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v)) return [];
    return v.filter((t): t is string => typeof t === 'string' && /^[0-9a-fA-F]{64}$/.test(t)).map((t) => t.toLowerCase());
  } catch {
    return [];
  }
}

/**
 * Signature referrers of `subject`, those that can chain to a trusted anchor first (stable order
 * otherwise). Uses the registry's artifactType filter; a registry or tag-schema index that ignores
 * it is filtered here again.
 */
export async function listNotationSignatures(repo: ReferrerLister, subject: Descriptor, options: FindNotationOptions = {}): Promise<NotationSignatureRef[]> {
  const listed = await collectReferrers(repo.referrers(subject, { artifactType: SIGNATURE_ARTIFACT_TYPE, ...(options.signal ? { signal: options.signal } : {}) }));
  const trusted = options.trustedThumbprints ?? new Set<string>();
  const refs = listed
    .filter(isNotationSignatureDescriptor)
    .map((referrer) => {
      const thumbprints = parseThumbprints(referrer.annotations);
      return { referrer, thumbprints, preferred: thumbprints.some((t) => trusted.has(t)) };
    });
  // Stable partition: preferred first (notation-go tries signatures whose chain can match the store first).
  return [...refs.filter((r) => r.preferred), ...refs.filter((r) => !r.preferred)];
}

function reject(message: string, cause?: unknown): never {
  throw new NotationError('ENVELOPE_INVALID', message, cause === undefined ? {} : { cause });
}

/**
 * Fetch the referrer manifest (bound to `subjectDigest`), check the notation storage rules and fetch
 * the envelope. Throws NotationError ENVELOPE_INVALID / UNSUPPORTED_ENVELOPE for a malformed
 * signature; registry errors (OciError) pass through unless they concern the referrer's own content.
 */
export async function loadNotationSignature(repo: Fetcher, ref: NotationSignatureRef, subjectDigest: string, options: FindNotationOptions = {}): Promise<LoadedNotationSignature> {
  const maxManifest = options.maxManifestBytes ?? NOTATION_LIMITS.maxManifestBytes;
  const maxEnvelope = options.maxEnvelopeBytes ?? NOTATION_LIMITS.maxEnvelopeBytes;
  const call = options.signal ? { signal: options.signal } : {};
  const d = ref.referrer;
  if (d.mediaType !== MEDIA_TYPE_OCI_MANIFEST) reject(`signature manifest ${d.digest} has media type ${d.mediaType}, not ${MEDIA_TYPE_OCI_MANIFEST}`);
  if (d.size > maxManifest) reject(`signature manifest ${d.digest} is ${d.size} bytes, above the ${maxManifest}-byte limit`);
  let manifest: ImageManifest;
  try {
    const parsed = await fetchReferrer(repo, d, subjectDigest, call);
    if (isIndex(parsed.manifest)) reject(`signature manifest ${d.digest} is not an image manifest`);
    manifest = parsed.manifest;
  } catch (err) {
    if (isOciError(err) && (err.code === 'INVALID_MANIFEST' || err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH' || err.code === 'TOO_LARGE')) {
      reject(`signature manifest ${d.digest}: ${err.message}`, err);
    }
    throw err;
  }
  const typed = manifest.artifactType === SIGNATURE_ARTIFACT_TYPE || (manifest.artifactType === undefined && manifest.config.mediaType === SIGNATURE_ARTIFACT_TYPE);
  if (!typed) reject(`manifest ${d.digest} is not a notation signature (artifactType ${manifest.artifactType ?? 'absent'}, config ${manifest.config.mediaType})`);
  if (manifest.layers.length !== 1) reject(`signature manifest ${d.digest} has ${manifest.layers.length} layers; a notation signature has exactly one`);
  const layer = manifest.layers[0] as Descriptor;
  if (layer.mediaType !== MEDIA_TYPE_JWS && layer.mediaType !== MEDIA_TYPE_COSE) {
    throw new NotationError('UNSUPPORTED_ENVELOPE', `signature manifest ${d.digest}: unsupported signature envelope media type "${layer.mediaType}" (expected ${MEDIA_TYPE_JWS} or ${MEDIA_TYPE_COSE})`);
  }
  if (layer.size > maxEnvelope) reject(`signature envelope ${layer.digest} is ${layer.size} bytes, above the ${maxEnvelope}-byte limit`);
  let envelope: Uint8Array;
  try {
    envelope = await repo.fetch(layer, call);
  } catch (err) {
    if (isOciError(err) && (err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH' || err.code === 'TOO_LARGE')) reject(`signature envelope ${layer.digest}: ${err.message}`, err);
    throw err;
  }
  return { referrer: d, manifest, envelopeDescriptor: layer, envelopeMediaType: layer.mediaType, envelope };
}
