import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPeer, type Emulator, type PeerSandbox } from '@ocx/testkit';

// One measured process: wall time and CPU time (user + system of the child, from bash's `times`,
// which prints milliseconds; GNU time's %U/%S have 10 ms steps, too coarse next to a ~20 ms
// `node -e 0`). Without bash only wall time is known.

export interface Measured {
  readonly ms: number;
  /** user + system CPU milliseconds of the process (NaN without bash). */
  readonly cpuMs: number;
  readonly code: number;
  readonly stderr: string;
}

const BASH = existsSync('/bin/bash') ? '/bin/bash' : undefined;
let seq = 0;

/** `0m0.052s` → 52 */
const seconds = (t: string | undefined): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t ?? '');
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : Number.NaN;
};

export async function measured(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<Measured> {
  const out = join(tmpdir(), `ocx-bench-time-${process.pid}-${seq++}`);
  // `times` prints the shell's own CPU, then its children's: the second line is the command's.
  const argv = BASH ? [BASH, '-c', '"$@"; rc=$?; times > "$OCX_BENCH_TIMES"; exit $rc', 'bash', cmd, ...args] : [cmd, ...args];
  const r = await new Promise<{ ms: number; code: number; stderr: string }>((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, OCX_BENCH_TIMES: out }, cwd });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code: code ?? 1, stderr }));
  });
  if (!BASH) return { ...r, cpuMs: Number.NaN };
  const text = await readFile(out, 'utf8').catch(() => '');
  await rm(out, { force: true });
  const [user, sys] = (text.trim().split('\n')[1] ?? '').split(' ');
  return { ...r, cpuMs: seconds(user) + seconds(sys) };
}

export const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

export interface Step {
  readonly cmd: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/** Steps run one after another against the emulator: summed times and the requests they made. */
export interface MeasuredSteps extends Measured {
  readonly requests: number;
}

/**
 * Runs `steps` in `cwd` with the emulator adding `latencyMs` per request (off again afterwards),
 * stopping at the first failing step.
 */
export async function measuredSteps(emu: Emulator, latencyMs: number, cwd: string, steps: readonly Step[]): Promise<MeasuredSteps> {
  emu.setLatencyMs(latencyMs);
  emu.clearLog();
  let ms = 0;
  let cpuMs = 0;
  try {
    for (const s of steps) {
      const r = await measured(s.cmd, s.args, s.env, cwd);
      ms += r.ms;
      cpuMs += r.cpuMs;
      if (r.code !== 0) return { ms, cpuMs, code: r.code, stderr: `${s.cmd} ${s.args.slice(0, 2).join(' ')}: ${r.stderr}`, requests: emu.log.length };
    }
    return { ms, cpuMs, code: 0, stderr: '', requests: emu.log.length };
  } finally {
    emu.setLatencyMs(0);
  }
}

/** A set-up step with a peer tool (not measured): throws with its stderr when it fails. */
export async function peerStep(sandbox: PeerSandbox, name: Parameters<typeof runPeer>[0], args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await runPeer(name, args, { sandbox, env, cwd: sandbox.dir, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${r.stderr}`);
}
