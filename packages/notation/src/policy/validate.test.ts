import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { loadTrustPolicy, parseTrustPolicy } from './parse.ts';
import { checkTrustPolicy } from './validate.ts';

const base = {
  name: 'p',
  registryScopes: ['registry.acme.io/app'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['*'],
};
const one = (patch: Record<string, unknown>) => ({ version: '1.0', trustPolicies: [{ ...base, ...patch }] });
const messages = (input: unknown) => checkTrustPolicy(input).issues.map((i) => i.message);

describe('checkTrustPolicy document rules', () => {
  it('requires version 1.0', () => {
    expect(messages({ trustPolicies: [base] })).toEqual(['version is missing or empty; it must be "1.0"']);
    expect(messages({ version: '2.0', trustPolicies: [base] })).toEqual(['version "2.0" is not supported; it must be "1.0"']);
  });

  it('requires at least one statement', () => {
    expect(messages({ version: '1.0', trustPolicies: [] })).toEqual(['trustPolicies has no statements; at least one is required']);
    expect(messages({ version: '1.0' })).toHaveLength(1);
  });

  it('reports wrong JSON types with their path', () => {
    const { issues } = checkTrustPolicy({ version: '1.0', trustPolicies: [{ ...base, registryScopes: 'registry.acme.io/app' }] });
    expect(issues.map((i) => i.path)).toEqual(['trustPolicies[0].registryScopes']);
    expect(checkTrustPolicy([]).issues[0]!.path).toBe('(document)');
  });

  it('ignores unknown fields and reads null as empty, like notation', () => {
    expect(checkTrustPolicy({ ...one({ extra: 1 }), comment: 'x' }).document).toBeDefined();
    expect(messages(one({ trustStores: null }))).toEqual([expect.stringContaining('trustStores is missing or empty')]);
  });

  it('matches field names case-insensitively, like notation (Go encoding/json)', () => {
    const doc = checkTrustPolicy({
      Version: '1.0',
      TRUSTPOLICIES: [{ Name: 'p', registryscopes: ['registry.acme.io/app'], SignatureVerification: { LEVEL: 'audit' }, TrustStores: ['ca:a'], trustedidentities: ['*'] }],
    }).document;
    expect(doc?.trustPolicies[0]).toMatchObject({ name: 'p', signatureVerification: { level: 'audit' }, trustStores: [{ type: 'ca', name: 'a' }] });
    // Override keys are map keys in notation, so they stay case-sensitive.
    expect(messages(one({ signatureVerification: { level: 'strict', override: { Expiry: 'log' } } }))[0]).toContain('unknown validation type "Expiry"');
  });

  it('reports every independent problem at once', () => {
    const input = {
      version: '1.0',
      trustPolicies: [
        { ...base, trustStores: ['ca:'] },
        { ...base, name: 'q', registryScopes: ['bad scope', 'registry.acme.io/app'], trustedIdentities: [''] },
      ],
    };
    expect(checkTrustPolicy(input).issues.map((i) => i.path)).toEqual([
      'trustPolicies[0].trustStores[0]',
      'trustPolicies[1].trustedIdentities[0]',
      'trustPolicies[1].registryScopes[0]',
      'trustPolicies[1].registryScopes',
    ]);
  });
});

describe('checkTrustPolicy statement rules', () => {
  it('requires a name', () => {
    expect(messages(one({ name: '' }))).toEqual(['trustPolicies[0]: name is missing or empty; every statement needs a unique name']);
  });

  it('validates the level, overrides and verifyTimestamp', () => {
    expect(messages(one({ signatureVerification: {} }))).toEqual([expect.stringContaining('signatureVerification.level is missing')]);
    expect(messages(one({ signatureVerification: { level: 'lenient' } }))).toEqual([
      'policy "p": signatureVerification.level "lenient" is not one of strict, permissive, audit, skip',
    ]);
    expect(messages(one({ signatureVerification: { level: 'strict', override: { expiry: 'skip' } } }))).toEqual([
      'policy "p": signatureVerification.override "expiry": "skip": expiry cannot be skipped (only revocation may be)',
    ]);
    expect(messages(one({ signatureVerification: { level: 'strict', override: { revocation: 'skip', authenticity: 'log' } } }))).toEqual([]);
    expect(messages(one({ signatureVerification: { level: 'strict', override: { signature: 'log' } } }))[0]).toContain('unknown validation type "signature"');
    expect(messages(one({ signatureVerification: { level: 'strict', override: { expiry: 'warn' } } }))[0]).toContain('unknown action "warn"');
    expect(messages(one({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } }))).toEqual([
      'policy "p": signatureVerification.verifyTimestamp "never" must be "always" or "afterCertExpiry"',
    ]);
  });

  it('level skip takes no overrides and no trust material', () => {
    const skip = { level: 'skip' };
    expect(messages(one({ signatureVerification: skip, trustStores: [], trustedIdentities: [] }))).toEqual([]);
    expect(messages(one({ signatureVerification: { ...skip, override: { expiry: 'log' } }, trustStores: [], trustedIdentities: [] }))).toEqual([
      expect.stringContaining('override is not allowed with level "skip"'),
    ]);
    expect(messages(one({ signatureVerification: skip }))).toEqual([
      'policy "p": level "skip" verifies nothing, so trustStores must be absent or empty',
      'policy "p": level "skip" verifies nothing, so trustedIdentities must be absent or empty',
    ]);
  });

  it('validates trust store types and names', () => {
    expect(messages(one({ trustStores: ['x509:acme'] }))).toEqual([
      'policy "p": trustStores entry "x509:acme" has unsupported store type "x509"; supported: ca, signingAuthority, tsa',
    ]);
    expect(messages(one({ trustStores: ['ca:a b'] }))[0]).toContain('invalid store name "a b"');
    expect(checkTrustPolicy(one({ trustStores: ['signingAuthority:s', 'tsa:t.1_-'] })).document?.trustPolicies[0]!.trustStores).toEqual([
      { type: 'signingAuthority', name: 's' },
      { type: 'tsa', name: 't.1_-' },
    ]);
  });

  it('validates trusted identities', () => {
    expect(messages(one({ trustedIdentities: ['x509.subject:'] }))).toEqual([expect.stringContaining('has no DN after "x509.subject:"')]);
    expect(messages(one({ trustedIdentities: ['x509.subject: C=US,ST=WA,O=a,1.2.3=#01'] }))[0]).toContain('"=#"');
    expect(messages(one({ trustedIdentities: ['x509.subject: C=US,S=WA,O=a', 'x509.subject: C=US,ST=WA,O=a'] }))[0]).toContain('overlap');
    // Identities with other prefixes belong to plugins: accepted unchecked.
    expect(messages(one({ trustedIdentities: ['arn:aws:signer:us-west-2:123:/signing-profiles/p'] }))).toEqual([]);
    expect(messages(one({ trustedIdentities: ['x509.subject: C=US,ST=WA,O=a,OU=x', 'x509.subject: C=US,ST=WA,O=a,OU=y'] }))).toEqual([]);
  });

  it('validates registry scopes', () => {
    expect(messages(one({ registryScopes: ['registry.acme.io/*'] }))[0]).toContain('wildcards are not supported');
    expect(messages(one({ registryScopes: ['https://registry.acme.io/app'] }))[0]).toContain('not a fully qualified repository');
    expect(messages(one({ registryScopes: ['registry.acme.io'] }))[0]).toContain('not a fully qualified repository');
    expect(messages(one({ registryScopes: ['registry.acme.io/App'] }))[0]).toContain('not a fully qualified repository');
    expect(messages(one({ registryScopes: ['localhost:5000/a/b-c__d.e', 'local/myOCILayout'.toLowerCase()] }))).toEqual([]);
  });
});

describe('loadTrustPolicy', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'ocx-policy-')));
  const policy = (name: string) => JSON.stringify(one({ name }));

  it('prefers trustpolicy.oci.json over trustpolicy.json', async () => {
    fresh();
    writeFileSync(join(dir, 'trustpolicy.json'), policy('legacy'));
    expect((await loadTrustPolicy(dir)).document.trustPolicies[0]!.name).toBe('legacy');
    writeFileSync(join(dir, 'trustpolicy.oci.json'), policy('oci'));
    const loaded = await loadTrustPolicy(dir);
    expect(loaded.path).toBe(join(dir, 'trustpolicy.oci.json'));
    expect(loaded.document.trustPolicies[0]!.name).toBe('oci');
  });

  it('refuses a symlinked or directory policy', async () => {
    fresh();
    writeFileSync(join(dir, 'real.json'), policy('x'));
    symlinkSync(join(dir, 'real.json'), join(dir, 'trustpolicy.oci.json'));
    await expect(loadTrustPolicy(dir)).rejects.toThrow(/not a regular file/);
    rmSync(join(dir, 'trustpolicy.oci.json'));
    mkdirSync(join(dir, 'trustpolicy.oci.json'));
    await expect(loadTrustPolicy(dir)).rejects.toThrow(/not a regular file/);
  });

  it('names the file of an invalid policy, and reports a missing one', async () => {
    fresh();
    writeFileSync(join(dir, 'trustpolicy.json'), JSON.stringify(one({ registryScopes: [] })));
    await expect(loadTrustPolicy(dir)).rejects.toThrow(`trust policy ${join(dir, 'trustpolicy.json')} is invalid: policy "p": registryScopes`);
    rmSync(join(dir, 'trustpolicy.json'));
    const err = await loadTrustPolicy(dir).catch((e: unknown) => e);
    expect(isNotationError(err, 'NO_APPLICABLE_POLICY')).toBe(true);
  });

  it('parseTrustPolicy lists several problems in one message', () => {
    expect(() => parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [{ ...base, registryScopes: [], trustStores: [] }] }))).toThrow(
      /trust policy is invalid: 2 problems: policy "p": trustStores is missing or empty.*; policy "p": registryScopes is missing or empty/,
    );
  });
});
