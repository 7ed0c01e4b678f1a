import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createEmulator, fixturePath, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { copyLayout, E2E, makeNotationConfig } from './notation-helpers.ts';

// Real `ocx verify` (trust flags and policy) and `ocx policy explain [--verify]` JSON output validates
// against the SHIPPED apps/cli/schema/{verify,policy-explain}.schema.json (json-schemas.test.ts
// keeps the files equal to what the zod schemas generate).

const schemaDir = new URL('../schema/', import.meta.url);
const validators = new Map<string, ValidateFunction>();

/** Validates real stdout against the SHIPPED file with a draft 2020-12 validator (ajv). */
function expectValid(name: 'verify' | 'policy-explain', stdout: string): void {
  let validate = validators.get(name);
  if (!validate) validators.set(name, (validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemaDir), 'utf8')))));
  const ok = validate(JSON.parse(stdout));
  expect(ok, JSON.stringify(validate.errors, null, 2)?.slice(0, 4000)).toBe(true);
}

describe('the shipped verify and policy-explain schemas', () => {
  it('reject a document of another shape', () => {
    expect(() => expectValid('verify', JSON.stringify({ verified: true, mode: 'policy', results: [] }))).toThrow();
    expect(() => expectValid('policy-explain', JSON.stringify({ reference: 'x' }))).toThrow();
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
