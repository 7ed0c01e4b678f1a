import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, type KeyFiles } from './cosign-helpers.ts';

// issue 11: what `ocx package push --sign` wrote, `ocx pull` (issue 9) gets back byte for byte under
// a policy requiring that signer.
// (The policy's `sbom:` requirement is left out: the pull gate gathers no SBOM evidence yet.)

describe('ocx package push, then ocx pull', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let work: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    keys = await keyFiles();
    work = await mkdtemp(join(tmpdir(), 'ocx-rt-'));
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await rm(work, { recursive: true, force: true });
  });
  it('pushes with --sbom --sign and pulls the same bytes (modes, links) under a policy that requires the signer', async () => {
    const src = join(work, 'src');
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin/app'), '#!/bin/sh\necho app\n');
    await chmod(join(src, 'bin/app'), 0o755);
    await writeFile(join(src, 'README'), 'readme\n');
    await symlink('bin/app', join(src, 'app-link'));
    await writeFile(join(work, 'bom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }));
    const ref = `${server.host}/rt/app:1.0`;
    const env = { OCX_HOME: join(work, 'home'), OCX_POLICY: '', OCX_NO_VERIFY: '' };
    const p = await ocx(['package', 'push', src, ref, '--sbom', join(work, 'bom.json'), '--sign', '--key', keys.priv, '--tlog-upload=false'], env);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    const policy = join(work, 'policy.yaml');
    await writeFile(policy, `version: 1
signers:
  release-key: { key: ${keys.pub}, tlog: optional }
rules:
  - name: apps
    scope: ${server.host}/rt/**
    signatures: { threshold: 1, of: [release-key] }
`);
    const out = join(work, 'out');
    const r = await ocx(['pull', ref, '-o', out, '--policy', policy, '--format', 'json'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await readFile(join(out, 'bin/app'), 'utf8')).toBe('#!/bin/sh\necho app\n');
    expect(await readFile(join(out, 'README'), 'utf8')).toBe('readme\n');
    expect(((await stat(join(out, 'bin/app'))).mode & 0o111) !== 0).toBe(true);
    expect(await readlink(join(out, 'app-link'))).toBe('bin/app');
    expect(JSON.parse(r.stdout).verification).toMatchObject({ allowed: true, decision: { signers: ['release-key'] } });
  });
});
