import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { OciError } from '../errors.ts';

/** The fetch signature ocx injects everywhere (global fetch, undici's, or the emulator's). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Injected fetch; default: undici with a keep-alive pool configured by the options below. */
  readonly fetch?: FetchLike;
  /** PEM file of extra CA certificates to trust. */
  readonly caFile?: string;
  /** Skip TLS verification (the CLI prints a warning). */
  readonly insecure?: boolean;
  /** Connections per origin in the keep-alive pool. */
  readonly connections?: number;
}

/**
 * A fetch over an undici Agent: keep-alive pools per origin, TLS options, body and header timeouts.
 * One per client; never module-level.
 */
export function createTransport(options: TransportOptions = {}): { fetch: FetchLike; close(): Promise<void> } {
  if (options.fetch) return { fetch: options.fetch, close: async () => {} };
  const ca = options.caFile ? readCa(options.caFile) : undefined;
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connections ?? 32,
    headersTimeout: 60_000,
    bodyTimeout: 300_000,
    connect: { rejectUnauthorized: !options.insecure, ...(ca ? { ca } : {}) },
  });
  const f: FetchLike = (input, init) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  return { fetch: f, close: () => agent.close() };
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
