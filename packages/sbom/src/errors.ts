// One error class for @ocx/sbom. Callers branch on `code`, never on message text.
export type SbomErrorCode =
  /** The bytes are not what their encoding claims (bad UTF-8, malformed JSON or XML). */
  | 'PARSE'
  /** The format was recognised but a field the spec requires is missing or has the wrong type. */
  | 'INVALID'
  /** Not an SBOM format this package can read (or detected, but only detection is supported). */
  | 'UNSUPPORTED_FORMAT'
  /** The document is larger than the configured `maxBytes`. */
  | 'TOO_LARGE'
  /** The document lists more packages than the configured `maxPackages`. */
  | 'TOO_MANY'
  /** `extractPredicate` was given something that is not an in-toto Statement. */
  | 'INVALID_STATEMENT';

/** Every SbomErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const SBOM_ERROR_CODES = ['PARSE', 'INVALID', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'TOO_MANY', 'INVALID_STATEMENT'] as const satisfies readonly SbomErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<SbomErrorCode, (typeof SBOM_ERROR_CODES)[number]> extends never ? true : false = true;

export interface SbomErrorOptions {
  readonly cause?: unknown;
}

export class SbomError extends Error {
  readonly code: SbomErrorCode;

  constructor(code: SbomErrorCode, message: string, options: SbomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SbomError';
    this.code = code;
  }
}

export function isSbomError(err: unknown, code?: SbomErrorCode): err is SbomError {
  return err instanceof SbomError && (code === undefined || err.code === code);
}
