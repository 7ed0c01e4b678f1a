import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, pushImage, type RunningRegistry } from '@ocx/testkit';
import { attachRaw } from '../../../packages/sbom/test/helpers.ts';
import { ocx } from './cli.ts';
import { keyFiles, repoAt, type KeyFiles } from './cosign-helpers.ts';

// -a/--annotations is a cosign signature check: `ocx sbom --require-signed` honours it for signatures
// on the SBOM, and `ocx verify` refuses it when no cosign trust is given (it would be ignored).

const SPDX = '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"a","dataLicense":"CC0-1.0","documentNamespace":"https://x/a","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[]}';

describe('-a/--annotations beyond ocx verify --key', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let notationDir: string;
  let ref: string;

  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    notationDir = await mkdtemp(join(tmpdir(), 'ocx-notation-empty-'));
    const { repo, client } = repoAt(server.host, 'sbom/annotated');
    const subject = await pushImage(repo, 'annotated', 'v1');
    const sbom = await attachRaw(repo, subject, 'application/spdx+json', SPDX, 'application/spdx+json');
    await client.close();
    ref = `${server.host}/sbom/annotated:v1`;
    const signed = await ocx(['package', 'sign', `${server.host}/sbom/annotated@${sbom.digest}`, '--key', keys.priv, '--tlog-upload=false', '-a', 'env=prod']);
    expect(signed.code, signed.stderr).toBe(0);
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await rm(notationDir, { recursive: true, force: true });
  });

  const sbom = (...extra: string[]) => ocx(['sbom', ref, '--require-signed', '--key', keys.pub, '--insecure-ignore-tlog', '--format', 'json', '--no-cache', ...extra]);

  it('ocx sbom --require-signed counts the SBOM signed only when the signature signed the annotations', async () => {
    const ok = await sbom('-a', 'env=prod');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).sboms[0].signed).toBe(true);
    const wrong = await sbom('-a', 'env=dev');
    expect(wrong.code).toBe(65);
    expect(JSON.parse(wrong.stdout).sboms[0].signed).toBe(false);
    expect(wrong.stdout).toMatch(/annotation env: expected dev, found prod/);
  });

  it('ocx sbom passes every trust flag on: notation revocation flags are checked, not dropped', async () => {
    const dir = join(notationDir, 'with-policy');
    await mkdir(dir);
    await writeFile(join(dir, 'trustpolicy.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:none'], trustedIdentities: ['*'] }] }));
    const r = await ocx(['sbom', ref, '--notation-config', dir, '--revocation-timeout', 'soon', '--no-cache']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--revocation-timeout must be a number of seconds/);
  });

  it('ocx verify -a with only notation trust is a usage error, not a silently skipped check', async () => {
    const r = await ocx(['verify', ref, '--notation-config', notationDir, '-a', 'env=prod']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/-a\/--annotations checks cosign signatures/);
  });
});
