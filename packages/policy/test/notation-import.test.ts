// importNotationPolicy over every notation trust policy in the fixtures: what notation accepts
// converts (and loads), what notation refuses is refused with notation's own reasons, and the
// converted policy reaches notation's verdicts on the same facts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTrustPolicy, decide as notationDecide, matchTrustedIdentity, resolveLevel, selectPolicy } from '@ocx/notation';
import type { TrustPolicyDocument } from '@ocx/notation';
import { fixturePath } from '@ocx/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../src/decide.ts';
import { PolicyError } from '../src/errors.ts';
import type { Evidence, NotationCandidate } from '../src/evidence.ts';
import { parsePolicy, stringifyPolicy } from '../src/load.ts';
import { importNotationPolicy } from '../src/notation-import.ts';
import { validatePolicy } from '../src/validate.ts';
import { DIGEST } from './helpers.ts';

const dir = fixturePath('notation/test/e2e/testdata/config/trustpolicies');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const blob = fixturePath('notation/test/e2e/testdata/blob/trustpolicies/trustpolicy.blob.json');
const all = [...files.map((f) => join(dir, f)), blob];
const read = (path: string): string => readFileSync(path, 'utf8');
const base = (p: string): string => p.split('/').pop()!;

function notationAccepts(text: string): TrustPolicyDocument | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return checkTrustPolicy(json).document;
}

describe('notation trust policy corpus', () => {
  it('finds the corpus (43 OCI policies and the blob policy)', () => {
    expect(files).toHaveLength(43);
    expect(all.filter((p) => notationAccepts(read(p)) !== undefined)).toHaveLength(22);
  });

  it.each(all.map((p) => [base(p), p]))('%s: converted iff notation accepts it', (_name, path) => {
    const text = read(path);
    const accepted = notationAccepts(text);
    if (accepted === undefined) {
      let err: unknown;
      try {
        importNotationPolicy(text, { source: base(path) });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PolicyError);
      expect((err as PolicyError).code).toBe('NOTATION_POLICY_REFUSED');
      // The same reasons notation gives, every one of them.
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        expect((err as PolicyError).message).toContain('not valid JSON');
        return;
      }
      for (const issue of checkTrustPolicy(json).issues) expect((err as PolicyError).message).toContain(issue.message);
      return;
    }
    const { document } = importNotationPolicy(text, { notationConfig: '/cfg/notation' });
    // The document round-trips through YAML and loads.
    const policy = parsePolicy(stringifyPolicy(document), { source: 'converted' });
    expect(policy.trust.notation).toEqual({ config: '/cfg/notation' });
    for (const st of accepted.trustPolicies) {
      for (const scope of st.registryScopes) {
        if (st.signatureVerification.level === 'skip' && scope === '*') expect(policy.defaults.unmatched).toBe('allow');
        else expect(policy.rules.some((r) => r.scope.text === scope)).toBe(true);
      }
    }
  });
});

describe('mapping', () => {
  it('levels, overrides, verifyTimestamp and TSA stores land on the notation signer', () => {
    const { document, notes } = importNotationPolicy(read(join(dir, 'override_audit_trustpolicy.json')));
    expect(document.signers).toEqual({
      e2e: {
        notation: {
          trustStore: 'ca:e2e',
          identities: ['*'],
          verification: { level: 'audit', override: { revocation: 'enforce', expiry: 'enforce', authenticTimestamp: 'enforce', authenticity: 'enforce' } },
        },
      },
    });
    expect(document.rules).toEqual([{ name: 'e2e', scope: '*', signatures: { threshold: 1, of: ['e2e'] } }]);
    expect(notes[0]).toContain('level audit');
    const ts = importNotationPolicy(read(join(dir, 'timestamp_after_cert_expiry_trustpolicy.json'))).document;
    expect(ts.signers!.e2e).toEqual({ notation: { trustStore: ['ca:e2e', 'tsa:e2e'], identities: ['*'], verification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' } } });
  });

  it('global skip → unmatched allow; exact skip → a skip rule; several scopes → one rule each', () => {
    expect(importNotationPolicy(read(join(dir, 'skip_trustpolicy.json'))).document).toMatchObject({ defaults: { unmatched: 'allow' }, rules: [], signers: {} });
    const multi = importNotationPolicy(read(join(dir, 'multiple_registry_scope_trustpolicy.json'))).document;
    expect(multi.rules!.map((r) => [r.name, r.scope])).toEqual([
      ['e2e:localhost:5000/test-repo3', 'localhost:5000/test-repo3'],
      ['e2e:localhost:5000/test-repo2', 'localhost:5000/test-repo2'],
    ]);
    const skip = importNotationPolicy({
      version: '1.0',
      trustPolicies: [
        { name: 'skip me', registryScopes: ['r.example/legacy'], signatureVerification: { level: 'skip' } },
        { name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:x'], trustedIdentities: ['*'] },
      ],
    }).document;
    expect(skip.rules![0]).toEqual({ name: 'skip-me', scope: 'r.example/legacy', mode: 'skip' });
    expect(validatePolicy(skip).rules[0]!.mode).toBe('skip');
  });
});

// Facts a notation verifier could report for the e2e signature, and notation's verdict on them
// computed with notation's own selection, identity matching and level table.
const SUBJECT = 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US';
const ok = (t: 'integrity' | 'expiry' | 'authenticTimestamp' | 'revocation') => ({ type: t, status: 'ok' as const });
const FACTS: Record<string, NotationCandidate[]> = {
  valid: [{ family: 'notation', subjectDigest: DIGEST, anchors: ['ca:e2e'], subject: SUBJECT, checks: [ok('integrity'), ok('expiry'), ok('authenticTimestamp'), ok('revocation')] }],
  'new store': [{ family: 'notation', subjectDigest: DIGEST, anchors: ['ca:e2e-new'], subject: SUBJECT, checks: [ok('integrity'), ok('expiry'), ok('authenticTimestamp'), ok('revocation')] }],
  untrusted: [{ family: 'notation', subjectDigest: DIGEST, anchors: [], subject: 'CN=testcert11,O=Notary,ST=WA,C=US', checks: [ok('integrity'), ok('expiry'), ok('authenticTimestamp'), ok('revocation')] }],
  expired: [{ family: 'notation', subjectDigest: DIGEST, anchors: ['ca:e2e'], subject: SUBJECT, checks: [ok('integrity'), { type: 'expiry', status: 'failed' }, { type: 'authenticTimestamp', status: 'failed' }, ok('revocation')] }],
  revoked: [{ family: 'notation', subjectDigest: DIGEST, anchors: ['ca:e2e'], subject: SUBJECT, checks: [ok('integrity'), ok('expiry'), ok('authenticTimestamp'), { type: 'revocation', status: 'failed' }] }],
  tampered: [{ family: 'notation', subjectDigest: DIGEST, anchors: ['ca:e2e'], subject: SUBJECT, checks: [{ type: 'integrity', status: 'failed' }] }],
  unsigned: [],
};

function notationVerdict(doc: TrustPolicyDocument, repo: string, facts: readonly NotationCandidate[]): boolean {
  let st;
  try {
    st = selectPolicy(doc, repo);
  } catch {
    return false;
  }
  if (st.signatureVerification.level === 'skip') return true;
  const actions = resolveLevel(st);
  const stores = st.trustStores.filter((s) => s.type !== 'tsa').map((s) => `${s.type}:${s.name}`);
  // One signature that passes suffices (notary spec: no n-of-m).
  return facts.some((f) => {
    const authentic = f.anchors.some((a) => stores.includes(a)) && matchTrustedIdentity(st.trustedIdentities, f.subject).matched;
    return notationDecide(actions, [...f.checks, { type: 'authenticity', status: authentic ? 'ok' : 'failed' }]).verdict !== 'fail';
  });
}

describe('same verdicts as notation on the same facts', () => {
  const seen = new Map<string, Set<boolean>>();
  afterAll(() => {
    // The corpus exercises both outcomes for the level-sensitive scenarios (the test is not vacuous).
    for (const s of ['valid', 'untrusted', 'expired', 'revoked', 'unsigned']) expect([s, [...(seen.get(s) ?? [])].sort()]).toEqual([s, [false, true]]);
  });
  const valid = all.map((p) => [base(p), read(p)] as const).filter(([, t]) => notationAccepts(t) !== undefined);
  it.each(valid)('%s', (_name, text) => {
    const doc = notationAccepts(text)!;
    const policy = validatePolicy(importNotationPolicy(text).document);
    const repos = [...new Set([...doc.trustPolicies.flatMap((s) => s.registryScopes).filter((s) => s !== '*'), 'localhost:5000/test-repo', 'localhost:5000/unlisted'])];
    for (const repo of repos) {
      for (const [scenario, facts] of Object.entries(FACTS)) {
        const evidence: Evidence = { signatures: facts };
        const ours = decide(policy, `${repo}@${DIGEST}`, evidence).allowed;
        seen.set(scenario, (seen.get(scenario) ?? new Set()).add(ours));
        expect({ repo, scenario, allowed: ours }).toEqual({ repo, scenario, allowed: notationVerdict(doc, repo, facts) });
      }
    }
  });
});
