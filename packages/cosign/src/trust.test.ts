import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { createTrust, isCosignError, loadTrustedRoot, parsePublicKey, parseBundle, verifyBundle } from './index.ts';
import { newKey } from '../test/helpers.ts';

const rootPath = fixturePath('sigstore-js/derived-production-tuf/trusted_root.json');

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCosignError(e) ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
}

describe('loadTrustedRoot', () => {
  it('loads the production root', () => {
    const root = loadTrustedRoot(readFileSync(rootPath));
    expect(root.tlogs.length).toBeGreaterThan(0);
    expect(root.certificateAuthorities.length).toBeGreaterThan(0);
  });

  it('rejects a transparency log key without validFor.start', () => {
    const json = JSON.parse(readFileSync(rootPath, 'utf8'));
    delete json.tlogs[0].publicKey.validFor.start;
    expect(code(() => loadTrustedRoot(JSON.stringify(json)))).toBe('INVALID_TRUSTED_ROOT');
  });

  it('rejects a certificate authority without validFor.start, a foreign media type, and non-JSON', () => {
    const json = JSON.parse(readFileSync(rootPath, 'utf8'));
    delete json.certificateAuthorities[0].validFor.start;
    expect(code(() => loadTrustedRoot(JSON.stringify(json)))).toBe('INVALID_TRUSTED_ROOT');
    const other = JSON.parse(readFileSync(rootPath, 'utf8'));
    other.mediaType = 'application/json';
    expect(code(() => loadTrustedRoot(JSON.stringify(other)))).toBe('INVALID_TRUSTED_ROOT');
    expect(code(() => loadTrustedRoot('{'))).toBe('INVALID_TRUSTED_ROOT');
  });
});

describe('keys', () => {
  it('accepts P-256, P-384, RSA and Ed25519 PEM keys with a stable SPKI key id', () => {
    for (const type of ['ec', 'rsa', 'ed25519'] as const) {
      const k = newKey(type);
      const parsed = parsePublicKey(k.pem);
      expect(parsed.keyId).toBe(Buffer.from(k.hint, 'base64').toString('hex'));
    }
  });

  it('rejects garbage and unsupported curves', () => {
    expect(code(() => parsePublicKey('not a key'))).toBe('INVALID_KEY');
    expect(code(() => parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toBe('INVALID_KEY');
    const k1 =
      '-----BEGIN PUBLIC KEY-----\nMFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEnFpUHgpoYQLsGTDmn5EbAuXzwb2iFYdn\n6TMoIchnMrfFIlmx3XHYCjRgbGaNXqkUr3bN5yJQ1k06TZCtn4ERUg==\n-----END PUBLIC KEY-----\n';
    expect(code(() => parsePublicKey(k1))).toBe('INVALID_KEY');
  });

  it('a trust with keys only cannot verify keyless bundles', () => {
    expect(createTrust({ keys: [newKey().pem] }).hasTrustedRoot).toBe(false);
  });
});

describe('bundle structure checks beyond @sigstore/bundle', () => {
  const v01 = JSON.parse(
    readFileSync(fixturePath('sigstore-js/tests/bundles/bundleV01-full-cert-chain.sigstore'), 'utf8'),
  );

  it('rejects a v0.3 bundle whose certificate chain carries a root certificate', () => {
    const v03 = { ...v01, mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' };
    try {
      parseBundle(v03);
      expect.unreachable();
    } catch (e) {
      expect(isCosignError(e, 'INVALID_BUNDLE')).toBe(true);
      expect((e as Error).message).toMatch(/root certificate/);
    }
  });

  it('reports malformed bundles as failed verdicts, not exceptions', () => {
    const v = verifyBundle('{"mediaType":1}', { trust: createTrust({}) });
    expect(v.ok).toBe(false);
    expect(v.checks).toEqual([{ name: 'bundle', ok: false, detail: expect.stringMatching(/malformed bundle at mediaType/) }]);
  });
});
