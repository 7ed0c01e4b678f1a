import type { FetchLike } from '@ocx/oci';
import type { PreparedFamily } from '../types.ts';

// Trust named on the command line (`ocx verify --key …`, `--notation-config …`): each built-in
// family reads the options it understands and prepares an engine family. The names are the CLI
// flags' so messages can name what the user typed.

/** Every trust option; a family reads the ones it understands. */
export interface TrustFlags {
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
  /** cosign -a k=v, already parsed: a signature counts only if it signed every pair. */
  readonly annotations?: Readonly<Record<string, string>>;
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
  /** notation: trust-policy scope (registry/repository) for oci-layout: references. */
  readonly scope?: string;
  readonly 'verification-time'?: string;
}

/** What a flag-driven family needs from its host (the CLI's context satisfies it). */
export interface FlagHost {
  readonly io: { readonly env: NodeJS.ProcessEnv };
  /** One warning line (the host prints it once). */
  warn(message: string): void;
  readonly noCache?: boolean;
  /** The host's cache home (sigstore TUF cache, revocation cache live under it). */
  readonly home: string;
  /** The run's HTTP client for TUF and revocation (proxies, deadlines as for the registry); default fetch. */
  readonly httpFetch?: FetchLike;
  readonly timeouts?: { readonly exchangeMs: number };
  /** The host's exit-code table, for reports of a family that cannot run for a target. */
  exitCodeFor(err: unknown): { exitCode: number; kind: string };
}

/** A family driven by trust flags. */
export interface FlagFamily {
  readonly name: string;
  /** Whether the flags or the environment ask for this family (cheap: no verifier is loaded). */
  applies(flags: TrustFlags, host: Pick<FlagHost, 'io'>): boolean;
  /** Loads trust material once for every target of the invocation. */
  prepare(flags: TrustFlags, host: FlagHost, now: Date): Promise<PreparedFamily>;
}
