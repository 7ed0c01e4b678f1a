#!/usr/bin/env node
// `npm run demo` / `npm test` on a machine with Node and npm only (README "Set-up"): makes sure the
// pinned pnpm and the locked dependencies are there, then runs the task. Plain Node, no dependency:
// it runs before anything is installed. `pnpm demo` / `pnpm test` go through it too (a hash check).
//
//   node scripts/bootstrap.mjs test [vitest args]    node scripts/bootstrap.mjs demo
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What each task runs once the dependencies are installed. */
export const TASKS = {
  test: ['vitest', 'run'],
  demo: [process.execPath, '--conditions=@ocx/source', '--import', 'tsx', 'scripts/demo.ts'],
  // publint + attw on every published package, after one turbo build (scripts/lint-packages.mjs).
  'lint-packages': [process.execPath, 'scripts/lint-packages.mjs'],
};

/** The pnpm version package.json pins ("packageManager": "pnpm@X"). */
export function pinnedPnpm(packageJson) {
  const m = /^pnpm@(\d+\.\d+\.\d+)/.exec(packageJson.packageManager ?? '');
  if (!m) throw new Error('package.json has no "packageManager": "pnpm@X.Y.Z"');
  return m[1];
}

/**
 * How to run pnpm: the one on PATH when it is the pinned version, else the pinned version through
 * npx (which every npm has; it downloads pnpm once into npm's cache).
 */
export function pnpmCommand(pathVersion, pinned) {
  return pathVersion?.trim() === pinned ? ['pnpm'] : ['npx', '--yes', `pnpm@${pinned}`];
}

/**
 * Where pnpm came through npx, tasks (and tests that run pnpm) find the same pinned pnpm as
 * `node_modules/.bin/pnpm`, which the task's PATH starts with.
 */
export function pnpmShim(pinned) {
  return `#!/bin/sh\n# written by scripts/bootstrap.mjs: the pinned pnpm through npx (no pnpm ${pinned} on PATH)\nexec npx --yes pnpm@${pinned} "$@"\n`;
}

/** The stamp of an install: the lockfile and the manifests it was installed from. */
export function installStamp(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(existsSync(f) ? readFileSync(f) : '').update('\0');
  return h.digest('hex');
}

/** The arguments after the task, without the `--` pnpm 12 passes through verbatim. */
export function taskArgs(argv) {
  const [task, ...rest] = argv;
  return { task, args: rest[0] === '--' ? rest.slice(1) : rest };
}

function versionOnPath() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout : undefined;
}

function main() {
  const { task, args } = taskArgs(process.argv.slice(2));
  if (!task || !Object.hasOwn(TASKS, task)) {
    process.stderr.write(`usage: node scripts/bootstrap.mjs ${Object.keys(TASKS).join('|')} [args]\n`);
    process.exit(64);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const stampFile = join(root, 'node_modules', '.ocx-install-stamp');
  const stamp = installStamp([join(root, 'pnpm-lock.yaml'), join(root, 'package.json')]);
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    const pinned = pinnedPnpm(pkg);
    const [cmd, ...pre] = pnpmCommand(versionOnPath(), pinned);
    process.stderr.write(`bootstrap: installing the locked dependencies with ${[cmd, ...pre].join(' ')} (pnpm ${pinned})\n`);
    const r = spawnSync(cmd, [...pre, 'install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`bootstrap: ${cmd} ${[...pre, 'install', '--frozen-lockfile'].join(' ')} failed (exit ${r.status ?? r.signal}); needs network access to the npm registry\n`);
      process.exit(r.status || 1);
    }
    if (cmd !== 'pnpm') {
      const shim = join(root, 'node_modules', '.bin', 'pnpm');
      writeFileSync(shim, pnpmShim(pinned));
      chmodSync(shim, 0o755);
    }
    writeFileSync(stampFile, stamp);
  }
  const [cmd, ...pre] = TASKS[task];
  const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter) };
  const r = spawnSync(cmd, [...pre, ...args], { cwd: root, stdio: 'inherit', env });
  if (r.error) {
    process.stderr.write(`bootstrap: cannot run ${cmd}: ${r.error.message}\n`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
