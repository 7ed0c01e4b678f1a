// Wire constants for SBOM discovery (cosign specs/BUNDLE_SPEC.md, ATTESTATION_SPEC.md, SBOM_SPEC.md;
// notation-go registry: signature artifactType). Only what finding needs, so no runtime dependency
// on the verifier packages.

/** Sigstore bundle media types used as a referrer's artifactType (v0.3 and the older spellings). */
export const BUNDLE_ARTIFACT_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** cosign v3 puts the statement's predicate type on the bundle referrer (BUNDLE_SPEC.md "Annotations"). */
export const BUNDLE_PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
/** Each `.att` layer names its predicate in this annotation (ATTESTATION_SPEC.md). */
export const LEGACY_PREDICATE_ANNOTATION = 'predicateType';
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Referrers that are known not to be SBOMs: their manifests are not fetched. */
export const NOT_SBOM_ARTIFACT_TYPES: readonly string[] = [
  'application/vnd.cncf.notary.signature',
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.dev.cosign.artifact.att.v1+json',
];
