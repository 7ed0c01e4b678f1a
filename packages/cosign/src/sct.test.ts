import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { createTrust, verifyBundle } from './index.ts';

// cosign --insecure-ignore-sct: the certificate's SCTs are not checked at all (sigstore-go verifies
// them only under WithSignedCertificateTimestamps). Everything else still is.

const dir = fixturePath('sigstore-conformance/test/assets/bundle-verify');
const a = readFileSync(`${dir}/a.txt`);
const identity = {
  subject: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const productionRootJson = JSON.parse(readFileSync(fixturePath('sigstore-js/derived-production-tuf/trusted_root.json'), 'utf8'));
const bundle = (name: string) => readFileSync(`${dir}/${name}/bundle.sigstore.json`);
const certificate = (v: ReturnType<typeof verifyBundle>) => v.checks.find((c) => c.name === 'certificate');

describe('insecureIgnoreSct', () => {
  it('a trusted root without CT logs: the SCT cannot verify, unless SCTs are ignored', () => {
    const trust = createTrust({ trustedRoot: JSON.stringify({ ...productionRootJson, ctlogs: [] }) });
    const strict = verifyBundle(bundle('happy-path-v0.3'), { trust, identity, artifact: a });
    expect(strict.ok).toBe(false);
    expect(strict.reasons).toEqual([
      'certificate SCT rejected: SCT verification failed (no trusted CT log vouches for the certificate; one from a CA without certificate transparency verifies only with insecureIgnoreSct)',
    ]);
    const lax = verifyBundle(bundle('happy-path-v0.3'), { trust, identity, artifact: a, insecureIgnoreSct: true });
    expect(lax.reasons).toEqual([]);
    expect(lax.ok).toBe(true);
    expect(certificate(lax)?.detail).toMatch(/^certificate chains to a trusted CA at the signed time, SCT not checked \(insecureIgnoreSct\)/);
  });

  it('a CT log key that does not match (conformance invalid-ct-key_fail) passes only with insecureIgnoreSct', () => {
    const trust = createTrust({ trustedRoot: readFileSync(`${dir}/invalid-ct-key_fail/trusted_root.json`) });
    const strict = verifyBundle(bundle('invalid-ct-key_fail'), { trust, identity, artifact: a });
    expect(strict.ok).toBe(false);
    expect(strict.reasons.join('\n')).toMatch(/^certificate SCT rejected/);
    const lax = verifyBundle(bundle('invalid-ct-key_fail'), { trust, identity, artifact: a, insecureIgnoreSct: true });
    expect(lax.reasons).toEqual([]);
  });

  it('still checks the chain, the log, the signature and the identity', () => {
    const production = createTrust({ trustedRoot: JSON.stringify(productionRootJson) });
    const wrongInstance = verifyBundle(bundle('bundle-from-wrong-instance_fail'), { trust: production, identity, artifact: a, insecureIgnoreSct: true });
    expect(wrongInstance.reasons.join('\n')).toMatch(/^untrusted root: /);
    const noCt = createTrust({ trustedRoot: JSON.stringify({ ...productionRootJson, ctlogs: [] }) });
    const tampered = verifyBundle(bundle('happy-path-v0.3'), { trust: noCt, identity, artifact: Buffer.from('not a.txt'), insecureIgnoreSct: true });
    expect(tampered.ok).toBe(false);
    const someoneElse = verifyBundle(bundle('happy-path-v0.3'), { trust: noCt, identity: { ...identity, subject: 'https://example.com/other' }, artifact: a, insecureIgnoreSct: true });
    expect(someoneElse.reasons.join('\n')).toMatch(/^identity found: /);
    const noTlog = createTrust({ trustedRoot: JSON.stringify({ ...productionRootJson, ctlogs: [], tlogs: [] }) });
    expect(verifyBundle(bundle('happy-path-v0.3'), { trust: noTlog, identity, artifact: a, insecureIgnoreSct: true }).ok).toBe(false);
  });
});
