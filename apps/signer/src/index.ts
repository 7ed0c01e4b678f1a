export { isSignerError, SignerError } from './errors.ts';
export type { SignerErrorCode, SignerErrorOptions } from './errors.ts';
export { isEncryptedKey, loadSigningKey, signBytes } from './key.ts';
export type { SigningKey } from './key.ts';
export { signPackage, signStatement, simpleSigningPayload } from './sign.ts';
export type { SignedManifest, SignPackageOptions, SignPackageResult } from './sign.ts';
