// pnpm fuzz [-- --runs N] [--seed S] [PACKAGE…]
// The nightly-style run of the property suites (packages/*/test/properties.test.ts): the same
// properties `pnpm test` runs a few hundred times with a fixed seed, here ≥100k cases per parser with
// a fresh seed (fast-check prints it with any counterexample; replay with --seed). No test timeout:
// a long run is expected; each case still has its hang bound (@ocx/testkit/fuzz CASE_BUDGET_MS).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, scriptArgs } from '@ocx/testkit';

const PACKAGES = ['oci', 'cosign', 'notation', 'sbom', 'policy'];

const { values, positionals } = scriptArgs({
  name: 'fuzz',
  usage: `pnpm fuzz -- [--runs N] [--seed S] [${PACKAGES.join('|')} …]
  --runs N   cases per parser (default 100000)
  --seed S   replay one seed (default: a fresh one per property)`,
  options: { runs: { type: 'string' }, seed: { type: 'string' } },
  positionals: PACKAGES,
}) as { values: { runs?: string; seed?: string }; positionals: string[] };

function integer(flag: string, text: string | undefined, fallback: number | undefined, min: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`fuzz: --${flag} must be an integer ≥ ${min}, got ${JSON.stringify(text)}\n`);
    process.exit(64);
  }
  return n;
}
const runs = integer('runs', values.runs, 100_000, 1)!;
const seed = integer('seed', values.seed, undefined, Number.MIN_SAFE_INTEGER);

const files = (positionals.length ? positionals : PACKAGES).map((p) => join('packages', p, 'test', 'properties.test.ts')).filter((f) => existsSync(join(repoRoot, f)));
const env = { ...process.env, OCX_FUZZ_RUNS: String(runs), ...(seed !== undefined ? { OCX_FUZZ_SEED: String(seed) } : {}) };
process.stdout.write(`fuzz: ${runs} cases per property${seed !== undefined ? `, seed ${seed}` : ''}: ${files.join(' ')}\n`);
const r = spawnSync('pnpm', ['exec', 'vitest', 'run', '--testTimeout', '0', ...files], { cwd: repoRoot, env, stdio: 'inherit' });
process.exitCode = r.status ?? 1;
