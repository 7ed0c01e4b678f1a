import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { OciError, isOciError } from '../errors.ts';
import { formatMs } from './deadline.ts';
import { describeProxy, proxyAuthorization, type ProxyConfig } from './proxy.ts';
import type { FetchLike } from './transport.ts';

// A fetch over node:http/https with keep-alive agents. Node 20's global fetch (undici) pays
// ~100–150 ms on first use in every process (module init plus compiling its llhttp WebAssembly
// parser) — more than a whole verify's round trips on a near registry — while node:http's parser is
// built in. A one-shot CLI therefore uses this; libraries keep Node's fetch. Redirects are never
// followed here (the registry client follows them itself, dropping credentials across hosts).

export interface NodeTransportOptions {
  /** PEM text of extra CA certificates to trust (in addition to Node's bundled roots). */
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly connections?: number;
  /** Where HTTP(S)_PROXY/NO_PROXY send each request (proxy.ts); none: always direct. */
  readonly proxy?: ProxyConfig;
  /** TCP connect + proxy CONNECT + TLS handshake bound (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Longest socket silence during a request, upload or download (default 30 s). */
  readonly idleTimeoutMs?: number;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  // Duck-typed: touching the global `Headers` would load undici's fetch, which this transport avoids.
  const h = headers as { entries?: () => Iterable<[string, string]> };
  if (typeof h.entries === 'function') return Object.fromEntries(h.entries());
  return { ...(headers as Record<string, string>) };
}

/** Case-insensitive response headers with the part of the Headers API the client uses. */
class ResponseHeaders {
  readonly #map = new Map<string, string>();

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const prev = this.#map.get(key);
    this.#map.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }

  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  entries(): IterableIterator<[string, string]> {
    return this.#map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#map.entries();
  }

  forEach(fn: (value: string, key: string) => void): void {
    this.#map.forEach((v, k) => fn(v, k));
  }
}

/**
 * The part of a web ReadableStream the registry client uses — async iteration, getReader(), cancel()
 * — read straight from the IncomingMessage. Node's Readable.toWeb adapter costs a copy and several
 * promise hops per 64 KiB chunk, a third of the CPU of a large blob download (bench: sbom). Leaving
 * an iteration early, or cancel(), destroys the response as a web stream's cancel would.
 */
class NodeBody {
  #iterator: AsyncIterator<Buffer> | undefined;
  #locked = false;
  constructor(readonly res: IncomingMessage) {}

  get locked(): boolean {
    return this.#locked;
  }

  #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#iterator ??= this.res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return this.#iterator.next() as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  async cancel(): Promise<void> {
    this.res.destroy();
  }

  getReader(): { read(): Promise<IteratorResult<Uint8Array, undefined>>; cancel(): Promise<void>; releaseLock(): void } {
    if (this.#locked) throw new TypeError('the body is already being read');
    this.#locked = true;
    return { read: () => this.#next(), cancel: () => this.cancel(), releaseLock: () => (this.#locked = false) };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    if (this.#locked) throw new TypeError('the body is already being read');
    this.#locked = true;
    const self = this;
    return {
      next: () => self.#next(),
      async return() {
        self.res.destroy();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

/**
 * The subset of a WHATWG Response the registry client reads (status, ok, url, headers, a body that
 * reads like a web ReadableStream, text, arrayBuffer), built without loading undici.
 */
class NodeResponse {
  readonly bodyUsed = false;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    readonly headers: ResponseHeaders,
    readonly body: NodeBody | null,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (!this.body) return new ArrayBuffer(0);
    const chunks: Uint8Array[] = [];
    for await (const c of this.body) chunks.push(c);
    const buf = Buffer.concat(chunks);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

export function createNodeTransport(options: NodeTransportOptions = {}): { fetch: FetchLike; close(): Promise<void> } {
  const maxSockets = options.connections ?? 32;
  const connectMs = options.connectTimeoutMs ?? 10_000;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const http = { agent: new HttpAgent({ keepAlive: true, maxSockets }), request: httpRequest };
  const tlsOptions = () => ({ rejectUnauthorized: !options.insecure });
  // node:https and node:tls load on the first https request: a loopback or plain-HTTP registry (and
  // `ocx --help`) never pays for them.
  let https: HttpsAgent | undefined;
  let secure: Promise<{ agent: HttpsAgent; request: typeof httpRequest; roots: readonly string[] }> | undefined;
  const secureSide = () =>
    (secure ??= Promise.all([import('node:https'), import('node:tls')]).then(([m, tls]) => {
      const ca = options.ca ? [...tls.rootCertificates, options.ca] : undefined;
      https = new m.Agent({ keepAlive: true, maxSockets, ...tlsOptions(), ...(ca ? { ca } : {}) });
      return { agent: https, request: m.request as typeof httpRequest, roots: ca ?? [] };
    }));
  // One tunnelling agent per proxy: its pool keeps TLS sessions to each target inside their tunnels.
  const tunnels = new Map<string, Promise<HttpsAgent>>();
  const tunnelAgent = (proxy: URL) => {
    let a = tunnels.get(proxy.href);
    if (!a) {
      a = Promise.all([import('node:https'), secureSide(), import('./tunnel.ts')]).then(([m, side, t]) => {
        class TunnelAgent extends m.Agent {
          // Node's agent accepts a connection handed over later through the callback.
          override createConnection(opts: RequestOptions, cb?: (err: Error | null, stream: Duplex) => void): undefined {
            const host = String(opts.host ?? opts.hostname ?? '');
            const authority = `${host.includes(':') ? `[${host}]` : host}:${String(opts.port ?? 443)}`;
            t.openTunnel(proxy, authority, connectMs, { ...tlsOptions(), ...(side.roots.length ? { ca: [...side.roots] } : {}) })
              .then((tunnel) => t.tlsOverTunnel(tunnel, opts as import('node:tls').ConnectionOptions & { host?: string }, connectMs))
              .then((socket) => cb?.(null, socket), (err: Error) => cb?.(err, undefined as unknown as Duplex));
            return undefined;
          }
        }
        return new TunnelAgent({ keepAlive: true, maxSockets, ...tlsOptions(), ...(side.roots.length ? { ca: [...side.roots] } : {}) }) as HttpsAgent;
      });
      tunnels.set(proxy.href, a);
    }
    return a;
  };

  /** Where the request goes: direct, absolute-form through an http(s) proxy, or through a CONNECT tunnel. */
  const route = async (url: URL, headers: Record<string, string>, proxy: URL | undefined): Promise<{ request: typeof httpRequest; target: URL | RequestOptions; agent: HttpAgent }> => {
    if (!proxy) {
      const side = url.protocol === 'https:' ? await secureSide() : http;
      return { request: side.request, target: url, agent: side.agent };
    }
    if (url.protocol === 'https:') {
      const agent = await tunnelAgent(proxy);
      return { request: (await secureSide()).request, target: url, agent };
    }
    // Plain-http target: absolute-form request line to the proxy (RFC 9112 §3.2.2), as Go sends it.
    // The proxy reads everything, Authorization included: README "Proxies".
    const side = proxy.protocol === 'https:' ? await secureSide() : http;
    const auth = proxyAuthorization(proxy);
    if (auth) headers['proxy-authorization'] = auth;
    headers.host = url.host;
    const target: RequestOptions = { protocol: proxy.protocol, hostname: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80), path: url.href };
    return { request: side.request, target, agent: side.agent };
  };

  const fetch: FetchLike = async (input, init = {}) => {
    // Strings and URLs only (the registry client never passes a Request; `Request` would load undici).
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : (input as { url: string }).url);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = toHeaders(init.headers);
    const proxied = options.proxy?.proxyFor(url);
    const { request, target, agent } = await route(url, headers, proxied);
    return new Promise<Response>((resolve, reject) => {
      let body = init.body as unknown;
      if (body instanceof URLSearchParams) {
        headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
        body = body.toString();
      }
      if (typeof body === 'string') body = Buffer.from(body);
      if (body instanceof Uint8Array && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['content-length'] = String(body.byteLength);
      let response: IncomingMessage | undefined;
      const reqOptions = { method, headers, agent, signal: init.signal ?? undefined };
      const onResponse = (res: IncomingMessage) => {
        response = res;
        const status = res.statusCode ?? 0;
        const out = new ResponseHeaders();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const empty = method === 'HEAD' || NULL_BODY.has(status);
        if (empty) res.resume();
        const body = empty ? null : new NodeBody(res);
        resolve(new NodeResponse(status, res.statusMessage ?? '', url.href, out, body) as unknown as Response);
      };
      const req: ClientRequest = target instanceof URL ? request(target, reqOptions, onResponse) : request({ ...target, ...reqOptions }, onResponse);
      const timeout = (message: string) => {
        const err = new OciError('TIMEOUT', `${message} (see --timeout)`);
        response?.destroy(err);
        req.destroy(err);
      };
      // Idle: the socket's inactivity timer (reads and writes both reset it) for this request.
      req.setTimeout(idleMs, () => timeout(`${url.host} sent nothing for ${formatMs(idleMs)} during ${method} ${url.origin}${url.pathname}`));
      req.once('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        const peer = proxied && url.protocol === 'http:' ? `the proxy ${describeProxy(proxied)}` : url.host;
        const timer = setTimeout(() => timeout(`cannot connect to ${peer} within ${formatMs(connectMs)}`), connectMs);
        socket.once(url.protocol === 'https:' && !proxied ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      // Errors look like fetch's: a TypeError whose cause is the socket error (timeouts stay typed).
      req.on('error', (err) => reject(isOciError(err) || err.name === 'AbortError' ? err : new TypeError('fetch failed', { cause: err })));
      if (body === undefined || body === null) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else if (typeof (body as { getReader?: unknown }).getReader === 'function') {
        const src = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
        src.on('error', (err) => req.destroy(err));
        src.pipe(req);
      } else {
        req.destroy();
        reject(new TypeError('unsupported request body type'));
      }
    });
  };
  return {
    fetch,
    close: async () => {
      http.agent.destroy();
      https?.destroy();
      for (const a of tunnels.values()) (await a.catch(() => undefined))?.destroy();
    },
  };
}
