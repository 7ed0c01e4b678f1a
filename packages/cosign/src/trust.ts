import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { z } from 'zod';
import { CosignError } from './errors.ts';

/** Trusted roots are a few KiB; anything far larger is not one. */
const MAX_TRUSTED_ROOT_BYTES = 1024 * 1024;
const MAX_ENTRIES = 64;

const b64 = z.string().max(64 * 1024).regex(/^[A-Za-z0-9+/_\r\n-]*={0,2}[\r\n]*$/, 'not base64');

// sigstore_common.proto TimeRange: `start` is required and `end` optional. @sigstore/verify 3.x
// silently widens a missing start to the beginning of time; we reject it instead
// (conformance case trust-root-tlog-missing-validity-start_fail).
const timeRange = z.looseObject({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }).nullish() });

const transparencyLog = z.looseObject({
  baseUrl: z.string().max(2048).nullish(),
  hashAlgorithm: z.string().max(64).nullish(),
  publicKey: z.looseObject({ rawBytes: b64, keyDetails: z.string().max(128), validFor: timeRange }),
  logId: z.looseObject({ keyId: b64 }),
  checkpointKeyId: z.looseObject({ keyId: b64 }).nullish(),
});

const certificateAuthority = z.looseObject({
  uri: z.string().max(2048).nullish(),
  certChain: z.looseObject({ certificates: z.array(z.looseObject({ rawBytes: b64 })).min(1).max(16) }),
  validFor: timeRange,
});

const trustedRootSchema = z.looseObject({
  mediaType: z
    .string()
    .regex(/^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.[12]\+json|\+json;version=0\.[12])$/, 'unsupported trusted root media type'),
  tlogs: z.array(transparencyLog).max(MAX_ENTRIES).default([]),
  certificateAuthorities: z.array(certificateAuthority).max(MAX_ENTRIES).default([]),
  ctlogs: z.array(transparencyLog).max(MAX_ENTRIES).default([]),
  timestampAuthorities: z.array(certificateAuthority).max(MAX_ENTRIES).default([]),
});

/**
 * Parses and validates a Sigstore `trusted_root.json` (sigstore_trustroot.proto TrustedRoot).
 * Throws CosignError INVALID_TRUSTED_ROOT on malformed input, including a log key without
 * `validFor.start`.
 */
export function loadTrustedRoot(json: Uint8Array | string): TrustedRoot {
  const text = typeof json === 'string' ? json : new TextDecoder('utf-8', { fatal: true }).decode(json);
  if (text.length > MAX_TRUSTED_ROOT_BYTES) throw new CosignError('TOO_LARGE', `trusted root larger than ${MAX_TRUSTED_ROOT_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new CosignError('INVALID_TRUSTED_ROOT', 'trusted root is not valid JSON', { cause });
  }
  const parsed = trustedRootSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CosignError('INVALID_TRUSTED_ROOT', `invalid trusted root at ${issue?.path.join('.') || '<root>'}: ${issue?.message}`, {
      cause: parsed.error,
    });
  }
  try {
    return TrustedRoot.fromJSON(parsed.data);
  } catch (cause) {
    throw new CosignError('INVALID_TRUSTED_ROOT', 'trusted root does not decode', { cause });
  }
}

/** A caller-supplied verification key (cosign `--key`). */
export interface TrustedKey {
  /** Lower-case hex sha256 of the DER SubjectPublicKeyInfo. */
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** 'ec' | 'rsa' | 'ed25519' (node's asymmetricKeyType). */
  readonly keyType: string;
}

/** Everything a verification trusts; built once, reused for many bundles. */
export interface CosignTrust {
  readonly material: TrustMaterial;
  readonly keys: readonly TrustedKey[];
  /** False when only keys were given: keyless bundles then cannot verify. */
  readonly hasTrustedRoot: boolean;
}

export interface CreateTrustOptions {
  /** Output of loadTrustedRoot (or its raw JSON). Needed for certificates, Rekor and TSA checks. */
  readonly trustedRoot?: TrustedRoot | Uint8Array | string;
  /** PEM SubjectPublicKeyInfo keys: ECDSA P-256/P-384, RSA, Ed25519. */
  readonly keys?: readonly string[];
}

const EMPTY_ROOT: TrustedRoot = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

export function parsePublicKey(pem: string): TrustedKey {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new CosignError('INVALID_KEY', 'public key must be a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CosignError('INVALID_KEY', 'public key does not decode', { cause });
  }
  const keyType = publicKey.asymmetricKeyType ?? 'unknown';
  if (keyType === 'ec') {
    const curve = publicKey.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1') {
      throw new CosignError('INVALID_KEY', `unsupported EC curve ${curve ?? '?'} (P-256 and P-384 only)`);
    }
  } else if (keyType !== 'rsa' && keyType !== 'ed25519') {
    throw new CosignError('INVALID_KEY', `unsupported key type ${keyType}`);
  }
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { keyId: createHash('sha256').update(der).digest('hex'), publicKey, keyType };
}

/** Finds the key a bundle's `publicKey.hint` names: hex or base64 sha256 of the SPKI, else the only key. */
export function keysForHint(keys: readonly TrustedKey[], hint: string): readonly TrustedKey[] {
  const named = keys.filter((k) => k.keyId === hint.toLowerCase() || Buffer.from(k.keyId, 'hex').toString('base64') === hint);
  return named.length > 0 ? named : keys;
}

export function createTrust(options: CreateTrustOptions): CosignTrust {
  const root =
    options.trustedRoot === undefined
      ? undefined
      : typeof options.trustedRoot === 'string' || options.trustedRoot instanceof Uint8Array
        ? loadTrustedRoot(options.trustedRoot)
        : options.trustedRoot;
  const keys = (options.keys ?? []).map(parsePublicKey);
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(root ?? EMPTY_ROOT, (hint: string) => {
      const [key] = keysForHint(keys, hint);
      if (key === undefined) throw new CosignError('INVALID_KEY', `no public key provided for hint ${hint}`);
      // Caller keys carry no validity window (cosign --key semantics).
      return { publicKey: key.publicKey, validFor: () => true };
    });
  } catch (cause) {
    throw new CosignError('INVALID_TRUSTED_ROOT', 'trusted root holds an unusable key or certificate', { cause });
  }
  return { material, keys, hasTrustedRoot: root !== undefined };
}

/** The same trust, restricted to one caller key (used to try each candidate key in turn). */
export function withSingleKey(trust: CosignTrust, key: TrustedKey): TrustMaterial {
  return { ...trust.material, publicKey: () => ({ publicKey: key.publicKey, validFor: () => true }) };
}
