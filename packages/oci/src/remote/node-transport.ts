import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
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
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return { ...(headers as Record<string, string>) };
}

export function createNodeTransport(options: NodeTransportOptions = {}): { fetch: FetchLike; close(): Promise<void> } {
  const maxSockets = options.connections ?? 32;
  const http = new HttpAgent({ keepAlive: true, maxSockets });
  const https = new HttpsAgent({ keepAlive: true, maxSockets, rejectUnauthorized: !options.insecure, ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}) });
  const fetch: FetchLike = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const method = (init.method ?? 'GET').toUpperCase();
      const headers = toHeaders(init.headers);
      let body = init.body as unknown;
      if (body instanceof URLSearchParams) {
        headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
        body = body.toString();
      }
      if (typeof body === 'string') body = Buffer.from(body);
      if (body instanceof Uint8Array && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['content-length'] = String(body.byteLength);
      const secure = url.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? https : http, signal: init.signal ?? undefined }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const empty = method === 'HEAD' || NULL_BODY.has(status);
        if (empty) res.resume();
        let response: Response;
        try {
          response = new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: out });
        } catch (err) {
          res.destroy();
          reject(new TypeError(`invalid response from ${url.origin}: ${(err as Error).message}`, { cause: err }));
          return;
        }
        Object.defineProperty(response, 'url', { value: url.href });
        resolve(response);
      });
      // Errors look like fetch's: a TypeError whose cause is the socket error.
      req.on('error', (err) => reject(err.name === 'AbortError' ? err : new TypeError('fetch failed', { cause: err })));
      if (body === undefined || body === null) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else if (body instanceof ReadableStream) {
        const src = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
        src.on('error', (err) => req.destroy(err));
        src.pipe(req);
      } else {
        req.destroy();
        reject(new TypeError('unsupported request body type'));
      }
    });
  return {
    fetch,
    close: async () => {
      http.destroy();
      https.destroy();
    },
  };
}
