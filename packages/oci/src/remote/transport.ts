import { readFileSync } from 'node:fs';
import { OciError } from '../errors.ts';
import { createNodeTransport } from './node-transport.ts';

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
}

/**
 * The transport: Node's built-in fetch (undici with keep-alive pools) unless TLS needs custom
 * settings, in which case an undici Agent is loaded on first use — keeping it off the start-up path
 * of every command. One per client; never module-level.
 */
export function createTransport(options: TransportOptions = {}): { fetch: FetchLike; close(): Promise<void> } {
  if (options.fetch) return { fetch: options.fetch, close: async () => {} };
  if (options.transport === 'node-http') {
    return createNodeTransport({ ...(options.caFile ? { ca: readCa(options.caFile) } : {}), insecure: options.insecure, connections: options.connections });
  }
  if (!options.caFile && !options.insecure) return { fetch: (input, init) => globalThis.fetch(input, init), close: async () => {} };
  const ca = options.caFile ? readCa(options.caFile) : undefined;
  type Undici = typeof import('undici');
  let loaded: Promise<{ undici: Undici; agent: InstanceType<Undici['Agent']> }> | undefined;
  const load = () =>
    (loaded ??= import('undici').then((undici) => ({
      undici,
      agent: new undici.Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 120_000,
        connections: options.connections ?? 32,
        headersTimeout: 60_000,
        bodyTimeout: 300_000,
        connect: { rejectUnauthorized: !options.insecure, ...(ca ? { ca } : {}) },
      }),
    })));
  const f: FetchLike = async (input, init) => {
    const { undici, agent } = await load();
    return undici.fetch(input as Parameters<Undici['fetch']>[0], { ...(init as object), dispatcher: agent } as Parameters<Undici['fetch']>[1]) as unknown as Promise<Response>;
  };
  return { fetch: f, close: async () => (loaded ? (await loaded).agent.close() : undefined) };
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
