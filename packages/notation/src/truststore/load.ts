// Reading a named trust store from disk: {CONFIG}/truststore/x509/{type}/{name}/ (notation-go
// dir.X509TrustStoreDir; the spec's "trust-store" spelling is not what notation uses). This is the
// I/O edge; splitting and certificate rules are pure (pem.ts, validate.ts).
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotationError } from '../errors.ts';
import { parseCertificate } from '../x509/cert.ts';
import { CertificateFileError, splitCertificateFile } from './pem.ts';
import { isTrustStoreType, isValidTrustStoreName } from './types.ts';
import type { TrustedCertificate, TrustStore, TrustStoreRef } from './types.ts';
import { trustStoreCertificateProblem } from './validate.ts';

// Trust stores are hand-managed; caps keep a hostile or mistaken directory from exhausting memory.
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 1000;
const MAX_CERTIFICATES = 1000;

function storeError(message: string, cause?: unknown): NotationError {
  return new NotationError('TRUSTSTORE_INVALID', message, cause === undefined ? {} : { cause });
}

/** The directory of a named store under a notation config dir. */
export function trustStorePath(configDir: string, ref: TrustStoreRef): string {
  return join(configDir, 'truststore', 'x509', ref.type, ref.name);
}

/**
 * Parse one certificate file's bytes under notation's trust store rules. Pure. Throws
 * TRUSTSTORE_INVALID naming `file` when the bytes are not certificates or a certificate may
 * not be trusted in a store of this type.
 */
export function parseTrustStoreFile(bytes: Uint8Array, file: string, ref: TrustStoreRef, path?: string): TrustedCertificate[] {
  const where = `certificate file ${JSON.stringify(file)} in trust store ${ref.type}:${ref.name}${path === undefined ? '' : ` (${path})`}`;
  let ders: Uint8Array[];
  try {
    ders = splitCertificateFile(bytes);
  } catch (err) {
    if (!(err instanceof CertificateFileError)) throw err;
    throw storeError(`${where} is not a PEM or DER certificate file: ${err.message}`, err);
  }
  if (ders.length === 0) throw storeError(`${where} contains no certificate`);
  return ders.map((der, i) => {
    let certificate;
    try {
      certificate = parseCertificate(der);
    } catch (err) {
      throw storeError(`${where}: certificate ${i + 1} cannot be parsed: ${(err as Error).message}`, err);
    }
    const problem = trustStoreCertificateProblem(certificate, ref.type);
    if (problem !== undefined) throw storeError(`${where} is not acceptable: ${problem}`);
    return { file, der, certificate };
  });
}

/**
 * Load every certificate of a named store. The store must be a real directory; each regular
 * file in it is a PEM or DER certificate file, whatever its extension (notation reads them
 * all); symlinks are refused; subdirectories are ignored. An empty store is an error.
 */
export async function loadTrustStore(configDir: string, ref: TrustStoreRef): Promise<TrustStore> {
  const { type, name } = ref;
  if (!isTrustStoreType(type)) throw storeError(`unsupported trust store type ${JSON.stringify(type)}; supported: ca, signingAuthority, tsa`);
  // "." and ".." pass notation's name pattern but would escape the type directory.
  if (!isValidTrustStoreName(name) || name === '.' || name === '..') {
    throw storeError(`invalid trust store name ${JSON.stringify(name)}; names must match [a-zA-Z0-9_.-]+`);
  }
  const path = trustStorePath(configDir, ref);
  const label = `trust store ${type}:${name} (${path})`;
  let info;
  try {
    info = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw storeError(`${label} does not exist`, err);
    throw new NotationError('IO', `cannot access ${label}: ${(err as Error).message}`, { cause: err });
  }
  if (info.isSymbolicLink() || !info.isDirectory()) throw storeError(`${label} is not a directory (symlinks are refused)`);

  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw new NotationError('IO', `cannot list ${label}: ${(err as Error).message}`, { cause: err });
  }
  // Go's os.ReadDir order: by file name.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length > MAX_FILES) throw storeError(`${label} has ${entries.length} entries, more than the ${MAX_FILES} allowed`);

  const certificates: TrustedCertificate[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    if (entry.isSymbolicLink()) throw storeError(`certificate file ${JSON.stringify(entry.name)} in ${label} is a symlink; symlinks are refused`);
    if (!entry.isFile()) throw storeError(`certificate file ${JSON.stringify(entry.name)} in ${label} is not a regular file`);
    const file = join(path, entry.name);
    let bytes: Uint8Array;
    try {
      const stat = await lstat(file);
      if (stat.size > MAX_FILE_BYTES) throw storeError(`certificate file ${JSON.stringify(entry.name)} in ${label} is larger than ${MAX_FILE_BYTES} bytes`);
      bytes = await readFile(file);
    } catch (err) {
      if (err instanceof NotationError) throw err;
      throw new NotationError('IO', `cannot read certificate file ${JSON.stringify(entry.name)} in ${label}: ${(err as Error).message}`, { cause: err });
    }
    certificates.push(...parseTrustStoreFile(bytes, entry.name, ref, file));
    if (certificates.length > MAX_CERTIFICATES) throw storeError(`${label} holds more than ${MAX_CERTIFICATES} certificates`);
  }
  if (certificates.length === 0) throw storeError(`${label} contains no certificates`);
  return { type, name, path, certificates };
}

/** Load several stores (for example a policy statement's trustStores), in order. */
export async function loadTrustStores(configDir: string, refs: readonly TrustStoreRef[]): Promise<TrustStore[]> {
  const stores: TrustStore[] = [];
  for (const ref of refs) stores.push(await loadTrustStore(configDir, ref));
  return stores;
}
