import type { Descriptor, Reference, Repository } from '@ocx/oci';
import type { Context } from '../context.ts';
import type { ExitCodeValue } from '../exit-codes.ts';

// The seam between `ocx verify` and each signature family (cosign, notation, a vendor's own):
// a family finds candidates for one subject, loads them, verifies them purely, and reports.

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
}

/** One subject to verify: the digest ocx resolved itself, never a referrer's claim. */
export interface VerifyTarget {
  readonly repo: Repository;
  readonly reference: Reference;
  /** registry/repository, as trust policies scope it. */
  readonly repositoryName: string;
  readonly subject: Descriptor;
  /** 'index' when this is the image index above the platform manifest. */
  readonly level: 'manifest' | 'index';
  readonly platform?: string;
}

export interface CheckReport {
  readonly name: string;
  readonly outcome: 'pass' | 'fail' | 'skipped';
  /** notation: what the policy level does with this check. */
  readonly action?: 'enforce' | 'log' | 'skip';
  /** Why a check the level logs was not evaluated: 'offline' = --offline allowed no request. */
  readonly skippedBecause?: 'offline';
  readonly detail?: string;
}

export interface CandidateReport {
  /** e.g. cosign-bundle, cosign-legacy, notation-jws, notation-cose. */
  readonly format: string;
  /** Digest of the referrer manifest (or the legacy tag it came from). */
  readonly referrer: string;
  readonly kind: 'signature' | 'attestation';
  readonly ok: boolean;
  readonly reasons: readonly string[];
  readonly identity?: string;
  readonly issuer?: string;
  readonly keyId?: string;
  readonly tlogIndex?: string;
  readonly signingTime?: string;
  readonly signingTimeSource?: string;
  readonly predicateType?: string;
  /** notation: the trust-policy statement that applied. */
  readonly policy?: string;
  readonly checks: readonly CheckReport[];
  /**
   * cosign, verified signatures only: the JSON document that was signed, as `cosign verify` prints
   * it — the simple-signing claim {critical:{identity,image,type},optional} (legacy `.sig`, cosign v2
   * referrers) or the in-toto statement (v3 bundles, attestations).
   */
  readonly payload?: unknown;
}

/** One error, in the shape of the top-level `{"error":{kind,exitCode,message}}` of --format json. */
export interface ErrorReport {
  readonly kind: string;
  readonly exitCode: ExitCodeValue;
  readonly message: string;
}

export interface FamilyReport {
  readonly family: string;
  readonly candidates: readonly CandidateReport[];
  readonly warnings?: readonly string[];
  /** The family could not run for this target (e.g. no applicable trust policy). */
  readonly error?: ErrorReport;
}

export interface PreparedFamily {
  verify(target: VerifyTarget, signal?: AbortSignal): Promise<FamilyReport>;
}

export interface VerifierFamily {
  readonly name: string;
  /** Whether the flags or the environment ask for this family. */
  applies(flags: VerifyFlags, ctx: Context): boolean;
  /** Loads trust material once for every target of the invocation. */
  prepare(flags: VerifyFlags, ctx: Context, now: Date): Promise<PreparedFamily>;
}
