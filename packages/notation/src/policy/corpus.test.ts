import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { parseTrustPolicy } from './parse.ts';
import { selectPolicy } from './select.ts';
import { checkTrustPolicy } from './validate.ts';

// notation's e2e trust policies (notation test/e2e/testdata/config/trustpolicies), read in place.
const dir = fixturePath('notation/test/e2e/testdata/config/trustpolicies');
const read = (file: string): Buffer => readFileSync(join(dir, file));

// Accepted by notation's validation. Some of these fail later, at verification time, for a
// reason that is not a policy error (scope does not match, store missing, identity mismatch).
const VALID = [
  'any_registry_scope_trust_policy.json',
  'audit_trustpolicy.json',
  'generate_test_trustpolicy.json',
  'invalid_registry_scope_trustpolicy.json', // valid scope; only NO_APPLICABLE_POLICY for other repos
  'invalid_trust_store_trustpolicy.json', // well-formed store name; the store is missing on disk
  'invalid_trusted_identity_trustpolicy.json', // well-formed DN (C=USB); fails only at identity match
  'multi_statements_with_wildcard_registry_scope_trustpolicy.json',
  'multiple_registry_scope_trustpolicy.json',
  'multiple_trust_store_trustpolicy.json',
  'multiple_trusted_identity_trustpolicy.json',
  'overlapped_trust_store_trustpolicy.json', // notation does not check duplicate stores (its e2e test is skipped)
  'override_audit_trustpolicy.json',
  'override_permissive_trustpolicy.json',
  'override_strict_trustpolicy.json',
  'permissive_trustpolicy.json',
  'quickstart_trustpolicy.json',
  'registry_scope_trustpolicy.json',
  'skip_trustpolicy.json',
  'timestamp_after_cert_expiry_trustpolicy.json',
  'timestamp_trustpolicy.json',
  'trustpolicy.json',
  'valid_trusted_identity_trustpolicy.json',
];

// Rejected, with the path of the offending field and words the message must contain.
const INVALID: Record<string, { path: string; says: string[]; count?: number }> = {
  // A blob policy has no registryScopes: each of its three statements is reported.
  'blob_trust_policy.json': { path: 'trustPolicies[0].registryScopes', says: ['policy "wabbit-networks-policy"', 'registryScopes is missing or empty'], count: 3 },
  'empty_registry_scope_trustpolicy.json': { path: 'trustPolicies[0].registryScopes', says: ['policy "e2e"', 'registryScopes is missing or empty'] },
  'empty_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[0]', says: ['policy "e2e"', 'trustedIdentities entry "" is empty'] },
  'malformed_registry_scope_trustpolicy.json': { path: 'trustPolicies[0].registryScopes[0]', says: ['policy "e2e"', '"localhost:5000\\\\test-repo"', 'not a fully qualified repository'] },
  'malformed_trust_store_trustpolicy.json': { path: 'trustPolicies[0].trustStores[0]', says: ['policy "e2e"', '"ca:"', 'invalid store name ""'] },
  'malformed_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[0]', says: ['policy "e2e"', 'x509.subject CN=e2e', 'no ":" separator'] },
  'missing_country_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[0]', says: ['policy "e2e"', 'lacks the mandatory attribute C '] },
  'missing_organization_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[0]', says: ['policy "e2e"', 'lacks the mandatory attribute O '] },
  'missing_state_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[0]', says: ['policy "e2e"', 'lacks the mandatory attribute ST '] },
  'multi_statements_with_multi_wildcard_registry_scope_trustpolicy.json': { path: 'trustPolicies[1].registryScopes', says: ['registry scope "*" appears in policy "e2e" and policy "e2e2"'] },
  'multi_statements_with_the_same_name_trustpolicy.json': { path: 'trustPolicies[1].name', says: ['policy "e2e"', 'also used by trustPolicies[0]', 'must be unique'] },
  'multi_statements_with_the_same_registry_scope_trustpolicy.json': { path: 'trustPolicies[1].registryScopes', says: ['"localhost:5000/test-repo8" appears in policy "e2e" and policy "e2e2"'] },
  'overlapped_registry_scope_trustpolicy.json': { path: 'trustPolicies[0].registryScopes', says: ['policy "e2e"', 'lists "localhost:5000/test-repo6" more than once'] },
  'overlapped_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities[1]', says: ['policy "e2e"', 'overlap'] },
  'override_integrity_for_permissive_trustpolicy.json': { path: 'trustPolicies[0].signatureVerification.override.integrity', says: ['policy "e2e"', 'integrity cannot be overridden'] },
  'unset_trust_store_trustpolicy.json': { path: 'trustPolicies[0].trustStores', says: ['policy "e2e"', 'trustStores is missing or empty'] },
  'unset_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities', says: ['policy "e2e"', 'trustedIdentities is missing or empty'] },
  'wildcard_plus_other_registry_scope_trustpolicy.json': { path: 'trustPolicies[0].registryScopes', says: ['policy "e2e"', '"*" (global scope) cannot be combined'] },
  'wildcard_plus_other_trusted_identity_trustpolicy.json': { path: 'trustPolicies[0].trustedIdentities', says: ['policy "e2e"', '"*" cannot be combined'] },
  'wildcard_trust_store_trustpolicy.json': { path: 'trustPolicies[0].trustStores[0]', says: ['policy "e2e"', '"*"', 'not of the form {type}:{name}'] },
};

describe('notation e2e trust policy corpus', () => {
  it('classifies every file in the corpus', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const known = new Set([...VALID, ...Object.keys(INVALID), 'invalid_format_trustpolicy.json']);
    expect(files.filter((f) => !known.has(f))).toEqual([]);
  });

  it.each(VALID)('accepts %s', (file) => {
    const doc = parseTrustPolicy(read(file), file);
    expect(doc.version).toBe('1.0');
    expect(doc.trustPolicies.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(INVALID))('rejects %s naming the problem', (file, { path, says, count }) => {
    const { document, issues } = checkTrustPolicy(JSON.parse(read(file).toString('utf8')));
    expect(document).toBeUndefined();
    expect(issues).toHaveLength(count ?? 1);
    expect(issues[0]!.path).toBe(path);
    for (const words of says) expect(issues[0]!.message).toContain(words);
    let thrown: unknown;
    try {
      parseTrustPolicy(read(file), file);
    } catch (err) {
      thrown = err;
    }
    expect(isNotationError(thrown, 'POLICY_INVALID')).toBe(true);
    expect((thrown as Error).message).toContain(issues[0]!.message);
  });

  it('rejects malformed JSON (invalid_format_trustpolicy.json)', () => {
    expect(() => parseTrustPolicy(read('invalid_format_trustpolicy.json'), 'invalid_format_trustpolicy.json')).toThrowError(
      /invalid_format_trustpolicy\.json is not valid JSON/,
    );
  });

  it('types the parsed document', () => {
    const doc = parseTrustPolicy(read('timestamp_after_cert_expiry_trustpolicy.json'));
    expect(doc.trustPolicies[0]).toEqual({
      name: 'e2e',
      registryScopes: ['*'],
      signatureVerification: { level: 'strict', override: {}, verifyTimestamp: 'afterCertExpiry' },
      trustStores: [
        { type: 'ca', name: 'e2e' },
        { type: 'tsa', name: 'e2e' },
      ],
      trustedIdentities: ['*'],
    });
    const skip = parseTrustPolicy(read('skip_trustpolicy.json')).trustPolicies[0]!;
    expect(skip.signatureVerification).toEqual({ level: 'skip', override: {}, verifyTimestamp: 'always' });
    expect(skip.trustStores).toEqual([]);
    const audit = parseTrustPolicy(read('override_audit_trustpolicy.json')).trustPolicies[0]!;
    expect(audit.signatureVerification.override).toEqual({ revocation: 'enforce', expiry: 'enforce', authenticTimestamp: 'enforce', authenticity: 'enforce' });
  });

  it('invalid_registry_scope_trustpolicy.json applies to its own repository only', () => {
    const doc = parseTrustPolicy(read('invalid_registry_scope_trustpolicy.json'));
    expect(selectPolicy(doc, 'localhost:5000/invalid-test-repo').name).toBe('e2e');
    let thrown: unknown;
    try {
      selectPolicy(doc, 'localhost:5000/e2e');
    } catch (err) {
      thrown = err;
    }
    expect(isNotationError(thrown, 'NO_APPLICABLE_POLICY')).toBe(true);
    expect((thrown as Error).message).toContain('"localhost:5000/e2e"');
  });
});
