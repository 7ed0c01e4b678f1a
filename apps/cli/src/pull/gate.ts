// The seam between `ocx pull` and whatever decides whether a pinned digest may be installed. The
// gate runs after the digest is pinned and before any layer is fetched; it may fetch referrers
// (signatures) but never layers. The policy gate gathers evidence with the verify engine of
// @ocx/policy (evidence.ts), as `ocx verify` under a policy does.
import type { Descriptor, Reference, Repository } from '@ocx/oci';
import type { Decision } from '@ocx/policy';
import type { PolicySource } from '../policy-source.ts';

export interface GateTarget {
  /** The reference as the user typed it. */
  readonly reference: string;
  readonly parsed: Reference;
  /** `registry/repository` (canonical), what policies scope on. */
  readonly repository: string;
  /** The pinned digest the layers come from: the platform manifest. */
  readonly digest: string;
  readonly descriptor: Descriptor;
  /** The index the platform manifest was selected from, if the reference named one. */
  readonly index?: Descriptor;
  readonly platform?: string;
  /** Where referrers (signatures, attestations) of the digest are read. */
  readonly repo: Repository;
}

export type GateMode = 'policy' | 'unverified' | 'disabled';

export interface GateDecision {
  readonly allowed: boolean;
  /** policy: a policy decided; unverified: no policy configured; disabled: --no-verify / OCX_NO_VERIFY. */
  readonly mode: GateMode;
  readonly policy?: PolicySource;
  /** The policy's decision, why-tree included (mode policy only). */
  readonly decision?: Decision;
  /** Which digest the policy's decision is about: the platform manifest, or the index above it. */
  readonly level?: 'manifest' | 'index';
  /** The why-tree as text lines (rendered by the policy core). */
  readonly why?: readonly string[];
  readonly warnings: readonly string[];
}

export type PullGate = (target: GateTarget) => Promise<GateDecision>;

/** No policy configured: allow, and say (once) that nothing was verified. */
export function unverifiedGate(warn: (message: string) => void): PullGate {
  return async () => {
    const message = 'no trust policy configured (--policy FILE, OCX_POLICY or $OCX_HOME/policy.yaml): nothing was verified';
    warn(message);
    return { allowed: true, mode: 'unverified', warnings: [message] };
  };
}

/** --no-verify / OCX_NO_VERIFY=1: allow without evaluating anything, with one warning. */
export function disabledGate(warn: (message: string) => void, why: string): PullGate {
  return async () => {
    const message = `${why}: the trust policy is not evaluated; nothing was verified`;
    warn(message);
    return { allowed: true, mode: 'disabled', warnings: [message] };
  };
}
