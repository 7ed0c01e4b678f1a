import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import {
  COSIGN_PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  isCosignError,
  resolvePredicateType,
  verifyCosignAttestation,
  verifyCosignSignature,
} from './index.ts';
import { keyDsseBundle, keyMessageBundle, newKey, statement } from '../test/helpers.ts';

// cosign pkg/cosign/testdata: a v0.3 DSSE bundle cosign wrote for an attestation (custom predicate)
// on go-containerregistry's empty.Image, keyless as cody@soyland.com (SOURCES.md "cosign").
const attestation = readFileSync(fixturePath('cosign/pkg/cosign/testdata/oci-attestation.sigstore.json'));
const pgiRoot = readFileSync(fixturePath('cosign/pkg/cosign/testdata/trusted_root_pgi.json'));
const EMPTY_IMAGE = '732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
const subjectDigest = `sha256:${EMPTY_IMAGE}`;
const cody = { subject: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' };

describe('cosign attestation fixture (oci-attestation.sigstore.json)', () => {
  const trust = createTrust({ trustedRoot: pgiRoot });

  it('names the empty image manifest as its subject', () => {
    const manifest = readFileSync(fixturePath('cosign/derived-ggcr-empty-image/blobs/sha256', EMPTY_IMAGE));
    expect(createHash('sha256').update(manifest).digest('hex')).toBe(EMPTY_IMAGE);
  });

  it('verifies in attestation mode for cody@soyland.com', () => {
    const v = verifyCosignAttestation(attestation, { trust, subjectDigest, predicateType: 'custom', identity: cody });
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.kind).toBe('dsse');
    expect(v.signer).toMatchObject({ identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' });
    expect(v.statement?.predicateType).toBe(COSIGN_PREDICATE_TYPES.custom);
    expect(v.timestampSource).toBe('tlog');
    expect(v.tlog?.logIndex).toBeGreaterThan(0);
    expect(v.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['bundle', 'statement', 'subject', 'timestamps', 'certificate', 'tlog', 'signature', 'identity', 'predicate']),
    );
  });

  it('accepts the predicate URI and an anchored identity regexp', () => {
    const v = verifyCosignAttestation(attestation, {
      trust,
      subjectDigest,
      predicateType: 'https://cosign.sigstore.dev/attestation/v1',
      identity: { subjectRegExp: '.*@soyland\\.com', issuerRegExp: 'https://github\\.com/login/.*' },
    });
    expect(v.ok).toBe(true);
  });

  it('anchors regexps: a partial match is not a match', () => {
    const v = verifyCosignAttestation(attestation, { trust, subjectDigest, predicateType: 'custom', identity: { subjectRegExp: 'cody', issuer: cody.issuer } });
    expect(v.ok).toBe(false);
  });

  it('fails for another identity with a specific reason', () => {
    const v = verifyCosignAttestation(attestation, {
      trust,
      subjectDigest,
      predicateType: 'custom',
      identity: { subject: 'wrong@example.com', issuer: cody.issuer },
    });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual([
      'identity found: cody@soyland.com, issuer: https://github.com/login/oauth — expected: subject wrong@example.com, issuer https://github.com/login/oauth',
    ]);
  });

  it('fails for another subject digest', () => {
    const other = `sha256:${'ab'.repeat(32)}`;
    const v = verifyCosignAttestation(attestation, { trust, subjectDigest: other, predicateType: 'custom', identity: cody });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toContain(`digest mismatch: subject sha256:${'ab'.repeat(32)} is not a subject of the statement`);
  });

  it('fails for another predicate type', () => {
    const v = verifyCosignAttestation(attestation, { trust, subjectDigest, predicateType: 'slsaprovenance1', identity: cody });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual([
      'predicate type https://cosign.sigstore.dev/attestation/v1 does not match the requested https://slsa.dev/provenance/v1',
    ]);
  });

  it('is not accepted as a signature', () => {
    const v = verifyCosignSignature(attestation, { trust, subjectDigest, identity: cody });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['attestation https://cosign.sigstore.dev/attestation/v1 is not a signature']);
  });

  it('requires an identity policy for keyless evidence', () => {
    const v = verifyCosignAttestation(attestation, { trust, subjectDigest, predicateType: 'custom' });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/identity policy/);
  });

  it('is untrusted under a root without its CA', () => {
    const keysOnly = createTrust({ keys: [newKey().pem] });
    const v = verifyCosignAttestation(attestation, { trust: keysOnly, subjectDigest, predicateType: 'custom', identity: cody });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/no trusted root/);
  });
});

describe('signature gate on DSSE statements (key-signed, no tlog)', () => {
  const key = newKey();
  const trust = createTrust({ keys: [key.pem] });
  const hex = 'cd'.repeat(32);
  const opts = { trust, subjectDigest: `sha256:${hex}`, insecureIgnoreTlog: true };

  it('accepts a cosign sign statement about the subject', () => {
    const v = verifyCosignSignature(keyDsseBundle(key, statement(hex, COSIGN_SIGN_PREDICATE_TYPE)), opts);
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.timestampSource).toBe('none');
    expect(v.signer?.keyId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a sign statement about a different subject digest', () => {
    const v = verifyCosignSignature(keyDsseBundle(key, statement('ef'.repeat(32), COSIGN_SIGN_PREDICATE_TYPE)), opts);
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual([`digest mismatch: subject sha256:${hex} is not a subject of the statement (subjects: sha256:${'ef'.repeat(32)})`]);
  });

  it('rejects an attestation passed as a signature, even when everything else verifies', () => {
    const v = verifyCosignSignature(keyDsseBundle(key, statement(hex, 'https://slsa.dev/provenance/v1')), opts);
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['attestation https://slsa.dev/provenance/v1 is not a signature']);
    const att = verifyCosignAttestation(keyDsseBundle(key, statement(hex, 'https://slsa.dev/provenance/v1')), { ...opts, predicateType: 'slsaprovenance1' });
    expect(att.ok).toBe(true);
  });

  it('needs insecureIgnoreTlog for an unlogged key signature', () => {
    const v = verifyCosignSignature(keyDsseBundle(key, statement(hex, COSIGN_SIGN_PREDICATE_TYPE)), { ...opts, insecureIgnoreTlog: false });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/no signed timestamp|no transparency log entry/);
  });

  it('rejects a signature by another key', () => {
    const v = verifyCosignSignature(keyDsseBundle(newKey(), statement(hex, COSIGN_SIGN_PREDICATE_TYPE)), opts);
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['bad signature: the DSSE signature does not verify over the envelope with the signer key']);
  });

  it('does not treat a message signature as an attestation', () => {
    const v = verifyCosignAttestation(keyMessageBundle(key, Buffer.from('x')), { ...opts, predicateType: 'custom' });
    expect(v.ok).toBe(false);
    expect(v.reasons[0]).toMatch(/not an attestation/);
  });
});

describe('message signatures over the subject manifest', () => {
  const manifest = Buffer.from('{"schemaVersion":2}');
  const subjectDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

  it.each(['ec', 'rsa', 'ed25519'] as const)('verifies with a %s key given the manifest bytes', (type) => {
    const key = newKey(type);
    const trust = createTrust({ keys: [key.pem] });
    const v = verifyCosignSignature(keyMessageBundle(key, manifest), { trust, subjectDigest, subjectBytes: manifest, insecureIgnoreTlog: true });
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('cannot check a message signature without the signed bytes', () => {
    const key = newKey();
    const v = verifyCosignSignature(keyMessageBundle(key, manifest), { trust: createTrust({ keys: [key.pem] }), subjectDigest, insecureIgnoreTlog: true });
    expect(v.ok).toBe(false);
    expect(v.reasons[0]).toMatch(/artifact bytes/);
  });
});

describe('options', () => {
  it('resolves every cosign alias', () => {
    expect(resolvePredicateType('spdxjson')).toBe('https://spdx.dev/Document');
    expect(resolvePredicateType('slsaprovenance')).toBe('https://slsa.dev/provenance/v0.2');
    expect(resolvePredicateType('openvex')).toBe('https://openvex.dev/ns');
    expect(resolvePredicateType('https://example.com/p/v1')).toBe('https://example.com/p/v1');
    expect(Object.keys(COSIGN_PREDICATE_TYPES).sort()).toEqual(
      ['custom', 'cyclonedx', 'link', 'openvex', 'slsaprovenance', 'slsaprovenance02', 'slsaprovenance1', 'spdx', 'spdxjson', 'vuln'].sort(),
    );
    expect(() => resolvePredicateType('nonsense')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });

  it('rejects a malformed subject digest and a malformed regexp', () => {
    const trust = createTrust({ trustedRoot: pgiRoot });
    try {
      verifyCosignSignature(attestation, { trust, subjectDigest: 'sha256:XYZ' });
      expect.unreachable();
    } catch (e) {
      expect(isCosignError(e, 'INVALID_OPTIONS')).toBe(true);
    }
    expect(() => verifyCosignSignature(attestation, { trust, subjectDigest, identity: { subjectRegExp: '(', issuer: 'x' } })).toThrow(/regular expression/);
  });
});
