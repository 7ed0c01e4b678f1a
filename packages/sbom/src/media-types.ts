// Media types and in-toto predicate types that name an SBOM.
// Layer media types: cosign specs/SBOM_SPEC.md and pkg/types/media.go; SPDX 2.3 Annex G ("text/spdx",
// "application/spdx+json"); CycloneDX "Media Types" (cyclonedx.org/specification/overview).
export const MEDIA_TYPE_SPDX_JSON = 'application/spdx+json';
export const MEDIA_TYPE_SPDX_TAG_VALUE = 'text/spdx';
/** cosign `attach sbom --type spdx --input-format json` writes this non-registered variant. */
export const MEDIA_TYPE_SPDX_JSON_TEXT = 'text/spdx+json';
export const MEDIA_TYPE_CYCLONEDX_JSON = 'application/vnd.cyclonedx+json';
export const MEDIA_TYPE_CYCLONEDX_XML = 'application/vnd.cyclonedx+xml';
export const MEDIA_TYPE_SYFT_JSON = 'application/vnd.syft+json';
/** artifactType of cosign's experimental OCI 1.1 SBOM referrers; says "SBOM", not which format. */
export const ARTIFACT_TYPE_COSIGN_SBOM = 'application/vnd.dev.cosign.artifact.sbom.v1+json';

// Predicate types (in-toto attestation framework, predicates/spdx.md and predicates/cyclonedx.md;
// cosign `attest --type spdx|spdxjson|cyclonedx`). Producers also append a version: `/v2.3`, `/v1.4`.
export const PREDICATE_TYPE_SPDX = 'https://spdx.dev/Document';
export const PREDICATE_TYPE_CYCLONEDX = 'https://cyclonedx.org/bom';

export const SBOM_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE_SPDX_JSON,
  MEDIA_TYPE_SPDX_TAG_VALUE,
  MEDIA_TYPE_SPDX_JSON_TEXT,
  MEDIA_TYPE_CYCLONEDX_JSON,
  MEDIA_TYPE_CYCLONEDX_XML,
  MEDIA_TYPE_SYFT_JSON,
  ARTIFACT_TYPE_COSIGN_SBOM,
];

/** Which SBOM family a media type or predicate type names; `unknown` = an SBOM of unnamed format. */
export type SbomKind = 'spdx' | 'cyclonedx' | 'syft' | 'unknown';

const MEDIA_TYPE_KINDS: ReadonlyMap<string, SbomKind> = new Map<string, SbomKind>([
  [MEDIA_TYPE_SPDX_JSON, 'spdx'],
  [MEDIA_TYPE_SPDX_TAG_VALUE, 'spdx'],
  [MEDIA_TYPE_SPDX_JSON_TEXT, 'spdx'],
  [MEDIA_TYPE_CYCLONEDX_JSON, 'cyclonedx'],
  [MEDIA_TYPE_CYCLONEDX_XML, 'cyclonedx'],
  [MEDIA_TYPE_SYFT_JSON, 'syft'],
  [ARTIFACT_TYPE_COSIGN_SBOM, 'unknown'],
]);

const SPDX_PREDICATE = /^https:\/\/spdx\.dev\/Document(?:\/v\d+(?:\.\d+){0,2})?$/;
const CYCLONEDX_PREDICATE = /^https:\/\/cyclonedx\.org\/bom(?:\/v\d+(?:\.\d+){0,2})?$/;

/**
 * Media types are case-insensitive and may carry parameters (RFC 6838 §4.3; CycloneDX uses
 * `;version=1.5`), so compare the lowercased type/subtype only.
 */
export function normalizeMediaType(mediaType: string): string {
  const semi = mediaType.indexOf(';');
  return (semi === -1 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

export function isSbomMediaType(mediaType: string): boolean {
  return MEDIA_TYPE_KINDS.has(normalizeMediaType(mediaType));
}

/** Predicate types are URIs compared exactly (in-toto Statement spec: "TypeURI"). */
export function isSbomPredicateType(predicateType: string): boolean {
  return SPDX_PREDICATE.test(predicateType) || CYCLONEDX_PREDICATE.test(predicateType);
}

/** The SBOM family named by a media type or predicate type; undefined when it names no SBOM. */
export function sbomKindOf(mediaTypeOrPredicateType: string): SbomKind | undefined {
  if (SPDX_PREDICATE.test(mediaTypeOrPredicateType)) return 'spdx';
  if (CYCLONEDX_PREDICATE.test(mediaTypeOrPredicateType)) return 'cyclonedx';
  return MEDIA_TYPE_KINDS.get(normalizeMediaType(mediaTypeOrPredicateType));
}
