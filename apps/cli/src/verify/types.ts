import type { PreparedFamily, TrustFlags } from '@ocx/policy/engine';
import type { Context } from '../context.ts';

// `ocx verify` with trust named by flags: each family reads the flags it understands and prepares
// an engine family (@ocx/policy/engine runs them: resolve → platform → list once → verify).
export type { CandidateReport, CheckReport, ErrorReport, FamilyReport, PreparedFamily, VerifyTarget } from '@ocx/policy/engine';

/**
 * Every flag `ocx verify` takes; a family reads the ones it understands. The trust flags are the
 * engine's (TrustFlags), except `-a` still unparsed; `--policy` is the CLI's own.
 */
export interface VerifyFlags extends Omit<TrustFlags, 'annotations'> {
  /** cosign -a k=v: a signature counts only if it signed every pair. */
  readonly annotations?: string[];
  /** The trust policy to apply when no trust flag is given (else OCX_POLICY, else $OCX_HOME/policy.yaml). */
  readonly policy?: string;
}

/** A family driven by `ocx verify` flags. */
export interface FlagFamily {
  readonly name: string;
  /** Whether the flags or the environment ask for this family. */
  applies(flags: VerifyFlags, ctx: Context): boolean;
  /** Loads trust material once for every target of the invocation. */
  prepare(flags: VerifyFlags, ctx: Context, now: Date): Promise<PreparedFamily>;
}
