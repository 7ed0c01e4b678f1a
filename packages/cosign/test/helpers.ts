// Builds key-signed evidence in memory for the gate tests: no network, no fixtures to copy.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { dsse } from '@sigstore/core';

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly pem: string;
  readonly hint: string;
}

export function newKey(type: 'ec' | 'ed25519' | 'rsa' = 'ec'): TestKey {
  const pair =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  const der = pair.publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey: pair.privateKey,
    pem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    hint: createHash('sha256').update(der).digest('base64'),
  };
}

function signBytes(key: TestKey, data: Uint8Array): Buffer {
  // Ed25519 takes no separate hash; ECDSA output is ASN.1 DER, as cosign writes it.
  return sign(key.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key.privateKey);
}

export function statement(subjectHex: string, predicateType: string, predicate: unknown = {}): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'registry.test/repo', digest: { sha256: subjectHex } }],
      predicateType,
      predicate,
    }),
  );
}

export function dsseEnvelope(key: TestKey, payload: Uint8Array, payloadType = 'application/vnd.in-toto+json') {
  const sig = signBytes(key, dsse.preAuthEncoding(payloadType, Buffer.from(payload)));
  return { payloadType, payload: Buffer.from(payload).toString('base64'), signatures: [{ sig: sig.toString('base64'), keyid: '' }] };
}

/** A v0.3 bundle signed with a bare key and no tlog entry (cosign --key --tlog-upload=false). */
export function keyDsseBundle(key: TestKey, payload: Uint8Array): object {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: key.hint }, tlogEntries: [] },
    dsseEnvelope: dsseEnvelope(key, payload),
  };
}

export function keyMessageBundle(key: TestKey, artifact: Uint8Array): object {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: key.hint }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(artifact).digest('base64') },
      signature: signBytes(key, artifact).toString('base64'),
    },
  };
}

export function simpleSigningPayload(digest: string): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': 'registry.test/repo' }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
      optional: null,
    }),
  );
}

export function legacySignatureAnnotation(key: TestKey, payload: Uint8Array): string {
  return signBytes(key, payload).toString('base64');
}
