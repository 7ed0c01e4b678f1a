// Does one verified candidate satisfy one named signer? Pure; expected vs found for the why-tree.
import { compileIdentity } from '@ocx/cosign';
import { decide as applyNotationLevel, matchTrustedIdentity, resolveLevel } from '@ocx/notation';
import type { CheckResult } from '@ocx/notation';
import type { NotationCandidate, SignatureCandidate } from './evidence.ts';
import type { KeylessSigner, NotationSigner, Signer } from './types.ts';
import { signerFamily } from './types.ts';

export interface SignerMatch {
  readonly ok: boolean;
  readonly expected: string;
  readonly found: string;
  /** Accepted, but with something the policy allows only with a warning. */
  readonly warnings: readonly string[];
}

const q = (v: unknown): string => JSON.stringify(v);

/** Whether the candidate belongs to the family that can satisfy this signer at all. */
export function sameFamily(signer: Signer, candidate: SignatureCandidate): boolean {
  if (candidate.family !== signerFamily(signer)) return false;
  if (signer.kind === 'key') return 'kind' in candidate && candidate.kind === 'key';
  if (signer.kind === 'keyless') return 'kind' in candidate && candidate.kind === 'keyless';
  return true;
}

/** `owner/name`, from any of the forms GitHub repositories are written in. */
export function githubRepository(value: string): string {
  return value.replace(/^git\+/, '').replace(/^https:\/\/github\.com\//, '').replace(/\.git$/, '');
}

export function describeSigner(signer: Signer): string {
  switch (signer.kind) {
    case 'keyless': {
      const id = signer.identity !== undefined ? `identity ${q(signer.identity)}` : `identity matching ^(?:${signer.identityRegexp})$`;
      const gh = signer.github ? Object.entries(signer.github).map(([k, v]) => `, github ${k} ${q(v)}`).join('') : '';
      return `keyless: issuer ${q(signer.issuer)}, ${id}${gh}`;
    }
    case 'key':
      return `key ${signer.key}${signer.tlog === 'optional' ? ' (tlog optional)' : ', in the transparency log'}`;
    case 'notation':
      return `notation: trust store ${signer.trustStores.join(', ')}, identities ${signer.identities.map((i) => q(i)).join(', ')}, level ${signer.verification.level}`;
    case 'extension':
      return `${signer.family} signer`;
  }
}

export function matchSigner(signer: Signer, candidate: SignatureCandidate): SignerMatch {
  const expected = describeSigner(signer);
  if (!sameFamily(signer, candidate)) return { ok: false, expected, found: `a ${candidate.family} signature of another kind`, warnings: [] };
  switch (signer.kind) {
    case 'key': {
      const c = candidate as Extract<SignatureCandidate, { kind: 'key' }>;
      if (c.key !== signer.key) return { ok: false, expected, found: `signed with key ${c.key}`, warnings: [] };
      if (!c.tlog && signer.tlog === 'required') return { ok: false, expected, found: 'signed with that key, but without a verified transparency log entry (tlog: required)', warnings: [] };
      const warnings = c.tlog ? [] : [`signer ${q(signer.name)}: accepted without a transparency log entry (tlog: optional)`];
      return { ok: true, expected, found: `signed with key ${c.key}${c.tlog ? ', in the log' : ', not in the log'}`, warnings };
    }
    case 'keyless':
      return matchKeyless(signer, candidate as Extract<SignatureCandidate, { kind: 'keyless' }>, expected);
    case 'notation':
      return matchNotation(signer, candidate as NotationCandidate, expected);
    case 'extension': {
      const names = (candidate as { signers?: readonly string[] }).signers ?? [];
      const ok = names.includes(signer.name);
      return { ok, expected, found: names.length ? `verified for ${names.map((n) => q(n)).join(', ')}` : 'verified for no signer of this policy', warnings: [] };
    }
  }
}

type GithubFound = NonNullable<Extract<SignatureCandidate, { kind: 'keyless' }>['github']>;
const GITHUB_KEYS = ['repository', 'workflowRef', 'runner'] as const;
/** Where each github key is read from (Fulcio OIDs), for "found nothing" messages. */
const GITHUB_SOURCES: Record<(typeof GITHUB_KEYS)[number], string> = {
  repository: 'Source Repository URI 1.3.6.1.4.1.57264.1.12 or Workflow Repository 1.3.6.1.4.1.57264.1.5',
  workflowRef: 'Source Repository Ref 1.3.6.1.4.1.57264.1.14 or Workflow Ref 1.3.6.1.4.1.57264.1.6',
  runner: 'Runner Environment 1.3.6.1.4.1.57264.1.11',
};

// github keys (issue 9 document): repository compares owner/name, so `acme/tool`,
// `https://github.com/acme/tool` and the v1 `acme/tool` claim are the same repository (exact
// otherwise, case included: Fulcio copies GitHub's canonical spelling); workflowRef and runner are
// exact. A key whose claim the certificate lacks fails: a missing claim never satisfies a policy.
function githubMismatches(want: NonNullable<KeylessSigner['github']>, got: GithubFound | undefined): { found: string; bad: string[] } {
  const parts: string[] = [];
  const bad: string[] = [];
  for (const k of GITHUB_KEYS) {
    const expected = want[k];
    if (expected === undefined) continue;
    const value = got?.[k];
    if (value === undefined) {
      parts.push(`github ${k} none`);
      bad.push(`github ${k}: expected ${q(expected)}, found none (the certificate has no ${GITHUB_SOURCES[k]})`);
      continue;
    }
    const from = got?.from?.[k];
    parts.push(`github ${k} ${q(value)}${from ? ` (${from})` : ''}`);
    const same = k === 'repository' ? githubRepository(value) === githubRepository(expected) : value === expected;
    if (!same) bad.push(`github ${k}: expected ${q(expected)}, found ${q(value)}`);
  }
  return { found: parts.join(', '), bad };
}

function matchKeyless(signer: KeylessSigner, c: Extract<SignatureCandidate, { kind: 'keyless' }>, expected: string): SignerMatch {
  const gh = signer.github ? githubMismatches(signer.github, c.github) : undefined;
  const found = `issuer ${q(c.issuer)}, identity ${q(c.identity)}${gh?.found ? `, ${gh.found}` : ''}`;
  const no = (why: string): SignerMatch => ({ ok: false, expected, found: `${found}: ${why}`, warnings: [] });
  // The issuer is always exact (a regexp issuer is how ocx-upstream reviews found bypasses).
  if (c.issuer !== signer.issuer) return no('issuer differs');
  if (signer.identity !== undefined && c.identity !== signer.identity) return no('identity differs');
  if (signer.identityRegexp !== undefined && !compileIdentity({ subjectRegExp: signer.identityRegexp }).matches(c.identity, c.issuer)) return no('identity does not match the regexp');
  if (gh && gh.bad.length > 0) return no(gh.bad.join('; '));
  return { ok: true, expected, found, warnings: [] };
}

// notation semantics (notary trust-store-trust-policy.md, "signatureVerification"): the chain
// must end in one of the signer's stores and the leaf subject must match a trusted identity —
// together notation's "authenticity" check — then the level decides which failed check blocks
// and which is only logged. notation's own level table and decision are reused.
function matchNotation(signer: NotationSigner, c: NotationCandidate, expected: string): SignerMatch {
  const stores = signer.trustStores.filter((s) => !s.startsWith('tsa:'));
  const anchored = c.anchors.find((a) => stores.includes(a));
  const identity = matchTrustedIdentity(signer.identities, c.subject);
  const authenticityFailures = c.checks.filter((k) => k.type === 'authenticity' && k.status === 'failed');
  const authenticity: CheckResult =
    anchored === undefined
      ? { type: 'authenticity', status: 'failed', reason: `chain ends in ${c.anchors.length ? c.anchors.join(', ') : 'no configured trust store'}, not in ${stores.join(', ')}` }
      : !identity.matched
        ? { type: 'authenticity', status: 'failed', reason: identity.reason }
        : authenticityFailures.length > 0
          ? { type: 'authenticity', status: 'failed', ...(authenticityFailures[0]!.reason ? { reason: authenticityFailures[0]!.reason } : {}) }
          : { type: 'authenticity', status: 'ok' };
  const checks: CheckResult[] = [...c.checks.filter((k) => k.type !== 'authenticity'), authenticity];
  const actions = resolveLevel({ signatureVerification: { level: signer.verification.level, override: signer.verification.override, verifyTimestamp: signer.verification.verifyTimestamp } });
  const verdict = applyNotationLevel(actions, checks);
  const found = `subject ${q(c.subject)}, chain ending in ${c.anchors.length ? c.anchors.join(', ') : 'no configured trust store'}`;
  const warnings = verdict.loggedFailures.map((f) => `signer ${q(signer.name)}: notation ${f.type} check failed but level ${signer.verification.level} only logs it${f.reason ? `: ${f.reason}` : ''}`);
  if (verdict.verdict === 'fail') {
    const why = verdict.enforcedFailures.map((f) => `${f.type} failed${f.reason ? ` (${f.reason})` : ''}`).join('; ');
    return { ok: false, expected, found: `${found}: ${why}`, warnings: [] };
  }
  return { ok: true, expected, found, warnings };
}
