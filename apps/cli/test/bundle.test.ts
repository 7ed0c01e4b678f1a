import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, repoRoot, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// What users install: the bundled executable (dist/bin/ocx.cjs) — built here, then run as a process,
// with its V8 code cache cold, warm, corrupted and switched off.

const cliDir = join(repoRoot, 'apps/cli');
const bin = join(cliDir, 'dist/bin/ocx.cjs');

function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const mtimes = async (dir: string) => Object.fromEntries(await Promise.all((await readdir(dir)).map(async (f) => [f, (await stat(join(dir, f))).mtimeMs] as const)));

describe('the bundled ocx executable', () => {
  let server: RunningRegistry;
  let keys: KeyFiles;
  let home: string;
  let ref: string;

  beforeAll(async () => {
    const built = spawnSync(join(repoRoot, 'node_modules/.bin/tsdown'), [], { cwd: cliDir, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`building the CLI failed:\n${built.stdout}\n${built.stderr}`);
    server = await createEmulator().listen();
    keys = await keyFiles();
    home = await mkdtemp(join(tmpdir(), 'ocx-bundle-'));
    const { repo, client } = repoAt(server.host, 'bundle/app');
    await pushPackage(repo, 'bundle', 'v1');
    await client.close();
    ref = `${server.host}/bundle/app:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const verify = (env: NodeJS.ProcessEnv) => runBin(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json'], env);

  it('prints its version and help', async () => {
    const v = await runBin(['--version'], { OCX_HOME: home });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^ocx \d+\.\d+\.\d+/);
    const h = await runBin(['--help'], { OCX_HOME: home });
    expect(h.stdout).toMatch(/verify/);
  });

  it('verifies with a cold code cache, writes it, and reuses it unchanged on the next run', async () => {
    const env = { OCX_HOME: join(home, 'cache-run') };
    const cold = await verify(env);
    expect(cold.code, cold.stderr).toBe(0);
    expect(JSON.parse(cold.stdout).verified).toBe(true);
    const dir = join(env.OCX_HOME, 'v8');
    const written = await mtimes(dir);
    expect(Object.keys(written).length).toBeGreaterThan(1);
    const warm = await verify(env);
    expect(warm.code, warm.stderr).toBe(0);
    // V8 accepted every entry: none was written again.
    expect(await mtimes(dir)).toEqual(written);
  });

  it('a corrupted code cache is rejected by V8 and rebuilt; the run is unaffected', async () => {
    const env = { OCX_HOME: join(home, 'corrupt-run') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    for (const f of await readdir(dir)) await writeFile(join(dir, f), 'not a code cache');
    const r = await verify(env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verified).toBe(true);
  });

  it('a code cache directory others can write to is neither read nor written', async () => {
    const env = { OCX_HOME: join(home, 'shared-run') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    await chmod(dir, 0o777);
    for (const f of await readdir(dir)) await writeFile(join(dir, f), 'planted');
    const before = await mtimes(dir);
    const r = await verify(env);
    expect(r.code, r.stderr).toBe(0);
    expect(await mtimes(dir)).toEqual(before);
  });

  it('OCX_NO_CODE_CACHE=1 writes no code cache', async () => {
    const env = { OCX_HOME: join(home, 'off-run'), OCX_NO_CODE_CACHE: '1' };
    expect((await verify(env)).code).toBe(0);
    await expect(stat(join(env.OCX_HOME, 'v8'))).rejects.toThrow();
  });
});
