import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { parseTrustPolicy } from './parse.ts';
import { selectPolicy } from './select.ts';

const statement = (name: string, registryScopes: string[]) => ({
  name,
  registryScopes,
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['*'],
});
const doc = (...trustPolicies: object[]) => parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies }));

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isNotationError(err) ? err.code : 'OTHER';
  }
  return undefined;
};

describe('selectPolicy', () => {
  const policies = doc(statement('global', ['*']), statement('net', ['registry.acme.io/net/monitor', 'localhost:5000/app']));

  it('prefers an exact scope match over the global policy', () => {
    expect(selectPolicy(policies, 'registry.acme.io/net/monitor').name).toBe('net');
    expect(selectPolicy(policies, 'localhost:5000/app').name).toBe('net');
  });

  it('falls back to the global policy', () => {
    expect(selectPolicy(policies, 'registry.acme.io/other').name).toBe('global');
  });

  it('ignores a trailing @digest', () => {
    expect(selectPolicy(policies, 'localhost:5000/app@sha256:' + 'a'.repeat(64)).name).toBe('net');
  });

  it('does not match prefixes or normalise names', () => {
    const only = doc(statement('net', ['registry.acme.io/net']));
    expect(code(() => selectPolicy(only, 'registry.acme.io/net/monitor'))).toBe('NO_APPLICABLE_POLICY');
    const hub = doc(statement('hub', ['docker.io/library/nginx']));
    expect(code(() => selectPolicy(hub, 'docker.io/nginx'))).toBe('NO_APPLICABLE_POLICY');
  });

  it('names the reference when nothing applies', () => {
    expect(() => selectPolicy(doc(statement('net', ['registry.acme.io/net'])), 'ghcr.io/x/y')).toThrow(/"ghcr\.io\/x\/y"/);
  });

  it('refuses a reference that is not registry/repository', () => {
    expect(code(() => selectPolicy(policies, 'nginx'))).toBe('NO_APPLICABLE_POLICY');
    expect(code(() => selectPolicy(policies, 'localhost:5000/app:v1'))).toBe('NO_APPLICABLE_POLICY');
  });
});
