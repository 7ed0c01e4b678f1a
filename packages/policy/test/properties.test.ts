import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { fixturePath } from '@ocx/testkit';
import { arbitraryText, fuzzParams, fuzzTimeout, hostileJsonValue, mutatedJson, mutatedText, parsesOrTyped, parsesOrTypedAsync } from '@ocx/testkit/fuzz';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect } from 'vitest';
import { importNotationPolicy, isPolicyError, loadPolicy, parsePolicy, validatePolicy } from '../src/index.ts';
import { BASE, EXAMPLE, HOME, ISSUER, RELEASE_ID } from './helpers.ts';

// Property suite (issue 10 "Beyond the list"): policy text (YAML or JSON) and notation trust policies
// to import parse to a Policy or throw PolicyError — never another exception, never a hang — on
// mutated real policies (text level: YAML syntax, aliases, nesting; structure level: wrong types,
// huge numbers, unknown keys) and on arbitrary text.

const typed = (err: unknown) => isPolicyError(err);
const opts = { source: '/policies/policy.yaml', baseDir: BASE, home: HOME };

const SECOND = `
version: 1
signers:
  release-ci: { keyless: { issuer: ${ISSUER}, identity: ${RELEASE_ID}, github: { repository: acme/tool } } }
  release-key: { key: ./keys/release.pub }
  lenient-ca: { notation: { trustStore: [ca:acme, tsa:ts], identities: ["*"], verification: { level: permissive } } }
  vendor: { extension: { family: acme-sig, config: { tenant: t1 } } }
rules:
  - name: two-of-three
    scope: registry.example/multi/tool
    signatures: { threshold: 2, of: [release-ci, release-key, lenient-ca] }
  - name: anything-else
    scope: "**"
    mode: audit
    signatures: { threshold: 1, of: [vendor] }
`;
const ANCHORS = `
version: 1
signers:
  k: &key { key: ./k.pub }
  k2: *key
rules:
  - { name: r, scope: "registry.example/**", signatures: { threshold: 1, of: [k, k2] } }
`;
const YAML_SAMPLES = [EXAMPLE, SECOND, ANCHORS];
const JSON_SAMPLES = YAML_SAMPLES.flatMap((y) => {
  try {
    return [parseYaml(y) as unknown];
  } catch {
    return [];
  }
});
const policyText = fc.oneof(
  { weight: 3, arbitrary: mutatedText(YAML_SAMPLES) },
  { weight: 3, arbitrary: mutatedJson(JSON_SAMPLES) },
  { weight: 1, arbitrary: arbitraryText(300) },
  { weight: 1, arbitrary: fc.constantFrom('a: &a [*a]', `x: &a [${'*a,'.repeat(200)}]`, '[' .repeat(5000), '- '.repeat(5000), '{a: '.repeat(3000), `${'  '.repeat(2000)}a: 1`, '!!binary AAAA', '? [a]\n: b', '%TAG ! tag:x\n---\na: !x 1', '<<: {a: 1}') },
);

describe('policy documents', () => {
  test.prop([policyText], fuzzParams(400))(
    'parsePolicy returns a Policy or throws PolicyError',
    (text) => {
      const r = parsesOrTyped(() => parsePolicy(text, opts), typed);
      if (r.value) expect(Array.isArray(r.value.rules)).toBe(true);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(hostileJsonValue(), fc.anything(), mutatedJson(JSON_SAMPLES).map((s) => JSON.parse(s) as unknown))], fuzzParams(300))(
    'validatePolicy of any value returns a Policy or throws PolicyError',
    (value) => {
      parsesOrTyped(() => validatePolicy(value, opts), typed);
    },
    fuzzTimeout(),
  );

  const dir = mkdtempSync(join(tmpdir(), 'ocx-policy-props-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  test.prop([fc.oneof(policyText.map((t) => new TextEncoder().encode(t)), fc.uint8Array({ maxLength: 300 }))], fuzzParams(100, 0.1))(
    'loadPolicy of a file with those bytes returns a Policy or throws PolicyError',
    async (bytes) => {
      const file = join(dir, `p${n++ % 8}.yaml`);
      writeFileSync(file, bytes);
      await parsesOrTypedAsync(() => loadPolicy(file, { home: HOME, checkFiles: false }), typed);
    },
    fuzzTimeout(),
  );
});

describe('importing notation trust policies', () => {
  const policiesDir = fixturePath('notation/test/e2e/testdata/config/trustpolicies');
  const samples = readdirSync(policiesDir).flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(policiesDir, f), 'utf8')) as unknown];
    } catch {
      return [];
    }
  });
  test.prop([fc.oneof(mutatedJson(samples), mutatedText(samples.map((s) => JSON.stringify(s, null, 2))), arbitraryText(200))], fuzzParams(300))(
    'importNotationPolicy returns a document or throws PolicyError',
    (text) => {
      parsesOrTyped(() => importNotationPolicy(text, { notationConfig: '/home/tester/.config/notation' }), typed);
    },
    fuzzTimeout(),
  );
});
