// One error class for @ocx/cosign. Thrown for malformed input and caller mistakes only; a failed
// verification is a Verdict with reasons, never an exception. Branch on `code`, never on message text.
export type CosignErrorCode =
  | 'INVALID_TRUSTED_ROOT'
  | 'INVALID_KEY'
  | 'INVALID_BUNDLE'
  | 'INVALID_LEGACY_LAYER'
  | 'INVALID_STATEMENT'
  | 'INVALID_OPTIONS'
  | 'TOO_LARGE';

/** Every CosignErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const COSIGN_ERROR_CODES = ['INVALID_TRUSTED_ROOT', 'INVALID_KEY', 'INVALID_BUNDLE', 'INVALID_LEGACY_LAYER', 'INVALID_STATEMENT', 'INVALID_OPTIONS', 'TOO_LARGE'] as const satisfies readonly CosignErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<CosignErrorCode, (typeof COSIGN_ERROR_CODES)[number]> extends never ? true : false = true;

export interface CosignErrorOptions {
  readonly cause?: unknown;
}

export class CosignError extends Error {
  readonly code: CosignErrorCode;

  constructor(code: CosignErrorCode, message: string, options: CosignErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CosignError';
    this.code = code;
  }
}

export function isCosignError(err: unknown, code?: CosignErrorCode): err is CosignError {
  return err instanceof CosignError && (code === undefined || err.code === code);
}
