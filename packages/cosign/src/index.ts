export { COSIGN_ERROR_CODES, CosignError, isCosignError } from './errors.ts';
export type { CosignErrorCode, CosignErrorOptions } from './errors.ts';
export { createTrust, loadTrustedRoot, parsePublicKey } from './trust.ts';
export type { CosignTrust, CreateTrustOptions, TrustedKey } from './trust.ts';
export { MAX_BUNDLE_BYTES, parseBundle } from './bundle.ts';
export { signedPayload, trustNeeds } from './evidence.ts';
export type { TrustNeeds } from './evidence.ts';
export type { ParseBundleOptions } from './bundle.ts';
export type { BundleVersion, ParsedBundle } from './bundle.ts';
export { IN_TOTO_PAYLOAD_TYPE, parseStatement, statementHasDigest } from './intoto.ts';
export type { InTotoStatement, StatementSubject } from './intoto.ts';
export { compileIdentity, re2Differences } from './identity.ts';
export type { CompiledIdentity, GithubWorkflowPolicy, IdentityPolicy } from './identity.ts';
export type { RequiredAnnotations } from './annotations.ts';
export { fulcioClaimOid, fulcioClaims, githubFacts, githubWorkflowMismatches } from './fulcio-claims.ts';
export type { FulcioClaimName, FulcioClaims, GithubFacts } from './fulcio-claims.ts';
export { verifyBundle, verifyParsedBundle } from './verify.ts';
export type { ArtifactDigest, ArtifactInput, BundleInput, VerifyBundleOptions } from './verify.ts';
export type { CheckName, Verdict, VerdictCheck, VerdictSigner } from './verdict.ts';
export {
  COSIGN_PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE_TYPE,
  resolvePredicateType,
  verifyCosignAttestation,
  verifyCosignSignature,
} from './cosign.ts';
export type { CosignAttestationOptions, CosignEvidence, CosignPredicateAlias, CosignVerifyOptions } from './cosign.ts';
export { COSIGN_ANNOTATIONS, DSSE_ENVELOPE_MEDIA_TYPE, legacyToBundle, SIMPLE_SIGNING_MEDIA_TYPE } from './legacy.ts';
export type { LegacyEvidence, LegacyLayer, LegacyOptions } from './legacy.ts';
export {
  ATTESTATION_FIND_LIMITS,
  BUNDLE_ANNOTATIONS,
  BUNDLE_ARTIFACT_TYPES,
  COSIGN_ATT_ARTIFACT_TYPE,
  COSIGN_SIG_ARTIFACT_TYPE,
  DEFAULT_FIND_LIMITS,
  LEGACY_PREDICATE_ANNOTATION,
} from './find/constants.ts';
export type { FindLimits } from './find/constants.ts';
export { findCosign, legacyTag } from './find/find.ts';
export type { CosignCandidate, CosignCandidateFormat, CosignFindMode, CosignFindResult, FindCosignOptions, SkippedCandidate } from './find/find.ts';
export { loadCandidate, verifyCandidates } from './find/load.ts';
export type { CandidateOutcome, LoadedEvidence, LoadOptions, VerifyCandidatesOptions } from './find/load.ts';
export { loadPublicGoodRoot } from './find/public-good.ts';
export type { PublicGoodOptions } from './find/public-good.ts';
