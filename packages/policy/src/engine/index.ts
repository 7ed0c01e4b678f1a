// @ocx/policy/engine: the verify orchestration (resolve → select platform → list once → verify per
// family → any-of or decide). A separate entry from the pure core so that a caller naming trust on
// the command line loads neither the policy document code nor a verifier it does not use.
export { PrefetchingRepository } from './prefetch.ts';
export { verifyReference, anyOf, candidatesOf } from './run.ts';
export type { VerifyReferenceOptions, ReferenceOutcome, TargetOutcome, LeveledReport, TagHint, AnyOfResult, AnyOfTarget, FoundCandidate } from './run.ts';
export type { VerifyTarget, CheckReport, CandidateReport, ErrorReport, FamilyEvidence, FamilyReport, PreparedFamily, FamilyRequest, VerifierFamily, NamedFamily } from './types.ts';
// Trust named by flags: the built-in families (loaded on demand) and when each applies. The
// families themselves are also `@ocx/policy/engine/cosign` and `@ocx/policy/engine/notation`.
export { FLAG_FAMILIES } from './flags/families.ts';
export { cosignApplies, notationApplies, cosignLegacyTags } from './flags/applies.ts';
export type { TrustFlags, FlagHost, FlagFamily } from './flags/types.ts';
