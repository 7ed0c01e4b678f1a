import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedExchange, DEFAULT_TIMEOUTS, type FetchLike } from '@ocx/oci';

// tuf-js downloads through make-fetch-happen, which reads proxy variables with npm's rules (lower-
// and upper-case by environment order, HTTPS_PROXY even for http URLs, no CIDR or port entries in
// NO_PROXY) at module load, and has no whole-exchange deadline. ocx hands tuf-js this fetcher
// instead: the caller's fetch (the CLI's: HTTP(S)_PROXY/NO_PROXY as Go reads them, connect and
// idle timeouts), every file bounded as a whole and capped at tuf-js's own maxLength while reading.

/** tuf-js's Fetcher interface (tuf-js/dist/fetcher.d.ts). */
export interface TufFetcher {
  downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T>;
  downloadBytes(url: string, maxLength: number): Promise<Buffer>;
}

export interface TufFetcherOptions {
  readonly fetch: FetchLike;
  /** Whole exchange per file, default 30 s. */
  readonly timeoutMs?: number;
  readonly idleMs?: number;
  readonly signal?: AbortSignal;
  /** tuf-js's DownloadHTTPError: the root-version walk ends on its 403/404. */
  readonly httpError: new (message: string, statusCode: number) => Error;
}

export function createTufFetcher(options: TufFetcherOptions): TufFetcher {
  const wholeMs = options.timeoutMs ?? DEFAULT_TIMEOUTS.exchangeMs;
  const downloadBytes = async (url: string, maxLength: number): Promise<Buffer> => {
    const name = new URL(url).pathname.split('/').pop() ?? url;
    const res = await boundedExchange(options.fetch, {
      url,
      init: { headers: { 'user-agent': 'ocx' } },
      wholeMs,
      idleMs: Math.min(options.idleMs ?? wholeMs, wholeMs),
      maxBytes: maxLength,
      what: `TUF file ${name}`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.status < 200 || res.status >= 300) throw new options.httpError(`Failed to download ${name}`, res.status);
    return Buffer.from(res.bytes.buffer, res.bytes.byteOffset, res.bytes.byteLength);
  };
  return {
    downloadBytes,
    async downloadFile(url, maxLength, handler) {
      const bytes = await downloadBytes(url, maxLength);
      const dir = await mkdtemp(join(tmpdir(), 'ocx-tuf-'));
      try {
        const file = join(dir, 'download');
        await writeFile(file, bytes);
        return await handler(file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
