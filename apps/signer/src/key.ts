import { createHash, createPrivateKey, createPublicKey, scrypt, scryptSync, sign, type KeyObject, type ScryptOptions } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { z } from 'zod';
import { SignerError } from './errors.ts';

/** A local signing key, ready for @sigstore/sign. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  /** PEM SubjectPublicKeyInfo, as `cosign verify --key` takes it. */
  readonly publicKeyPem: string;
  /** base64 sha256 of the DER SubjectPublicKeyInfo (bundle `publicKey.hint`). */
  readonly hint: string;
  /** Digest the signature uses: sha256 (ECDSA, RSA), null (Ed25519 signs the message). */
  readonly hash: 'sha256' | null;
}

// cosign pkg/cosign/keys.go: `ENCRYPTED SIGSTORE PRIVATE KEY` (older: `ENCRYPTED COSIGN PRIVATE KEY`)
// wraps JSON from secure-systems-lab/go-securesystemslib encrypted: scrypt KDF + nacl secretbox over
// the PKCS#8 DER private key.
const ENCRYPTED = /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----([A-Za-z0-9+/=\s]+)-----END \1-----/;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const encryptedSchema = z.object({
  kdf: z.object({
    name: z.literal('scrypt'),
    params: z.object({ N: z.number().int().min(2).max(1 << 20), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(16) }),
    salt: b64,
  }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: b64 }),
  ciphertext: b64.max(64 * 1024),
});

/** True when the PEM is cosign's password-protected format (so a password must be asked for). */
export function isEncryptedKey(pem: string): boolean {
  return ENCRYPTED.test(pem);
}

type Encrypted = z.infer<typeof encryptedSchema>;

function parseEncrypted(pem: string): Encrypted {
  const m = ENCRYPTED.exec(pem)!;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64').toString('utf8'));
  } catch (cause) {
    throw new SignerError('INVALID_KEY', 'encrypted cosign key does not hold JSON', { cause });
  }
  const parsed = encryptedSchema.safeParse(json);
  if (!parsed.success) throw new SignerError('INVALID_KEY', `encrypted cosign key is malformed: ${parsed.error.issues[0]?.message}`, { cause: parsed.error });
  return parsed.data;
}

function scryptArgs({ kdf }: Encrypted): [Buffer, ScryptOptions] {
  return [Buffer.from(kdf.salt, 'base64'), { N: kdf.params.N, r: kdf.params.r, p: kdf.params.p, maxmem: 256 * kdf.params.N * kdf.params.r + 1024 * 1024 }];
}

function openBox({ cipher, ciphertext }: Encrypted, key: Buffer): Buffer {
  try {
    return Buffer.from(xsalsa20poly1305(key, Buffer.from(cipher.nonce, 'base64')).decrypt(Buffer.from(ciphertext, 'base64')));
  } catch (cause) {
    throw new SignerError('WRONG_PASSWORD', 'cannot decrypt the cosign key: wrong password', { cause });
  }
}

function decrypt(pem: string, password: string): Buffer {
  const enc = parseEncrypted(pem);
  const [salt, options] = scryptArgs(enc);
  return openBox(enc, scryptSync(password, salt, 32, options));
}

function keyFromDer(der: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new SignerError('INVALID_KEY', `private key does not decode: ${(cause as Error).message}`, { cause });
  }
}

/**
 * loadSigningKey, with scrypt (~200 ms at cosign's N = 2^15) on libuv's thread pool rather than the
 * main thread, so a caller can pack or hash while the key is decrypted.
 */
export async function loadSigningKeyAsync(pem: string, password?: string): Promise<SigningKey> {
  if (!isEncryptedKey(pem) || password === undefined) return loadSigningKey(pem, password);
  const enc = parseEncrypted(pem);
  const [salt, options] = scryptArgs(enc);
  const derived = await new Promise<Buffer>((resolve, reject) => scrypt(password, salt, 32, options, (err, key) => (err ? reject(new SignerError('INVALID_KEY', `scrypt failed: ${err.message}`, { cause: err })) : resolve(key))));
  return describeKey(keyFromDer(openBox(enc, derived)));
}

/**
 * Loads a private key: plain PEM (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1 RSA) or cosign's encrypted
 * format, decrypted with `password` (callers read it from COSIGN_PASSWORD or stdin, never argv).
 */
export function loadSigningKey(pem: string, password?: string): SigningKey {
  let privateKey: KeyObject;
  try {
    if (isEncryptedKey(pem)) {
      if (password === undefined) throw new SignerError('INVALID_KEY', 'the key is encrypted: a password is needed (COSIGN_PASSWORD or stdin)');
      privateKey = createPrivateKey({ key: decrypt(pem, password), format: 'der', type: 'pkcs8' });
    } else {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
    }
  } catch (cause) {
    if (cause instanceof SignerError) throw cause;
    throw new SignerError('INVALID_KEY', `private key does not decode: ${(cause as Error).message}`, { cause });
  }
  return describeKey(privateKey);
}

function describeKey(privateKey: KeyObject): SigningKey {
  const type = privateKey.asymmetricKeyType;
  let hash: SigningKey['hash'];
  if (type === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    // cosign signs with SHA-256 for every key it loads (pkg/cosign/keys.go LoadSignerVerifier), and
    // verifiers assume it: so do we, P-384 included.
    if (curve === 'prime256v1' || curve === 'secp384r1') hash = 'sha256';
    else throw new SignerError('INVALID_KEY', `unsupported EC curve ${curve ?? '?'} (P-256 and P-384 only)`);
  } else if (type === 'rsa') hash = 'sha256';
  else if (type === 'ed25519') hash = null;
  else throw new SignerError('INVALID_KEY', `unsupported key type ${type ?? '?'}`);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    hint: createHash('sha256').update(der).digest('base64'),
    hash,
  };
}

/** Signs bytes; ECDSA output is ASN.1 DER, as cosign writes and verifies it. */
export function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  return sign(key.hash, data, key.privateKey);
}
