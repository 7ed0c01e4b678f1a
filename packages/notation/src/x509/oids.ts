// Object identifiers used by the notation certificate profile
// (notary signature-specification.md "Certificate Requirements", RFC 5280 §4.2).
export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  ekuAny: '2.5.29.37.0',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/**
 * Certificate signature algorithms notation accepts. Anything else (SHA-1, MD5, DSA) is refused:
 * notation-core-go relies on Go's CheckSignature, which rejects SHA-1 signatures.
 */
export const ACCEPTED_CERT_SIGNATURE_OIDS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
]);

export const EKU_NAMES: ReadonlyMap<string, string> = new Map([
  [OID.ekuAny, 'Any'],
  [OID.ekuServerAuth, 'ServerAuth'],
  [OID.ekuClientAuth, 'ClientAuth'],
  [OID.ekuCodeSigning, 'CodeSigning'],
  [OID.ekuEmailProtection, 'EmailProtection'],
  [OID.ekuTimeStamping, 'Timestamping'],
  [OID.ekuOcspSigning, 'OCSPSigning'],
]);

/** Extensions naming revocation sources (RFC 5280 §4.2.2.1 AIA, §4.2.1.13 CRL distribution points). */
export const OID_AIA = '1.3.6.1.5.5.7.1.1';
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
