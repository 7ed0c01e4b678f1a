import { CosignError } from './errors.ts';

/**
 * Who must have signed (cosign --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp]).
 * Regular expressions are anchored: they must match the whole value, unlike cosign's Go regexps
 * (RE2, unanchored: cosign pkg/cosign/verify.go ValidateAndUnpackCert uses regexp.MatchString).
 */
export interface IdentityPolicy {
  readonly subject?: string;
  readonly subjectRegExp?: string;
  readonly issuer?: string;
  readonly issuerRegExp?: string;
  /**
   * cosign --certificate-github-workflow-{trigger,sha,name,repository,ref}: exact values of the
   * deprecated GitHub extensions 1.3.6.1.4.1.57264.1.2–.6, which is what cosign compares
   * (a certificate without the extension fails, as in cosign).
   */
  readonly githubWorkflow?: GithubWorkflowPolicy;
}

export interface GithubWorkflowPolicy {
  readonly trigger?: string;
  readonly sha?: string;
  readonly name?: string;
  readonly repository?: string;
  readonly ref?: string;
}

export interface CompiledIdentity {
  readonly describe: string;
  matches(subject: string | undefined, issuer: string | undefined): boolean;
  /**
   * Why a regexp did not match, in the terms of cosign's reading (unanchored RE2): e.g. that cosign
   * would have accepted a partial match and how to write the pattern for ocx. undefined when no
   * regexp is involved in the mismatch.
   */
  explainMismatch(subject: string | undefined, issuer: string | undefined): string | undefined;
  readonly hasSubject: boolean;
  readonly hasIssuer: boolean;
}

// RE2 [[:name:]] classes are ASCII (re2 syntax "ASCII character classes") → a JavaScript equivalent.
const POSIX_CLASSES: Record<string, string> = {
  alnum: '[0-9A-Za-z]',
  alpha: '[A-Za-z]',
  ascii: '[\\x00-\\x7F]',
  blank: '[\\t ]',
  cntrl: '[\\x00-\\x1F\\x7F]',
  digit: '[0-9]',
  graph: '[!-~]',
  lower: '[a-z]',
  print: '[ -~]',
  punct: '[!-\\/:-@[-`{-~]',
  space: '[\\t\\n\\v\\f\\r ]',
  upper: '[A-Z]',
  word: '[0-9A-Za-z_]',
  xdigit: '[0-9A-Fa-f]',
};

/**
 * RE2 constructs JavaScript lacks or reads differently, with what to write instead. Scans the
 * pattern once, honouring escapes and bracket classes, so `\\z` (an escaped backslash, then z) is
 * not reported.
 */
export function re2Differences(source: string): string[] {
  const found: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === 'z') found.push('\\z (RE2 end of text) does not exist in JavaScript; ocx anchors the pattern already, so drop it (or write $)');
      else if (n === 'A') found.push('\\A (RE2 start of text) does not exist in JavaScript; ocx anchors the pattern already, so drop it (or write ^)');
      else if (n === 'Q') found.push('\\Q…\\E (RE2 literal text) does not exist in JavaScript; escape each special character with \\ instead');
      else if (n === 'C') found.push('\\C (RE2 any byte) does not exist in JavaScript; write . instead');
      else if ((n === 'p' || n === 'P') && source[i + 2] !== '{' && source[i + 2] !== undefined) {
        found.push(`\\${n}${source[i + 2]} (RE2 one-letter Unicode class) is written \\${n}{${source[i + 2]}} in JavaScript`);
      }
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(i));
      if (posix) {
        const js = POSIX_CLASSES[posix[2]!];
        found.push(`[:${posix[1]}${posix[2]}:] (RE2 POSIX class) does not exist in JavaScript${js ? `; write ${posix[1] ? `the negated class [^${js.slice(1)}` : js} instead (e.g. [[:${posix[2]}:]] → ${js})` : ''}`);
        i += posix[0].length - 1;
      } else if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal member, in RE2 as in POSIX.
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
      continue;
    }
    if (source.startsWith('(?P<', i)) found.push('(?P<name>…) (RE2 named group) is written (?<name>…) in JavaScript');
    else if (source.startsWith('(?', i) && /^\(\?[a-zA-Z-]+[:)]/.test(source.slice(i))) {
      const flags = /^\(\?([a-zA-Z-]+)[:)]/.exec(source.slice(i))![1]!;
      found.push(
        i === 0 && /^[is]+$/.test(flags) && source[i + 2 + flags.length] === ')'
          ? '' // the leading (?i)/(?s) form is translated to a JavaScript flag (see compile)
          : `(?${flags}…) (RE2 inline flags) does not exist in JavaScript; only a leading (?i) or (?s) for the whole pattern is understood (e.g. (?i)…), otherwise spell the cases out ([Ff]oo)`,
      );
    }
  }
  return found.filter((f) => f !== '');
}

function anchored(source: string, field: string): RegExp {
  // A leading (?i) / (?s) applies to the whole RE2 pattern: exactly what a JavaScript flag does.
  const lead = /^\(\?([is]+)\)/.exec(source);
  const body = lead ? source.slice(lead[0].length) : source;
  const flags = `u${lead ? [...new Set(lead[1])].join('') : ''}`;
  const differences = re2Differences(source);
  if (differences.length > 0) {
    throw new CosignError('INVALID_OPTIONS', `${field} ${JSON.stringify(source)} uses RE2 syntax that JavaScript regular expressions read differently: ${differences.join('; ')}`);
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (cause) {
    throw new CosignError(
      'INVALID_OPTIONS',
      `${field} ${JSON.stringify(source)} is not a valid JavaScript regular expression (${(cause as Error).message.replace(/^Invalid regular expression: /, '')}); ocx reads it as JavaScript (Unicode mode), not as cosign's Go RE2`,
      { cause },
    );
  }
}

interface Matcher {
  /** The compiled pattern as JavaScript writes it, e.g. /^(?:.*@acme\.com)$/i. */
  readonly shown?: string;
  test(v: string | undefined): boolean;
  explain(v: string | undefined): string | undefined;
}

function matcher(exact: string | undefined, pattern: string | undefined, field: string, what: string): Matcher | undefined {
  if (exact === undefined && pattern === undefined) return undefined;
  const re = pattern === undefined ? undefined : anchored(pattern, field);
  const test = (v: string | undefined) => v !== undefined && (exact === undefined || v === exact) && (re === undefined || re.test(v));
  return {
    ...(re ? { shown: `/${re.source}/${re.flags.replace('u', '')}` } : {}),
    test,
    explain(v) {
      if (re === undefined || pattern === undefined || v === undefined || test(v)) return undefined;
      const unanchored = new RegExp(re.source.slice('^(?:'.length, -')$'.length), re.flags);
      const hint = `ocx anchors ${field}: the pattern must match the whole ${what}, while cosign matches it unanchored (RE2)`;
      return unanchored.test(v)
        ? `${hint}; ${JSON.stringify(pattern)} matches only part of ${JSON.stringify(v)}, which cosign would accept. To match anywhere write ${JSON.stringify(`.*${pattern}.*`)}, or better the whole value`
        : `${hint}; ${JSON.stringify(pattern)} does not match ${JSON.stringify(v)} even in part`;
    },
  };
}

export function compileIdentity(policy: IdentityPolicy): CompiledIdentity {
  const subject = matcher(policy.subject, policy.subjectRegExp, 'subjectRegExp', 'certificate identity');
  const issuer = matcher(policy.issuer, policy.issuerRegExp, 'issuerRegExp', 'OIDC issuer');
  const parts: string[] = [];
  if (policy.subject !== undefined) parts.push(`subject ${policy.subject}`);
  if (subject?.shown !== undefined) parts.push(`subject matching ${subject.shown}`);
  if (policy.issuer !== undefined) parts.push(`issuer ${policy.issuer}`);
  if (issuer?.shown !== undefined) parts.push(`issuer matching ${issuer.shown}`);
  return {
    describe: parts.join(', '),
    hasSubject: subject !== undefined,
    hasIssuer: issuer !== undefined,
    matches: (s, i) => (subject === undefined || subject.test(s)) && (issuer === undefined || issuer.test(i)),
    explainMismatch: (s, i) => [subject?.explain(s), issuer?.explain(i)].filter((x) => x !== undefined).join('; ') || undefined,
  };
}
