import { CosignError } from './errors.ts';

/**
 * Who must have signed (cosign --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp]).
 * Regular expressions are anchored: they must match the whole value, unlike cosign's Go regexps.
 */
export interface IdentityPolicy {
  readonly subject?: string;
  readonly subjectRegExp?: string;
  readonly issuer?: string;
  readonly issuerRegExp?: string;
}

export interface CompiledIdentity {
  readonly describe: string;
  matches(subject: string | undefined, issuer: string | undefined): boolean;
  readonly hasSubject: boolean;
  readonly hasIssuer: boolean;
}

function anchored(source: string, field: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (cause) {
    throw new CosignError('INVALID_OPTIONS', `${field} is not a valid regular expression: ${source}`, { cause });
  }
}

function matcher(exact: string | undefined, pattern: string | undefined, field: string): ((v: string | undefined) => boolean) | undefined {
  if (exact === undefined && pattern === undefined) return undefined;
  const re = pattern === undefined ? undefined : anchored(pattern, field);
  return (v) => v !== undefined && (exact === undefined || v === exact) && (re === undefined || re.test(v));
}

export function compileIdentity(policy: IdentityPolicy): CompiledIdentity {
  const subject = matcher(policy.subject, policy.subjectRegExp, 'subjectRegExp');
  const issuer = matcher(policy.issuer, policy.issuerRegExp, 'issuerRegExp');
  const parts: string[] = [];
  if (policy.subject !== undefined) parts.push(`subject ${policy.subject}`);
  if (policy.subjectRegExp !== undefined) parts.push(`subject matching /^(?:${policy.subjectRegExp})$/`);
  if (policy.issuer !== undefined) parts.push(`issuer ${policy.issuer}`);
  if (policy.issuerRegExp !== undefined) parts.push(`issuer matching /^(?:${policy.issuerRegExp})$/`);
  return {
    describe: parts.join(', '),
    hasSubject: subject !== undefined,
    hasIssuer: issuer !== undefined,
    matches: (s, i) => (subject === undefined || subject(s)) && (issuer === undefined || issuer(i)),
  };
}
