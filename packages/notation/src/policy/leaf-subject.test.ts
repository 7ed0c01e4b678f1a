import { describe, expect, it } from 'vitest';
import type { ParsedCertificate } from '../x509/cert.ts';
import { matchTrustedIdentity } from './identity.ts';
import { leafSubjectDn } from './leaf-subject.ts';

// A stand-in for a parsed leaf: only the decoded subject Name matters here.
function leaf(attrs: [string, string][]): ParsedCertificate {
  const subjectAttributes = attrs.map(([type, value]) => ({ type, value }));
  return { subject: attrs.map(([t, v]) => `${t}=${v}`).join(', '), subjectAttributes } as unknown as ParsedCertificate;
}

const C = '2.5.4.6';
const ST = '2.5.4.8';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const CN = '2.5.4.3';
const EMAIL = '1.2.840.113549.1.9.1';

describe('leafSubjectDn (notation reads Go pkix.Name.String())', () => {
  it('maps the named attributes', () => {
    expect([...leafSubjectDn(leaf([[C, 'US'], [ST, 'WA'], [O, 'acme'], [CN, 'signer']]))]).toEqual([
      ['C', 'US'],
      ['ST', 'WA'],
      ['O', 'acme'],
      ['CN', 'signer'],
    ]);
  });

  it('refuses attributes Go prints as =#hex, and repeated types (multi-valued RDN)', () => {
    expect(() => leafSubjectDn(leaf([[C, 'US'], [ST, 'WA'], [O, 'acme'], [EMAIL, 'a@b.c']]))).toThrow(/1\.2\.840\.113549\.1\.9\.1.*=#/);
    expect(() => leafSubjectDn(leaf([[C, 'US'], [ST, 'WA'], [O, 'acme'], [OU, 'a'], [OU, 'b']]))).toThrow(/several OU values/);
    expect(() => leafSubjectDn(leaf([[C, 'US'], [O, 'acme']]))).toThrow(/mandatory attribute ST/);
  });

  it('matchTrustedIdentity uses these rules for a parsed certificate', () => {
    const id = ['x509.subject: C=US, ST=WA, O=acme'];
    expect(matchTrustedIdentity(id, leaf([[C, 'US'], [ST, 'WA'], [O, 'acme'], [CN, 'x']]))).toEqual({ matched: true, identity: id[0] });
    const withEmail = matchTrustedIdentity(id, leaf([[C, 'US'], [ST, 'WA'], [O, 'acme'], [EMAIL, 'a@b.c']]));
    expect(withEmail.matched).toBe(false);
  });
});
