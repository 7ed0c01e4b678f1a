// Verification levels (notary trust-store-trust-policy.md "signatureVerification details" and
// "Custom Verification Level"): each level maps every validation type to enforce/log/skip.
import { NotationError } from '../errors.ts';
import { VALIDATION_TYPES } from '../verify/types.ts';
import type { CheckResult, ValidationType } from '../verify/types.ts';
import type { LevelActions, SignatureVerificationConfig, ValidationAction, VerificationLevelName } from './types.ts';

export const VERIFICATION_LEVELS: Readonly<Record<VerificationLevelName, LevelActions>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

const ACTIONS: readonly ValidationAction[] = ['enforce', 'log', 'skip'];

export function isVerificationLevel(value: unknown): value is VerificationLevelName {
  return typeof value === 'string' && Object.hasOwn(VERIFICATION_LEVELS, value);
}

/**
 * Problems with one override entry, or undefined when it is allowed: integrity can never be
 * overridden, only revocation may be skipped, and a skip level cannot be customised.
 */
export function overrideProblem(level: VerificationLevelName, type: string, action: unknown): string | undefined {
  if (level === 'skip') return `level "skip" cannot be customised with overrides`;
  if (!(VALIDATION_TYPES as readonly string[]).includes(type)) {
    return `unknown validation type ${JSON.stringify(type)}; supported: ${VALIDATION_TYPES.join(', ')}`;
  }
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    return `unknown action ${JSON.stringify(action)} for ${type}; supported: ${ACTIONS.join(', ')}`;
  }
  if (type === 'integrity') return 'integrity cannot be overridden';
  if (action === 'skip' && type !== 'revocation') return `${type} cannot be skipped (only revocation may be)`;
  return undefined;
}

/**
 * The action for each validation type: the level's table with the overrides applied.
 * Throws POLICY_INVALID for an override notation would refuse.
 */
export function resolveLevel(policy: { readonly signatureVerification: SignatureVerificationConfig }): LevelActions {
  const { level, override } = policy.signatureVerification;
  if (!isVerificationLevel(level)) {
    throw new NotationError('POLICY_INVALID', `signatureVerification.level ${JSON.stringify(level)} is not one of strict, permissive, audit, skip`);
  }
  const actions: Record<ValidationType, ValidationAction> = { ...VERIFICATION_LEVELS[level] };
  for (const [type, action] of Object.entries(override)) {
    const problem = overrideProblem(level, type, action);
    if (problem !== undefined) throw new NotationError('POLICY_INVALID', `signatureVerification.override.${type}: ${problem}`);
    actions[type as ValidationType] = action as ValidationAction;
  }
  return actions;
}

export type Verdict = 'pass' | 'fail' | 'skipped';

export interface Decision {
  readonly verdict: Verdict;
  /** Failed checks whose action is enforce: any of them fails the verification. */
  readonly enforcedFailures: readonly CheckResult[];
  /** Failed checks whose action is log: reported, but they do not fail the verification. */
  readonly loggedFailures: readonly CheckResult[];
}

// Integrity and authenticity are always evaluated by notation when the level is not skip, so
// a verdict may only pass when the verifier really reported them as ok.
const MUST_BE_EVALUATED: readonly ValidationType[] = ['integrity', 'authenticity'];

/**
 * Apply the level to the verifier's check results (notary signing-and-verification-workflow.md
 * "Signature Verification" step 2): a failed enforce check fails, a failed log check is
 * reported and passes, a skip action ignores the check; level skip means nothing is checked.
 */
export function decide(levelActions: LevelActions, checkResults: readonly CheckResult[]): Decision {
  if (VALIDATION_TYPES.every((t) => levelActions[t] === 'skip')) {
    return { verdict: 'skipped', enforcedFailures: [], loggedFailures: [] };
  }
  const enforcedFailures: CheckResult[] = [];
  const loggedFailures: CheckResult[] = [];
  for (const result of checkResults) {
    if (result.status !== 'failed') continue;
    const action = levelActions[result.type];
    if (action === 'enforce') enforcedFailures.push(result);
    else if (action === 'log') loggedFailures.push(result);
  }
  for (const type of MUST_BE_EVALUATED) {
    const evaluated = checkResults.some((r) => r.type === type && r.status !== 'skipped');
    if (evaluated) continue;
    const missing: CheckResult = { type, status: 'failed', code: 'NOT_EVALUATED', reason: `${type} was not evaluated by the verifier` };
    if (levelActions[type] === 'enforce') enforcedFailures.push(missing);
    else if (levelActions[type] === 'log') loggedFailures.push(missing);
  }
  return { verdict: enforcedFailures.length > 0 ? 'fail' : 'pass', enforcedFailures, loggedFailures };
}
