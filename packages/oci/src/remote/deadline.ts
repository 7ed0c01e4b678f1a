import { OciError } from '../errors.ts';
import { joinChunks } from '../streams.ts';
import type { FetchLike } from './transport.ts';

// Deadlines for every exchange (issue 10 item 2). Three kinds of bound:
// - connect: TCP (+ proxy CONNECT + TLS) must be up within `connectMs` (the transports enforce it);
// - idle: no byte for `idleMs` while waiting for headers or reading a body ends the exchange;
// - whole: small documents (manifests, indexes, referrer listings; token, TUF, TSA, OCSP/CRL
//   answers) must arrive completely within a fixed time, however slowly a server drips them.
// Blob bodies get no whole deadline (they may be large), only the idle one. A deadline that fired
// is a TIMEOUT, which is never retried: a server that stalls once is likely to stall again.

export interface Timeouts {
  /** TCP connect, proxy CONNECT and TLS handshake. */
  readonly connectMs: number;
  /** Whole exchange with a token endpoint, TUF mirror, TSA or OCSP/CRL responder. */
  readonly exchangeMs: number;
  /** Whole exchange for a manifest, index, referrers listing or tag list. */
  readonly metadataMs: number;
  /** Longest silence while waiting for headers or reading any body (blobs included). */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, exchangeMs: 30_000, metadataMs: 60_000, idleMs: 30_000 };

export function resolveTimeouts(partial?: Partial<Timeouts>): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...partial };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const KINDS: Record<string, keyof Timeouts> = { connect: 'connectMs', exchange: 'exchangeMs', metadata: 'metadataMs', idle: 'idleMs' };

/** "30s", "1.5m", "500ms", "2h" (a bare number is seconds) → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * `--timeout` / `OCX_TIMEOUT`: comma-separated `KIND=DURATION` (kinds connect, exchange, metadata,
 * idle); a bare DURATION sets all four. Throws OciError CONFIG naming the bad part.
 */
export function parseTimeouts(spec: string, source = '--timeout'): Partial<Timeouts> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const kind = eq < 0 ? undefined : part.slice(0, eq).trim().toLowerCase();
    const ms = parseDuration(eq < 0 ? part : part.slice(eq + 1));
    if (ms === undefined) throw new OciError('CONFIG', `${source}: "${part}" is not a duration such as 30s, 2m or 500ms`);
    if (kind === undefined) {
      for (const k of Object.values(KINDS)) out[k] = ms;
      continue;
    }
    const key = KINDS[kind];
    if (!key) throw new OciError('CONFIG', `${source}: unknown kind "${kind}" (connect, exchange, metadata or idle)`);
    out[key] = ms;
  }
  return out as Partial<Timeouts>;
}

const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** undici's own timeouts (connect, headers, body idle), possibly wrapped in fetch's TypeError. */
export function isTimeoutCause(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OciError) return e.code === 'TIMEOUT';
    if (UNDICI_TIMEOUTS.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export interface DeadlineSpec {
  /** Whole-exchange bound; undefined = idle bound only (blob bodies). */
  readonly wholeMs?: number;
  readonly idleMs: number;
  /** The host for the message. */
  readonly host: string;
  /** What was being read ("the manifest of x:1", "a token"), for the message. */
  readonly what: string;
  readonly signal?: AbortSignal;
}

type Reader = { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void>; releaseLock?(): void };

/**
 * One exchange's deadlines: `signal` aborts the request when the whole deadline passes (or the
 * caller's signal aborts); `guard(res)` returns the response with a body whose every read is bounded
 * by the idle timeout and whose end clears the timers. Headers are awaited under `headers(promise)`,
 * which applies the idle bound to the wait for the first byte.
 */
export class Deadline {
  readonly #spec: DeadlineSpec;
  readonly #controller = new AbortController();
  readonly signal: AbortSignal;
  #whole: ReturnType<typeof setTimeout> | undefined;
  #fired: OciError | undefined;

  constructor(spec: DeadlineSpec) {
    this.#spec = spec;
    this.signal = spec.signal ? AbortSignal.any([spec.signal, this.#controller.signal]) : this.#controller.signal;
    if (spec.wholeMs !== undefined) {
      this.#whole = setTimeout(() => this.#fire(`${spec.host} did not send ${spec.what} completely within ${formatMs(spec.wholeMs!)}`), spec.wholeMs);
      // A response its caller dropped unread must not hold a process open until the deadline.
      this.#whole.unref?.();
    }
  }

  /** The TIMEOUT error, once a bound fired. */
  get error(): OciError | undefined {
    return this.#fired;
  }

  #fire(message: string): void {
    if (this.#fired) return;
    this.#fired = new OciError('TIMEOUT', `${message} (see --timeout)`);
    this.#controller.abort(this.#fired);
    // Settles a read in progress even where the abort does not reach the body (an injected fetch).
    void this.#current?.cancel(this.#fired).catch(() => undefined);
  }

  #idleMs(): number {
    return this.#spec.idleMs;
  }

  /** Runs `work` (typically the fetch up to headers) under the idle bound as well as the whole one. */
  async headers<T>(work: Promise<T>): Promise<T> {
    const idle = this.#idleMs();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#fire(`${this.#spec.host} sent no response headers for ${formatMs(idle)} while ocx waited for ${this.#spec.what}`);
        reject(this.#fired);
      }, idle);
      this.signal.addEventListener('abort', () => reject(this.#fired ?? this.signal.reason), { once: true });
    });
    stalled.catch(() => undefined);
    try {
      return await Promise.race([work, stalled]);
    } catch (err) {
      this.done();
      throw this.#fired ?? err;
    } finally {
      clearTimeout(timer);
    }
  }

  done(): void {
    clearTimeout(this.#whole);
    clearTimeout(this.#idle);
    this.#whole = undefined;
  }

  #idle: ReturnType<typeof setTimeout> | undefined;
  #reading = false;
  #current: Reader | undefined;

  /**
   * Reads `reader` once under the idle bound. One timer per exchange, refreshed on every read (a
   * timer or a race per chunk costs more than the read itself on large blobs); it counts only while a
   * read waits. A bound that fires cancels the reader, which settles the pending read.
   */
  async read(reader: Reader): Promise<{ done: boolean; value?: Uint8Array }> {
    if (this.#fired) throw this.#fired;
    this.#current = reader;
    if (this.#idle) this.#idle.refresh();
    else {
      const idle = this.#idleMs();
      this.#idle = setTimeout(() => {
        if (this.#reading) this.#fire(`${this.#spec.host} sent nothing for ${formatMs(idle)} while ocx was reading ${this.#spec.what}`);
      }, idle);
    }
    this.#reading = true;
    try {
      const r = await reader.read();
      if (this.#fired) throw this.#fired;
      if (r.done) this.done();
      return r;
    } catch (err) {
      this.done();
      await reader.cancel(this.#fired).catch(() => undefined);
      throw this.#fired ?? err;
    } finally {
      this.#reading = false;
    }
  }

  /** The response with its body read under this deadline (status, headers and url unchanged). */
  guard(res: Response): Response {
    const body = res.body as unknown as { getReader(): Reader; cancel(reason?: unknown): Promise<void> } | null;
    if (!body) {
      this.done();
      return res;
    }
    return guardedResponse(res, new GuardedBody(body, this)) as unknown as Response;
  }
}

/** The web-stream surface the registry client uses (getReader, cancel, async iteration), bounded by a Deadline. */
class GuardedBody {
  #reader: Reader | undefined;
  #locked = false;
  constructor(
    readonly inner: { getReader(): Reader; cancel(reason?: unknown): Promise<void> },
    readonly deadline: Deadline,
  ) {}

  get locked(): boolean {
    return this.#locked;
  }

  #open(): Reader {
    this.#reader ??= this.inner.getReader();
    return this.#reader;
  }

  async cancel(reason?: unknown): Promise<void> {
    this.deadline.done();
    if (this.#reader) await this.#reader.cancel(reason).catch(() => undefined);
    else await this.inner.cancel(reason).catch(() => undefined);
  }

  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void>; releaseLock(): void } {
    if (this.#locked) throw new TypeError('the body is already being read');
    this.#locked = true;
    return { read: () => this.deadline.read(this.#open()), cancel: (r) => this.cancel(r), releaseLock: () => (this.#locked = false) };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    const reader = this.getReader();
    return {
      async next() {
        const r = await reader.read();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value! };
      },
      async return() {
        await reader.cancel();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function guardedResponse(res: Response, body: GuardedBody): object {
  const readAll = async (): Promise<Uint8Array> => {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const c of body) {
      parts.push(c);
      total += c.byteLength;
    }
    return joinChunks(parts, total);
  };
  return {
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    url: res.url,
    headers: res.headers,
    redirected: res.redirected,
    type: res.type,
    body,
    get bodyUsed() {
      return body.locked;
    },
    arrayBuffer: async () => {
      const b = await readAll();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
    bytes: readAll,
    text: async () => new TextDecoder().decode(await readAll()),
    json: async () => JSON.parse(new TextDecoder().decode(await readAll())) as unknown,
  };
}

export interface ExchangeRequest {
  readonly url: string | URL;
  readonly init?: RequestInit;
  readonly wholeMs: number;
  readonly idleMs?: number;
  /** Body cap, enforced while reading (a Content-Length above it is refused unread). */
  readonly maxBytes: number;
  /** For messages: "a token", "the trusted root"… */
  readonly what: string;
  readonly signal?: AbortSignal;
}

export interface ExchangeResult {
  readonly status: number;
  readonly headers: Headers;
  readonly url: string;
  /** The body (empty unless 2xx, or when `readErrors` asks for it). */
  readonly bytes: Uint8Array;
}

/**
 * One bounded HTTP exchange for small documents (tokens, TUF metadata, TSA and OCSP/CRL answers):
 * headers and body within `wholeMs`, no silence longer than `idleMs`, at most `maxBytes` read.
 * Throws OciError TIMEOUT / TOO_LARGE / NETWORK. A non-2xx answer returns with an empty body.
 */
export async function boundedExchange(fetch: FetchLike, req: ExchangeRequest): Promise<ExchangeResult> {
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  const deadline = new Deadline({ wholeMs: req.wholeMs, idleMs: req.idleMs ?? req.wholeMs, host: url.host, what: req.what, signal: req.signal });
  let res: Response;
  try {
    res = await deadline.headers(fetch(url, { ...req.init, signal: deadline.signal }));
  } catch (cause) {
    if (cause instanceof OciError) throw cause;
    if (isTimeoutCause(cause)) throw new OciError('TIMEOUT', `${url.host}: no answer for ${req.what} in time (see --timeout)`, { cause });
    const detail = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : cause instanceof Error ? cause.message : String(cause);
    throw new OciError('NETWORK', `${url.host}: request for ${req.what} failed: ${detail}`, { cause });
  }
  const guarded = deadline.guard(res);
  if (!res.ok) {
    await guarded.body?.cancel().catch(() => undefined);
    return { status: res.status, headers: res.headers, url: res.url, bytes: new Uint8Array(0) };
  }
  try {
    const bytes = await readBounded(guarded, req.maxBytes, `${req.what} from ${url.host}`);
    return { status: res.status, headers: res.headers, url: res.url, bytes };
  } finally {
    deadline.done();
  }
}

/** Reads a body up to `max` bytes, checking the declared length first and the count while reading. */
export async function readBounded(res: Response, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new OciError('TOO_LARGE', `${what} is ${declared} bytes, over the ${max}-byte limit`);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (cause) {
      if (cause instanceof OciError) throw cause;
      if (isTimeoutCause(cause)) throw new OciError('TIMEOUT', `${what}: the server went silent while ocx was reading (see --timeout)`, { cause });
      throw new OciError('NETWORK', `${what}: the connection broke while reading (${(cause as Error).message})`, { cause });
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new OciError('TOO_LARGE', `${what} exceeds the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  return joinChunks(chunks, total);
}
