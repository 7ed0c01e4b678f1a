// Trust store vocabulary (notary trust-store-trust-policy.md "Trust Store"; notation-go
// verifier/truststore: types ca, signingAuthority, tsa; store names [a-zA-Z0-9_.-]+).
import type { ParsedCertificate } from '../x509/cert.ts';

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

/** A named store: `{CONFIG}/truststore/x509/{type}/{name}/`. */
export interface TrustStoreRef {
  readonly type: TrustStoreType;
  readonly name: string;
}

export interface TrustedCertificate {
  /** File name inside the store directory the certificate came from. */
  readonly file: string;
  readonly der: Uint8Array;
  /** The package's parsed form (node + pkijs views), ready for chain building. */
  readonly certificate: ParsedCertificate;
}

export interface TrustStore extends TrustStoreRef {
  /** Absolute path of the store directory. */
  readonly path: string;
  /** Every certificate of every file, files in name order, certificates in file order. */
  readonly certificates: readonly TrustedCertificate[];
}

// notation-go internal/file IsValidFileName: names must be portable file names.
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

export function isTrustStoreType(value: string): value is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(value);
}

export function isValidTrustStoreName(name: string): boolean {
  return STORE_NAME.test(name);
}
