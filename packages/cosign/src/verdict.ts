import type { FulcioClaims } from './fulcio-claims.ts';
import type { InTotoStatement } from './intoto.ts';

export type CheckName =
  | 'bundle'
  | 'statement'
  | 'artifact'
  | 'timestamps'
  | 'certificate'
  | 'key'
  | 'tlog'
  | 'signature'
  | 'identity'
  | 'subject'
  | 'predicate'
  | 'annotations';

export interface VerdictCheck {
  readonly name: CheckName;
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerdictSigner {
  /** Certificate SAN (keyless). */
  readonly identity?: string;
  /** Fulcio OIDC issuer extension (keyless). */
  readonly issuer?: string;
  /** Hex sha256 of the signer's SubjectPublicKeyInfo. */
  readonly keyId?: string;
  /** Keyless: the Fulcio claim extensions of the verified leaf (1.3.6.1.4.1.57264.1.*). */
  readonly claims?: FulcioClaims;
}

export interface Verdict {
  readonly ok: boolean;
  readonly kind: 'message-signature' | 'dsse';
  readonly checks: readonly VerdictCheck[];
  /** One line per failed check; empty when ok. */
  readonly reasons: readonly string[];
  readonly signer?: VerdictSigner;
  readonly tlog?: { readonly logIndex: number; readonly integratedTime?: number };
  readonly timestampSource?: 'tlog' | 'tsa' | 'none';
  readonly statement?: { readonly predicateType: string; readonly subjects: InTotoStatement['subjects'] };
}

/** Builds a verdict from its checks: ok only if there is at least one check and every check passed. */
export function finishVerdict(base: Omit<Verdict, 'ok' | 'reasons'>): Verdict {
  const reasons = base.checks.filter((c) => !c.ok).map((c) => c.detail);
  return { ...base, ok: base.checks.length > 0 && reasons.length === 0, reasons };
}

/** Adds checks to an existing verdict (used by the signature/attestation gates). */
export function extendVerdict(verdict: Verdict, extra: readonly VerdictCheck[]): Verdict {
  const { ok: _ok, reasons: _reasons, ...rest } = verdict;
  return finishVerdict({ ...rest, checks: [...verdict.checks, ...extra] });
}
