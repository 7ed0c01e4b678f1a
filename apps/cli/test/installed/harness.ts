import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, runProcess } from '@ocx/testkit';

// What users run: `pnpm build`, `pnpm pack` of apps/cli, `npm install -g --prefix` of that tarball
// (offline: the package has no runtime dependencies), then the installed `ocx` bin as a process.
// Done once per source state: keyed by a hash of everything that goes into the build, under a lock, so
// the test files that need it (in parallel vitest workers) build, pack and install once between them.

const run = promisify(execFile);
const cacheRoot = join(repoRoot, 'node_modules/.cache/ocx-installed');
const cliDir = join(repoRoot, 'apps/cli');
const LOCK_STALE_MS = 10 * 60_000;

/** Every file that can change the packed CLI: sources, manifests, build configs, the lockfile. */
async function sourceKey(): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'apps', 'packages', 'package.json', 'pnpm-lock.yaml', 'tsdown.base.ts', 'turbo.json', 'tsconfig.base.json'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split('\0').filter((f) => f && !/(^|\/)test\/|\.test\.ts$|\.md$/.test(f)).sort();
  const h = createHash('sha256');
  for (const f of files) {
    const body = await readFile(join(repoRoot, f)).catch(() => undefined); // deleted but still in the index
    if (body) h.update(`${f}\0${body.length}\0`).update(body);
  }
  return h.digest('hex').slice(0, 24);
}

// A lock whose holder is gone (a worker killed on a timeout) or that is older than any build.
async function staleLock(lock: string): Promise<boolean> {
  const st = await stat(lock).catch(() => undefined);
  if (!st) return false;
  const age = Date.now() - st.mtimeMs;
  const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
  if (!pid) return age > 10_000; // between mkdir and writing the pid, or a crash right there
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  return age > LOCK_STALE_MS;
}

async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(cacheRoot, { recursive: true });
  const lock = join(cacheRoot, `${name}.lock`);
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (await staleLock(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function sh(cmd: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
}

let built: Promise<string> | undefined;

/** `pnpm build` unless apps/cli/dist was built from the current sources; returns the source key. */
export function ensureBuilt(): Promise<string> {
  return (built ??= (async () => {
    const key = await sourceKey();
    // Outside dist (which is packed): the source key and the built bundle's mtime, so a build made by
    // hand since then (of other sources) is not taken for ours.
    const stamp = join(cacheRoot, 'build-stamp');
    const bundle = join(cliDir, 'dist/bin/cli.cjs');
    const current = async () => `${key} ${(await stat(bundle).catch(() => undefined))?.mtimeMs ?? 'none'}`;
    await withLock('build', async () => {
      if ((await readFile(stamp, 'utf8').catch(() => '')) === (await current())) return;
      await sh('pnpm', ['build'], repoRoot);
      await writeFile(stamp, await current());
    });
    return key;
  })());
}

export interface InstalledOcx {
  /** The installed executable: PREFIX/bin/ocx, a symlink to the package's dist/bin/ocx.cjs. */
  readonly bin: string;
  readonly prefix: string;
  readonly tarball: string;
}

let installed: Promise<InstalledOcx> | undefined;

/** The built CLI, packed with pnpm and installed with npm into a prefix of its own (reused while fresh). */
export function installedOcx(): Promise<InstalledOcx> {
  return (installed ??= (async () => {
    const key = await ensureBuilt();
    const dir = join(cacheRoot, key);
    const prefix = join(dir, 'prefix');
    const bin = join(prefix, 'bin/ocx');
    return withLock('install', async () => {
      const ready = join(dir, 'ready');
      if (!existsSync(ready)) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await sh('pnpm', ['pack', '--pack-destination', dir], cliDir);
        const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
        if (!tgz) throw new Error(`pnpm pack wrote no tarball into ${dir}`);
        // --offline: every dependency is inlined in the bundle, so nothing may come from a registry.
        await sh('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, tgz)], dir);
        await writeFile(ready, tgz);
        await pruneOthers(key);
      }
      return { bin, prefix, tarball: join(dir, (await readFile(ready, 'utf8')).trim()) };
    });
  })());
}

// Older source states' installs are not needed again; keep the cache to the current one.
async function pruneOthers(key: string): Promise<void> {
  for (const e of await readdir(cacheRoot)) if (e !== key && e !== 'build-stamp' && !e.endsWith('.lock')) await rm(join(cacheRoot, e), { recursive: true, force: true });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to a clean environment (PATH with this node first, HOME, OCX_HOME). */
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  cwd?: string;
}

/** A sandbox for one test: its own HOME and OCX_HOME, nothing of the user's (docker config, caches). */
export async function sandbox(): Promise<{ dir: string; env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ocx-installed-'));
  await mkdir(join(dir, 'home'));
  return {
    dir,
    env: { HOME: join(dir, 'home'), OCX_HOME: join(dir, 'ocx-home'), DOCKER_CONFIG: join(dir, 'docker') },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs the installed bin itself (its `#!/usr/bin/env node` finds this node first on PATH). */
export async function runInstalled(bin: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = { PATH: [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter), ...opts.env };
  // The test's own timeout bounds a hung command; runProcess's is only a backstop.
  const r = await runProcess(bin, args, { env, cwd: opts.cwd ?? tmpdir(), input: opts.stdin ?? '', timeoutMs: 600_000 });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}
