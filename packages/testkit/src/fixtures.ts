import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where pnpm-workspace.yaml lives). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The shared corpora written by real tools. Read in place, never copied into the repo; CI mounts
 * ../shared read-only, so a test that must change a file copies it to a temp dir first.
 * OCX_FIXTURES overrides the location.
 */
export function fixturesDir(): string {
  return process.env.OCX_FIXTURES ?? resolve(repoRoot, '../shared/fixtures');
}

export function fixturePath(...parts: string[]): string {
  const p = join(fixturesDir(), ...parts);
  if (!existsSync(p)) throw new Error(`fixture not found: ${p} (set OCX_FIXTURES to the shared fixtures folder)`);
  return p;
}
