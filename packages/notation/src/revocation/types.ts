// Shared vocabulary of the revocation checker (notation-core-go revocation/result, re-expressed):
// each certificate of a chain gets one result; the chain's status is folded from them.
import type { RevocationCheckResult } from '../verify/options.ts';

export type CertRevocationStatus = 'good' | 'revoked' | 'unknown' | 'nonRevokable';

export interface CertRevocationResult {
  readonly status: CertRevocationStatus;
  readonly method: 'ocsp' | 'crl' | 'byo-crl' | 'none';
  /** Why the status is unknown, or the revocation details. */
  readonly reason?: string;
  readonly revocationTime?: Date;
  readonly server?: string;
  /** Unknown only because no request was allowed (offline) and no given CRL answered. */
  readonly offline?: boolean;
}

/** Raw OCSP response or CRL bytes kept until the document's nextUpdate. */
export interface RevocationCacheEntry {
  readonly data: Uint8Array;
  readonly expires: Date;
}

/**
 * Where fetched OCSP responses and CRLs are kept. Entries are re-verified on every read (signature,
 * thisUpdate/nextUpdate at the checker's `now`), so a cache only saves network round trips.
 * Implementations never throw: a broken entry is a miss (fail open to the network).
 */
export interface RevocationCache {
  get(key: string): Promise<RevocationCacheEntry | undefined>;
  set(key: string, entry: RevocationCacheEntry): Promise<void>;
}

export type RevocationFetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RevocationCheckerOptions {
  /** HTTP client (globalThis.fetch in the CLI, a loopback stub in tests). */
  readonly fetch?: RevocationFetch;
  /** The verification time: validity of responses and CRLs is judged at this instant. */
  readonly now: Date | (() => Date);
  /** Per-request timeouts in milliseconds; notation's defaults are OCSP 2 s and CRL 5 s. */
  readonly timeoutMs?: { readonly ocsp?: number; readonly crl?: number } | number;
  readonly cache?: RevocationCache;
  /**
   * Bring-your-own CRLs (DER, or PEM with one or more "X509 CRL" blocks), consulted before any network
   * request. Complete and delta CRLs may be mixed: each complete CRL of an issuer is read with the newest given delta CRL that extends
   * it; a complete CRL that names a delta CRL (or whose certificate does) answers only with one.
   */
  readonly crls?: readonly Uint8Array[];
  /** No network at all: only BYO CRLs can answer; anything else is "revocation unavailable". */
  readonly offline?: boolean;
  readonly signal?: AbortSignal;
}

export type { RevocationCheckResult };
