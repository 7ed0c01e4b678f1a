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

/** First link of a Link header whose relation types include "next" (RFC 8288). */
export function parseNextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(part);
    const rel = m ? relParam(m[2]!) : undefined;
    // §3.3: rel is a space-separated list of relation types; §2.1.1: registered types compare
    // case-insensitively.
    if (rel?.split(/[ \t]+/).some((t) => t.toLowerCase() === 'next')) return m![1];
  }
  return undefined;
}

/** The value of the first `rel` parameter (§3.3: later ones are ignored), read quote-aware. */
function relParam(params: string): string | undefined {
  // One `; name[=value]` link-param (RFC 8288 §3): a token, or a quoted-string that may hold `;`.
  const param = /\s*;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;"\s]*)))?\s*/y;
  for (let m = param.exec(params); m; m = param.exec(params)) {
    if (m[1]!.toLowerCase() === 'rel') return m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return undefined;
}

/**
 * The next page of a paginated listing (distribution-spec "Listing Tags"/"Listing Referrers"):
 * the rel="next" link resolved against the current page, refused when it leaves the registry's
 * origin (credentials and trust are bound to it) or returns to a page already read.
 */
export function nextPage(header: string | null, current: string, origin: string, seen: Set<string>, what: string): string | undefined {
  const next = parseNextLink(header);
  if (!next) return undefined;
  let url: URL;
  try {
    url = new URL(next, current);
  } catch (cause) {
    throw new OciError('PAGINATION', `${what} Link is not a URL; refusing to follow`, { cause });
  }
  if (url.origin !== origin) throw new OciError('PAGINATION', `${what} Link points to another origin (${url.origin}); refusing to follow`);
  if (seen.has(url.href)) throw new OciError('PAGINATION', `${what} pagination loops back to a page already read`);
  return url.href;
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

// Node's TLS verification failures (OpenSSL X509_V_ERR_* names, plus Node's own hostname check).
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

/** What a failed exchange's cause chain says about TLS: the certificate is not trusted, the peer speaks no TLS, or neither. */
export function tlsFailure(err: unknown): { kind: 'untrusted' | 'not-tls'; code: string; message: string } | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    if (UNTRUSTED.has(code)) return { kind: 'untrusted', code, message: e.message };
    // A plain-HTTP server answers the ClientHello with an HTTP status line: OpenSSL reads it as a bad record.
    if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(e.message)) {
      return { kind: 'not-tls', code: code || 'EPROTO', message: e.message.split('\n')[0]! };
    }
  }
  return undefined;
}

/**
 * An untrusted certificate is a configuration problem, never a temporary one: retrying cannot help,
 * so it gets its own code (never retried) and says how to trust the server.
 */
export function untrustedError(url: string, failure: { code: string; message: string }, cause: unknown, method = 'GET'): OciError {
  const safeUrl = redactUrl(url);
  return new OciError(
    'TLS_UNTRUSTED',
    `${method} ${safeUrl}: the server's TLS certificate is not trusted (${failure.code}: ${failure.message}); trust its CA with --ca-file FILE or NODE_EXTRA_CA_CERTS=FILE, or skip verification with --insecure (testing only)`,
    { cause, method, url: safeUrl },
  );
}
