import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { legacySbomTag } from '@ocx/sbom';
import { createEmulator, pushImage, pushTagged, tarGz, type RunningRegistry } from '@ocx/testkit';
import { attachBundle, attachRaw, dsse, statement } from '../../../packages/sbom/test/helpers.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { COMMAND_SCHEMAS, commandOutputSchema, jsonSchemas, jsonSchemaText, type SchemaCommand } from '../src/schemas/index.ts';
import { ocx } from './cli.ts';
import { keyFiles, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { pushLayers, pushTwoPlatforms, TGZ } from './pull-helpers.ts';

// issue 9: every `--format json` output has a JSON Schema generated from the zod schema that shapes
// it, shipped in the package (apps/cli/schema/), and each command's REAL output validates against
// the shipped file with a draft 2020-12 validator (ajv), not only against zod.

const schemaDir = new URL('../schema/', import.meta.url);
const shipped = (name: string) => JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemaDir), 'utf8')) as Record<string, unknown>;

describe('apps/cli/schema/*.schema.json', () => {
  it.each(Object.keys(jsonSchemas()))('%s.schema.json is exactly what the zod schema generates (regenerate: pnpm --filter ocx schema)', (name) => {
    expect(readFileSync(new URL(`${name}.schema.json`, schemaDir), 'utf8')).toBe(jsonSchemaText(jsonSchemas()[name]!));
  });

  it('ships in the package and is exported', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./schema/*.schema.json']).toBe('./schema/*.schema.json');
  });

  it('every schema compiles under draft 2020-12 in strict mode, and objects allow no unknown keys', () => {
    for (const name of Object.keys(jsonSchemas())) {
      const s = shipped(name);
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => new Ajv2020({ strict: true }).compile(s), name).not.toThrow();
    }
    expect(JSON.stringify(shipped('sbom'))).not.toMatch(/"additionalProperties":\s*true/);
  });

  it('rejects what a renderer must never print: an unknown key, a missing field, a bare error', () => {
    const validate = new Ajv2020({ strict: true }).compile(shipped('copy'));
    const good = { source: 'a', destination: 'b', digest: 'sha256:00', mediaType: 'm', size: 1, manifests: 1, blobs: 1, skippedBlobs: 0, referrers: 0 };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, blobs: undefined })).toBe(false);
    expect(validate({ error: { kind: 'not_found', exitCode: 79 } })).toBe(false);
    expect(validate({ error: { kind: 'not_found', exitCode: 79, message: 'm' } })).toBe(true);
  });
});

/** Validates `stdout` against the shipped file with ajv AND with the zod schema; returns the document. */
const validators = new Map<string, ValidateFunction>();
function check(command: SchemaCommand, stdout: string): Record<string, unknown> {
  let validate = validators.get(command);
  if (!validate) validators.set(command, (validate = new Ajv2020({ strict: true, allErrors: true }).compile(shipped(command))));
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const ok = validate(doc);
  expect(ok, `${command}: ${JSON.stringify(validate.errors, null, 2)}\n${stdout}`).toBe(true);
  expect(commandOutputSchema(command).safeParse(doc).success).toBe(true);
  return doc;
}
function checkReport(command: SchemaCommand, stdout: string): Record<string, unknown> {
  const doc = check(command, stdout);
  expect(COMMAND_SCHEMAS[command].safeParse(doc).success, stdout).toBe(true);
  return doc;
}
function checkError(command: SchemaCommand, stdout: string, exitCode: number): Record<string, unknown> {
  const doc = check(command, stdout) as { error: { kind: string; exitCode: number; message: string } };
  expect(doc.error.exitCode).toBe(exitCode);
  return doc;
}

const SPDX = '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","dataLicense":"CC0-1.0","documentNamespace":"https://x/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1.0.0","downloadLocation":"NOASSERTION","licenseConcluded":"MIT"}]}\n';
const CDX = '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"b","version":"2.0.0"}]}';

describe('real --format json output validates against the shipped JSON Schema', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  let host: string;
  let dir: string;
  let subject: Descriptor;
  beforeAll(async () => {
    server = await createEmulator().listen();
    host = server.host;
    client = new RegistryClient({});
    const repo = new RemoteRepository(client, { host, registry: host, repository: 'schema/app' });
    subject = await pushImage(repo, 'schema', 'v1');
    await pushImage(repo, 'bare', 'bare');
    // A referrer SBOM, a cosign v3 attestation bundle, and cosign's legacy .att tag: every node shape.
    const sbom = await attachRaw(repo, subject, 'application/spdx+json', SPDX, 'application/spdx+json');
    await attachRaw(repo, sbom, 'application/vnd.example.note', 'note', 'text/plain');
    await attachBundle(repo, subject, statement(subject.digest, 'https://cyclonedx.org/bom', JSON.parse(CDX)), 'https://cyclonedx.org/bom');
    await pushTagged(repo, legacySbomTag(subject.digest, 'att')!, [
      { content: JSON.stringify(dsse(statement(subject.digest, 'https://spdx.dev/Document', JSON.parse(SPDX)))), mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { predicateType: 'https://spdx.dev/Document' } },
    ]);
    dir = await mkdtemp(join(tmpdir(), 'ocx-schema-'));
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('discover', () => {
    it('a referrer tree with kinds, a referrer of a referrer and a legacy tag node', async () => {
      const r = await ocx(['discover', `${host}/schema/app:v1`, '--format', 'json', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      const doc = checkReport('discover', r.stdout) as { referrers: { attachedBy?: string; referrers: unknown[] }[] };
      expect(doc.referrers.some((n) => n.attachedBy === 'tag')).toBe(true);
      expect(doc.referrers.some((n) => n.referrers.length > 0)).toBe(true);
    });

    it('no referrers', async () => {
      const r = await ocx(['discover', `${host}/schema/app:bare`, '--format', 'json', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      checkReport('discover', r.stdout);
    });

    it('errors: a missing tag (registry fields included) and a usage error', async () => {
      const missing = await ocx(['discover', `${host}/schema/app:none`, '--format', 'json', '--no-cache']);
      expect(missing.code).toBe(ExitCode.NOT_FOUND);
      checkError('discover', missing.stdout, ExitCode.NOT_FOUND);
      const usage = await ocx(['discover', 'a', 'b', '--format', 'json']);
      expect(usage.code).toBe(ExitCode.USAGE);
      checkError('discover', usage.stdout, ExitCode.USAGE);
    });
  });

  describe('copy', () => {
    it('registry → registry with referrers, and → OCI layout', async () => {
      const r = await ocx(['copy', `${host}/schema/app:v1`, `${host}/schema/mirror:v1`, '--format', 'json', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      expect(checkReport('copy', r.stdout)).toMatchObject({ digest: subject.digest });
      const l = await ocx(['copy', `${host}/schema/app:v1`, `oci-layout:${join(dir, 'layout')}:v1`, '--no-referrers', '--format', 'json', '--no-cache']);
      expect(l.code, l.stderr).toBe(0);
      checkReport('copy', l.stdout);
    });

    it('errors: a missing source and a bad flag value', async () => {
      const missing = await ocx(['copy', `${host}/schema/none:v1`, `${host}/schema/x:v1`, '--format', 'json', '--no-cache']);
      expect(missing.code).toBe(ExitCode.NOT_FOUND);
      checkError('copy', missing.stdout, ExitCode.NOT_FOUND);
      const usage = await ocx(['copy', `${host}/schema/app:v1`, `${host}/schema/x:v1`, '--concurrency', '0', '--format', 'json']);
      expect(usage.code).toBe(ExitCode.USAGE);
      checkError('copy', usage.stdout, ExitCode.USAGE);
    });
  });

  describe('sbom', () => {
    it('every source, with summaries', async () => {
      const r = await ocx(['sbom', `${host}/schema/app:v1`, '--summary', '--format', 'json', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      const doc = checkReport('sbom', r.stdout) as { sboms: { summary?: unknown }[] };
      expect(doc.sboms.length).toBe(3);
      expect(doc.sboms.every((s) => s.summary)).toBe(true);
    });

    it('--output FILE: the written block', async () => {
      const out = join(dir, 'sbom.spdx.json');
      const r = await ocx(['sbom', `${host}/schema/app:v1`, '--type', 'cyclonedx', '--output', out, '--format', 'json', '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      expect(checkReport('sbom', r.stdout)).toHaveProperty('written');
      expect((await readFile(out, 'utf8')).length).toBeGreaterThan(0);
    });

    it('the report on failure: trust checked and unsigned (--require-signed), none attached', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const key = join(dir, 'cosign.pub');
      await writeFile(key, publicKey.export({ type: 'spki', format: 'pem' }));
      const unsigned = await ocx(['sbom', `${host}/schema/app:v1`, '--key', key, '--insecure-ignore-tlog', '--require-signed', '--format', 'json', '--no-cache']);
      expect(unsigned.code).not.toBe(0);
      const doc = checkReport('sbom', unsigned.stdout) as { sboms: { trust: { checked: boolean } }[] };
      expect(doc.sboms.every((s) => s.trust.checked)).toBe(true);
      const none = await ocx(['sbom', `${host}/schema/app:bare`, '--format', 'json', '--no-cache']);
      expect(none.code).toBe(ExitCode.NOT_FOUND);
      checkReport('sbom', none.stdout);
    });

    it('errors: a missing reference and a usage error', async () => {
      const missing = await ocx(['sbom', `${host}/schema/app:none`, '--format', 'json', '--no-cache']);
      expect(missing.code).toBe(ExitCode.NOT_FOUND);
      checkError('sbom', missing.stdout, ExitCode.NOT_FOUND);
      const usage = await ocx(['sbom', `${host}/schema/app:v1`, '--type', 'nope', '--format', 'json']);
      expect(usage.code).toBe(ExitCode.USAGE);
      checkError('sbom', usage.stdout, ExitCode.USAGE);
    });
  });

  describe('pull', () => {
    let keys: KeyFiles;
    beforeAll(async () => {
      keys = await keyFiles();
      const { repo, client: c } = repoAt(host, 'schema/pkg');
      try {
        await pushLayers(repo, [{ bytes: await tarGz([{ name: 'bin/app', content: 'app' }]), mediaType: TGZ }], 'v1');
        await pushLayers(repo, [{ bytes: await tarGz([{ name: 'bin/app', content: 'unsigned' }]), mediaType: TGZ }], 'unsigned');
        await pushTwoPlatforms(repo, 'multi');
      } finally {
        await c.close();
      }
      const signed = await ocx(['package', 'sign', `${host}/schema/pkg:v1`, '--key', keys.priv, '--tlog-upload=false', '--no-cache']);
      expect(signed.code, signed.stderr).toBe(0);
    });
    afterAll(async () => keys?.cleanup());
    const env = () => ({ OCX_HOME: join(dir, 'home'), OCX_POLICY: '', OCX_NO_VERIFY: '' });
    const policy = async () => {
      const path = join(dir, 'policy.yaml');
      await writeFile(path, `version: 1\nsigners:\n  release-key: { key: ${keys.pub}, tlog: optional }\nrules:\n  - name: pkg\n    scope: ${host}/schema/pkg\n    signatures: { threshold: 1, of: [release-key] }\n`);
      return path;
    };

    it('unverified (no policy) and from an index with --platform', async () => {
      const r = await ocx(['pull', `${host}/schema/pkg:v1`, '-o', join(dir, 'pull-a'), '--format', 'json', '--no-cache'], env());
      expect(r.code, r.stderr).toBe(0);
      expect(checkReport('pull', r.stdout)).toMatchObject({ pulled: true, verification: { mode: 'unverified' } });
      const m = await ocx(['pull', `${host}/schema/pkg:multi`, '-o', join(dir, 'pull-m'), '--platform', 'linux/arm64', '--no-verify', '--format', 'json', '--no-cache'], env());
      expect(m.code, m.stderr).toBe(0);
      expect(checkReport('pull', m.stdout)).toMatchObject({ platform: 'linux/arm64', index: expect.any(String), verification: { mode: 'disabled' } });
    });

    it('allowed by a policy: the decision with its why-tree', async () => {
      const r = await ocx(['pull', `${host}/schema/pkg:v1`, '-o', join(dir, 'pull-b'), '--policy', await policy(), '--format', 'json', '--no-cache'], env());
      expect(r.code, r.stderr).toBe(0);
      expect(checkReport('pull', r.stdout)).toMatchObject({ verification: { mode: 'policy', allowed: true, decision: { signers: ['release-key'] } } });
    });

    it('blocked (exit 81): the report with pulled false, dir null and the failing why-tree', async () => {
      const r = await ocx(['pull', `${host}/schema/pkg:unsigned`, '-o', join(dir, 'pull-c'), '--policy', await policy(), '--format', 'json', '--no-cache'], env());
      expect(r.code).toBe(81);
      const doc = checkReport('pull', r.stdout) as { verification: { decision: { why: { outcome: string; children?: unknown[] } } } };
      expect(doc).toMatchObject({ pulled: false, dir: null });
      expect(doc.verification.decision.why.outcome).toBe('fail');
      expect(doc.verification.decision.why.children?.length).toBeGreaterThan(0);
    });

    it('errors: a policy that does not load (78), a missing tag, a usage error', async () => {
      const bad = join(dir, 'bad-policy.yaml');
      await writeFile(bad, 'version: 1\nrules:\n  - { name: x, scop: a.example }\n');
      const p = await ocx(['pull', `${host}/schema/pkg:v1`, '-o', join(dir, 'pull-d'), '--policy', bad, '--format', 'json', '--no-cache'], env());
      expect(p.code).toBe(ExitCode.CONFIG);
      checkError('pull', p.stdout, ExitCode.CONFIG);
      const missing = await ocx(['pull', `${host}/schema/pkg:none`, '-o', join(dir, 'pull-e'), '--no-verify', '--format', 'json', '--no-cache'], env());
      expect(missing.code).toBe(ExitCode.NOT_FOUND);
      checkError('pull', missing.stdout, ExitCode.NOT_FOUND);
      const usage = await ocx(['pull', `${host}/schema/pkg:v1`, '--format', 'json'], env());
      expect(usage.code).toBe(ExitCode.USAGE);
      checkError('pull', usage.stdout, ExitCode.USAGE);
    });
  });
});
