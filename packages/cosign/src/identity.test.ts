import { describe, expect, it } from 'vitest';
import { isCosignError } from './errors.ts';
import { compileIdentity, re2Differences } from './identity.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';

function compileError(policy: Parameters<typeof compileIdentity>[0]): string {
  try {
    compileIdentity(policy);
  } catch (e) {
    expect(isCosignError(e, 'INVALID_OPTIONS')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a compile error');
}

describe('identity regexps: anchored, with what cosign (unanchored RE2) reads differently', () => {
  it('a partial match fails and the explanation names the anchoring and the .*pattern.* form', () => {
    const id = compileIdentity({ subjectRegExp: 'acme/app', issuer: ISSUER });
    expect(id.matches(SAN, ISSUER)).toBe(false);
    const why = id.explainMismatch(SAN, ISSUER)!;
    expect(why).toMatch(/ocx anchors subjectRegExp: the pattern must match the whole certificate identity, while cosign matches it unanchored \(RE2\)/);
    expect(why).toContain('".*acme/app.*"');
    expect(why).toMatch(/cosign would accept/);
    expect(compileIdentity({ subjectRegExp: '.*acme/app.*', issuer: ISSUER }).matches(SAN, ISSUER)).toBe(true);
  });

  it('a pattern that matches nowhere says so, and a matching one explains nothing', () => {
    const id = compileIdentity({ subject: SAN, issuerRegExp: 'gitlab' });
    expect(id.explainMismatch(SAN, ISSUER)).toMatch(/ocx anchors issuerRegExp.*does not match .* even in part/);
    expect(compileIdentity({ subject: SAN, issuer: ISSUER }).explainMismatch('x', 'y')).toBeUndefined();
    expect(compileIdentity({ subjectRegExp: '.*', issuer: ISSUER }).explainMismatch(SAN, ISSUER)).toBeUndefined();
  });

  it('a leading (?i) becomes the JavaScript i flag', () => {
    const id = compileIdentity({ subjectRegExp: '(?i)HTTPS://GITHUB\\.COM/ACME/.*', issuer: ISSUER });
    expect(id.matches(SAN, ISSUER)).toBe(true);
    expect(compileIdentity({ subjectRegExp: '(?is)https://github\\.com/acme/.*', issuer: ISSUER }).matches(SAN, ISSUER)).toBe(true);
  });

  it.each([
    ['.*@acme\\.com\\z', /\\z \(RE2 end of text\).*drop it \(or write \$\)/],
    ['\\Ahttps://.*', /\\A \(RE2 start of text\).*drop it \(or write \^\)/],
    ['(?P<org>acme)/.*', /\(\?P<name>…\) \(RE2 named group\) is written \(\?<name>…\)/],
    ['[[:alpha:]]+@acme\\.com', /\[:alpha:\] \(RE2 POSIX class\).*\[\[:alpha:\]\] → \[A-Za-z\]/],
    ['https://(?i:github)\\.com/.*', /\(\?i…\) \(RE2 inline flags\).*only a leading \(\?i\)/],
    ['(?m)^foo$', /\(\?m…\) \(RE2 inline flags\)/],
    ['\\pLx', /\\pL .* is written \\p\{L\}/],
    ['\\Qa.b\\E', /\\Q…\\E \(RE2 literal text\)/],
  ])('%s is refused naming the RE2 construct and what to write', (pattern, says) => {
    const msg = compileError({ subjectRegExp: pattern, issuer: ISSUER });
    expect(msg).toContain(`subjectRegExp ${JSON.stringify(pattern)} uses RE2 syntax`);
    expect(msg).toMatch(says);
  });

  it('escaped lookalikes are not RE2 constructs', () => {
    expect(re2Differences('a\\\\z')).toEqual([]);
    expect(re2Differences('[\\[:alpha:]')).toEqual([]);
    expect(re2Differences('\\(?P<x>')).toEqual([]);
    expect(re2Differences('(?:a|b)(?=c)(?<n>d)')).toEqual([]);
  });

  it('a pattern that does not compile says it is read as JavaScript, not RE2', () => {
    expect(compileError({ subjectRegExp: '(', issuer: ISSUER })).toMatch(/subjectRegExp "\(" is not a valid JavaScript regular expression .*not as cosign's Go RE2/);
  });
});
