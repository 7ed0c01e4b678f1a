// Option and result types of verifyNotationSignature.
import type { SignatureAlgorithm, SigningScheme } from '../envelope/constants.ts';
import type { SignatureEnvelope } from '../envelope/types.ts';
import type { VerifiedTimestamp } from '../timestamp/token.ts';
import type { CertificateInput, ParsedCertificate } from '../x509/cert.ts';
import type { CheckResult, ValidationType } from './types.ts';

export interface SubjectDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface TrustAnchors {
  /** `ca` trust stores: roots (or any chain certificate) for scheme notary.x509. */
  readonly ca?: readonly CertificateInput[];
  /** `signingAuthority` trust stores, for scheme notary.x509.signingAuthority. */
  readonly signingAuthority?: readonly CertificateInput[];
  /** `tsa` trust stores. Present (even empty) means the policy configured timestamp verification. */
  readonly tsa?: readonly CertificateInput[];
}

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface RevocationCheckResult {
  readonly status: RevocationStatus;
  readonly reason?: string;
  /**
   * Status unknown only because the checker was offline (no OCSP or CRL request allowed) and no
   * given CRL answered: callers report it as "skipped (offline)" where the level only logs it.
   */
  readonly offline?: boolean;
}

/**
 * Seam for revocation (OCSP / CRL). Called with a chain leaf→root; `purpose` says which chain. The
 * verifier itself never touches the network: without a checker revocation is reported as skipped.
 */
export type RevocationChecker = (
  chain: readonly ParsedCertificate[],
  context: { readonly purpose: 'codeSigning' | 'timestamping'; readonly signingTime?: Date },
) => Promise<RevocationCheckResult>;

export interface VerifyNotationOptions {
  readonly subject: SubjectDescriptor;
  readonly trustAnchors: TrustAnchors;
  /** `*` or `x509.subject: <DN>` entries; omitted = no identity restriction. */
  readonly trustedIdentities?: readonly string[];
  /** Keys/values that must be present in the payload's targetArtifact.annotations. */
  readonly userMetadata?: Readonly<Record<string, string>>;
  readonly verifyTimestamp?: 'always' | 'afterCertExpiry';
  readonly now: Date;
  readonly revocationChecker?: RevocationChecker;
  /** Extended critical headers the caller handles (otherwise they fail integrity). */
  readonly knownCriticalHeaders?: readonly string[];
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SignerSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly signingScheme: SigningScheme;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The signer's claim (notary.x509) or the authentic signing time (signingAuthority). */
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
  readonly signingAgent?: string;
  /** Lowercase hex SHA-256 of each chain certificate, leaf first. */
  readonly thumbprints: readonly string[];
  readonly certificateChain: readonly CertificateSummary[];
  readonly trustAnchorSha256?: string;
  readonly trustedIdentity?: string;
  readonly userMetadata: Readonly<Record<string, string>>;
}

export interface NotationVerificationResult {
  /** True when no check failed (skipped checks do not count). Levels are applied by the trust policy. */
  readonly ok: boolean;
  readonly checks: Readonly<Record<ValidationType, CheckResult>>;
  /** The same results in notation's evaluation order. */
  readonly results: readonly CheckResult[];
  readonly envelope?: SignatureEnvelope;
  readonly signer?: SignerSummary;
  readonly timestamp?: VerifiedTimestamp;
}

