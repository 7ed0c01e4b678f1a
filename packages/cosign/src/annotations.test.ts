import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  legacyToBundle,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyCosignAttestation,
  verifyCosignSignature,
  type CosignEvidence,
} from './index.ts';
import { keyDsseBundle, keyMessageBundle, legacySignatureAnnotation, newKey } from '../test/helpers.ts';

// cosign verify -a k=v (cosign pkg/cosign/verifiers.go): the pairs must be among the SIGNED
// annotations of each shape — simple-signing `optional` (legacy `.sig` tag and cosign v2 OCI 1.1
// referrer layers, both adapted by legacyToBundle) and the statement subject of a v3 bundle.

const key = newKey();
const trust = createTrust({ keys: [key.pem] });
const hex = 'ab'.repeat(32);
const subjectDigest = `sha256:${hex}`;
const base = { trust, subjectDigest, insecureIgnoreTlog: true };

function simpleSigning(optional: unknown): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': 'registry.test/repo' }, image: { 'docker-manifest-digest': subjectDigest }, type: 'cosign container image signature' },
      optional,
    }),
  );
}

/** A `.sig` / OCI 1.1 layer: the payload blob plus the signature annotation, as cosign v2 writes it. */
function legacyEvidence(optional: unknown, layerAnnotations: Record<string, string> = {}): CosignEvidence {
  const payload = simpleSigning(optional);
  const ev = legacyToBundle(
    { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: { ...layerAnnotations, [COSIGN_ANNOTATIONS.signature]: legacySignatureAnnotation(key, payload) } },
    payload,
  );
  return { bundle: ev.bundle, ...(ev.payload ? { payload: ev.payload } : {}) };
}

function signStatement(subjects: object[], predicateType = COSIGN_SIGN_PREDICATE_TYPE): object {
  return keyDsseBundle(key, Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: subjects, predicateType, predicate: {} })));
}

const check = (v: ReturnType<typeof verifyCosignSignature>) => v.checks.find((c) => c.name === 'annotations');

describe('annotations on simple-signing payloads (legacy .sig, cosign v2 OCI 1.1)', () => {
  const signed = legacyEvidence({ env: 'prod', team: 'payments' });

  it('passes when every required pair is signed; extra signed annotations do not matter', () => {
    const v = verifyCosignSignature(signed, { ...base, annotations: { env: 'prod' } });
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(check(v)).toEqual({ name: 'annotations', ok: true, detail: 'signed annotations env=prod (the simple-signing payload)' });
  });

  it('fails for another value, saying what was signed', () => {
    const v = verifyCosignSignature(signed, { ...base, annotations: { env: 'dev', team: 'payments' } });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['annotation env: expected dev, found prod (in the simple-signing payload)']);
  });

  it('fails for a missing key, and for a payload with no annotations at all', () => {
    expect(verifyCosignSignature(signed, { ...base, annotations: { region: 'eu' } }).reasons).toEqual(['annotation region missing (in the simple-signing payload)']);
    const none = verifyCosignSignature(legacyEvidence(null), { ...base, annotations: { env: 'prod' } });
    expect(none.ok).toBe(false);
    expect(none.reasons).toEqual(['annotation env missing (the simple-signing payload holds no annotations)']);
  });

  it('a signed number is not the string given (cosign compares interface values)', () => {
    const v = verifyCosignSignature(legacyEvidence({ build: 42 }), { ...base, annotations: { build: '42' } });
    expect(v.reasons).toEqual(['annotation build: expected 42, found 42 (not a string) (in the simple-signing payload)']);
  });

  it('never reads unsigned layer annotations', () => {
    const v = verifyCosignSignature(legacyEvidence(null, { env: 'prod' }), { ...base, annotations: { env: 'prod' } });
    expect(v.ok).toBe(false);
  });

  it('a payload changed to add the annotation no longer verifies', () => {
    const ev = legacyEvidence(null);
    const forged = simpleSigning({ env: 'prod' });
    const v = verifyCosignSignature({ bundle: ev.bundle, payload: forged }, { ...base, annotations: { env: 'prod' } });
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'annotations')?.ok).toBe(true);
    expect(v.reasons.join('\n')).toMatch(/digest mismatch|bad signature/);
  });

  it('without a requirement there is no annotations check', () => {
    expect(check(verifyCosignSignature(signed, base))).toBeUndefined();
    expect(check(verifyCosignSignature(signed, { ...base, annotations: {} }))).toBeUndefined();
  });
});

describe('annotations in a cosign v3 bundle (statement subject annotations)', () => {
  it('passes on the subject naming the digest; extra annotations are fine', () => {
    const v = verifyCosignSignature(signStatement([{ digest: { sha256: hex }, annotations: { env: 'prod', team: 'payments' } }]), {
      ...base,
      annotations: { env: 'prod', team: 'payments' },
    });
    expect(v.reasons).toEqual([]);
    expect(check(v)).toEqual({ name: 'annotations', ok: true, detail: 'signed annotations env=prod, team=payments (the signed statement subject)' });
    // The verdict's statement keeps to digests and names.
    expect(v.statement?.subjects).toEqual([{ digest: { sha256: hex } }]);
  });

  it('fails for another value and for a missing key', () => {
    const b = signStatement([{ digest: { sha256: hex }, annotations: { env: 'dev' } }]);
    expect(verifyCosignSignature(b, { ...base, annotations: { env: 'prod' } }).reasons).toEqual(['annotation env: expected prod, found dev (in the signed statement subject)']);
    expect(verifyCosignSignature(b, { ...base, annotations: { env: 'dev', owner: 'me' } }).reasons).toEqual(['annotation owner missing (in the signed statement subject)']);
    const bare = signStatement([{ digest: { sha256: hex } }]);
    expect(verifyCosignSignature(bare, { ...base, annotations: { env: 'prod' } }).reasons).toEqual(['annotation env missing (the signed statement subject holds no annotations)']);
  });

  it('reads the subject that names the digest, not another one', () => {
    const b = signStatement([
      { digest: { sha256: 'cd'.repeat(32) }, annotations: { env: 'prod' } },
      { digest: { sha256: hex }, annotations: { env: 'dev' } },
    ]);
    expect(verifyCosignSignature(b, { ...base, annotations: { env: 'prod' } }).reasons).toEqual(['annotation env: expected prod, found dev (in the signed statement subject)']);
  });

  it('an attestation is still not a signature, whatever its annotations', () => {
    const v = verifyCosignSignature(signStatement([{ digest: { sha256: hex }, annotations: { env: 'prod' } }], 'https://slsa.dev/provenance/v1'), { ...base, annotations: { env: 'prod' } });
    expect(v.ok).toBe(false);
  });
});

describe('annotations and other shapes', () => {
  it('a message signature over the manifest bytes carries none', () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const v = verifyCosignSignature(keyMessageBundle(key, manifest), { ...base, subjectDigest: digest, subjectBytes: manifest, annotations: { env: 'prod' } });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['annotation env missing (a signature over the manifest bytes carries no annotations)']);
  });

  it('cosign verify-attestation has no -a: an attestation check refuses annotations', () => {
    const b = signStatement([{ digest: { sha256: hex }, annotations: { env: 'prod' } }], 'https://slsa.dev/provenance/v1');
    const opts = { ...base, predicateType: 'slsaprovenance1', annotations: { env: 'prod' } };
    expect(() => verifyCosignAttestation(b, opts)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });

  it('rejects an empty key', () => {
    expect(() => verifyCosignSignature(legacyEvidence(null), { ...base, annotations: { '': 'x' } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
