// Wire constants of notation signature envelopes (notary signature-specification.md,
// signature-envelope-jws.md, signature-envelope-cose.md).
export const MEDIA_TYPE_JWS = 'application/jose+json';
export const MEDIA_TYPE_COSE = 'application/cose';
export const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';

export type EnvelopeMediaType = typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;

export const SCHEME_X509 = 'notary.x509';
export const SCHEME_SIGNING_AUTHORITY = 'notary.x509.signingAuthority';
export type SigningScheme = typeof SCHEME_X509 | typeof SCHEME_SIGNING_AUTHORITY;

/** Header names shared by both envelopes (JWS JSON keys; COSE text labels). */
export const HDR = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestampSignature: 'io.cncf.notary.timestampSignature',
} as const;

/** Protected headers notation defines; anything else is an extended attribute. */
export const KNOWN_PROTECTED: ReadonlySet<string> = new Set([
  HDR.signingScheme,
  HDR.signingTime,
  HDR.authenticSigningTime,
  HDR.expiry,
  HDR.verificationPlugin,
  HDR.verificationPluginMinVersion,
]);

/** Headers that, when present, MUST be listed in `crit` (signature-specification.md "Signed Attributes"). */
export const MUST_BE_CRITICAL: readonly string[] = [
  HDR.signingScheme,
  HDR.authenticSigningTime,
  HDR.expiry,
  HDR.verificationPlugin,
  HDR.verificationPluginMinVersion,
];

export type SignatureAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** COSE algorithm identifiers (RFC 9053 / IANA) for the notation algorithm set. */
export const COSE_ALG: ReadonlyMap<number, SignatureAlgorithm> = new Map([
  [-37, 'PS256'],
  [-38, 'PS384'],
  [-39, 'PS512'],
  [-7, 'ES256'],
  [-35, 'ES384'],
  [-36, 'ES512'],
]);

export const JWS_ALGS: readonly SignatureAlgorithm[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** Digest each notation signature algorithm signs with (signature-specification.md "Algorithm Selection"). */
export const SIGNATURE_HASH: Readonly<Record<SignatureAlgorithm, 'sha256' | 'sha384' | 'sha512'>> = {
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};

/** Digest sizes in bytes: RSASSA-PSS uses the digest length as its salt length (RFC 7518 §3.5). */
export const HASH_BYTES: Readonly<Record<'sha256' | 'sha384' | 'sha512', number>> = { sha256: 32, sha384: 48, sha512: 64 };
