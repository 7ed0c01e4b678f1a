// @ocx/sbom public API. Pure functions over bytes already fetched: detect an SBOM's format
// (detectSbomFormat), summarise it (summarizeSbom → SbomSummary), take the SBOM out of an in-toto
// Statement (extractPredicate), and classify media / predicate types (sbomKindOf). No I/O.
export { SBOM_ERROR_CODES, SbomError, isSbomError } from './errors.ts';
export type { SbomErrorCode, SbomErrorOptions } from './errors.ts';
export {
  ARTIFACT_TYPE_COSIGN_SBOM,
  MEDIA_TYPE_CYCLONEDX_JSON,
  MEDIA_TYPE_CYCLONEDX_XML,
  MEDIA_TYPE_SPDX_JSON,
  MEDIA_TYPE_SPDX_JSON_TEXT,
  MEDIA_TYPE_SPDX_TAG_VALUE,
  MEDIA_TYPE_SYFT_JSON,
  PREDICATE_TYPE_CYCLONEDX,
  PREDICATE_TYPE_SPDX,
  SBOM_MEDIA_TYPES,
  isSbomMediaType,
  isSbomPredicateType,
  normalizeMediaType,
  sbomKindOf,
} from './media-types.ts';
export type { SbomKind } from './media-types.ts';
export { DEFAULT_SBOM_LIMITS, resolveSbomLimits } from './limits.ts';
export type { SbomLimits } from './limits.ts';
export {
  LicenseTally,
  MAX_LICENSE_EXPRESSION_LENGTH,
  isNoLicense,
  normalizeLicenseExpression,
} from './license.ts';
export type { LicenseCount, NormalizedLicense } from './license.ts';
export { detectSbomFormat } from './detect.ts';
export type { DetectOptions, SbomDetection, SbomEncoding, SbomFormat, SbomHint } from './detect.ts';
export {
  LicenseCountSchema,
  SbomPackageRefSchema,
  SbomPackageSchema,
  SbomSummarySchema,
} from './summary.ts';
export type { SbomPackage, SbomPackageRef, SbomSummary } from './summary.ts';
export { summarizeSbom } from './summarize.ts';
export type { SummarizeOptions } from './summarize.ts';
export { STATEMENT_TYPE_V01, STATEMENT_TYPE_V1, extractPredicate } from './statement.ts';
export type { ExtractOptions, ExtractedPredicate, StatementSubject } from './statement.ts';
// Registry side: find the SBOMs attached to one subject, stream exactly their bytes, write them safely.
export { findSboms, legacySbomTag } from './find/find.ts';
export type { FindSbomsOptions, SbomRepository } from './find/find.ts';
export { DEFAULT_MAX_SBOM_BYTES, fetchSbomBytes, openSbom } from './find/fetch.ts';
export type { OpenSbomOptions } from './find/fetch.ts';
export { DEFAULT_SBOM_FIND_LIMITS } from './find/types.ts';
export type { SbomFindLimits, SbomFindResult, SbomFinding, SbomSource, SkippedSbom } from './find/types.ts';
export { writeFileAtomic, writeToStream } from './find/write.ts';
export type { WriteResult } from './find/write.ts';
