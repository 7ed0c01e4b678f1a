import type { CosignErrorCode } from '@ocx/cosign';
import type { NotationErrorCode } from '@ocx/notation';
import type { OciErrorCode } from '@ocx/oci';
import type { PolicyErrorCode } from '@ocx/policy';
import type { SbomErrorCode } from '@ocx/sbom';
import type { SignerErrorCode } from '@ocx/signer';

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
  UNSAFE_ARCHIVE: ExitCode.DATA,
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

// Verification outcomes are verdicts, not exceptions: these codes escape only for malformed input or
// trust material, so they mean "data" or "configuration" (README "Exit codes").
const COSIGN_EXIT: Record<CosignErrorCode, ExitCodeValue> = {
  INVALID_TRUSTED_ROOT: ExitCode.CONFIG,
  INVALID_KEY: ExitCode.CONFIG,
  INVALID_BUNDLE: ExitCode.DATA,
  INVALID_LEGACY_LAYER: ExitCode.DATA,
  INVALID_STATEMENT: ExitCode.DATA,
  INVALID_OPTIONS: ExitCode.USAGE,
  TOO_LARGE: ExitCode.DATA,
};

const NOTATION_EXIT: Record<NotationErrorCode, ExitCodeValue> = {
  ENVELOPE_INVALID: ExitCode.DATA,
  UNSUPPORTED_ENVELOPE: ExitCode.DATA,
  CRIT_UNKNOWN: ExitCode.DATA,
  ALG_MISMATCH: ExitCode.DATA,
  SIGNATURE_INVALID: ExitCode.DATA,
  CERT_INVALID: ExitCode.DATA,
  CHAIN_INVALID: ExitCode.DATA,
  UNTRUSTED: ExitCode.DATA,
  TIMESTAMP_INVALID: ExitCode.DATA,
  EXPIRED: ExitCode.DATA,
  PAYLOAD_MISMATCH: ExitCode.DATA,
  POLICY_INVALID: ExitCode.CONFIG,
  TRUSTSTORE_INVALID: ExitCode.CONFIG,
  NO_APPLICABLE_POLICY: ExitCode.CONFIG,
  // OCSP/CRL answered uselessly (a revoked certificate is a verdict, not this error).
  REVOCATION: ExitCode.UNAVAILABLE,
  // notation reads only its configuration from disk: trust policy, trust store, --crl files.
  IO: ExitCode.CONFIG,
};

const SBOM_EXIT: Record<SbomErrorCode, ExitCodeValue> = {
  PARSE: ExitCode.DATA,
  INVALID: ExitCode.DATA,
  UNSUPPORTED_FORMAT: ExitCode.DATA,
  TOO_LARGE: ExitCode.DATA,
  TOO_MANY: ExitCode.DATA,
  INVALID_STATEMENT: ExitCode.DATA,
};

const SIGNER_EXIT: Record<SignerErrorCode, ExitCodeValue> = {
  INVALID_KEY: ExitCode.CONFIG,
  WRONG_PASSWORD: ExitCode.AUTH,
  INVALID_OPTIONS: ExitCode.CONFIG,
  NOT_FOUND: ExitCode.NOT_FOUND,
  // A TSA that cannot be reached or answers uselessly is a service problem, not a configuration one.
  TIMESTAMP_FAILED: ExitCode.UNAVAILABLE,
  // Keyless: a token that cannot work or Fulcio refused, or none to be had, is an authentication failure.
  INVALID_TOKEN: ExitCode.AUTH,
  TOKEN_UNAVAILABLE: ExitCode.AUTH,
  CA_FAILED: ExitCode.UNAVAILABLE,
  // package attest / push: what OCX refuses is a usage error; a bad predicate or SBOM is data.
  REFUSED: ExitCode.USAGE,
  PREDICATE_INVALID: ExitCode.DATA,
  TAG_CONFLICT: ExitCode.DATA,
  READ_FAILED: ExitCode.IO,
  TLOG_FAILED: ExitCode.TLOG_UNAVAILABLE,
};

// A policy that cannot be used is a configuration error; "blocked by policy" (81) is a decision,
// not an error (CONDITION_EXIT.blocked).
const POLICY_EXIT: Record<PolicyErrorCode, ExitCodeValue> = {
  POLICY_NOT_FOUND: ExitCode.CONFIG,
  POLICY_IO: ExitCode.IO,
  POLICY_PARSE: ExitCode.CONFIG,
  POLICY_INVALID: ExitCode.CONFIG,
  POLICY_AMBIGUOUS: ExitCode.CONFIG,
  POLICY_UNSATISFIABLE: ExitCode.CONFIG,
  NOTATION_POLICY_REFUSED: ExitCode.CONFIG,
  TARGET_INVALID: ExitCode.USAGE,
  // The verify engine's flag-driven families (@ocx/policy/engine): same codes as before the move.
  USAGE: ExitCode.USAGE,
  CONFIG: ExitCode.CONFIG,
  TRUST_ROOT_UNAVAILABLE: ExitCode.TEMPFAIL,
};

/**
 * Every package's error class (by its `name`) → its `code` union → exit code. The CLI meets these
 * classes by name, not `instanceof`: verifiers load on demand (run.ts), and importing their classes
 * here would load them for `ocx discover` too. apps/cli/test/exit-codes.test.ts holds every code of
 * every union to a row.
 */
export const ERROR_EXIT_TABLES = {
  OciError: OCI_EXIT,
  CosignError: COSIGN_EXIT,
  NotationError: NOTATION_EXIT,
  SbomError: SBOM_EXIT,
  SignerError: SIGNER_EXIT,
  PolicyError: POLICY_EXIT,
} as const satisfies Record<string, Readonly<Record<string, ExitCodeValue>>>;

/** The exit code of a package error (any ocx package), or undefined for anything else. */
function packageErrorExit(err: unknown): { exitCode: ExitCodeValue; kind: string } | undefined {
  if (!(err instanceof Error) || !Object.hasOwn(ERROR_EXIT_TABLES, err.name)) return undefined;
  const table: Readonly<Record<string, ExitCodeValue>> = ERROR_EXIT_TABLES[err.name as keyof typeof ERROR_EXIT_TABLES];
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !Object.hasOwn(table, code)) return undefined;
  return { exitCode: table[code]!, kind: code.toLowerCase() };
}


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

/**
 * Outcomes commands decide on themselves (no exception), one code per condition whatever the
 * command: an unsigned image is 79 in `ocx verify` and in `ocx sbom --require-signed` alike.
 */
export const CONDITION_EXIT = {
  /** Nothing attached: no signature, no SBOM, no match for the selection. */
  not_found: ExitCode.NOT_FOUND,
  /** No signature at all where one is required. */
  unsigned: ExitCode.NOT_FOUND,
  /** Signatures were found and none verified. */
  verification_failed: ExitCode.DATA,
  /** The selection matches several things where one is needed. */
  ambiguous: ExitCode.USAGE,
  /** A trust policy decided against the artifact. */
  blocked: ExitCode.POLICY_BLOCKED,
} as const satisfies Record<string, ExitCodeValue>;

export type Condition = keyof typeof CONDITION_EXIT;

/** A CommandFailure for a decided outcome, its code from CONDITION_EXIT. */
export function conditionFailure(kind: Condition, message: string, reported = true): CommandFailure {
  return new CommandFailure(CONDITION_EXIT[kind], kind, message, reported);
}

/** The one place errors become exit codes. */
export function exitCodeFor(err: unknown): { exitCode: ExitCodeValue; kind: string } {
  if (err instanceof UsageError) return { exitCode: ExitCode.USAGE, kind: 'usage' };
  if (err instanceof CommandFailure) return { exitCode: err.exitCode, kind: err.kind };
  const pkg = packageErrorExit(err);
  if (pkg) return pkg;
  return { exitCode: ExitCode.INTERNAL, kind: 'internal' };
}
