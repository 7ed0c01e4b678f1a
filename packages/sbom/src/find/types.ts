// What finding SBOMs for one subject returns. Everything here comes from a registry and is
// unauthenticated: `authenticity` is always 'unproven' until a verifier (cosign, notation) says more.
import type { Descriptor } from '@ocx/oci';
import type { SbomKind } from '../media-types.ts';

/**
 * Where an SBOM was found:
 * - referrer: an OCI 1.1 referrer whose artifactType or layer media type names an SBOM (oras attach,
 *   syft, `cosign attach sbom --registry-referrers-mode=oci-1-1`);
 * - bundle-attestation: the predicate of an in-toto attestation in a Sigstore bundle referrer (cosign v3);
 * - legacy-att: the predicate of a DSSE layer under the `sha256-<hex>.att` tag (cosign v2 attest);
 * - legacy-sbom-tag: a layer under the `sha256-<hex>.sbom` tag (cosign ≤ 2 `attach sbom`).
 */
export type SbomSource = 'referrer' | 'bundle-attestation' | 'legacy-att' | 'legacy-sbom-tag';

export interface SbomFinding {
  readonly source: SbomSource;
  /** The digest ocx resolved itself; every finding is bound to it. */
  readonly subject: string;
  /** The referrer manifest, or the manifest a legacy tag names. */
  readonly referrer: Descriptor;
  /** Legacy tag the manifest came from. */
  readonly tag?: string;
  /** The layer holding the SBOM (raw sources) or the bundle / DSSE envelope (attestations). */
  readonly layer: Descriptor;
  /** Layer media type (raw) or the in-toto predicate type (attestations). */
  readonly mediaType: string;
  readonly predicateType?: string;
  /** The referrer manifest's own artifactType (or config media type), not the listing's. */
  readonly artifactType?: string;
  /** SBOM family named by the media type / predicate type; detection from the bytes may differ. */
  readonly kind: SbomKind;
  /** Digest and size of exactly the bytes `openSbom` yields (for attestations: the predicate document). */
  readonly digest: string;
  readonly size: number;
  /** Attestations only: the predicate document, already extracted and bounded by the caps. */
  readonly document?: Uint8Array;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Finding proves nothing; callers that verify a signature or attestation report it separately. */
  readonly authenticity: 'unproven';
}

/** A referrer or legacy manifest that was looked at and left out, with the reason. */
export interface SkippedSbom {
  readonly source: SbomSource;
  readonly referrer: string;
  readonly reason: string;
}

export interface SbomFindResult {
  readonly findings: readonly SbomFinding[];
  readonly skipped: readonly SkippedSbom[];
}

/** Caps on what a registry can make us fetch while finding SBOMs for one subject. */
export interface SbomFindLimits {
  /** Referrer and legacy manifests fetched per subject. */
  readonly maxManifests: number;
  /** Largest referrer / legacy manifest fetched. */
  readonly maxManifestBytes: number;
  /** Largest bundle or DSSE envelope held in memory to take the predicate out of. */
  readonly maxAttestationBytes: number;
  /** Layers taken from one manifest. */
  readonly maxLayers: number;
  /** Manifests fetched at the same time. */
  readonly concurrency: number;
}

export const DEFAULT_SBOM_FIND_LIMITS: SbomFindLimits = {
  maxManifests: 64,
  maxManifestBytes: 1024 * 1024,
  maxAttestationBytes: 64 * 1024 * 1024,
  maxLayers: 16,
  concurrency: 4,
};
