import { OciError, isOciError } from '../errors.ts';
import { errorFromResponse, redactUrl } from './http.ts';

// The one retry policy for registry exchanges. Transient answers (429, 500, 502–504) and broken
// connections are retried at most MAX_ATTEMPTS times in all, with exponential backoff and jitter;
// Retry-After (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) is honoured up to 10 s, and a
// longer one ends at once: an unattended run must not sleep for as long as a registry asks.
// Running out is a typed UNAVAILABLE/NETWORK error saying what was retried and for how long —
// never a response a caller could mistake for "nothing there" (distribution-spec only allows the
// referrers fallback on 404). Deadlines (TIMEOUT) are never retried.

export const MAX_ATTEMPTS = 3;
export const MAX_RETRY_AFTER_MS = 10_000;
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export interface RetryOptions {
  /** Attempts in all (default MAX_ATTEMPTS); 1 disables retries. */
  readonly attempts?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Milliseconds a Retry-After value asks for; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP-date (IMF-fixdate and the obsolete forms Date.parse also reads); a date in the past is "now".
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: ~200 ms, ~400 ms, … (each ×0.5–1.5). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return 200 * 2 ** (attempt - 1) * (0.5 + random());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new OciError('ABORTED', 'aborted'));
    const onAbort = () => {
      clearTimeout(t);
      reject(new OciError('ABORTED', 'aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs `once` under the retry policy. `what` names the exchange in messages (method and URL).
 * Returns the first non-transient response; throws when transient answers or resets persist.
 */
export async function withRetry(what: { method: string; url: string }, once: () => Promise<Response>, options: RetryOptions & { signal?: AbortSignal } = {}): Promise<Response> {
  const attempts = Math.max(1, options.attempts ?? MAX_ATTEMPTS);
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const started = now();
  const label = `${what.method} ${redactUrl(what.url)}`;
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await once();
    } catch (err) {
      if (!isOciError(err, 'NETWORK')) throw err;
      if (attempt >= attempts) {
        throw new OciError('NETWORK', `${err.message} (tried ${attempt} time${attempt === 1 ? '' : 's'} over ${seconds(now() - started)}; giving up)`, { cause: err, method: err.method, url: err.url });
      }
      await wait(backoffMs(attempt, random), options.signal);
      continue;
    }
    if (!RETRY_STATUSES.has(res.status)) return res;
    const asked = parseRetryAfter(res.headers.get('retry-after'), now());
    if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
      const err = await errorFromResponse(res, what.method, res.url || what.url, label);
      throw new OciError('UNAVAILABLE', `${label} answered ${res.status} and asked to retry after ${seconds(asked)}, more than ${seconds(MAX_RETRY_AFTER_MS)}; giving up — try again later`, { cause: err, method: what.method, url: err.url, status: res.status, errors: err.errors });
    }
    if (attempt >= attempts) {
      const err = await errorFromResponse(res, what.method, res.url || what.url, label);
      throw new OciError('UNAVAILABLE', `${label} answered ${res.status} on each of ${attempt} attempt${attempt === 1 ? '' : 's'} over ${seconds(now() - started)}${err.errors.length ? ` (${err.errors.map((e) => e.code).join(', ')})` : ''}; giving up — try again later`, { cause: err, method: what.method, url: err.url, status: res.status, errors: err.errors });
    }
    await res.body?.cancel().catch(() => undefined);
    await wait(asked ?? backoffMs(attempt, random), options.signal);
  }
}
