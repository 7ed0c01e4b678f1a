import { describe, expect, it } from 'vitest';
import { matchTrustedIdentity } from './identity.ts';

// Subject of notation's e2e signing certificate (test/e2e/testdata/config/localkeys/e2e.crt).
const E2E = 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US';

describe('matchTrustedIdentity', () => {
  it('"*" trusts any subject', () => {
    expect(matchTrustedIdentity(['*'], 'CN=anything')).toEqual({ matched: true, identity: '*' });
  });

  it('matches a subset of the leaf RDNs, in any order and spacing', () => {
    const id = 'x509.subject: C=US, ST=WA, O=Notary';
    expect(matchTrustedIdentity([id], E2E)).toEqual({ matched: true, identity: id });
    expect(matchTrustedIdentity(['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US'], 'C=US, ST=WA, L=Seattle, O=Notary, CN=e2e').matched).toBe(true);
  });

  it('returns the identity that matched among several', () => {
    const ids = ['x509.subject: O=Internet Widgits Pty Ltd,ST=Some-State,C=AU', 'x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US'];
    expect(matchTrustedIdentity(ids, E2E)).toEqual({ matched: true, identity: ids[1] });
  });

  it('does not match a differing value (invalid_trusted_identity_trustpolicy.json: C=USB)', () => {
    const r = matchTrustedIdentity(['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=USB'], E2E);
    expect(r.matched).toBe(false);
    if (!r.matched) expect(r.reason).toContain('matches none of the trusted identities');
  });

  it('compares escaped values after unescaping', () => {
    expect(matchTrustedIdentity(['x509.subject: C=US,ST=WA,O=Acme\\, Inc.'], 'CN=x,O=Acme\\2C Inc.,ST=WA,C=US').matched).toBe(true);
  });

  it('requires the leaf subject to follow the DN rules, as notation does', () => {
    const r = matchTrustedIdentity(['x509.subject: C=US,ST=WA,O=x'], 'CN=x,O=x,C=US');
    expect(r).toEqual({ matched: false, reason: expect.stringContaining('lacks the mandatory attribute ST') });
  });

  it('ignores plugin identities and says when no x509 identity is left', () => {
    expect(matchTrustedIdentity(['arn:aws:signer:us-west-2:1:/signing-profiles/p'], E2E)).toEqual({
      matched: false,
      reason: 'the policy has no x509.subject trusted identities',
    });
  });
});

describe('matchTrustedIdentity with real certificates', () => {
  it('matches e2e.crt as notation e2e expects', async () => {
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('@ocx/testkit');
    const { parseCertificates } = await import('../x509/cert.ts');
    const [leaf] = parseCertificates(readFileSync(fixturePath('notation/test/e2e/testdata/config/localkeys/e2e.crt')));
    // valid_trusted_identity_trustpolicy.json passes, invalid_trusted_identity_trustpolicy.json (C=USB) fails.
    expect(matchTrustedIdentity(['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US'], leaf!).matched).toBe(true);
    expect(matchTrustedIdentity(['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=USB'], leaf!).matched).toBe(false);
  });
});
