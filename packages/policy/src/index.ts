export { POLICY_ERROR_CODES, PolicyError, isPolicyError } from './errors.ts';
export type { PolicyErrorCode, PolicyErrorOptions, PolicyIssue } from './errors.ts';
export { policyDocumentSchema, signerSchema, ruleModeSchema, RULE_MODES, UNMATCHED_ACTIONS } from './schema.ts';
export type { PolicyDocument, SignerDocument, RuleDocument, AttestationRequirementDocument, RuleMode, UnmatchedAction } from './schema.ts';
export type {
  Policy,
  Rule,
  Signer,
  KeylessSigner,
  KeySigner,
  NotationSigner,
  ExtensionSigner,
  AttestationRequirement,
  NotationLevel,
  NotationCheckType,
  NotationAction,
} from './types.ts';
export { signerFamily } from './types.ts';
export { parseScope, scopeMatches, specificity, compareSpecificity } from './scope.ts';
export type { Scope, ScopeKind, ScopeTarget, Specificity } from './scope.ts';
export { predicateTypeFor, isSlsaPredicate } from './attestation-types.ts';
export { validatePolicy } from './validate.ts';
export type { ValidateOptions } from './validate.ts';
export { parsePolicy, loadPolicy, decodePolicyText, stringifyPolicy, MAX_POLICY_BYTES } from './load.ts';
export type { LoadPolicyOptions } from './load.ts';
export { selectRule, rulesByPrecedence, toTarget } from './match.ts';
export type { Selection, RuleVerdict, RuleStanding, Target, TargetInput } from './match.ts';
export { explain } from './explain.ts';
export type { Explanation } from './explain.ts';
export { decide, EXIT_BLOCKED } from './decide.ts';
export type { Decision, DecideOptions, WhyNode, WhyOutcome } from './decide.ts';
export type {
  Evidence,
  SignatureCandidate,
  CosignKeyCandidate,
  CosignKeylessCandidate,
  NotationCandidate,
  NotationCheck,
  ExtensionCandidate,
  RejectedCandidate,
  AttestationEvidence,
  SbomEvidence,
} from './evidence.ts';
export { renderWhy } from './render.ts';
export { matchSigner, describeSigner } from './signer-match.ts';
export type { SignerMatch } from './signer-match.ts';
export { importNotationPolicy } from './notation-import.ts';
export type { ImportNotationOptions, NotationImport } from './notation-import.ts';
export { policyJsonSchema, policyJsonSchemaText, POLICY_SCHEMA_ID } from './json-schema.ts';
// The engine under a policy (the orchestration itself is `@ocx/policy/engine`).
export { registerFamily, unregisterFamily, ruleSigners, governingRules, policyFamilies, evidenceFor, decideTarget } from './engine/policy-run.ts';
export type { PolicyFamiliesOptions } from './engine/policy-run.ts';
export { verifyReference, anyOf } from './engine/run.ts';
export type { VerifyReferenceOptions, ReferenceOutcome, TargetOutcome, LeveledReport } from './engine/run.ts';
export type { VerifierFamily, PreparedFamily, FamilyRequest, FamilyReport, FamilyEvidence, CandidateReport, CheckReport, VerifyTarget, NamedFamily } from './engine/types.ts';
