// One error class for @ocx/notation. Callers branch on `code`, never on message text.
export type NotationErrorCode =
  | 'ENVELOPE_INVALID'
  | 'UNSUPPORTED_ENVELOPE'
  | 'CRIT_UNKNOWN'
  | 'ALG_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'CERT_INVALID'
  | 'CHAIN_INVALID'
  | 'UNTRUSTED'
  | 'TIMESTAMP_INVALID'
  | 'EXPIRED'
  | 'PAYLOAD_MISMATCH'
  | 'POLICY_INVALID'
  | 'TRUSTSTORE_INVALID'
  | 'NO_APPLICABLE_POLICY'
  | 'REVOCATION'
  | 'IO';

/** Every NotationErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const NOTATION_ERROR_CODES = ['ENVELOPE_INVALID', 'UNSUPPORTED_ENVELOPE', 'CRIT_UNKNOWN', 'ALG_MISMATCH', 'SIGNATURE_INVALID', 'CERT_INVALID', 'CHAIN_INVALID', 'UNTRUSTED', 'TIMESTAMP_INVALID', 'EXPIRED', 'PAYLOAD_MISMATCH', 'POLICY_INVALID', 'TRUSTSTORE_INVALID', 'NO_APPLICABLE_POLICY', 'REVOCATION', 'IO'] as const satisfies readonly NotationErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<NotationErrorCode, (typeof NOTATION_ERROR_CODES)[number]> extends never ? true : false = true;

export interface NotationErrorOptions {
  readonly cause?: unknown;
}

export class NotationError extends Error {
  readonly code: NotationErrorCode;
  declare readonly cause?: unknown;

  constructor(code: NotationErrorCode, message: string, options: NotationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NotationError';
    this.code = code;
  }
}

export function isNotationError(err: unknown, code?: NotationErrorCode): err is NotationError {
  return err instanceof NotationError && (code === undefined || err.code === code);
}
