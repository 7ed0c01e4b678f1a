import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import type { CheckResult } from '../verify/types.ts';
import { VERIFICATION_LEVELS, decide, resolveLevel } from './levels.ts';
import type { SignatureVerificationConfig } from './types.ts';

const sv = (c: Partial<SignatureVerificationConfig> & Pick<SignatureVerificationConfig, 'level'>) => ({
  signatureVerification: { override: {}, verifyTimestamp: 'always' as const, ...c },
});

const ok = (type: CheckResult['type']): CheckResult => ({ type, status: 'ok' });
const failed = (type: CheckResult['type']): CheckResult => ({ type, status: 'failed', code: 'X', reason: `${type} failed` });

describe('resolveLevel', () => {
  it('returns the spec table per level', () => {
    expect(resolveLevel(sv({ level: 'strict' }))).toEqual(VERIFICATION_LEVELS.strict);
    expect(resolveLevel(sv({ level: 'permissive' }))).toEqual({
      integrity: 'enforce',
      authenticity: 'enforce',
      authenticTimestamp: 'log',
      expiry: 'log',
      revocation: 'log',
    });
    expect(resolveLevel(sv({ level: 'audit' })).authenticity).toBe('log');
    expect(Object.values(resolveLevel(sv({ level: 'skip' })))).toEqual(['skip', 'skip', 'skip', 'skip', 'skip']);
  });

  it('applies overrides', () => {
    expect(resolveLevel(sv({ level: 'strict', override: { expiry: 'log', revocation: 'skip' } }))).toEqual({
      integrity: 'enforce',
      authenticity: 'enforce',
      authenticTimestamp: 'enforce',
      expiry: 'log',
      revocation: 'skip',
    });
    expect(resolveLevel(sv({ level: 'audit', override: { authenticity: 'enforce' } })).authenticity).toBe('enforce');
  });

  it('refuses overrides notation refuses', () => {
    const bad: SignatureVerificationConfig['override'][] = [{ integrity: 'enforce' }, { expiry: 'skip' }, { authenticity: 'skip' }];
    for (const override of bad) {
      expect(() => resolveLevel(sv({ level: 'strict', override }))).toThrow(/override/);
    }
    let thrown: unknown;
    try {
      resolveLevel(sv({ level: 'skip', override: { expiry: 'log' } }));
    } catch (err) {
      thrown = err;
    }
    expect(isNotationError(thrown, 'POLICY_INVALID')).toBe(true);
  });
});

describe('decide', () => {
  const all = [ok('integrity'), ok('authenticity'), ok('authenticTimestamp'), ok('expiry'), ok('revocation')];

  it('passes when nothing failed', () => {
    expect(decide(VERIFICATION_LEVELS.strict, all)).toEqual({ verdict: 'pass', enforcedFailures: [], loggedFailures: [] });
  });

  it('fails on a failed enforce check', () => {
    const results = [ok('integrity'), ok('authenticity'), failed('expiry')];
    const d = decide(VERIFICATION_LEVELS.strict, results);
    expect(d.verdict).toBe('fail');
    expect(d.enforcedFailures.map((r) => r.type)).toEqual(['expiry']);
  });

  it('reports a failed log check but passes', () => {
    const d = decide(VERIFICATION_LEVELS.permissive, [ok('integrity'), ok('authenticity'), failed('expiry'), failed('revocation')]);
    expect(d.verdict).toBe('pass');
    expect(d.loggedFailures.map((r) => r.type)).toEqual(['expiry', 'revocation']);
    expect(d.enforcedFailures).toEqual([]);
  });

  it('audit logs authenticity but still enforces integrity', () => {
    expect(decide(VERIFICATION_LEVELS.audit, [ok('integrity'), failed('authenticity')]).verdict).toBe('pass');
    expect(decide(VERIFICATION_LEVELS.audit, [failed('integrity'), ok('authenticity')]).verdict).toBe('fail');
  });

  it('ignores checks whose action is skip', () => {
    const actions = { ...VERIFICATION_LEVELS.strict, revocation: 'skip' as const };
    const d = decide(actions, [ok('integrity'), ok('authenticity'), failed('revocation')]);
    expect(d).toEqual({ verdict: 'pass', enforcedFailures: [], loggedFailures: [] });
  });

  it('level skip is skipped, whatever the results', () => {
    expect(decide(VERIFICATION_LEVELS.skip, [failed('integrity')])).toEqual({ verdict: 'skipped', enforcedFailures: [], loggedFailures: [] });
  });

  it('does not pass when integrity or authenticity was never evaluated', () => {
    const d = decide(VERIFICATION_LEVELS.strict, [ok('integrity'), { type: 'authenticity', status: 'skipped' }]);
    expect(d.verdict).toBe('fail');
    expect(d.enforcedFailures).toEqual([expect.objectContaining({ type: 'authenticity', code: 'NOT_EVALUATED' })]);
    expect(decide(VERIFICATION_LEVELS.strict, []).enforcedFailures.map((r) => r.type)).toEqual(['integrity', 'authenticity']);
  });
});
