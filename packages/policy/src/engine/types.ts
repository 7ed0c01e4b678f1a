import type { Descriptor, FetchLike, Reference, Repository } from '@ocx/oci';
import type { AttestationEvidence, RejectedCandidate, SbomEvidence, SignatureCandidate } from '../evidence.ts';
import type { Policy, Signer } from '../types.ts';

// The engine's seam with each verifier family (cosign, notation, a vendor's own format): a family
// finds candidates for one subject through the role interfaces it is handed, loads them, verifies
// them purely and reports — as a human/JSON report (CandidateReport) and, under a policy, as the
// raw facts decide() judges (FamilyEvidence). Architecture: find → load → verify per family.

/** One subject to verify: the digest the engine resolved itself, never a referrer's claim. */
export interface VerifyTarget {
  /** Resolver + Fetcher + ReferrerLister of the subject's repository (served from one listing per subject). */
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
  /** Why a check the level logs was not evaluated: 'offline' = no request was allowed. */
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
  /** notation: the trust-policy statement that applied; under an ocx policy, the signer. */
  readonly policy?: string;
  readonly checks: readonly CheckReport[];
  /** cosign, verified signatures only: the JSON document that was signed. */
  readonly payload?: unknown;
}

/** A family could not run for a target; exitCode follows the CLI's exit table (README "Exit codes"). */
export interface ErrorReport {
  readonly kind: string;
  readonly exitCode: number;
  readonly message: string;
}

/** Under a policy: the facts decide() is given (evidence.ts). */
export interface FamilyEvidence {
  readonly signatures?: readonly SignatureCandidate[];
  readonly attestations?: readonly AttestationEvidence[];
  readonly sboms?: readonly SbomEvidence[];
  readonly rejected?: readonly RejectedCandidate[];
}

export interface FamilyReport {
  readonly family: string;
  readonly candidates: readonly CandidateReport[];
  readonly warnings?: readonly string[];
  /** The family could not run for this target (e.g. no applicable trust policy). */
  readonly error?: ErrorReport;
  readonly evidence?: FamilyEvidence;
}

export interface PreparedFamily {
  verify(target: VerifyTarget, signal?: AbortSignal): Promise<FamilyReport>;
}

/** What a family is told when it is prepared for a policy run. */
export interface FamilyRequest {
  readonly policy: Policy;
  /** The policy's signers this family can satisfy (its own family), by name. */
  readonly signers: readonly Signer[];
  /** Attestation predicate types the governing rule requires (URIs), if any. */
  readonly attestationTypes: readonly string[];
  readonly now: Date;
  /** One line on stderr (e.g. "tlog: optional accepts unlogged signatures"). */
  readonly warn: (message: string) => void;
  /** Host edges a built-in family may need (sigstore TUF cache dir, environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cacheDir?: string;
  /** The host's HTTP client for TUF and revocation (proxies, deadlines); default globalThis.fetch. */
  readonly fetch?: FetchLike;
  /** Whole-exchange deadline for those requests. */
  readonly timeoutMs?: number;
}

/**
 * The public family seam: a team adds a verifier family (a vendor's signature format) from its
 * own package by implementing this and registering it (registerFamily or the engine's `families`
 * option); policies name its signers as `extension: { family: <name>, config: {…} }`.
 */
export interface VerifierFamily {
  readonly name: string;
  /** Loads trust material once for every target of the run. */
  prepare(request: FamilyRequest): Promise<PreparedFamily>;
}

/** A prepared family with its name, as the engine runs it. */
export interface NamedFamily {
  readonly name: string;
  readonly family: PreparedFamily;
}
