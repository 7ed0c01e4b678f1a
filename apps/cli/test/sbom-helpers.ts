import { PassThrough } from 'node:stream';
import { run } from '../src/run.ts';

/** Like cli.ts's `ocx`, plus a binary stdout sink for `--output -`. */
export async function ocxBinary(args: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string; bytes: Buffer }> {
  let stdout = '';
  let stderr = '';
  const sink = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, OCX_HOME: process.env.OCX_TEST_HOME ?? '/nonexistent-ocx-home', ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
    stdoutStream: sink,
  });
  return { code, stdout, stderr, bytes: Buffer.concat(chunks) };
}
