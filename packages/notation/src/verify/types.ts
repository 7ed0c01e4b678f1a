// Shared result vocabulary between the verifier (this directory) and the trust-policy
// code that applies levels. Validation types follow notary trust-store-trust-policy.md
// "Signature Verification details": integrity, authenticity, authenticTimestamp, expiry, revocation.
export type ValidationType =
  | 'integrity'
  | 'authenticity'
  | 'authenticTimestamp'
  | 'expiry'
  | 'revocation';

export const VALIDATION_TYPES: readonly ValidationType[] = [
  'integrity',
  'authenticity',
  'authenticTimestamp',
  'expiry',
  'revocation',
];

/** Outcome of one validation type. `skipped` = not evaluated (e.g. no network for revocation). */
export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface CheckResult {
  readonly type: ValidationType;
  readonly status: CheckStatus;
  /** Machine-readable reason; present when status is 'failed' or 'skipped'. */
  readonly code?: string;
  /** Human-readable explanation. */
  readonly reason?: string;
}
