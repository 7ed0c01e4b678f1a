// One error class for @ocx/oci. Callers branch on `code`, never on message text.
export type OciErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_PLATFORM'
  | 'INVALID_DIGEST'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'TOO_LARGE'
  | 'TOO_MANY'
  | 'INVALID_MANIFEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** An archive ocx refuses to unpack: a path outside the target, a device node, over a cap, corrupt. */
  | 'UNSAFE_ARCHIVE'
  | 'NOT_FOUND'
  | 'PLATFORM_NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'REGISTRY_ERROR'
  | 'UNAVAILABLE'
  | 'NETWORK'
  /** The server's TLS certificate is not trusted (unknown CA, expired, wrong name): configuration, not transient. */
  | 'TLS_UNTRUSTED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'PAGINATION'
  | 'REDIRECT'
  | 'REFERRERS_UNSUPPORTED'
  | 'CONFLICT'
  | 'LAYOUT'
  | 'CONFIG'
  | 'IO';

/** Every OciErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const OCI_ERROR_CODES = ['INVALID_REFERENCE', 'INVALID_PLATFORM', 'INVALID_DIGEST', 'DIGEST_MISMATCH', 'SIZE_MISMATCH', 'TOO_LARGE', 'TOO_MANY', 'INVALID_MANIFEST', 'UNSUPPORTED_MEDIA_TYPE', 'UNSAFE_ARCHIVE', 'NOT_FOUND', 'PLATFORM_NOT_FOUND', 'UNAUTHORIZED', 'DENIED', 'REGISTRY_ERROR', 'UNAVAILABLE', 'NETWORK', 'TIMEOUT', 'ABORTED', 'PAGINATION', 'REDIRECT', 'REFERRERS_UNSUPPORTED', 'CONFLICT', 'LAYOUT', 'CONFIG', 'IO', 'TLS_UNTRUSTED'] as const satisfies readonly OciErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<OciErrorCode, (typeof OCI_ERROR_CODES)[number]> extends never ? true : false = true;

/** One entry of a registry's `errors[]` body (distribution-spec "Error Codes"). */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message?: string;
  readonly detail?: unknown;
}

export interface OciErrorOptions {
  readonly cause?: unknown;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly errors?: readonly RegistryErrorEntry[];
}

export class OciError extends Error {
  readonly code: OciErrorCode;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly errors: readonly RegistryErrorEntry[];

  constructor(code: OciErrorCode, message: string, options: OciErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciError';
    this.code = code;
    this.method = options.method;
    this.url = options.url;
    this.status = options.status;
    this.errors = options.errors ?? [];
  }
}

export function isOciError(err: unknown, code?: OciErrorCode): err is OciError {
  return err instanceof OciError && (code === undefined || err.code === code);
}
