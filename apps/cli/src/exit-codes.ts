import { isOciError, type OciErrorCode } from '@ocx/oci';

/**
 * The exit codes every ocx command shares (stable: scripts branch on them). sysexits 64–78 plus
 * OCX's own 79–83, so scripts written for OCX keep working.
 */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 64,
  /** Data or verification failed: something was found but did not verify or was malformed. */
  DATA: 65,
  /** The registry answered uselessly (not transient). */
  UNAVAILABLE: 69,
  IO: 74,
  /** Temporary: network, timeouts, 429/5xx; retrying may help. */
  TEMPFAIL: 75,
  /** Identity or permission mismatch. */
  PERMISSION: 77,
  CONFIG: 78,
  /** Nothing found: no such reference, no signature, no SBOM. */
  NOT_FOUND: 79,
  AUTH: 80,
  POLICY_BLOCKED: 81,
  TLOG_UNAVAILABLE: 83,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const OCI_EXIT: Record<OciErrorCode, ExitCodeValue> = {
  INVALID_REFERENCE: ExitCode.USAGE,
  INVALID_PLATFORM: ExitCode.USAGE,
  INVALID_DIGEST: ExitCode.USAGE,
  DIGEST_MISMATCH: ExitCode.DATA,
  SIZE_MISMATCH: ExitCode.DATA,
  TOO_LARGE: ExitCode.DATA,
  TOO_MANY: ExitCode.DATA,
  INVALID_MANIFEST: ExitCode.DATA,
  UNSUPPORTED_MEDIA_TYPE: ExitCode.DATA,
  NOT_FOUND: ExitCode.NOT_FOUND,
  PLATFORM_NOT_FOUND: ExitCode.NOT_FOUND,
  UNAUTHORIZED: ExitCode.AUTH,
  DENIED: ExitCode.AUTH,
  REGISTRY_ERROR: ExitCode.UNAVAILABLE,
  PAGINATION: ExitCode.UNAVAILABLE,
  REDIRECT: ExitCode.UNAVAILABLE,
  REFERRERS_UNSUPPORTED: ExitCode.UNAVAILABLE,
  UNAVAILABLE: ExitCode.TEMPFAIL,
  NETWORK: ExitCode.TEMPFAIL,
  // An untrusted server certificate is fixed in the client's trust configuration (--ca-file,
  // NODE_EXTRA_CA_CERTS), not by retrying: 78, like every other configuration error — never 75, which
  // makes CI scripts retry forever.
  TLS_UNTRUSTED: ExitCode.CONFIG,
  TIMEOUT: ExitCode.TEMPFAIL,
  ABORTED: ExitCode.TEMPFAIL,
  CONFLICT: ExitCode.TEMPFAIL,
  LAYOUT: ExitCode.IO,
  IO: ExitCode.IO,
  CONFIG: ExitCode.CONFIG,
};

export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An outcome a command decided on (e.g. "nothing found") that is not an exception. */
export class CommandFailure extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    readonly kind: string,
    message: string,
    /** The command already printed its report on stdout: no second (JSON) document. */
    readonly reported = true,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** The one place errors become exit codes. */
export function exitCodeFor(err: unknown): { exitCode: ExitCodeValue; kind: string } {
  if (err instanceof UsageError) return { exitCode: ExitCode.USAGE, kind: 'usage' };
  if (err instanceof CommandFailure) return { exitCode: err.exitCode, kind: err.kind };
  if (isOciError(err)) return { exitCode: OCI_EXIT[err.code], kind: err.code.toLowerCase() };
  return { exitCode: ExitCode.INTERNAL, kind: 'internal' };
}
