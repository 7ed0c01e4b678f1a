import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/run.ts';

// Each test worker gets its own ocx home (caches), never the user's.
const home = process.env.OCX_TEST_HOME ?? mkdtempSync(join(tmpdir(), 'ocx-test-home-'));

/** Runs ocx in-process and captures what it prints. */
export async function ocx(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, OCX_HOME: home, ...env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

/**
 * Runs ocx in-process against an injected fetch (an emulator's `fetch`): only PATH from this
 * environment and no ocx home, so nothing is read from or cached to disk.
 */
export async function ocxWithFetch(fetchImpl: unknown, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    args,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { PATH: process.env.PATH, OCX_HOME: '/nonexistent-ocx-home', ...env }, cwd: process.cwd() },
    { fetch: fetchImpl as typeof fetch },
  );
  return { code, stdout, stderr };
}
