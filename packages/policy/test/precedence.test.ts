import { describe, expect, it } from 'vitest';
import { PolicyError } from '../src/errors.ts';
import { explain } from '../src/explain.ts';
import { rulesByPrecedence, selectRule } from '../src/match.ts';
import { policy } from './helpers.ts';

const sig = 'signatures: { threshold: 1, of: [k] }';
const P = policy(`
version: 1
signers: { k: { key: /k.pub } }
rules:
  - { name: any, scope: "*", ${sig} }
  - { name: host, scope: "*.example.com", ${sig} }
  - { name: longer-host, scope: "*.eu.example.com", ${sig} }
  - { name: registry, scope: r.example.com, ${sig} }
  - { name: acme, scope: r.example.com/acme/**, exclude: [r.example.com/acme/sandbox/**, r.example.com/acme/legacy], ${sig} }
  - { name: acme-tools, scope: r.example.com/acme/tools/**, ${sig} }
  - { name: exact, scope: r.example.com/acme/tools/cli, ${sig} }
`);
const winner = (t: string): string | undefined => selectRule(P, t).rule?.name;

describe('precedence: exact > longest prefix > registry > *.host > *', () => {
  it.each([
    ['r.example.com/acme/tools/cli:1.0', 'exact'],
    ['r.example.com/acme/tools/cli@sha256:' + 'a'.repeat(64), 'exact'],
    ['r.example.com/acme/tools/other', 'acme-tools'],
    ['r.example.com/acme/tools/cli/plugin', 'acme-tools'],
    ['r.example.com/acme/app', 'acme'],
    ['r.example.com/acme', 'registry'], // a prefix covers what is under it, not itself
    ['r.example.com/acmecorp/app', 'registry'], // segment-bounded: acme/** is not a substring glob
    ['r.example.com/other', 'registry'],
    ['x.eu.example.com/a', 'longer-host'],
    ['x.example.com/a', 'host'],
    ['example.com/a', 'any'], // *.host needs a subdomain
    ['elsewhere.io/a/b', 'any'],
  ])('%s → %s', (target, rule) => expect(winner(target)).toBe(rule));

  it('the tag never decides', () => {
    expect(winner('r.example.com/acme/app:sandbox')).toBe('acme');
  });

  it('exclude removes a target from that rule only; the next rule governs it', () => {
    expect(winner('r.example.com/acme/sandbox/x')).toBe('registry');
    expect(winner('r.example.com/acme/legacy')).toBe('registry');
    const s = selectRule(P, 'r.example.com/acme/sandbox/x');
    expect(s.verdicts.find((v) => v.rule.name === 'acme')).toMatchObject({ standing: { status: 'excluded', by: 'r.example.com/acme/sandbox/**' } });
  });

  it('registry host names are case-insensitive', () => {
    expect(winner('R.Example.COM/acme/tools/cli')).toBe('exact');
  });

  it('lists rules in order of precedence', () => {
    expect(rulesByPrecedence(P).map((r) => r.name)).toEqual(['exact', 'acme-tools', 'acme', 'registry', 'longer-host', 'host', 'any']);
  });
});

describe('Docker Hub spellings', () => {
  it('scopes and targets are canonicalised alike (docker.io, library/)', () => {
    const p = policy(`version: 1\nsigners: { k: { key: /k.pub } }\nrules:\n  - { name: alpine, scope: index.docker.io/alpine, ${sig} }\n  - { name: hub, scope: docker.io, ${sig} }\n`);
    expect(p.rules[0]!.scope.text).toBe('docker.io/library/alpine');
    expect(selectRule(p, 'docker.io/alpine:3').rule?.name).toBe('alpine');
    expect(selectRule(p, { registry: 'registry-1.docker.io', repository: 'alpine' }).rule?.name).toBe('alpine');
    expect(selectRule(p, 'docker.io/acme/alpine').rule?.name).toBe('hub');
  });
});

describe('equal specificity is a load-time error naming both rules', () => {
  it.each([
    ['r.example/a/b', 'r.example/a/b'],
    ['r.example/a/**', 'r.example/a/**'],
    ['r.example', 'R.EXAMPLE'],
    ['"*.example.com"', '"*.example.com"'],
  ])('%s and %s', (a, b) => {
    let err: unknown;
    try {
      policy(`version: 1\nsigners: { k: { key: /k.pub } }\nrules:\n  - { name: first, scope: ${a}, ${sig} }\n  - { name: second, scope: ${b}, ${sig} }\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('POLICY_AMBIGUOUS');
    expect((err as PolicyError).message).toMatch(/rule "second" \(rules\[1\]\).*rule "first" \(rules\[0\]\)/);
  });

  it('different scopes of equal rank never share a target, so they load', () => {
    const p = policy(`version: 1\nsigners: { k: { key: /k.pub } }\nrules:\n  - { name: a, scope: r.example/a/**, ${sig} }\n  - { name: b, scope: r.example/b/**, ${sig} }\n`);
    expect(p.rules).toHaveLength(2);
  });
});

describe('explain', () => {
  it('says which rule wins, why the others lost, and what will be enforced', () => {
    const e = explain(P, 'r.example.com/acme/tools/cli:1.0');
    expect(e.rule).toMatchObject({ name: 'exact', specificity: 'exact repository' });
    expect(e.rules.find((r) => r.name === 'acme-tools')!.reason).toContain('less specific (prefix of 2 path segments) than rule "exact"');
    expect(e.rules.find((r) => r.name === 'longer-host')!.status).toBe('out-of-scope');
    expect(e.enforced[0]).toBe('signatures: at least 1 distinct of 1 signer, over the pinned digest');
    expect(e.enforced[1]).toBe('  k: key /k.pub, in the transparency log');
    expect(e.needsTuf).toBe(false);
  });

  it('an unmatched target follows defaults.unmatched (deny unless set)', () => {
    const p = policy(`version: 1\nsigners: { k: { key: /k.pub } }\nrules:\n  - { name: a, scope: r.example/a, ${sig} }\n`);
    expect(explain(p, 'r.example/b')).toMatchObject({ mode: 'unmatched', unmatched: 'deny' });
    expect(explain(p, 'r.example/b').enforced[0]).toContain('blocked');
  });

  it('flags TUF only for a keyless signer without a trusted root', () => {
    const keyless = `signers: { ci: { keyless: { issuer: https://i, identity: x } } }\nrules:\n  - { name: a, scope: r.example/a, signatures: { threshold: 1, of: [ci] } }\n`;
    expect(explain(policy(`version: 1\n${keyless}`), 'r.example/a').needsTuf).toBe(true);
    expect(explain(policy(`version: 1\ntrust: { sigstore: { trustedRoot: ./root.json } }\n${keyless}`), 'r.example/a').needsTuf).toBe(false);
  });
});
