// What decide() is given: the facts the engine established about a pinned digest. Design:
//  - Built-in families report RAW FACTS of a cryptographically verified signature (which key
//    file verified it, which certificate identity and issuer signed it, which notation trust
//    stores its chain ends in and the leaf subject). decide() alone matches those facts against
//    the policy's named signers, so the why-tree can say "expected X, found Y" and so the trust
//    decision lives in one pure function, not spread over verifiers.
//  - Extension families (registered by other packages) report which of THEIR named signers they
//    verified, because only they understand their signer `config`; decide() still checks that
//    those names exist, are of that family, and are counted once.
//  - Signatures, attestations and SBOMs are separate lists: an attestation never counts as a
//    signature, whoever signed it.
//  - Every fact carries the digest it is about; one that is not the pinned digest never counts.
import type { NotationCheckType } from './types.ts';

interface CandidateBase {
  /** How the why-tree names it: a referrer digest, a legacy tag, a file. */
  readonly source?: string;
  /** The digest the signature covers (`sha256:…`); must be the pinned digest to count. */
  readonly subjectDigest: string;
}

/** A cosign signature that verified against a public key file the policy names. */
export interface CosignKeyCandidate extends CandidateBase {
  readonly family: 'cosign';
  readonly kind: 'key';
  /** Absolute path of the key file that verified it (as Policy.signers[…].key). */
  readonly key: string;
  /** Whether a transparency log entry for it was verified. */
  readonly tlog: boolean;
  /** The in-toto predicateType when the signature is a statement (cosign v3 sign). */
  readonly predicateType?: string;
}

/** A cosign keyless signature whose Fulcio chain, SCT and log entry verified. */
export interface CosignKeylessCandidate extends CandidateBase {
  readonly family: 'cosign';
  readonly kind: 'keyless';
  /** Certificate SAN (URI or email). */
  readonly identity: string;
  /** Fulcio OIDC issuer extension (1.3.6.1.4.1.57264.1.8). */
  readonly issuer: string;
  /**
   * GitHub Actions claims of the certificate (@ocx/cosign githubFacts): repository = Source
   * Repository URI (1.3.6.1.4.1.57264.1.12) else v1 Workflow Repository (.1.5); workflowRef = Source
   * Repository Ref (.1.14) else v1 Workflow Ref (.1.6); runner = Runner Environment (.1.11).
   * `from` names the OID each was read from. Absent = the certificate carries none of them.
   */
  readonly github?: {
    readonly repository?: string;
    readonly workflowRef?: string;
    readonly runner?: string;
    readonly from?: { readonly repository?: string; readonly workflowRef?: string; readonly runner?: string };
  };
  readonly predicateType?: string;
}

export interface NotationCheck {
  readonly type: NotationCheckType;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly reason?: string;
}

/**
 * A notation signature whose envelope parsed and whose checks ran. Unlike cosign candidates it
 * may carry failed checks: a notation level (permissive, audit, overrides) decides per signer
 * whether a failure blocks or is logged, exactly as notation applies it.
 */
export interface NotationCandidate extends CandidateBase {
  readonly family: 'notation';
  /** `{type}:{name}` of every configured trust store its certificate chain ends in. */
  readonly anchors: readonly string[];
  /** Leaf certificate subject, RFC 4514 (as notation prints it). */
  readonly subject: string;
  /** integrity, authenticTimestamp, expiry, revocation (and authenticity when it failed regardless of store). */
  readonly checks: readonly NotationCheck[];
}

/** A signature of an extension family, verified by that family against its own signers. */
export interface ExtensionCandidate extends CandidateBase {
  readonly family: string;
  /** Names of the policy's signers of this family that the family verifier found satisfied. */
  readonly signers: readonly string[];
}

export type SignatureCandidate = CosignKeyCandidate | CosignKeylessCandidate | NotationCandidate | ExtensionCandidate;

/** A signature found but not verified (bad signature, untrusted chain…): shown in the why-tree. */
export interface RejectedCandidate {
  readonly family: string;
  readonly source?: string;
  readonly reason: string;
}

/** An in-toto attestation whose envelope verified; its statement facts as the engine parsed them. */
export interface AttestationEvidence {
  readonly source?: string;
  readonly predicateType: string;
  /** Digests of the statement's subjects; the pinned digest must be among them. */
  readonly subjectDigests: readonly string[];
  /** Who signed the envelope (cosign key or keyless facts, or an extension family's). */
  readonly signer: SignatureCandidate;
  /** SLSA: runDetails.builder.id (v1) or builder.id (v0.2). */
  readonly builderId?: string;
  /** SLSA: the source repository (v1 externalParameters.workflow.repository / resolvedDependencies). */
  readonly sourceRepository?: string;
  /** SLSA: the source ref, e.g. refs/tags/v1.2.3. */
  readonly sourceRef?: string;
}

/** An SBOM found for the digest (any shape `ocx sbom` finds), with whatever signed it. */
export interface SbomEvidence {
  readonly source?: string;
  readonly format: string;
  readonly subjectDigest: string;
  /** Verified signatures over the SBOM (or over the attestation carrying it). */
  readonly signers: readonly SignatureCandidate[];
}

export interface Evidence {
  readonly signatures: readonly SignatureCandidate[];
  readonly attestations?: readonly AttestationEvidence[];
  readonly sboms?: readonly SbomEvidence[];
  readonly rejected?: readonly RejectedCandidate[];
}
