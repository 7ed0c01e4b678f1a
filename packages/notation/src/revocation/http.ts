// HTTP for OCSP and CRL retrieval. A responder is an untrusted party: http(s) only (redirects too),
// a hard timeout over the whole exchange (notation-core-go: OCSP 2 s, CRL 5 s client timeouts), and
// a cap on the body (OCSP 20 KiB, CRL 32 MiB as notation-core-go's ocspMaxResponseSize / maxCRLSize).
import { isOciError, readBounded } from '@ocx/oci';
import { NotationError } from '../errors.ts';
import type { RevocationFetch } from './types.ts';

export const OCSP_MAX_RESPONSE_BYTES = 20 * 1024;
export const CRL_MAX_BYTES = 32 * 1024 * 1024;
const MAX_REDIRECTS = 3;

export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface BoundedRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

function unavailable(message: string, cause?: unknown): NotationError {
  return new NotationError('REVOCATION', message, cause === undefined ? {} : { cause });
}

/** The body, capped: a declared length over the cap is refused unread, the rest by @ocx/oci's readBounded while reading. */
async function readCapped(res: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw unavailable(`${url}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  try {
    return await readBounded(res, maxBytes, `${url}: response`);
  } catch (cause) {
    if (isOciError(cause, 'TOO_LARGE')) throw unavailable(cause.message, cause);
    throw cause;
  }
}

/** One request with timeout, size cap and scheme checks; throws NotationError('REVOCATION'). */
export async function boundedFetch(fetchFn: RevocationFetch, req: BoundedRequest): Promise<Uint8Array> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
  let url = req.url;
  try {
    for (let hop = 0; ; hop++) {
      if (!isHttpUrl(url)) throw unavailable(`${url}: only http and https revocation endpoints are supported`);
      let res: Response;
      try {
        res = await fetchFn(url, {
          method: req.method,
          redirect: 'manual',
          signal,
          ...(req.body ? { body: req.body, headers: { 'content-type': req.contentType ?? 'application/octet-stream' } } : {}),
        });
      } catch (cause) {
        if (timeout.signal.aborted) throw unavailable(`${url}: timed out after ${req.timeoutMs} ms`, cause);
        throw unavailable(`${url}: request failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
      }
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location');
        await res.body?.cancel().catch(() => undefined);
        if (!location || hop >= MAX_REDIRECTS) throw unavailable(`${url}: too many or empty redirects (HTTP ${res.status})`);
        url = new URL(location, url).toString();
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel().catch(() => undefined);
        throw unavailable(`${url}: HTTP status ${res.status}`);
      }
      try {
        return await readCapped(res, req.maxBytes, url);
      } catch (cause) {
        if (cause instanceof NotationError) throw cause;
        if (timeout.signal.aborted) throw unavailable(`${url}: timed out after ${req.timeoutMs} ms`, cause);
        throw unavailable(`${url}: reading the response failed`, cause);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
