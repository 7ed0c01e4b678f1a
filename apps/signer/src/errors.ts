// One error class for @ocx/signer. Branch on `code`, never on message text.
/** TIMESTAMP_FAILED: the RFC 3161 TSA was unreachable, refused, or sent a token that does not check out. */
/** PREDICATE_INVALID: a predicate or SBOM that is too large, not JSON, or not what --type says. */
/** READ_FAILED: an input file (predicate, SBOM, package content) could not be read or is refused (symlink). */
/** TAG_CONFLICT: the tag holds something ocx will not overwrite (not an OCX package index). */
/** TLOG_FAILED: Rekor could not be reached or refused the entry (nothing was pushed). */
/** REFUSED: a request ocx refuses to carry out (as OCX does): SLSA v0.2, unknown --type, unsigned provenance, … */
export type SignerErrorCode =
  | 'INVALID_KEY'
  | 'WRONG_PASSWORD'
  | 'INVALID_OPTIONS'
  | 'NOT_FOUND'
  | 'TIMESTAMP_FAILED'
  | 'PREDICATE_INVALID'
  | 'READ_FAILED'
  | 'TAG_CONFLICT'
  | 'REFUSED'
  | 'TLOG_FAILED';

/** Every SignerErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const SIGNER_ERROR_CODES = ['INVALID_KEY', 'WRONG_PASSWORD', 'INVALID_OPTIONS', 'NOT_FOUND', 'TIMESTAMP_FAILED', 'PREDICATE_INVALID', 'READ_FAILED', 'TAG_CONFLICT', 'REFUSED', 'TLOG_FAILED'] as const satisfies readonly SignerErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<SignerErrorCode, (typeof SIGNER_ERROR_CODES)[number]> extends never ? true : false = true;

export interface SignerErrorOptions {
  readonly cause?: unknown;
}

export class SignerError extends Error {
  readonly code: SignerErrorCode;

  constructor(code: SignerErrorCode, message: string, options: SignerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SignerError';
    this.code = code;
  }
}

export function isSignerError(err: unknown, code?: SignerErrorCode): err is SignerError {
  return err instanceof SignerError && (code === undefined || err.code === code);
}
