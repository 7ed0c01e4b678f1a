import { readFileSync } from 'node:fs';
import { OciError } from '../errors.ts';
import { DEFAULT_TIMEOUTS } from './deadline.ts';
import { createNodeTransport } from './node-transport.ts';
import { proxyAuthorization, proxyFromEnv, type ProxyConfig } from './proxy.ts';

/** The fetch signature ocx injects everywhere (global fetch, undici's, or the emulator's). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Injected fetch; default: Node's fetch (undici, keep-alive pool per origin). */
  readonly fetch?: FetchLike;
  /**
   * 'fetch' (default): Node's fetch, undici with keep-alive pools. 'node-http': node:http/https
   * keep-alive agents, for one-shot processes where undici's start-up cost dominates.
   */
  readonly transport?: 'fetch' | 'node-http';
  /** PEM file of extra CA certificates to trust. */
  readonly caFile?: string;
  /** Skip TLS verification (the CLI prints a warning). */
  readonly insecure?: boolean;
  /** Connections per origin in the keep-alive pool (custom TLS transport only). */
  readonly connections?: number;
  /**
   * HTTP(S)_PROXY/NO_PROXY routing (proxy.ts). Default: read from process.env when the transport is
   * created, as Go's default transport does; `null`: always direct.
   */
  readonly proxy?: ProxyConfig | null;
  /** TCP connect (+ proxy CONNECT + TLS) bound, default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Longest socket silence, default 30 s. */
  readonly idleTimeoutMs?: number;
}

/**
 * The transport: Node's built-in fetch (undici with keep-alive pools) unless TLS needs custom
 * settings, in which case an undici Agent is loaded on first use — keeping it off the start-up path
 * of every command. One per client; never module-level.
 */
export function createTransport(options: TransportOptions = {}): { fetch: FetchLike; close(): Promise<void> } {
  if (options.fetch) return { fetch: options.fetch, close: async () => {} };
  const proxy = options.proxy === null ? undefined : (options.proxy ?? proxyFromEnv(process.env));
  const connectMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_TIMEOUTS.idleMs;
  if (options.transport === 'node-http') {
    return createNodeTransport({ ...(options.caFile ? { ca: readCa(options.caFile) } : {}), insecure: options.insecure, connections: options.connections, proxy, connectTimeoutMs: connectMs, idleTimeoutMs: idleMs });
  }
  const hasProxy = proxy?.active === true;
  if (!options.caFile && !options.insecure && !hasProxy) return { fetch: (input, init) => globalThis.fetch(input, init), close: async () => {} };
  const ca = options.caFile ? readCa(options.caFile) : undefined;
  const tls = { rejectUnauthorized: !options.insecure, ...(ca ? { ca } : {}) };
  type Undici = typeof import('undici');
  type Dispatcher = InstanceType<Undici['Agent']> | InstanceType<Undici['ProxyAgent']>;
  const common = {
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connections ?? 32,
    headersTimeout: idleMs,
    bodyTimeout: idleMs,
  };
  let loaded: Promise<Undici> | undefined;
  let direct: Dispatcher | undefined;
  const proxied = new Map<string, Dispatcher>();
  const load = () => (loaded ??= import('undici'));
  const dispatcherFor = (undici: Undici, url: URL): Dispatcher => {
    const via = proxy?.proxyFor(url);
    if (!via) return (direct ??= new undici.Agent({ ...common, connect: { ...tls, timeout: connectMs } }));
    let d = proxied.get(via.href);
    if (!d) {
      const token = proxyAuthorization(via);
      // CONNECT for https targets; absolute-form for http targets (proxyTunnel: false), as Go does.
      d = new undici.ProxyAgent({
        ...common,
        uri: `${via.protocol}//${via.host}`,
        proxyTunnel: false,
        ...(token ? { token } : {}),
        requestTls: { ...tls, timeout: connectMs },
        // An https proxy is trusted as the registry is (system roots plus --ca-file).
        proxyTls: { ...tls, timeout: connectMs },
        connect: { timeout: connectMs },
      } as ConstructorParameters<Undici['ProxyAgent']>[0]);
      proxied.set(via.href, d);
    }
    return d;
  };
  const f: FetchLike = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    // Once a proxy is configured every request goes through the undici package: loading it makes it
    // the global dispatcher, which Node's own (older) fetch must not be mixed with.
    const undici = await load();
    return undici.fetch(input as Parameters<Undici['fetch']>[0], { ...(init as object), dispatcher: dispatcherFor(undici, url) } as Parameters<Undici['fetch']>[1]) as unknown as Promise<Response>;
  };
  return {
    fetch: f,
    close: async () => {
      await Promise.all([direct?.close(), ...[...proxied.values()].map((d) => d.close())]);
    },
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new OciError('CONFIG', `cannot read CA file ${file}`, { cause });
  }
}

/** Loopback hosts speak plain HTTP by default, as oras and cosign do for localhost registries. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
