import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// `ocx verify` asks for each subject's referrers (and cosign's legacy tag) before the verifiers
// load, and both families share that one listing: fewer requests, same verdicts, same errors.

describe('ocx verify prefetches what the families need', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let keys: KeyFiles;
  let notationDir: string;
  let ref: string;

  beforeAll(async () => {
    emu = createEmulator();
    server = await emu.listen();
    keys = await keyFiles();
    notationDir = await mkdtemp(join(tmpdir(), 'ocx-prefetch-notation-'));
    // A notation configuration that applies (and finds nothing here): both families run.
    await writeFile(join(notationDir, 'trustpolicy.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:none'], trustedIdentities: ['*'] }] }));
    const { repo, client } = repoAt(server.host, 'prefetch/app');
    await pushPackage(repo, 'prefetch', 'v1');
    await client.close();
    ref = `${server.host}/prefetch/app:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await rm(notationDir, { recursive: true, force: true });
  });

  it('cosign and notation share one referrers listing per subject', async () => {
    emu.clearLog();
    const r = await ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--notation-config', notationDir, '--platform', 'linux/amd64', '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0].targets[0].signatures.some((s: { family: string; ok: boolean }) => s.family === 'cosign' && s.ok)).toBe(true);
    const listings = emu.log.filter((e) => e.path.includes('/referrers/')).map((e) => e.path.split('?')[0]);
    // The index and the linux/amd64 manifest: one listing each, whatever the number of families.
    expect(listings.length).toBe(2);
    expect(new Set(listings).size).toBe(2);
    const legacy = emu.log.filter((e) => /\/manifests\/sha256-[0-9a-f]{64}\.sig$/.test(e.path));
    expect(legacy.length).toBe(2);
  });

  it('trust material that does not load is still the command’s error, not a per-reference one', async () => {
    const r = await ocx(['verify', ref, '--key', join(notationDir, 'no-such-key.pub'), '--no-cache']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-key\.pub/);
    expect(r.stdout).toBe('');
  });
});
