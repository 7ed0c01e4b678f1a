// Reading trustpolicy.oci.json / trustpolicy.json. Parsing is pure; loadTrustPolicy is the edge.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotationError } from '../errors.ts';
import type { TrustPolicyDocument } from './types.ts';
import { checkTrustPolicy } from './validate.ts';
import { TRUST_POLICY_FILES } from './config-dir.ts';

// File names notation reads, in preference order (notation-go dir.PathOCITrustPolicy, PathTrustPolicy).
export { TRUST_POLICY_FILES };

// A policy is a small hand-written file; refuse anything absurdly large before decoding it.
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

/**
 * Decode and validate a trust policy document. Throws NotationError POLICY_INVALID whose
 * message names every problem with its statement, field and value.
 */
export function parseTrustPolicy(bytes: Uint8Array | string, source = 'trust policy'): TrustPolicyDocument {
  const size = typeof bytes === 'string' ? bytes.length : bytes.byteLength;
  if (size > MAX_POLICY_BYTES) {
    throw new NotationError('POLICY_INVALID', `${source} is ${size} bytes, larger than the ${MAX_POLICY_BYTES}-byte limit`);
  }
  const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8').decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NotationError('POLICY_INVALID', `${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const { document, issues } = checkTrustPolicy(json);
  if (document === undefined) {
    const list = issues.map((i) => i.message);
    const summary = list.length === 1 ? list[0] : `${list.length} problems: ${list.join('; ')}`;
    throw new NotationError('POLICY_INVALID', `${source} is invalid: ${summary}`);
  }
  return document;
}

export interface LoadedTrustPolicy {
  /** The file that was read. */
  readonly path: string;
  readonly document: TrustPolicyDocument;
}

/**
 * Read the OCI trust policy from a notation config dir: trustpolicy.oci.json if it exists,
 * else the legacy trustpolicy.json. Like notation, a symlink or directory is refused.
 */
export async function loadTrustPolicy(configDir: string): Promise<LoadedTrustPolicy> {
  for (const file of TRUST_POLICY_FILES) {
    const path = join(configDir, file);
    let info;
    try {
      info = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new NotationError('IO', `cannot access trust policy ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (!info.isFile()) {
      throw new NotationError('POLICY_INVALID', `trust policy ${path} is not a regular file (symlinks and directories are refused)`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new NotationError('IO', `cannot read trust policy ${path}: ${(err as Error).message}`, { cause: err });
    }
    return { path, document: parseTrustPolicy(bytes, `trust policy ${path}`) };
  }
  // No policy at all means no policy applies to any artifact (notary spec: fail verification).
  throw new NotationError(
    'NO_APPLICABLE_POLICY',
    `no trust policy found in ${configDir} (looked for ${TRUST_POLICY_FILES.join(' and ')})`,
  );
}
