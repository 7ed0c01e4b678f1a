// One error class for @ocx/signer. Branch on `code`, never on message text.
/** TIMESTAMP_FAILED: the RFC 3161 TSA was unreachable, refused, or sent a token that does not check out. */
/** INVALID_TOKEN: the identity token cannot work (not a JWT, expired, email unverified); never quoted. */
/** TOKEN_UNAVAILABLE: no identity token given and none offered by the CI, or the CI's token request failed. */
/** CA_FAILED: Fulcio refused or could not be reached; TLOG_FAILED: the same for Rekor (a TSA: TIMESTAMP_FAILED). */
/** PREDICATE_INVALID: a predicate or SBOM that is too large, not JSON, or not what --type says. */
/** READ_FAILED: an input file (predicate, SBOM, package content) could not be read or is refused (symlink). */
/** TAG_CONFLICT: the tag holds something ocx will not overwrite (not an OCX package index). */
/** REFUSED: a request ocx refuses to carry out (as OCX does): SLSA v0.2, unknown --type, unsigned provenance, … */
export type SignerErrorCode =
  | 'INVALID_KEY'
  | 'WRONG_PASSWORD'
  | 'INVALID_OPTIONS'
  | 'NOT_FOUND'
  | 'TIMESTAMP_FAILED'
  | 'INVALID_TOKEN'
  | 'TOKEN_UNAVAILABLE'
  | 'CA_FAILED'
  | 'TLOG_FAILED'
  | 'PREDICATE_INVALID'
  | 'READ_FAILED'
  | 'TAG_CONFLICT'
  | 'REFUSED';

/** Every SignerErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const SIGNER_ERROR_CODES = [
  'INVALID_KEY',
  'WRONG_PASSWORD',
  'INVALID_OPTIONS',
  'NOT_FOUND',
  'TIMESTAMP_FAILED',
  'INVALID_TOKEN',
  'TOKEN_UNAVAILABLE',
  'CA_FAILED',
  'TLOG_FAILED',
  'PREDICATE_INVALID',
  'READ_FAILED',
  'TAG_CONFLICT',
  'REFUSED',
] as const satisfies readonly SignerErrorCode[];
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
