#!/usr/bin/env node
// `pnpm lint:packages` (and .ci/run, before the tests): builds every package once (turbo; the tests'
// own builds then hit turbo's cache), packs each published package exactly as `pnpm publish` would
// (workspace:^ rewritten, only `files`), and runs publint and @arethetypeswrong/cli on that tarball,
// so what is checked is what users install (issue 9: "publint and attw pass on every built package").
//
//   node scripts/lint-packages.mjs [--no-build]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Every workspace package that is published (not `private`), by directory. */
export function publishedPackages() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (!pkg.private) out.push({ dir, name: pkg.name });
    }
  }
  return out;
}

/**
 * attw's checks for these packages. Every @ocx package is ESM only (`"type": "module"`, one `import`
 * condition, engines node >=20.19, where require() of ESM works), so the `esm-only` profile: it
 * ignores the node10 and node16-from-CJS resolutions, where "resolves to ESM" is the design, not a
 * bug; every other rule (missing types, types/JS format mismatch, false exports …) stays an error.
 */
export const ATTW_ARGS = ['--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'];

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

function main() {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const usage = 'usage: pnpm lint:packages [-- --no-build]   publint + attw on every published package (after a turbo build)\n';
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  if (args.some((a) => a !== '--no-build')) {
    process.stderr.write(usage);
    process.exit(64);
  }
  if (!args.includes('--no-build')) {
    const b = sh(bin('turbo'), ['run', 'build', '--output-logs=errors-only'], { stdio: 'inherit' });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'ocx-lint-packages-'));
  const failed = [];
  try {
    for (const { dir, name } of publishedPackages()) {
      const dest = join(tmp, name.replace(/[@/]/g, '_'));
      const pack = sh('pnpm', ['pack', '--pack-destination', dest], { cwd: dir });
      const tgz = pack.status === 0 ? readdirSync(dest).find((f) => f.endsWith('.tgz')) : undefined;
      if (!tgz) {
        failed.push(`${name}: pnpm pack failed\n${pack.stderr}`);
        continue;
      }
      const tarball = join(dest, tgz);
      // --strict: warnings fail too (a wrong `types` order or a missing file is a warning).
      const pl = sh(bin('publint'), ['run', tarball, '--strict', '--pack', 'false']);
      const at = sh(bin('attw'), [tarball, ...ATTW_ARGS]);
      const ok = pl.status === 0 && at.status === 0;
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}  publint ${pl.status === 0 ? 'ok' : 'failed'}, attw ${at.status === 0 ? 'ok' : 'failed'}\n`);
      if (pl.status !== 0) failed.push(`${name}: publint\n${pl.stdout}${pl.stderr}`);
      if (at.status !== 0) failed.push(`${name}: attw\n${at.stdout}${at.stderr}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed.length) {
    process.stderr.write(`\n${failed.join('\n')}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
