export { NOTATION_ERROR_CODES, NotationError, isNotationError } from './errors.ts';
export type { NotationErrorCode, NotationErrorOptions } from './errors.ts';
export { VALIDATION_TYPES } from './verify/types.ts';
export type { ValidationType, CheckStatus, CheckResult } from './verify/types.ts';
export { verifyNotationSignature } from './verify/verify.ts';
export type {
  VerifyNotationOptions,
  NotationVerificationResult,
  SubjectDescriptor,
  TrustAnchors,
  SignerSummary,
  CertificateSummary,
  RevocationChecker,
  RevocationCheckResult,
  RevocationStatus,
} from './verify/verify.ts';
export { parseSignatureEnvelope } from './envelope/parse.ts';
export { parseJwsEnvelope } from './envelope/jws.ts';
export { parseCoseEnvelope } from './envelope/cose.ts';
export { verifyEnvelopeSignature, algorithmForCertificate } from './envelope/signature.ts';
export { parsePayload, payloadSchema, targetArtifactSchema } from './envelope/payload.ts';
export type { NotationPayload, TargetArtifact } from './envelope/payload.ts';
export type { ParseEnvelopeOptions } from './envelope/attributes.ts';
export {
  MEDIA_TYPE_JWS,
  MEDIA_TYPE_COSE,
  PAYLOAD_CONTENT_TYPE,
  SIGNATURE_ARTIFACT_TYPE,
  THUMBPRINT_ANNOTATION,
  SCHEME_X509,
  SCHEME_SIGNING_AUTHORITY,
  SIGNATURE_HASH,
  HASH_BYTES,
} from './envelope/constants.ts';
export type { EnvelopeMediaType, SigningScheme, SignatureAlgorithm } from './envelope/constants.ts';
export type { SignatureEnvelope, SignedAttributes, UnsignedAttributes, ExtendedAttribute } from './envelope/types.ts';
export { parseCertificate, parseCertificates } from './x509/cert.ts';
export type { ParsedCertificate, CertificateInput, CertKeyInfo } from './x509/cert.ts';
export { validateCertChain, findTrustAnchor } from './x509/chain.ts';
export type { ChainPurpose } from './x509/chain.ts';
export { parseTimestampToken, verifyTimestampToken, verifyTimestampTokenSignature } from './timestamp/token.ts';
export type { TimestampToken, VerifiedTimestamp, VerifyTimestampOptions } from './timestamp/token.ts';
export { notationConfigDir } from './policy/config-dir.ts';
export { parseTrustPolicy, loadTrustPolicy, TRUST_POLICY_FILES } from './policy/parse.ts';
export type { LoadedTrustPolicy } from './policy/parse.ts';
export { checkTrustPolicy, SUPPORTED_POLICY_VERSIONS } from './policy/validate.ts';
export type { TrustPolicyCheck } from './policy/validate.ts';
export { selectPolicy } from './policy/select.ts';
export { GLOBAL_SCOPE, registryScopeProblem } from './policy/scope.ts';
export { resolveLevel, decide, VERIFICATION_LEVELS } from './policy/levels.ts';
export type { Decision, Verdict } from './policy/levels.ts';
export { matchTrustedIdentity } from './policy/identity.ts';
export type { IdentityMatch } from './policy/identity.ts';
export { parseNotationDn, DnSyntaxError } from './policy/dn.ts';
export type {
  TrustPolicyDocument,
  TrustPolicyStatement,
  SignatureVerificationConfig,
  TrustPolicyIssue,
  LevelActions,
  ValidationAction,
  VerificationLevelName,
  VerifyTimestampOption,
} from './policy/types.ts';
export { loadTrustStore, loadTrustStores, parseTrustStoreFile, trustStorePath } from './truststore/load.ts';
export { splitCertificateFile } from './truststore/pem.ts';
export { trustStoreCertificateProblem } from './truststore/validate.ts';
export { TRUST_STORE_TYPES, isTrustStoreType, isValidTrustStoreName } from './truststore/types.ts';
export type { TrustStoreType, TrustStoreRef, TrustedCertificate, TrustStore } from './truststore/types.ts';
export { NOTATION_LIMITS, isNotationSignatureDescriptor, listNotationSignatures, loadNotationSignature, parseThumbprints } from './registry/find.ts';
export type { FindNotationOptions, LoadedNotationSignature, NotationSignatureRef } from './registry/find.ts';
export { verifyNotationArtifact } from './registry/artifact.ts';
export type { ArtifactCheck, ArtifactVerification, SignatureOutcome, VerifyArtifactOptions } from './registry/artifact.ts';
export { loadStatementAnchors } from './registry/anchors.ts';
export { createRevocationChecker, DEFAULT_OCSP_TIMEOUT_MS, DEFAULT_CRL_TIMEOUT_MS } from './revocation/checker.ts';
export { memoryRevocationCache, fileRevocationCache, revocationCacheKey } from './revocation/cache.ts';
export type { RevocationCache, RevocationCacheEntry, RevocationCheckerOptions, RevocationFetch } from './revocation/types.ts';
