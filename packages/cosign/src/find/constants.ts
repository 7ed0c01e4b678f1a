import { BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE } from '@sigstore/bundle';

// Wire constants for finding cosign evidence (cosign specs/BUNDLE_SPEC.md, SIGNATURE_SPEC.md,
// ATTESTATION_SPEC.md; cosign internal/pkg/oci/remote/remote.go ArtifactType).

/** artifactType (= layer mediaType) of a Sigstore bundle referrer; v0.3 first, then the older spellings. */
export const BUNDLE_ARTIFACT_TYPES: readonly string[] = [BUNDLE_V03_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V01_MEDIA_TYPE];

/** cosign v2 `--registry-referrers-mode=oci-1-1`: the legacy manifests written as referrers. */
export const COSIGN_SIG_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const COSIGN_ATT_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.att.v1+json';

/** Annotations cosign v3 puts on a bundle referrer manifest (and so into the referrers listing). */
export const BUNDLE_ANNOTATIONS = {
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
} as const;

/** cosign ATTESTATION_SPEC.md: each `.att` layer names its predicate in this annotation. */
export const LEGACY_PREDICATE_ANNOTATION = 'predicateType';

/** Caps on what a registry can make us fetch for one subject. */
export interface FindLimits {
  /** Largest bundle or legacy payload blob fetched (and parsed: pass it on as `maxBundleBytes`). */
  readonly maxBundleBytes: number;
  /** Bundle and payload bytes fetched over all candidates of one verifyCandidates call. */
  readonly maxTotalBytes: number;
  /** Largest referrer or legacy-tag manifest fetched. */
  readonly maxManifestBytes: number;
  /** Candidates loaded in signature mode. */
  readonly maxSignatureCandidates: number;
  /** Candidates loaded in attestation mode. */
  readonly maxAttestationCandidates: number;
  /** Candidates loaded at the same time. */
  readonly concurrency: number;
}

export const DEFAULT_FIND_LIMITS: FindLimits = {
  maxBundleBytes: 512 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxManifestBytes: 256 * 1024,
  maxSignatureCandidates: 8,
  maxAttestationCandidates: 32,
  concurrency: 4,
};

/**
 * Attestation mode: an in-toto predicate (an SBOM above all) can be MiBs, so envelopes up to 32 MiB,
 * 64 MiB over all candidates — the caps OCX uses for attestations.
 */
export const ATTESTATION_FIND_LIMITS: FindLimits = {
  ...DEFAULT_FIND_LIMITS,
  maxBundleBytes: 32 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
};
