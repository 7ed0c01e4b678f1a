import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPolicyError, PolicyError } from '../src/errors.ts';
import { loadPolicy, parsePolicy } from '../src/load.ts';
import { EXAMPLE, HOME, ISSUER, policy } from './helpers.ts';

function refused(yaml: string): PolicyError {
  try {
    policy(yaml);
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('policy was accepted');
}

const SIGNERS = `
signers:
  a: { key: /k/a.pub }
  b: { key: /k/b.pub }
  c: { keyless: { issuer: ${ISSUER}, identityRegexp: "https://github.com/acme/.*" } }
`;
const withRules = (rules: string, head = ''): string => `version: 1\n${head}${SIGNERS}rules:\n${rules}`;

describe('loading the issue example', () => {
  it('loads, resolves paths against the file and ~, and settles defaults', () => {
    const p = policy(EXAMPLE);
    expect(p.signers['release-key']).toEqual({ kind: 'key', name: 'release-key', key: '/policies/keys/release.pub', tlog: 'optional' });
    expect(p.trust).toEqual({ sigstore: { trustedRoot: '/policies/trusted_root.json' }, notation: { config: `${HOME}/.config/notation` } });
    const rule = p.rules[0]!;
    expect(rule.scope).toMatchObject({ kind: 'prefix', registry: 'registry.example', path: 'acme' });
    expect(rule.attestations[0]!.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(rule.sbom).toEqual({ required: true, signed: true });
    expect(p.signers['corp-ca']).toMatchObject({ kind: 'notation', trustStores: ['ca:acme'], verification: { level: 'strict' } });
  });

  it('reads the same document as JSON', () => {
    const p = policy(JSON.stringify({ version: 1, signers: { a: { key: 'a.pub' } }, rules: [{ name: 'r', scope: 'r.example/x', signatures: { threshold: 1, of: ['a'] } }] }));
    expect(p.defaults).toEqual({ mode: 'enforce', unmatched: 'deny' });
    expect(p.signers.a).toMatchObject({ key: '/policies/a.pub', tlog: 'required' });
  });
});

describe('load-time refusals name the rule and the path', () => {
  it('a misspelt key is an error, never a catch-all', () => {
    const err = refused(withRules('  - { name: r1, scop: r.example/x, signatures: { threshold: 1, of: [a] } }'));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.message).toContain('rule "r1" (rules[0])');
    expect(err.message).toContain('unknown key "scop"');
  });

  it('unknown keys anywhere are errors (top level, signer, signatures)', () => {
    expect(refused(`version: 1\nrule: []\n`).message).toContain('unknown key "rule"');
    expect(refused(`version: 1\nsigners: { a: { key: /a.pub, tlogg: optional } }\n`).message).toMatch(/signer "a".*unknown key "tlogg"/);
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a], requried: [a] } }')).message).toContain('unknown key "requried"');
  });

  it('a signer names exactly one kind; keyless needs identity XOR identityRegexp; regexps must compile', () => {
    expect(refused(`version: 1\nsigners: { a: { key: /a.pub, keyless: { issuer: x, identity: y } } }\n`).message).toContain('exactly one of keyless, key');
    expect(refused(`version: 1\nsigners: { a: { cert: x } }\n`).message).toContain('a signer is one of');
    expect(refused(`version: 1\nsigners: { a: { keyless: { issuer: x } } }\n`).message).toContain('exactly one of identity and identityRegexp');
    expect(refused(`version: 1\nsigners: { a: { keyless: { issuer: x, identityRegexp: "(" } } }\n`).message).toContain('not a valid regular expression');
  });

  it('an identityRegexp is read as ocx verify --certificate-identity-regexp reads it: RE2-only syntax is refused', () => {
    // JavaScript would read \z as a literal "z": the policy must not load and match something else.
    expect(refused(`version: 1\nsigners: { a: { keyless: { issuer: x, identityRegexp: 'https://github\\.com/acme/.*\\z' } } }\n`).message).toContain('RE2');
    expect(refused(`version: 1\nsigners: { a: { keyless: { issuer: x, identityRegexp: '(?P<org>acme)/.*' } } }\n`).message).toContain('RE2');
  });

  it('notation signers are checked by notation rules (mandatory DN attributes, store names)', () => {
    const err = refused(`version: 1\nsigners: { n: { notation: { trustStore: ca:acme, identities: ["x509.subject: C=US, O=Acme"] } } }\n`);
    expect(err.message).toContain('signer "n"');
    expect(err.message).toContain('lacks the mandatory attribute ST');
    expect(refused(`version: 1\nsigners: { n: { notation: { trustStore: "ca:", identities: ["*"] } } }\n`).message).toContain('trust store is');
    expect(refused(`version: 1\nsigners: { n: { notation: { trustStore: ca:x, identities: ["*"], verification: { level: strict, override: { integrity: log } } } } }\n`).message).toContain('integrity cannot be overridden');
  });

  it.each([
    ['registry.example/acme*', 'not a glob ocx accepts'],
    ['registry.example/a*c/tool', 'not a glob ocx accepts'],
    ['registry.example/acme/*', 'not a glob ocx accepts'],
    ['registry.example/**', 'is written "registry.example"'],
    ['registry.example/acme:1.0', 'never a tag'],
    ['registry.example/acme@sha256:00', 'never a digest'],
    ['https://registry.example/acme', 'without a URL scheme'],
    ['*.com', 'at least two labels'],
    ['*.example.com/acme', 'cannot be followed by a path'],
    ['reg*.example.com', 'only allowed as a leading'],
    ['registry.example/Acme', 'not a valid repository path component'],
  ])('scope %s is refused (%s)', (scope, says) => {
    const err = refused(withRules(`  - { name: r, scope: "${scope}", signatures: { threshold: 1, of: [a] } }`));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.issues[0]).toMatchObject({ path: 'rules[0].scope', rule: { name: 'r', index: 0 } });
    expect(err.message).toContain(says);
  });

  it('signers that do not exist, twice named, or never satisfiable', () => {
    const err = refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a, zz] } }'));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.issues[0]!.path).toBe('rules[0].signatures.of[1]');
    expect(err.message).toContain('unknown signer "zz"');
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a, a] } }')).message).toContain('names "a" twice');
    const t = refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 3, of: [a, b] } }'));
    expect(t.code).toBe('POLICY_UNSATISFIABLE');
    expect(t.message).toContain('threshold 3 is more than the 2 signers');
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 0, of: [a] } }')).issues[0]!.path).toBe('rules[0].signatures.threshold');
    const r = refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a], required: [b] } }'));
    expect(r.code).toBe('POLICY_UNSATISFIABLE');
    expect(r.message).toContain('required signer "b" is not in of');
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a], required: [q] } }')).message).toContain('unknown signer "q"');
  });

  it('skip only for an exact repository, and a skip rule checks nothing', () => {
    expect(policy(withRules('  - { name: r, scope: r.example/x, mode: skip }')).rules[0]!.mode).toBe('skip');
    expect(refused(withRules('  - { name: r, scope: r.example/x/**, mode: skip }')).message).toContain('only allowed for an exact repository');
    expect(refused(withRules('  - { name: r, scope: r.example, signatures: { threshold: 1, of: [a] } }', 'defaults: { mode: skip }\n')).message).toContain('from defaults.mode');
    expect(refused(withRules('  - { name: r, scope: r.example/x, mode: skip, signatures: { threshold: 1, of: [a] } }')).message).toContain('checks nothing');
    expect(refused(withRules('  - { name: r, scope: r.example/x }')).message).toContain('signatures is required');
  });

  it('attestation types are cosign aliases or URIs; their signers exist and can sign attestations', () => {
    const ok = policy(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a] }, attestations: [{ type: cyclonedx, signers: [c] }, { type: "https://example.com/p/v1", signers: [a] }] }'));
    expect(ok.rules[0]!.attestations.map((a) => a.predicateType)).toEqual(['https://cyclonedx.org/bom', 'https://example.com/p/v1']);
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a] }, attestations: [{ type: slsaprovenance3, signers: [a] }] }')).message).toContain(
      '"slsaprovenance3" is neither a cosign attestation type',
    );
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a] }, attestations: [{ type: link, signers: [nobody] }] }')).issues[0]!.path).toBe(
      'rules[0].attestations[0].signers[0]',
    );
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a] }, attestations: [{ type: spdx, signers: [a], builderId: x }] }')).message).toContain('not SLSA provenance');
  });

  it('rule names are unique; excludes must lie inside the scope and not swallow it', () => {
    expect(refused(withRules('  - { name: r, scope: r.example/x, signatures: { threshold: 1, of: [a] } }\n  - { name: r, scope: r.example/y, signatures: { threshold: 1, of: [a] } }')).message).toContain('rule names must be unique');
    expect(refused(withRules('  - { name: r, scope: r.example/x/**, exclude: [other.example/x/y], signatures: { threshold: 1, of: [a] } }')).message).toContain('excludes nothing');
    const swallow = refused(withRules('  - { name: r, scope: r.example/x/**, exclude: [r.example], signatures: { threshold: 1, of: [a] } }'));
    expect(swallow.code).toBe('POLICY_UNSATISFIABLE');
  });

  it('reports every problem at once', () => {
    const err = refused(withRules('  - { name: r1, scope: "r.example/a*", signatures: { threshold: 1, of: [zz] } }\n  - { name: r2, scope: r.example/y, signatures: { threshold: 2, of: [a] } }'));
    expect(err.issues.map((i) => i.path)).toEqual(['rules[0].scope', 'rules[0].signatures.of[0]', 'rules[1].signatures.threshold']);
    expect(err.code).toBe('POLICY_INVALID');
  });

  it('bad YAML, duplicate keys, wrong version', () => {
    expect(refused('version: 1\nrules: [\n').code).toBe('POLICY_PARSE');
    const dup = refused('version: 1\nversion: 1\n');
    expect(dup.code).toBe('POLICY_PARSE');
    expect(refused('version: 2\n').message).toContain('version');
    expect(refused('version: "1"\n').code).toBe('POLICY_INVALID');
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    expect(refused(bomb).code).toBe('POLICY_PARSE');
  });

  // Found by the property suite: an alias inside its own anchor escaped maxAliasCount and toJS took
  // seconds for a few hundred aliases (a hang for a 1 MiB file).
  it('a self-referencing alias is refused at once, however many times it repeats', () => {
    const err = refused(`version: 1\nx: &a [${'*a,'.repeat(500)}]\n`);
    expect(err.code).toBe('POLICY_PARSE');
    expect(refused('version: 1\nx: &a { y: [*a] }\n').message).toContain('inside its own anchor');
  });

  // Found by the property suite: 100 k stray braces after the document took ~40 s (one pretty error
  // per brace, each copying the whole line).
  it('a flood of stray tokens after the document is refused after a handful', () => {
    const err = refused(`version: 1\n${'}'.repeat(200_000)}`);
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.message).toContain('not a single YAML document');
  });

  // Found by the property suite: 100 k nested flow maps overflowed yaml's recursive composer, and on
  // the next such parse V8 aborted the whole process compiling one of yaml's regexps that deep.
  it('collections nested deeper than 64 levels are refused before yaml composes them', () => {
    for (const [open, close] of [['{"a":', '}'], ['[', ']'], ['\n- ', '']] as const) {
      for (let round = 0; round < 2; round++) {
        const err = refused(`version: 1\nx: ${open === '\n- ' ? `\n${'- '.repeat(100_000)}` : open.repeat(100_000)}1${close.repeat(100_000)}\n`);
        expect(err.code).toBe('POLICY_PARSE');
        expect(err.message).toContain('64 levels deep');
      }
    }
    const blocks = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}a${i}:`).join('\n');
    expect(refused(blocks).message).toContain('64 levels deep');
  });

  it('a syntax error names its line and column', () => {
    const err = refused('version: 1\nsigners: {\n');
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.message).toMatch(/at line \d+, column \d+/);
  });

  it('more than 64 aliases are refused before any is expanded', () => {
    const err = refused(['version: 1', 'a: &a x', `b: [${Array(65).fill('*a').join(', ')}]`].join('\n'));
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.message).toContain('aliases');
  });

  it('lists at most 20 problems in the message, all of them in issues', () => {
    const rules = Array.from({ length: 30 }, (_, i) => `  - { name: r${i}, scope: "r.example/a${i}*", signatures: { threshold: 1, of: [a] } }`).join('\n');
    const err = refused(withRules(rules));
    expect(err.issues).toHaveLength(30);
    expect(err.message).toContain('30 problems');
    expect(err.message).toContain('… and 10 more');
  });

  it('only ~/ is expanded', () => {
    expect(refused('version: 1\nsigners: { a: { key: ~bob/a.pub } }\n').message).toContain('only "~/" is expanded');
  });
});

describe('loadPolicy (the file edge)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocx-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves paths against the policy file and checks the files it names', async () => {
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'a.pub'), 'PEM');
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\nsigners: { a: { key: keys/a.pub }, b: { key: keys/missing.pub } }\n');
    const err = await loadPolicy(file).catch((e: unknown) => e);
    expect(isPolicyError(err, 'POLICY_NOT_FOUND')).toBe(true);
    expect((err as PolicyError).message).toContain(`signer "b": key file ${join(dir, 'keys', 'missing.pub')} does not exist`);
    const p = await loadPolicy(file, { checkFiles: false });
    expect(p.signers.a).toMatchObject({ key: join(dir, 'keys', 'a.pub') });
    expect(p.source).toBe(file);
  });

  it('a missing policy is POLICY_NOT_FOUND', async () => {
    await expect(loadPolicy(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'POLICY_NOT_FOUND' });
  });

  it('parsePolicy labels an inline policy', () => {
    expect(() => parsePolicy('version: 3\n', { source: 'inline policy' })).toThrow(/^inline policy is invalid/);
  });
});
