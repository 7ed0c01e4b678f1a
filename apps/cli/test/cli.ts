import { run } from '../src/run.ts';

/** Runs ocx in-process and captures what it prints. */
export async function ocx(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, OCX_HOME: process.env.OCX_TEST_HOME ?? '/nonexistent-ocx-home', ...env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}
