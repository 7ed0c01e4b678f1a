import { OciError, type OciErrorCode, type RegistryErrorEntry } from '../errors.ts';
import { readBounded } from './deadline.ts';

/** Reads a body up to `max` bytes; a larger body (declared or actual) is TOO_LARGE, checked while reading. */
export const readCapped = readBounded;

function statusCode(status: number): OciErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409 || status === 412) return 'CONFLICT';
  if (status === 408 || status === 429 || status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'REGISTRY_ERROR';
}

/** A typed error carrying method, URL, status and the registry's `errors[]` (distribution-spec "Error Codes"). */
export async function errorFromResponse(res: Response, method: string, url: string, what: string): Promise<OciError> {
  let errors: RegistryErrorEntry[] = [];
  try {
    const body = await readCapped(res, 64 * 1024, 'error body');
    const json = JSON.parse(new TextDecoder().decode(body)) as { errors?: unknown };
    if (Array.isArray(json.errors)) {
      errors = json.errors
        .filter((e): e is { code: string; message?: unknown; detail?: unknown } => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
        .slice(0, 20)
        .map((e) => ({ code: e.code, message: typeof e.message === 'string' ? e.message : undefined, detail: e.detail }));
    }
  } catch {
    // Not JSON: the status alone speaks.
  }
  const detail = errors.length ? `: ${errors.map((e) => `${e.code}${e.message ? ` (${e.message})` : ''}`).join(', ')}` : '';
  const safeUrl = redactUrl(url);
  return new OciError(statusCode(res.status), `${what}: ${method} ${safeUrl} returned ${res.status}${detail}`, { method, url: safeUrl, status: res.status, errors });
}

/** URLs in messages never carry query secrets (upload session tokens, signed storage URLs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

/** First `<url>; rel="next"` of a Link header (RFC 8288). */
export function parseNextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/s.exec(part);
    if (m && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

/** Counting semaphore bounding requests in flight. */
export class Semaphore {
  #free: number;
  readonly #waiters: (() => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiters.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
