import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { copyLayout, E2E, makeNotationConfig, registryTargets } from './notation-helpers.ts';

// `ocx policy check | explain [--verify] | import-notation`, and the equivalence the issue asks
// for: a notation trust policy converted by import-notation gives `ocx verify --policy` the same
// verdicts as `--notation-config` on notation's e2e layouts.

describe('ocx policy check and explain', () => {
  let dir: string;
  let keys: KeyFiles;
  let policy: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-policy-cmd-'));
    keys = await keyFiles();
    policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      `version: 1
signers:
  rk: { key: ${keys.pub}, tlog: optional }
rules:
  - name: acme
    scope: registry.example/acme/**
    exclude: [registry.example/acme/sandbox/**]
    signatures: { threshold: 1, of: [rk] }
  - name: tool
    scope: registry.example/acme/tool
    signatures: { threshold: 1, of: [rk] }
    sbom: { required: true }
  - name: whole-registry
    scope: registry.example
    mode: audit
    signatures: { threshold: 1, of: [rk] }
`,
    );
  });
  afterAll(async () => {
    await keys?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('check: valid, rules in order of precedence (exact, prefix, registry)', async () => {
    const r = await ocx(['policy', 'check', policy]);
    expect(r.code, r.stderr).toBe(0);
    const order = ['tool', 'acme', 'whole-registry'].map((n) => r.stdout.indexOf(`. ${n} `));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    const j = JSON.parse((await ocx(['policy', 'check', policy, '--format', 'json'])).stdout);
    expect(j.rules.map((x: { name: string }) => x.name)).toEqual(['tool', 'acme', 'whole-registry']);
  });

  it('check: a bad policy is exit 78 pointing at the rule (misspelt key, ambiguous precedence)', async () => {
    const typo = join(dir, 'typo.yaml');
    await writeFile(typo, 'version: 1\nrules:\n  - name: typo\n    scpoe: registry.example/a\n    signatures: { threshold: 1, of: [x] }\n');
    const r = await ocx(['policy', 'check', typo]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/rules\[0\]|"typo"/);
    const twice = join(dir, 'twice.yaml');
    await writeFile(twice, `version: 1\nsigners: { k: { key: ${keys.pub}, tlog: optional } }\nrules:\n  - { name: one, scope: registry.example/a, signatures: { threshold: 1, of: [k] } }\n  - { name: two, scope: registry.example/a, signatures: { threshold: 1, of: [k] } }\n`);
    const a = await ocx(['policy', 'check', twice, '--format', 'json']);
    expect(a.code).toBe(78);
    expect(JSON.parse(a.stdout).error.message).toMatch(/one.*two|two.*one/s);
  });

  it('explain: no network; which rule wins, why the others lost, what will be enforced', async () => {
    // registry.example does not resolve: explain must not try.
    const r = await ocx(['policy', 'explain', 'registry.example/acme/tool:1.0', '--policy', policy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rule: +tool/);
    expect(r.stdout).toMatch(/acme .*less specific/);
    expect(r.stdout).toMatch(/sbom: required/);
    const j = await ocx(['policy', 'explain', 'registry.example/acme/sandbox/x:1', '--format', 'json'], { OCX_POLICY: policy });
    const doc = JSON.parse(j.stdout);
    expect(doc.policy).toEqual({ source: 'OCX_POLICY', path: policy });
    expect(doc.explanation.rule.name).toBe('whole-registry');
    expect(doc.explanation.rules.find((x: { name: string }) => x.name === 'acme').status).toBe('excluded');
  });

  it('explain --verify also runs it: 0 when signed, 81 when not', async () => {
    const { createEmulator } = await import('@ocx/testkit');
    const server = await createEmulator().listen();
    try {
      const p = join(dir, 'emu.yaml');
      await writeFile(p, `version: 1\nsigners: { rk: { key: ${keys.pub}, tlog: optional } }\nrules:\n  - { name: emu, scope: "${server.host}", signatures: { threshold: 1, of: [rk] } }\n`);
      for (const [repo, sign] of [['app/signed', true], ['app/unsigned', false]] as const) {
        const { repo: r, client } = repoAt(server.host, repo);
        await pushPackage(r, repo, 'v1');
        await client.close();
        if (sign) expect((await ocx(['package', 'sign', `${server.host}/${repo}:v1`, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
      }
      const ok = await ocx(['policy', 'explain', `${server.host}/app/signed:v1`, '--verify', '--policy', p, '--platform', 'linux/amd64', '--no-cache', '--format', 'json']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ explanation: { rule: { name: 'emu' } }, verification: { verified: true } });
      const blocked = await ocx(['policy', 'explain', `${server.host}/app/unsigned:v1`, '--verify', '--policy', p, '--platform', 'linux/amd64', '--no-cache']);
      expect(blocked.code).toBe(81);
      expect(blocked.stdout).toMatch(/will enforce:[\s\S]*blocked by rule "emu"/);
    } finally {
      await server.close();
    }
  });
});

// notation-e2e-layouts.test.ts's rows, through import-notation + `ocx verify --policy`.
const key = (f: string) => fixturePath(E2E, 'config/localkeys', f);
const TIME = ['--verification-time', '2025-06-01T00:00:00Z'];
const ROWS = [
  { layout: 'e2e', policy: 'trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json', cert: 'new_e2e.crt' },
  { layout: 'e2e-valid-signature', policy: 'permissive_trustpolicy.json', cert: 'new_e2e.crt' },
  { layout: 'e2e-valid-signature', policy: 'audit_trustpolicy.json', cert: 'new_e2e.crt' },
  { layout: 'e2e-valid-signature', policy: 'skip_trustpolicy.json', cert: 'new_e2e.crt' },
  { layout: 'e2e-valid-multiple-signatures', policy: 'trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-expired-signature', policy: 'trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-expired-signature', policy: 'permissive_trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-expired-signature', policy: 'audit_trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-invalid-signature', policy: 'trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-invalid-signature', policy: 'permissive_trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-invalid-signature', policy: 'audit_trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-invalid-signature', policy: 'skip_trustpolicy.json', cert: 'e2e.crt' },
  { layout: 'e2e-with-expired-cert', policy: 'trustpolicy.json', cert: 'expired_e2e.crt' },
  { layout: 'e2e-with-expired-cert', policy: 'permissive_trustpolicy.json', cert: 'expired_e2e.crt' },
  { layout: 'e2e-with-expired-cert', policy: 'audit_trustpolicy.json', cert: 'expired_e2e.crt' },
];
const LAYOUTS = [...new Set(ROWS.map((r) => r.layout))];

for (const target of registryTargets) {
  describe.skipIf(!target.available)(`import-notation gives the same verdicts as --notation-config (${target.name})`, () => {
    let reg: { host: string; stop(): Promise<void> };
    beforeAll(async () => {
      reg = await target.start();
      for (const l of LAYOUTS) await copyLayout(l, reg.host, l);
    }, 60_000);
    afterAll(async () => reg?.stop());

    it.each(ROWS)('$layout under $policy with $cert', async (row) => {
      const config = await makeNotationConfig(row.policy, { 'ca:e2e': [key(row.cert)] });
      const ref = `${reg.host}/${row.layout}:v1`;
      const notation = await ocx(['verify', ref, '--notation-config', config, '--no-cache', ...TIME]);
      const converted = join(config, 'converted.yaml');
      const imp = await ocx(['policy', 'import-notation', join(config, 'trustpolicy.json'), '--notation-config', config, '-o', converted]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(await readFile(converted, 'utf8')).toMatch(/^version: 1$/m);
      const byPolicy = await ocx(['verify', ref, '--policy', converted, '--no-cache', ...TIME]);
      expect(byPolicy.code === 0, `--notation-config exit ${notation.code}, --policy exit ${byPolicy.code}\n${byPolicy.stdout}${byPolicy.stderr}`).toBe(notation.code === 0);
      if (notation.code !== 0) expect(byPolicy.code).toBe(81);
    });
  });
}

describe('import-notation refuses what notation refuses', () => {
  it('an invalid trust policy → 78 with notation\'s reason; an existing output is never overwritten', async () => {
    const config = await makeNotationConfig('multi_statements_with_the_same_name_trustpolicy.json', {});
    const r = await ocx(['policy', 'import-notation', join(config, 'trustpolicy.json')]);
    expect(r.code, r.stdout + r.stderr).toBe(78);
    const ok = await makeNotationConfig('trustpolicy.json', {});
    const out = join(ok, 'exists.yaml');
    await writeFile(out, 'keep me');
    const w = await ocx(['policy', 'import-notation', join(ok, 'trustpolicy.json'), '-o', out]);
    expect(w.code).toBe(74);
    expect(await readFile(out, 'utf8')).toBe('keep me');
  });
});
