import { describe, expect, it } from 'vitest';
import { DnSyntaxError, isSubsetDn, parseNotationDn, parseRfc4514 } from './dn.ts';

const entries = (dn: string): [string, string][] => [...parseNotationDn(dn)];

describe('parseRfc4514', () => {
  it('splits RDNs on , and ; and multi-valued RDNs on +', () => {
    expect(parseRfc4514('CN=a;O=b,C=c+ST=d')).toEqual([
      [{ type: 'CN', value: 'a' }],
      [{ type: 'O', value: 'b' }],
      [
        { type: 'C', value: 'c' },
        { type: 'ST', value: 'd' },
      ],
    ]);
  });

  it('treats whitespace-only input as the empty DN', () => {
    expect(parseRfc4514('   ')).toEqual([]);
  });

  it('trims unescaped spaces around types and values', () => {
    expect(parseRfc4514('  CN =  a b  ,  O=x')).toEqual([[{ type: 'CN', value: 'a b' }], [{ type: 'O', value: 'x' }]]);
  });

  it('keeps an escaped leading or trailing space', () => {
    expect(parseRfc4514('CN=\\ a\\ ')).toEqual([[{ type: 'CN', value: ' a ' }]]);
    // "\\\\ " is an escaped backslash followed by an insignificant space.
    expect(parseRfc4514('CN=a\\\\ ')).toEqual([[{ type: 'CN', value: 'a\\' }]]);
  });

  it('unescapes specials and hex pairs (UTF-8 bytes)', () => {
    expect(parseRfc4514('O=Acme\\, Inc\\; Ltd\\\\x\\+y\\=z\\"q\\<\\>\\#')).toEqual([[{ type: 'O', value: 'Acme, Inc; Ltd\\x+y=z"q<>#' }]]);
    expect(parseRfc4514('CN=caf\\C3\\A9\\2C')).toEqual([[{ type: 'CN', value: 'café,' }]]);
  });

  it('keeps an unescaped = inside a value', () => {
    expect(parseRfc4514('CN=a=b')).toEqual([[{ type: 'CN', value: 'a=b' }]]);
  });

  it('rejects broken input', () => {
    expect(() => parseRfc4514('CN=a,foo')).toThrow(DnSyntaxError);
    expect(() => parseRfc4514('foo,CN=a')).toThrow(/no "type=value" form/);
    expect(() => parseRfc4514('CN=a\\')).toThrow(/dangling escape/);
    expect(() => parseRfc4514('CN=a\\zz')).toThrow(/invalid escape/);
    expect(() => parseRfc4514('CN=#0403616263')).toThrow(/BER-encoded/);
  });
});

describe('parseNotationDn', () => {
  it('accepts the minimum C, ST, O and folds S into ST', () => {
    expect(entries('C=US, S=WA, O=acme')).toEqual([
      ['C', 'US'],
      ['ST', 'WA'],
      ['O', 'acme'],
    ]);
  });

  it('requires C, ST and O (case-sensitive types)', () => {
    expect(() => parseNotationDn('CN=e2e,O=Notary,L=Seattle,ST=WA')).toThrow(/lacks the mandatory attribute C /);
    expect(() => parseNotationDn('c=US,st=WA,o=x')).toThrow(/mandatory attributes C, ST, O/);
    expect(() => parseNotationDn('C=US,ST=,O=x')).toThrow(/attribute ST /);
  });

  it('refuses =#, multi-valued RDNs and repeated attributes', () => {
    expect(() => parseNotationDn('C=US,ST=WA,O=x,1.2.3=#0101ff')).toThrow(/"=#"/);
    expect(() => parseNotationDn('C=US+ST=WA,O=x')).toThrow(/multi-valued RDN \(C=US\+ST=WA\)/);
    expect(() => parseNotationDn('C=US,ST=WA,O=x,OU=a,OU=b')).toThrow(/repeats the attribute OU/);
    expect(() => parseNotationDn('C=US,ST=WA,S=OR,O=x')).toThrow(/repeats the attribute ST/);
  });

  it('names the DN in syntax errors', () => {
    expect(() => parseNotationDn('C=US,ST=WA,O=x,bad')).toThrow(/DN "C=US,ST=WA,O=x,bad" is not a valid RFC 4514 name/);
  });
});

describe('isSubsetDn', () => {
  const m = (dn: string) => parseNotationDn(dn);
  it('matches when every attribute of the subset has the same value', () => {
    expect(isSubsetDn(m('C=US,ST=WA,O=x'), m('CN=leaf,O=x,L=Seattle,ST=WA,C=US'))).toBe(true);
    expect(isSubsetDn(m('C=US,ST=WA,O=x,OU=a'), m('C=US,ST=WA,O=x'))).toBe(false);
    expect(isSubsetDn(m('C=US,ST=WA,O=x'), m('C=US,ST=WA,O=X'))).toBe(false);
  });
});
