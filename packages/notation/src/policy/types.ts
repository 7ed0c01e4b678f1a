// Typed trust policy document (notary trust-store-trust-policy.md "OCI Trust Policy", version 1.0).
import type { ValidationType } from '../verify/types.ts';
import type { TrustStoreRef } from '../truststore/types.ts';

export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type VerifyTimestampOption = 'always' | 'afterCertExpiry';

/** Action per validation type, after the level table and overrides are applied. */
export type LevelActions = Readonly<Record<ValidationType, ValidationAction>>;

export interface SignatureVerificationConfig {
  readonly level: VerificationLevelName;
  /** Only the types the user overrode; `integrity` never appears. */
  readonly override: Readonly<Partial<Record<ValidationType, ValidationAction>>>;
  /** notation's default when the field is absent is `always`. */
  readonly verifyTimestamp: VerifyTimestampOption;
}

export interface TrustPolicyStatement {
  readonly name: string;
  /** Fully qualified repositories, or exactly `["*"]` (global scope). */
  readonly registryScopes: readonly string[];
  readonly signatureVerification: SignatureVerificationConfig;
  /** Parsed `{type}:{name}` entries, in document order; empty for level skip. */
  readonly trustStores: readonly TrustStoreRef[];
  /** Raw entries (`*`, `x509.subject: …`, or a plugin-defined form); empty for level skip. */
  readonly trustedIdentities: readonly string[];
}

export interface TrustPolicyDocument {
  readonly version: '1.0';
  readonly trustPolicies: readonly TrustPolicyStatement[];
}

/** One problem found in a trust policy: what is wrong and where. */
export interface TrustPolicyIssue {
  /** JSON path in the document, e.g. `trustPolicies[0].registryScopes[1]`. */
  readonly path: string;
  /** The statement's name, when the problem is inside a statement that has one. */
  readonly policy?: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  readonly message: string;
}
