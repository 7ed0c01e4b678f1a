import { ByteBudgetCache } from '../byte-budget.ts';
import type { ContentCache } from '../content-cache.ts';
import { OciError, isOciError } from '../errors.ts';
import { resolveLimits, type Limits } from '../limits.ts';
import { TokenCache, type CredentialProvider } from './auth.ts';
import type { TokenStore } from './token-store.ts';
import { CapabilityCache, type CapabilityStore } from './capability.ts';
import { Deadline, isTimeoutCause, resolveTimeouts, type Timeouts } from './deadline.ts';
import { errorFromResponse, redactUrl, Semaphore, tlsFailure, untrustedError } from './http.ts';
import { MAX_ATTEMPTS, withRetry } from './retry.ts';
import { createTransport, isLoopbackHost, type FetchLike, type TransportOptions } from './transport.ts';

export interface RegistryClientOptions extends TransportOptions {
  /** Connect, idle and whole-exchange deadlines (README "Timeouts"); defaults DEFAULT_TIMEOUTS. */
  readonly timeouts?: Partial<Timeouts>;
  /**
   * true: plain HTTP to every host; false: HTTPS everywhere, loopback too; unset: HTTPS, except that a
   * loopback host whose server does not speak TLS falls back to plain HTTP (as docker does for insecure
   * registries) — never when `caFile` is given, since the caller then expects TLS.
   */
  readonly plainHttp?: boolean;
  readonly credentials?: CredentialProvider;
  /** Anonymous bearer tokens kept across runs (default: memory only). */
  readonly tokenStore?: TokenStore;
  readonly limits?: Partial<Limits>;
  /** Where referrers-API support per host is remembered (default: memory only). */
  readonly capabilityStore?: CapabilityStore;
  /** Force the referrers mode instead of learning it. */
  readonly referrersMode?: 'auto' | 'api' | 'tag-schema';
  /** `error` is set when content failed a check (digest, size) and was left out: callers exit non-zero. */
  readonly onWarning?: (message: string, error?: OciError) => void;
  /** Called after each HTTP exchange (`--verbose`): method, URL without query, status. Never headers. */
  readonly onExchange?: (exchange: { readonly method: string; readonly url: string; readonly status: number }) => void;
  readonly userAgent?: string;
  /** Manifests and small blobs by digest, shared across runs (immutable content). */
  readonly contentCache?: ContentCache;
  /** Retries after the first attempt on transient answers and resets (default 2: 3 attempts in all; retry.ts). */
  readonly retries?: number;
  /** Waits between retries (tests record them instead of sleeping). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source for backoff (default Math.random). */
  readonly random?: () => number;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface RequestSpec {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path below the registry origin (`/v2/...`) or an absolute URL on the same registry. */
  readonly url: string;
  readonly repository: string;
  readonly push?: boolean;
  /** Token scope instead of the repository's (`''`: none, as for `GET /v2/` at login). */
  readonly scope?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | ReadableStream<Uint8Array>;
  readonly signal?: AbortSignal;
  /** A write that may be sent again with the same effect (a manifest PUT, the PUT completing a blob upload). */
  readonly idempotent?: boolean;
}

const MAX_REDIRECTS = 5;

/**
 * One client per process and set of options: connection pool, token cache, capability cache and
 * request limiter are shared by every repository it opens.
 */
export class RegistryClient {
  readonly limits: Limits;
  readonly timeouts: Timeouts;
  readonly capability: CapabilityCache;
  /** Manifests by `host/repository@digest`, shared by every repository this client opens, bounded by bytes. */
  readonly manifestCache: ByteBudgetCache<{ bytes: Uint8Array; mediaType: string }>;
  readonly options: RegistryClientOptions;
  readonly #fetch: FetchLike;
  readonly #close: () => Promise<void>;
  readonly #tokens: TokenCache;
  readonly #semaphore: Semaphore;
  /** Loopback hosts found not to speak TLS (auto mode only), remembered for this client's life. */
  readonly #plainHosts = new Set<string>();
  #requests = 0;

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
    this.limits = resolveLimits(options.limits);
    // limits.timeoutMs is the older name of the idle bound.
    this.timeouts = resolveTimeouts({ ...(options.limits?.timeoutMs !== undefined ? { idleMs: options.limits.timeoutMs } : {}), ...options.timeouts });
    // The socket idle timer is a backstop (uploads, whose headers come after the body): one second
    // later than the client's own, whose message says what was being read.
    const transport = createTransport({ ...options, connectTimeoutMs: options.connectTimeoutMs ?? this.timeouts.connectMs, idleTimeoutMs: options.idleTimeoutMs ?? this.timeouts.idleMs + 1000 });
    this.#fetch = transport.fetch;
    this.#close = transport.close;
    this.#tokens = new TokenCache({ fetch: this.#fetch, credentials: options.credentials, store: options.tokenStore, now: options.now, signal: options.signal, timeouts: this.timeouts });
    this.#semaphore = new Semaphore(this.limits.concurrency);
    this.capability = new CapabilityCache(options.capabilityStore, options.now);
    this.manifestCache = new ByteBudgetCache(this.limits.maxManifestCacheBytes, (m) => m.bytes.byteLength);
  }

  /** Requests sent so far (benchmarks compare this with the peers'). */
  get requestCount(): number {
    return this.#requests;
  }

  warn(message: string, error?: OciError): void {
    this.options.onWarning?.(message, error);
  }

  baseUrl(host: string): string {
    const plain = this.options.plainHttp ?? this.#plainHosts.has(host);
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  /** Auto mode may fall back to plain HTTP for this host: loopback, no --plain-http decision, no CA file. */
  #mayFallBack(host: string): boolean {
    return this.options.plainHttp === undefined && !this.options.caFile && isLoopbackHost(host) && !this.#plainHosts.has(host);
  }

  /** A URL on the registry host built before its scheme was learnt follows the scheme now known. */
  #onRegistry(host: string, url: URL): URL {
    if (url.host === host && url.protocol === 'https:' && this.options.plainHttp === undefined && this.#plainHosts.has(host)) {
      const u = new URL(url);
      u.protocol = 'http:';
      return u;
    }
    return url;
  }

  async close(): Promise<void> {
    await this.#close();
  }

  /**
   * Sends one registry request: auth from the token cache, one retry after a 401 challenge,
   * redirects followed by hand so Authorization never reaches another host.
   */
  async request(host: string, spec: RequestSpec): Promise<Response> {
    // Reads and idempotent writes with a replayable body go through the one retry policy
    // (retry.ts); anything else is sent once and its answer returned as it is.
    const replayable = spec.body === undefined || spec.body instanceof Uint8Array;
    const retryable = spec.method === 'GET' || spec.method === 'HEAD' || (spec.idempotent === true && replayable);
    const attempts = retryable ? 1 + Math.max(0, this.options.retries ?? MAX_ATTEMPTS - 1) : 1;
    const url = new URL(spec.url, this.baseUrl(host)).href;
    if (attempts === 1 && !retryable) return this.#requestOnce(host, spec);
    return withRetry({ method: spec.method, url }, () => this.#requestOnce(host, spec), {
      attempts,
      sleep: this.options.sleep,
      random: this.options.random,
      now: this.options.now,
      signal: spec.signal ?? this.options.signal,
    });
  }

  async #requestOnce(host: string, spec: RequestSpec): Promise<Response> {
    const scope = spec.scope ?? `repository:${spec.repository}:${spec.push ? 'pull,push' : 'pull'}`;
    const release = await this.#semaphore.acquire();
    try {
      let url = this.#onRegistry(host, new URL(spec.url, this.baseUrl(host)));
      let auth = await this.#tokens.authorization(host, scope);
      let retriedAuth = false;
      for (let hop = 0; ; hop++) {
        // Authorization is decided by the host the request goes to, never by where its URL came from:
        // an absolute upload Location, a mount answer or a Link on another origin gets no credentials
        // (issue 10 item 1). The registry's origin is its host with the scheme in use now.
        const sameOrigin = url.origin === new URL(this.baseUrl(host)).origin;
        const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'ocx', ...spec.headers };
        if (auth && sameOrigin) headers.authorization = auth;
        let res: Response;
        try {
          res = await this.#send(url, spec, headers);
        } catch (err) {
          const replayable = spec.body === undefined || spec.body instanceof Uint8Array;
          if (url.host === host && url.protocol === 'https:' && replayable && this.#mayFallBack(host) && tlsFailure(err)?.kind === 'not-tls') {
            this.#plainHosts.add(host);
            url = this.#onRegistry(host, url);
            continue;
          }
          throw err;
        }
        this.options.onExchange?.({ method: spec.method, url: redactUrl(url.href), status: res.status });
        if (res.status === 401 && sameOrigin && !retriedAuth) {
          retriedAuth = true;
          const next = await this.#tokens.onChallenge(host, res.headers.get('www-authenticate'), scope, auth);
          if (next) {
            await res.body?.cancel().catch(() => undefined);
            auth = next;
            continue;
          }
          return res;
        }
        if (res.status >= 300 && res.status < 400 && res.status !== 304 && res.headers.has('location')) {
          await res.body?.cancel().catch(() => undefined);
          if (hop >= MAX_REDIRECTS) throw new OciError('REDIRECT', `too many redirects from ${spec.method} ${redactUrl(spec.url)}`, { method: spec.method, url: redactUrl(url.href) });
          if (spec.body && !(spec.body instanceof Uint8Array)) {
            throw new OciError('REDIRECT', `${spec.method} ${redactUrl(url.href)} was redirected; a streamed body cannot be replayed`, { method: spec.method });
          }
          const next = new URL(res.headers.get('location')!, url);
          if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new OciError('REDIRECT', `redirect to unsupported scheme ${next.protocol}`);
          if (url.protocol === 'https:' && next.protocol === 'http:' && !isLoopbackHost(next.host)) {
            throw new OciError('REDIRECT', `refusing redirect from https to plain http (${redactUrl(next.href)})`);
          }
          url = next;
          continue;
        }
        return res;
      }
    } finally {
      release();
    }
  }

  async #send(url: URL, spec: RequestSpec, headers: Record<string, string>): Promise<Response> {
    this.#requests++;
    const signals = [spec.signal, this.options.signal].filter((s): s is AbortSignal => s !== undefined);
    const bound = exchangeBound(url, spec, this.timeouts);
    const deadline = new Deadline({ ...bound, idleMs: this.timeouts.idleMs, host: url.host, signal: signals.length ? AbortSignal.any(signals) : undefined });
    try {
      const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers, redirect: 'manual', signal: deadline.signal };
      if (spec.body !== undefined) {
        init.body = spec.body as RequestInit["body"];
        if (!(spec.body instanceof Uint8Array)) init.duplex = 'half';
      }
      const sent = this.#fetch(url, init);
      // An upload's headers come after its body: the transport's socket idle timeout bounds it instead.
      const res = bound.waitHeaders ? await deadline.headers(sent) : await sent;
      return deadline.guard(res);
    } catch (cause) {
      deadline.done();
      if (deadline.error) throw deadline.error;
      if (isOciError(cause)) throw cause;
      if (isTimeoutCause(cause)) throw new OciError('TIMEOUT', `${spec.method} ${redactUrl(url.href)}: ${url.host} did not connect or answer in time (see --timeout)`, { cause, method: spec.method, url: redactUrl(url.href) });
      if (signals.some((s) => s.aborted)) throw new OciError('ABORTED', `${spec.method} ${redactUrl(url.href)} was aborted`, { cause });
      const tls = tlsFailure(cause);
      if (tls?.kind === 'untrusted') throw untrustedError(url.href, tls, cause, spec.method);
      const detail = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : cause instanceof Error ? cause.message : String(cause);
      const hint = tls?.kind === 'not-tls' && !this.#mayFallBack(url.host) ? ` (the server does not speak TLS; use --plain-http for a plain-HTTP registry)` : '';
      throw new OciError('NETWORK', `${spec.method} ${redactUrl(url.href)} failed: ${detail.split('\n')[0]}${hint}`, { cause, method: spec.method, url: redactUrl(url.href) });
    }
  }

  /** Throws the typed error for a non-OK response. */
  async fail(res: Response, spec: Pick<RequestSpec, 'method' | 'url'>, what: string): Promise<never> {
    throw await errorFromResponse(res, spec.method, res.url || spec.url, what);
  }
}

/** Bodies above this are uploads whose response headers only come once the body is sent. */
const SMALL_BODY = 1024 * 1024;

/**
 * The deadline of one registry exchange and what it reads (for the message): manifests, indexes,
 * referrer listings and tag lists must arrive whole within `metadataMs`; a blob body has only the
 * idle bound (it may be large); an upload waits for its headers under the transport's idle bound.
 */
export function exchangeBound(url: URL, spec: Pick<RequestSpec, 'method' | 'body'>, t: Timeouts): { wholeMs?: number; what: string; waitHeaders: boolean } {
  const path = url.pathname;
  const m = /^\/v2\/(.+)\/(manifests|blobs|referrers|tags)\/(.*)$/.exec(path);
  const repo = m?.[1] ?? '';
  const tail = decodeURIComponent(m?.[3] ?? '');
  const upload = spec.body !== undefined && !(spec.body instanceof Uint8Array && spec.body.byteLength <= SMALL_BODY);
  if (m?.[2] === 'blobs' && !tail.startsWith('uploads')) {
    return { what: `blob ${tail} of ${repo}`, waitHeaders: true };
  }
  if (upload || (m?.[2] === 'blobs' && spec.method !== 'DELETE')) return { what: `the answer to ${spec.method} ${path}`, waitHeaders: !upload };
  const what =
    m?.[2] === 'manifests'
      ? `manifest ${repo}${tail.includes(':') ? '@' : ':'}${tail}`
      : m?.[2] === 'referrers'
        ? `the referrers listing of ${repo}@${tail}`
        : m?.[2] === 'tags'
          ? `the tag list of ${repo}`
          : `the answer to ${spec.method} ${path}`;
  return { wholeMs: t.metadataMs, what, waitHeaders: true };
}
