// Cryptographic verification of an envelope against its signing (leaf) certificate.
// signature-specification.md "Algorithm Selection": the algorithm is fixed by the leaf key
// (RSA 2048/3072/4096 → PS256/384/512, EC P-256/384/521 → ES256/384/512).
import { constants, verify as cryptoVerify } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { NotationError } from '../errors.ts';
import { parseCertificate, type ParsedCertificate } from '../x509/cert.ts';
import { HASH_BYTES, MUST_BE_CRITICAL, SIGNATURE_HASH, type SignatureAlgorithm } from './constants.ts';
import type { SignatureEnvelope } from './types.ts';

const RSA_ALG: Readonly<Record<number, SignatureAlgorithm>> = { 2048: 'PS256', 3072: 'PS384', 4096: 'PS512' };
const EC_ALG: Readonly<Record<number, SignatureAlgorithm>> = { 256: 'ES256', 384: 'ES384', 521: 'ES512' };


/** The only algorithm a certificate's key may sign notation envelopes with. */
export function algorithmForCertificate(cert: ParsedCertificate): SignatureAlgorithm | undefined {
  if (cert.key.type === 'rsa') return RSA_ALG[cert.key.bits];
  if (cert.key.type === 'ec') return EC_ALG[cert.key.bits];
  return undefined;
}

function invalidSignature(msg: string, cause?: unknown): never {
  throw new NotationError('SIGNATURE_INVALID', msg, cause === undefined ? {} : { cause });
}

/**
 * Verify the envelope signature with its leaf certificate. Returns the parsed leaf.
 * Throws ALG_MISMATCH when `alg` is not the one the leaf key dictates, SIGNATURE_INVALID otherwise.
 */
export async function verifyEnvelopeSignature(env: SignatureEnvelope): Promise<ParsedCertificate> {
  const leafDer = env.certificateChain[0];
  if (!leafDer) throw new NotationError('ENVELOPE_INVALID', 'certificate chain is empty');
  const leaf = parseCertificate(leafDer);
  const expected = algorithmForCertificate(leaf);
  if (expected !== env.signatureAlgorithm) {
    throw new NotationError(
      'ALG_MISMATCH',
      `signature algorithm ${env.signatureAlgorithm} does not match the signing certificate key (${leaf.key.type} ${leaf.key.bits} → ${expected ?? 'unsupported'})`,
    );
  }
  if (env.jws) {
    const crit: Record<string, boolean> = {};
    for (const name of MUST_BE_CRITICAL) crit[name] = true;
    for (const a of env.signedAttributes.extendedAttributes) if (a.critical) crit[a.key] = true;
    try {
      await flattenedVerify(
        { protected: env.jws.protected, payload: env.jws.payload, signature: env.jws.signature, header: env.jws.header },
        leaf.publicKey,
        { algorithms: [expected], crit },
      );
    } catch (cause) {
      invalidSignature(`JWS signature is invalid: ${(cause as Error).message}`, cause);
    }
    return leaf;
  }
  const hash = SIGNATURE_HASH[expected];
  const ok = cryptoVerify(
    hash,
    env.signedBytes,
    expected.startsWith('PS')
      ? { key: leaf.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] }
      : { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' },
    env.signature,
  );
  if (!ok) invalidSignature('COSE signature is invalid');
  return leaf;
}
