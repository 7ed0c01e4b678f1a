import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// One measured process: wall time, CPU time (user + system, from GNU time's rusage of the child) and
// peak RSS. Without /usr/bin/time only wall time is known.

export interface Measured {
  readonly ms: number;
  /** user + system CPU milliseconds of the process (NaN without /usr/bin/time). */
  readonly cpuMs: number;
  readonly maxRssKiB?: number;
  readonly code: number;
  readonly stderr: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
let seq = 0;

export async function measured(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const out = join(tmpdir(), `ocx-bench-time-${process.pid}-${seq++}`);
  const argv = TIME ? [TIME, '-o', out, '-f', '%U %S %M', cmd, ...args] : [cmd, ...args];
  const r = await new Promise<{ ms: number; code: number; stderr: string }>((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code: code ?? 1, stderr }));
  });
  if (!TIME) return { ...r, cpuMs: Number.NaN };
  const text = await readFile(out, 'utf8').catch(() => '');
  await rm(out, { force: true });
  // GNU time prefixes "Command exited with non-zero status N" on failure: the numbers are the last line.
  const [user, sys, rss] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number);
  const cpuMs = ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000;
  return { ...r, cpuMs, ...(rss ? { maxRssKiB: rss } : {}) };
}

export const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
