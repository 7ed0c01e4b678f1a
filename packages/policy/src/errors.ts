// One error class for @ocx/policy. Callers branch on `code`, never on message text; the CLI maps
// every code except TARGET_INVALID and POLICY_IO to exit 78 (configuration error).
export type PolicyErrorCode =
  /** The policy file (or the file a policy names, e.g. a key) does not exist. */
  | 'POLICY_NOT_FOUND'
  /** The policy file exists but could not be read. */
  | 'POLICY_IO'
  /** The bytes are not YAML/JSON (syntax error, duplicate key, too large, alias bomb). */
  | 'POLICY_PARSE'
  /** Well-formed YAML that breaks the schema or a rule: unknown key, bad scope, unknown name. */
  | 'POLICY_INVALID'
  /** Two rules of equal specificity cover the same targets: no single winner. */
  | 'POLICY_AMBIGUOUS'
  /** A requirement that can never be met (threshold above the signers named, required ⊄ of). */
  | 'POLICY_UNSATISFIABLE'
  /** importNotationPolicy: the notation trust policy is one notation itself refuses. */
  | 'NOTATION_POLICY_REFUSED'
  /** explain/decide was given something that is not a registry `registry/repository` target. */
  | 'TARGET_INVALID'
  /** The engine's flag-driven families: trust options that contradict each other or do not parse. */
  | 'USAGE'
  /** The engine's flag-driven families: trust material that cannot be used (unreadable key, no root offline). */
  | 'CONFIG'
  /** The Sigstore trusted root could not be fetched through TUF (retrying may help). */
  | 'TRUST_ROOT_UNAVAILABLE';

/** Every PolicyErrorCode, for tables that must cover them all (the CLI's exit codes). */
export const POLICY_ERROR_CODES = ['POLICY_NOT_FOUND', 'POLICY_IO', 'POLICY_PARSE', 'POLICY_INVALID', 'POLICY_AMBIGUOUS', 'POLICY_UNSATISFIABLE', 'NOTATION_POLICY_REFUSED', 'TARGET_INVALID', 'USAGE', 'CONFIG', 'TRUST_ROOT_UNAVAILABLE'] as const satisfies readonly PolicyErrorCode[];
// Fails to compile when a code is added to the union but not to the list.
const _allListed: Exclude<PolicyErrorCode, (typeof POLICY_ERROR_CODES)[number]> extends never ? true : false = true;

/** One problem found in a policy, located by JSON path and, inside a rule, by its name and index. */
export interface PolicyIssue {
  readonly code: PolicyErrorCode;
  /** JSON path in the document, e.g. `rules[1].signatures.of[2]`. */
  readonly path: string;
  readonly rule?: { readonly name: string; readonly index: number };
  readonly message: string;
}

export interface PolicyErrorOptions {
  readonly cause?: unknown;
  readonly issues?: readonly PolicyIssue[];
  /** The file the policy came from, when there is one. */
  readonly source?: string;
}

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  /** Every problem found (load-time validation reports them all, not just the first). */
  readonly issues: readonly PolicyIssue[];
  readonly source?: string;
  declare readonly cause?: unknown;

  constructor(code: PolicyErrorCode, message: string, options: PolicyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PolicyError';
    this.code = code;
    this.issues = options.issues ?? [];
    if (options.source !== undefined) this.source = options.source;
  }
}

export function isPolicyError(err: unknown, code?: PolicyErrorCode): err is PolicyError {
  return err instanceof PolicyError && (code === undefined || err.code === code);
}

// The most telling code wins when several problems are reported at once: a parse or shape
// problem explains everything after it, ambiguity and unsatisfiability come next.
const RANK: readonly PolicyErrorCode[] = ['POLICY_PARSE', 'POLICY_INVALID', 'POLICY_AMBIGUOUS', 'POLICY_UNSATISFIABLE', 'POLICY_NOT_FOUND'];

/** One PolicyError for a list of issues, its message listing every one of them. */
export function errorFromIssues(issues: readonly PolicyIssue[], source: string): PolicyError {
  const code = RANK.find((c) => issues.some((i) => i.code === c)) ?? issues[0]!.code;
  // A pasted file can have thousands of problems; the first ones say enough (all are in `issues`).
  const shown = issues.slice(0, 20).map((i) => i.message);
  const list = issues.length > shown.length ? [...shown, `… and ${issues.length - shown.length} more`] : shown;
  const summary = issues.length === 1 ? list[0] : `${issues.length} problems:\n  - ${list.join('\n  - ')}`;
  return new PolicyError(code, `${source} is invalid: ${summary}`, { issues, source });
}
