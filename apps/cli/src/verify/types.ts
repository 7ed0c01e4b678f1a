import type { PreparedFamily } from '@ocx/policy/engine';
import type { Context } from '../context.ts';

// `ocx verify` with trust named by flags: each family reads the flags it understands and prepares
// an engine family (@ocx/policy/engine runs them: resolve → platform → list once → verify).
export type { CandidateReport, CheckReport, ErrorReport, FamilyReport, PreparedFamily, VerifyTarget } from '@ocx/policy/engine';

/** Every flag `ocx verify` takes; a family reads the ones it understands. */
export interface VerifyFlags {
  readonly key?: string;
  readonly 'certificate-identity'?: string;
  readonly 'certificate-identity-regexp'?: string;
  readonly 'certificate-oidc-issuer'?: string;
  readonly 'certificate-oidc-issuer-regexp'?: string;
  readonly 'trusted-root'?: string;
  readonly offline?: boolean;
  readonly 'insecure-ignore-tlog'?: boolean;
  /** cosign: skip the certificate-transparency (SCT) check (private CA without CT); warns. */
  readonly 'insecure-ignore-sct'?: boolean;
  /** cosign -a k=v: a signature counts only if it signed every pair. */
  readonly annotations?: string[];
  readonly attestation?: boolean;
  readonly type?: string;
  readonly 'notation-config'?: string;
  readonly 'trust-policy'?: string;
  readonly 'trust-store'?: string;
  readonly 'user-metadata'?: string[];
  /** Bring-your-own CRL files (DER or PEM) for notation revocation, consulted before any network. */
  readonly crl?: string[];
  /** notation revocation: one timeout in seconds for OCSP and CRL requests (default 2 s / 5 s). */
  readonly 'revocation-timeout'?: string;
  readonly 'all-platforms'?: boolean;
  /** notation: trust-policy scope (registry/repository) for oci-layout: references (notation verify --oci-layout --scope). */
  readonly scope?: string;
  /** RFC 3339 time to verify at instead of now (historic fixtures, reproducible audits). */
  readonly 'verification-time'?: string;
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
