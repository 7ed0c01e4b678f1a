// OIDs for CMS (RFC 5652), RFC 3161 and ESS (RFC 5035).
export const TS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  attrContentType: '1.2.840.113549.1.9.3',
  attrMessageDigest: '1.2.840.113549.1.9.4',
  attrSigningTime: '1.2.840.113549.1.9.5',
  attrSigningCertificate: '1.2.840.113549.1.9.16.2.12',
  attrSigningCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** RFC 3628 baseline time-stamp policy: accuracy defaults to 1 s when absent. */
  baselineTimestampPolicy: '0.4.0.2023.1.1',
} as const;

/** Digest algorithms accepted in tokens. SHA-1 is refused (notation requires SHA-2). */
export const DIGEST_BY_OID: ReadonlyMap<string, string> = new Map([
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

/** Signature algorithm OID → { kind, hash? } (hash undefined = take it from digestAlgorithm). */
export const SIGNATURE_BY_OID: ReadonlyMap<string, { readonly kind: 'rsa' | 'ecdsa'; readonly hash?: string }> = new Map([
  ['1.2.840.113549.1.1.1', { kind: 'rsa' }],
  ['1.2.840.113549.1.1.11', { kind: 'rsa', hash: 'sha256' }],
  ['1.2.840.113549.1.1.12', { kind: 'rsa', hash: 'sha384' }],
  ['1.2.840.113549.1.1.13', { kind: 'rsa', hash: 'sha512' }],
  ['1.2.840.10045.2.1', { kind: 'ecdsa' }],
  ['1.2.840.10045.4.3.2', { kind: 'ecdsa', hash: 'sha256' }],
  ['1.2.840.10045.4.3.3', { kind: 'ecdsa', hash: 'sha384' }],
  ['1.2.840.10045.4.3.4', { kind: 'ecdsa', hash: 'sha512' }],
]);
