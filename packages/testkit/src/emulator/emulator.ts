import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthGate } from './auth.ts';
import type { Context, Switches } from './context.ts';
import { emulatorFetch } from './fetch.ts';
import { route } from './router.ts';
import { serve } from './server.ts';
import { MemoryStore } from './store.ts';
import type { EmulatorOptions, FaultHook, ListenOptions, RequestLogEntry, RunningRegistry } from './types.ts';

const LOGGED_HEADERS = [
  'accept',
  'authorization',
  'content-type',
  'content-length',
  'content-range',
  'range',
  'if-match',
  'if-none-match',
] as const;

export interface Emulator {
  /** The registry as a WHATWG handler. */
  handle(request: Request): Promise<Response>;
  /**
   * Same signature as global fetch; inject it into clients under test. Any origin reaches the emulator
   * (absolute URLs only). Redirects are followed like fetch does, dropping Authorization across origins.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Serves `handle` over node:http on 127.0.0.1 (port 0 = random). */
  listen(options?: ListenOptions): Promise<RunningRegistry>;
  /** Requests seen so far, oldest first (a live view). */
  readonly log: readonly RequestLogEntry[];
  clearLog(): void;
  /** The current switches. */
  readonly switches: Readonly<Switches>;
  /** Changes switches at run time; omitted fields stay as they are. */
  configure(patch: Partial<Switches>): void;
  setReferrersApi(on: boolean): void;
  setEtag(on: boolean): void;
  setLatencyMs(ms: number): void;
  setPageSize(n: number): void;
  setFaults(hook: FaultHook | undefined): void;
  /** Drops every repository, blob and upload session. */
  reset(): void;
}

function initialSwitches(o: EmulatorOptions): Switches {
  const referrersApi = o.referrersApi ?? true;
  return {
    referrersApi,
    etag: o.etag ?? referrersApi,
    latencyMs: o.latencyMs ?? 0,
    pageSize: o.pageSize ?? 0,
    tagsPageSize: o.tagsPageSize ?? 0,
    maxManifestBytes: o.maxManifestBytes ?? 4 * 1024 * 1024,
    chunkMinLength: o.chunkMinLength ?? 0,
    validateReferences: o.validateReferences ?? true,
    mountAnonymous: o.mountAnonymous ?? true,
    requireAccept: o.requireAccept ?? false,
    faults: o.faults,
  };
}

/** A spec-strict, in-memory OCI distribution-spec v1.1 registry (see README of this folder for the switches). */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const now = options.now ?? Date.now;
  const sw = initialSwitches(options);
  const ctx: Context = { store: new MemoryStore(), sw };
  const log: RequestLogEntry[] = [];
  const gate = createAuthGate(options.auth, { now, tokenExpiresIn: options.tokenExpiresIn });
  // Auth sits behind the fault hook, so faults can tamper with token answers too.
  const next = async (req: Request): Promise<Response> => {
    const checked = await gate.check(req);
    return checked.response ?? route(ctx, checked.request);
  };

  async function handle(req: Request): Promise<Response> {
    const time = now();
    const started = performance.now();
    if (sw.latencyMs > 0) await sleep(sw.latencyMs);
    let res: Response;
    try {
      res = (sw.faults ? await sw.faults(req, next) : undefined) ?? (await next(req));
    } catch (e) {
      res = new Response(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: String(e) }] }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    }
    const u = new URL(req.url);
    const headers: Record<string, string> = {};
    for (const h of LOGGED_HEADERS) {
      const v = req.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    const auth = gate.identify(req);
    // The log keeps the Authorization scheme only, never the secret.
    if (auth.scheme !== undefined) headers.authorization = auth.scheme;
    log.push({ method: req.method, host: u.host, path: u.pathname + u.search, status: res.status, headers, auth, time, durationMs: performance.now() - started });
    return res;
  }

  const emulator: Emulator = {
    handle,
    fetch: emulatorFetch(handle),
    listen: (opts = {}) => serve(handle, opts),
    get log() {
      return log;
    },
    clearLog: () => {
      log.length = 0;
    },
    get switches() {
      return { ...sw };
    },
    configure: (patch) => {
      Object.assign(sw, patch);
    },
    setReferrersApi: (on) => {
      sw.referrersApi = on;
    },
    setEtag: (on) => {
      sw.etag = on;
    },
    setLatencyMs: (ms) => {
      sw.latencyMs = ms;
    },
    setPageSize: (n) => {
      sw.pageSize = n;
    },
    setFaults: (hook) => {
      sw.faults = hook;
    },
    reset: () => ctx.store.clear(),
  };
  return emulator;
}
