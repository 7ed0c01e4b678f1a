import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { createTrust, verifyBundle } from './index.ts';

const dir = fixturePath('sigstore-conformance/test/assets/bundle-verify');
const bundle = (name: string) => readFileSync(`${dir}/${name}/bundle.sigstore.json`);
const production = createTrust({ trustedRoot: readFileSync(fixturePath('sigstore-js/derived-production-tuf/trusted_root.json')) });
const localTrust = (name: string) => createTrust({ trustedRoot: readFileSync(`${dir}/${name}/trusted_root.json`) });
const a = readFileSync(`${dir}/a.txt`);
const aHex = createHash('sha256').update(a).digest('hex');
const identity = {
  subject: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

describe('verifyBundle', () => {
  it('matches a DSSE statement subject against a digest-only artifact', () => {
    const ok = verifyBundle(bundle('happy-path-intoto-in-dsse-v3'), { trust: production, identity, artifact: { digest: { algorithm: 'sha256', hex: aHex } } });
    expect(ok.ok).toBe(true);
    expect(ok.kind).toBe('dsse');
    expect(ok.statement).toEqual({ predicateType: 'https://slsa.dev/provenance/v1', subjects: [{ name: 'a.txt', digest: { sha256: aHex } }] });
    const wrong = verifyBundle(bundle('happy-path-intoto-in-dsse-v3'), { trust: production, identity, artifact: { digest: { algorithm: 'sha256', hex: '0'.repeat(64) } } });
    expect(wrong.reasons).toEqual([`digest mismatch: artifact sha256:${'0'.repeat(64)} is not a subject of the statement (subjects: sha256:${aHex})`]);
  });

  it('needs the bytes for a message signature, but still compares a given digest', () => {
    const v = verifyBundle(bundle('happy-path-v0.3'), { trust: production, identity, artifact: { digest: { algorithm: 'sha256', hex: aHex } } });
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'artifact')?.ok).toBe(true);
    expect(v.reasons).toEqual(['a message signature can only be checked against the artifact bytes, and none were given']);
  });

  it('reports signer, log entry and time source on success', () => {
    const v = verifyBundle(bundle('happy-path-v0.3'), { trust: production, identity, artifact: a });
    expect(v.ok).toBe(true);
    expect(v.signer).toMatchObject({ identity: identity.subject, issuer: identity.issuer });
    expect(v.tlog).toMatchObject({ logIndex: expect.any(Number), integratedTime: expect.any(Number) });
    expect(v.timestampSource).toBe('tlog');
  });

  it('explains an expired certificate', () => {
    const name = 'intoto-expired-certificate_fail';
    const v = verifyBundle(bundle(name), { trust: localTrust(name), identity, artifact: readFileSync(`${dir}/${name}/artifact`) });
    expect(v.reasons.join('\n')).toMatch(/^certificate expired or not yet valid at the signed time/);
  });

  it('explains an untrusted root', () => {
    const v = verifyBundle(bundle('bundle-from-wrong-instance_fail'), { trust: production, identity, artifact: a });
    expect(v.reasons.join('\n')).toMatch(/^untrusted root: /);
  });

  it('explains an identity mismatch with what was found and what was expected', () => {
    const v = verifyBundle(bundle('happy-path-v0.3'), { trust: production, identity: { ...identity, subjectRegExp: 'https://github\\.com/other/.*' }, artifact: a });
    expect(v.reasons).toEqual([
      `identity found: ${identity.subject}, issuer: ${identity.issuer} — expected: subject ${identity.subject}, subject matching /^(?:https:\\/\\/github\\.com\\/other\\/.*)$/, issuer ${identity.issuer} (ocx anchors subjectRegExp: the pattern must match the whole certificate identity, while cosign matches it unanchored (RE2); ${JSON.stringify('https://github\\.com/other/.*')} does not match ${JSON.stringify(identity.subject)} even in part)`,
    ]);
  });

  it('verifies the Rekor v2 hashedrekord-over-DSSE encoding that @sigstore/verify 3.1.1 rejects', () => {
    const name = 'rekor2-dsse-happy-path';
    const v = verifyBundle(bundle(name), { trust: localTrust(name), identity, artifact: a });
    expect(v.reasons).toEqual([]);
    expect(v.timestampSource).toBe('tsa');
  });

  it('keeps the kind of a malformed bundle', () => {
    expect(verifyBundle('{"dsseEnvelope":{}}', { trust: production }).kind).toBe('dsse');
  });
});
