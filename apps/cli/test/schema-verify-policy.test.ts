import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEmulator, fixturePath, type RunningRegistry } from '@ocx/testkit';
import { policyExplainJsonSchema } from '../src/schemas/policy-explain.ts';
import { verifyJsonSchema } from '../src/schemas/verify.ts';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { copyLayout, E2E, makeNotationConfig } from './notation-helpers.ts';

// apps/cli/schema/{verify,policy-explain}.schema.json are what the zod schemas generate (no
// drift; OCX_WRITE_SCHEMAS=1 rewrites them), and real `--format json` output validates against
// the SHIPPED files (read back into a validator with zod's fromJSONSchema).

const FILES = {
  verify: { url: new URL('../schema/verify.schema.json', import.meta.url), generate: verifyJsonSchema },
  'policy-explain': { url: new URL('../schema/policy-explain.schema.json', import.meta.url), generate: policyExplainJsonSchema },
} as const;

const text = (s: Record<string, unknown>) => `${JSON.stringify(s, null, 2)}\n`;
if (process.env.OCX_WRITE_SCHEMAS === '1') for (const f of Object.values(FILES)) writeFileSync(f.url, text(f.generate()));

function validator(name: keyof typeof FILES) {
  const shipped = JSON.parse(readFileSync(FILES[name].url, 'utf8'));
  const { $id: _id, $schema: _s, ...rest } = shipped;
  return z.fromJSONSchema(rest);
}

function expectValid(name: keyof typeof FILES, stdout: string): void {
  const r = validator(name).safeParse(JSON.parse(stdout));
  expect(r.success, r.success ? '' : JSON.stringify(r.error.issues, null, 2).slice(0, 4000)).toBe(true);
}

describe('shipped JSON Schemas of verify and policy explain', () => {
  it.each(Object.keys(FILES) as (keyof typeof FILES)[])('%s.schema.json is exactly what the zod schema generates', (name) => {
    const f = FILES[name];
    expect(existsSync(f.url), `run OCX_WRITE_SCHEMAS=1 pnpm exec vitest run ${import.meta.filename}`).toBe(true);
    expect(readFileSync(f.url, 'utf8')).toBe(text(f.generate()));
  });

  it('the validator rejects a document of another shape', () => {
    expect(validator('verify').safeParse({ verified: true, mode: 'policy', results: [] }).success).toBe(false);
    expect(validator('policy-explain').safeParse({ reference: 'x' }).success).toBe(false);
  });
});

describe('real --format json output validates against the shipped schemas', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let dir: string;
  let policy: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    dir = await mkdtemp(join(tmpdir(), 'ocx-schema-'));
    for (const [repo, sign] of [['app/signed', true], ['app/unsigned', false]] as const) {
      const { repo: r, client } = repoAt(server.host, repo);
      await pushPackage(r, repo, 'v1');
      await client.close();
      if (sign) expect((await ocx(['package', 'sign', `${server.host}/${repo}:v1`, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
    }
    await copyLayout('e2e-expired-signature', server.host, 'notation/expired');
    policy = join(dir, 'policy.yaml');
    await writeFile(policy, `version: 1\nsigners: { rk: { key: ${keys.pub}, tlog: optional } }\nrules:\n  - { name: app, scope: "${server.host}/app/**", signatures: { threshold: 1, of: [rk] }, sbom: { required: true } }\n  - { name: signed, scope: "${server.host}/app/signed", signatures: { threshold: 1, of: [rk] } }\n`);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('verify with trust flags (cosign key; notation with per-check actions; unsigned)', async () => {
    const ok = await ocx(['verify', `${server.host}/app/signed:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--all-platforms', '--format', 'json', '--no-cache']);
    expect(ok.code).toBe(0);
    expectValid('verify', ok.stdout);
    const unsigned = await ocx(['verify', `${server.host}/app/unsigned:v1`, '--key', keys.pub, '--format', 'json', '--no-cache']);
    expect(unsigned.code).toBe(79);
    expectValid('verify', unsigned.stdout);
    const config = await makeNotationConfig('permissive_trustpolicy.json', { 'ca:e2e': [fixturePath(E2E, 'config/localkeys', 'e2e.crt')] });
    const n = await ocx(['verify', `${server.host}/notation/expired:v1`, '--notation-config', config, '--verification-time', '2025-06-01T00:00:00Z', '--format', 'json', '--no-cache']);
    expect(n.code, n.stdout).toBe(0);
    expectValid('verify', n.stdout);
  });

  it('verify under a policy: allowed and blocked (with the why-tree)', async () => {
    const ok = await ocx(['verify', `${server.host}/app/signed:v1`, '--policy', policy, '--all-platforms', '--format', 'json', '--no-cache']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expectValid('verify', ok.stdout);
    const blocked = await ocx(['verify', `${server.host}/app/unsigned:v1`, '--policy', policy, '--platform', 'linux/amd64', '--format', 'json', '--no-cache']);
    expect(blocked.code).toBe(81);
    expectValid('verify', blocked.stdout);
  });

  it('policy explain, with and without --verify', async () => {
    const e = await ocx(['policy', 'explain', `${server.host}/app/other:v1`, '--policy', policy, '--format', 'json']);
    expect(e.code).toBe(0);
    expectValid('policy-explain', e.stdout);
    const v = await ocx(['policy', 'explain', `${server.host}/app/unsigned:v1`, '--verify', '--policy', policy, '--platform', 'linux/amd64', '--format', 'json', '--no-cache']);
    expect(v.code).toBe(81);
    expectValid('policy-explain', v.stdout);
  });
});
