import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { runPeer, type PeerName, type PeerSandbox } from '@ocx/testkit';
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

/** Runs a peer tool in the sandbox `sandbox()` returns (set in beforeAll), expecting exit 0; its stdout. */
export function peerRunner(sandbox: () => PeerSandbox, env: NodeJS.ProcessEnv = { COSIGN_PASSWORD: '' }): (name: PeerName, args: string[]) => Promise<string> {
  return async (name, args) => {
    const sb = sandbox();
    const r = await runPeer(name, args, { sandbox: sb, cwd: sb.dir, env, timeoutMs: 120_000 });
    expect(r.code, `${name} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
}
