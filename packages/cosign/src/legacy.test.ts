import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import {
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  DSSE_ENVELOPE_MEDIA_TYPE,
  isCosignError,
  legacyToBundle,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyBundle,
  verifyCosignAttestation,
  verifyCosignSignature,
} from './index.ts';
import { dsseEnvelope, legacySignatureAnnotation, newKey, simpleSigningPayload, statement } from '../test/helpers.ts';

function pem(derBase64: string): string {
  const lines = derBase64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

// Re-express a real public-good v0.1 bundle (hashedrekord, Fulcio cert, Rekor SET) as the annotations
// cosign ≤v2 writes on a `.sig` layer, so the adapter is exercised against a genuine SET.
const conf = fixturePath('sigstore-conformance/test/assets/bundle-verify');
const realBundle = JSON.parse(readFileSync(`${conf}/happy-path-v0.1/bundle.sigstore.json`, 'utf8'));
const artifact = readFileSync(`${conf}/a.txt`);
const productionRoot = readFileSync(fixturePath('sigstore-js/derived-production-tuf/trusted_root.json'));
const beacon = {
  subject: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

function realLayerAnnotations(mutate?: (rekor: Record<string, unknown>) => void): Record<string, string> {
  const entry = realBundle.verificationMaterial.tlogEntries[0];
  const [leaf, ...rest] = realBundle.verificationMaterial.x509CertificateChain.certificates as { rawBytes: string }[];
  const rekor: Record<string, unknown> = {
    SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
    Payload: {
      body: entry.canonicalizedBody,
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
    },
  };
  mutate?.(rekor);
  return {
    [COSIGN_ANNOTATIONS.signature]: realBundle.messageSignature.signature,
    [COSIGN_ANNOTATIONS.certificate]: pem(leaf!.rawBytes),
    ...(rest.length ? { [COSIGN_ANNOTATIONS.chain]: rest.map((c) => pem(c.rawBytes)).join('') } : {}),
    [COSIGN_ANNOTATIONS.bundle]: JSON.stringify(rekor),
  };
}

describe('legacyToBundle with a real Rekor SET', () => {
  const trust = createTrust({ trustedRoot: productionRoot });

  it('verifies through the same bundle path, with the SET as signed time', () => {
    const ev = legacyToBundle({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: realLayerAnnotations() }, artifact);
    expect(ev.kind).toBe('message-signature');
    expect(ev.hasTlogEntry).toBe(true);
    expect(ev.warnings).toEqual([]);
    const v = verifyBundle(ev.bundle, { trust, artifact: ev.payload!, identity: beacon });
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.timestampSource).toBe('tlog');
    expect(v.tlog?.logIndex).toBe(Number(realBundle.verificationMaterial.tlogEntries[0].logIndex));
    expect(v.tlog?.integratedTime).toBe(Number(realBundle.verificationMaterial.tlogEntries[0].integratedTime));
  });

  it('binds a non-simple-signing payload to the subject by its digest', () => {
    const ev = legacyToBundle({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: realLayerAnnotations() }, artifact);
    const subjectDigest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
    expect(verifyCosignSignature(ev, { trust, subjectDigest, identity: beacon }).ok).toBe(true);
    const other = verifyCosignSignature(ev, { trust, subjectDigest: `sha256:${'0'.repeat(64)}`, identity: beacon });
    expect(other.ok).toBe(false);
    expect(other.reasons[0]).toMatch(/neither a simple-signing claim nor the subject manifest/);
  });

  it('rejects a tampered SET', () => {
    const annotations = realLayerAnnotations((r) => {
      (r.Payload as Record<string, unknown>).integratedTime = Number((r.Payload as Record<string, number>).integratedTime) + 1;
    });
    const ev = legacyToBundle({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations }, artifact);
    const v = verifyBundle(ev.bundle, { trust, artifact: ev.payload!, identity: beacon });
    expect(v.ok).toBe(false);
    expect(v.reasons).toContain('transparency log signed entry timestamp (SET) does not verify against the trusted logs');
  });

  it('rejects a different payload', () => {
    const ev = legacyToBundle({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: realLayerAnnotations() }, Buffer.from('other'));
    const v = verifyBundle(ev.bundle, { trust, artifact: ev.payload!, identity: beacon });
    expect(v.ok).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/transparency log entry does not match the bundle: digest mismatch/);
  });
});

describe('legacy key-signed .sig layers without a tlog entry', () => {
  const key = newKey();
  const trust = createTrust({ keys: [key.pem] });
  const subjectDigest = `sha256:${'12'.repeat(32)}`;
  const payload = simpleSigningPayload(subjectDigest);
  const layer = { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: { [COSIGN_ANNOTATIONS.signature]: legacySignatureAnnotation(key, payload) } };

  it('passes only with insecureIgnoreTlog, and says so', () => {
    const ev = legacyToBundle(layer, payload);
    expect(ev.hasTlogEntry).toBe(false);
    expect(ev.warnings.join('\n')).toMatch(/not in a transparency log/);
    const ok = verifyCosignSignature(ev, { trust, subjectDigest, insecureIgnoreTlog: true });
    expect(ok.reasons).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.checks.find((c) => c.name === 'tlog')?.detail).toMatch(/insecureIgnoreTlog/);
    const strict = verifyCosignSignature(ev, { trust, subjectDigest });
    expect(strict.ok).toBe(false);
  });

  it('rejects a simple-signing claim for another digest', () => {
    const v = verifyCosignSignature(legacyToBundle(layer, payload), { trust, subjectDigest: `sha256:${'34'.repeat(32)}`, insecureIgnoreTlog: true });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual([`simple-signing payload names ${subjectDigest}, expected sha256:${'34'.repeat(32)}`]);
  });

  it('rejects a signature by another key', () => {
    const v = verifyCosignSignature(legacyToBundle(layer, payload), { trust: createTrust({ keys: [newKey().pem] }), subjectDigest, insecureIgnoreTlog: true });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['bad signature: the signature does not verify over the artifact with the signer key']);
  });

  it('rejects a tampered payload', () => {
    const tampered = simpleSigningPayload(`sha256:${'56'.repeat(32)}`);
    const v = verifyCosignSignature(legacyToBundle(layer, tampered), { trust, subjectDigest: `sha256:${'56'.repeat(32)}`, insecureIgnoreTlog: true });
    expect(v.ok).toBe(false);
    expect(v.reasons[0]).toMatch(/bad signature/);
  });
});

describe('legacy .att DSSE layers', () => {
  const key = newKey();
  const trust = createTrust({ keys: [key.pem] });
  const hex = '78'.repeat(32);
  const envelope = (predicateType: string) => Buffer.from(JSON.stringify(dsseEnvelope(key, statement(hex, predicateType))));
  const layer = { mediaType: DSSE_ENVELOPE_MEDIA_TYPE, annotations: { [COSIGN_ANNOTATIONS.signature]: '' } };

  it('verifies as an attestation and never as a signature', () => {
    const ev = legacyToBundle(layer, envelope('https://slsa.dev/provenance/v0.2'));
    expect(ev.kind).toBe('dsse');
    const att = verifyCosignAttestation(ev, { trust, subjectDigest: `sha256:${hex}`, predicateType: 'slsaprovenance', insecureIgnoreTlog: true });
    expect(att.reasons).toEqual([]);
    expect(att.ok).toBe(true);
    const sig = verifyCosignSignature(ev, { trust, subjectDigest: `sha256:${hex}`, insecureIgnoreTlog: true });
    expect(sig.reasons).toEqual(['attestation https://slsa.dev/provenance/v0.2 is not a signature']);
  });

  it('accepts a legacy sign-predicate envelope as a signature', () => {
    const ev = legacyToBundle(layer, envelope(COSIGN_SIGN_PREDICATE_TYPE));
    expect(verifyCosignSignature(ev, { trust, subjectDigest: `sha256:${hex}`, insecureIgnoreTlog: true }).ok).toBe(true);
  });
});

describe('malformed legacy layers', () => {
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return isCosignError(e) ? e.code : 'other';
    }
    return undefined;
  };

  it('throws INVALID_LEGACY_LAYER with a specific message', () => {
    expect(codeOf(() => legacyToBundle({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: {} }, Buffer.from('{}')))).toBe('INVALID_LEGACY_LAYER');
    expect(codeOf(() => legacyToBundle({ mediaType: 'text/plain', annotations: { [COSIGN_ANNOTATIONS.signature]: 'AA==' } }, Buffer.from('x')))).toBe(
      'INVALID_LEGACY_LAYER',
    );
    expect(
      codeOf(() =>
        legacyToBundle(
          { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, annotations: { [COSIGN_ANNOTATIONS.signature]: 'AA==', [COSIGN_ANNOTATIONS.bundle]: '{"Payload":{}}' } },
          Buffer.from('x'),
        ),
      ),
    ).toBe('INVALID_LEGACY_LAYER');
    expect(codeOf(() => legacyToBundle({ mediaType: DSSE_ENVELOPE_MEDIA_TYPE }, Buffer.from('{"payload":"","payloadType":"x","signatures":[]}')))).toBe(
      'INVALID_LEGACY_LAYER',
    );
  });
});
