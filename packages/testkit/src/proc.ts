import { type ChildProcess, spawn } from 'node:child_process';

/**
 * CI=true (or any value other than '', '0', 'false') turns "peer missing ⇒ skip" into "peer missing ⇒ fail":
 * on a developer machine a missing tool is a setup gap, in CI it would silently drop coverage.
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/** The real-parts rig's one error class (peers, real registries). Branch on `code`. */
export type RigErrorCode = 'PEER_MISSING' | 'REGISTRY_MISSING' | 'REGISTRY_START';

export class RigError extends Error {
  readonly code: RigErrorCode;
  constructor(code: RigErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RigError';
    this.code = code;
  }
}

export interface RunOptions {
  /** The complete environment of the child: nothing is inherited unless the caller passes it. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed (stdin is always closed so a tool never waits on a TTY). */
  input?: string | Uint8Array;
  cwd?: string;
  /** Default 60 s. On expiry the child gets SIGKILL and the result has `timedOut: true`. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Cap on each of stdout/stderr kept in memory (default 16 MiB); the rest is dropped. */
  maxOutputBytes?: number;
}

export interface RunResult {
  /** Exit code, or null when the process died from a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// Children run in their own process group (see runProcess), so they would outlive a worker that exits
// mid-test; kill what is still running on exit.
const running = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  running.add(pid);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {}
    }
  });
}

/** Runs `file` directly (no shell, so no quoting or injection issues) and collects its output. */
export function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const cap = opts.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, [...args], {
      cwd: opts.cwd,
      env: stripUndefined(opts.env ?? {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so a timeout kills the tool's children too (a grandchild holding stdout open
      // would otherwise keep us waiting past the deadline).
      detached: true,
    });
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    if (child.pid !== undefined) track(child.pid);
    const onAbort = (): void => killGroup();
    if (opts.signal?.aborted) killGroup();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const out = collector(cap);
    const err = collector(cap);
    child.stdout.on('data', out.push);
    child.stderr.on('data', err.push);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const done = (): void => {
      if (child.pid !== undefined) running.delete(child.pid);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolvePromise({ code, signal, stdout: out.text(), stderr: err.text(), timedOut });
    });
    child.stdin.on('error', () => {}); // EPIPE when the tool exits without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function stripUndefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function collector(cap: number): { push: (b: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push: (b) => {
      if (size >= cap) return;
      const part = b.length > cap - size ? b.subarray(0, cap - size) : b;
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
