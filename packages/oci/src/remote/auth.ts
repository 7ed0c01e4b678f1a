import { OciError } from '../errors.ts';
import { boundedExchange, resolveTimeouts, type ExchangeResult, type Timeouts } from './deadline.ts';
import { redactUrl, tlsFailure, untrustedError } from './http.ts';
import { STORED_TOKEN_MARGIN_MS, tokenKey, type StoredChallenge, type TokenStore, type TokenStoreData } from './token-store.ts';
import type { FetchLike } from './transport.ts';

/** A token answer is a few KiB; anything over this is refused while reading. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

// Registry auth: the Docker token flow (distribution token spec, "Token Authentication
// Specification"), OAuth2 refresh tokens for identity tokens, and Basic auth.

export interface Credential {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`). */
  readonly refreshToken?: string;
  /** A ready bearer token (registry token), used as-is. */
  readonly accessToken?: string;
}

/** host → credential; may spawn docker-credential helpers, so it is asynchronous and cached by the caller. */
export type CredentialProvider = (host: string) => Promise<Credential | undefined>;

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses the first challenge of a WWW-Authenticate header (RFC 7235 §4.1). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?\s*/gy;
  const rest = m[2] ?? '';
  re.lastIndex = 0;
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

/**
 * Token lifetime in seconds from a token answer's `expires_in`. The token spec's default (absent) is
 * 60 s and it says no token should live less; registries also answer nonsense (3×10^11, negative,
 * strings), so the value is clamped to [60 s, 1 h]: a process never trusts a token for longer than an
 * hour — a token revoked early or expiring sooner than claimed is met by the 401 → fresh-token path.
 */
export const TOKEN_TTL_MIN_S = 60;
export const TOKEN_TTL_MAX_S = 3600;
export function tokenLifetime(expiresIn: unknown): number {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) return TOKEN_TTL_MIN_S;
  return Math.min(TOKEN_TTL_MAX_S, Math.max(TOKEN_TTL_MIN_S, expiresIn));
}

interface CachedToken {
  readonly token: string;
  /** When this process stops using the token (its expiry minus 10 s). */
  readonly expiresAt: number;
  /** Obtained without credentials: may be kept on disk (token-store.ts). */
  readonly anonymous?: boolean;
  /** The registry's own expiry (epoch ms). */
  readonly expiry?: number;
}

export interface TokenCacheOptions {
  readonly fetch: FetchLike;
  readonly credentials?: CredentialProvider;
  /** Anonymous tokens from earlier runs (and where they go); never tokens obtained with credentials. */
  readonly store?: TokenStore;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** exchangeMs bounds the whole token exchange; idleMs any silence in it. */
  readonly timeouts?: Partial<Timeouts>;
}

/**
 * Bearer tokens per registry host + scope: one token request per scope within a run, and with a
 * store, anonymous tokens across runs. A token request goes to the realm the registry named;
 * credentials are sent there only over https or loopback.
 */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #schemes = new Map<string, Challenge>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #creds = new Map<string, Promise<Credential | undefined>>();
  readonly #options: TokenCacheOptions;
  #stored?: Promise<TokenStoreData | undefined>;

  constructor(options: TokenCacheOptions) {
    this.#options = options;
  }

  #storedData(): Promise<TokenStoreData | undefined> {
    const store = this.#options.store;
    if (!store) return Promise.resolve(undefined);
    this.#stored ??= store.load().catch(() => undefined);
    return this.#stored;
  }

  /**
   * Adopts the bearer challenge a host answered in an earlier run, so the first request of a repeat
   * run carries a token (no 401). Only for a host without credentials: a realm read from disk never
   * receives credentials, and a user who logged in since is not served anonymous tokens.
   */
  async #adoptStored(host: string): Promise<boolean> {
    const data = await this.#storedData();
    const ch = data?.hosts[host];
    if (!ch || (await this.credential(host)) !== undefined) return false;
    if (!this.#schemes.has(host)) this.#schemes.set(host, { scheme: 'bearer', params: { realm: ch.realm, ...(ch.service !== undefined ? { service: ch.service } : {}) } });
    return true;
  }

  /** A stored anonymous token for this challenge and scope with time to live, if the host has no credentials. */
  async #storedToken(host: string, ch: Challenge, scope: string): Promise<string | undefined> {
    const data = await this.#storedData();
    const key = this.#challengeOf(ch);
    const t = data && key ? data.tokens[tokenKey(key, scope)] : undefined;
    if (!t || t.expiresAt - STORED_TOKEN_MARGIN_MS <= this.#now()) return undefined;
    if ((await this.credential(host)) !== undefined) return undefined;
    this.#tokens.set(`${host} ${scope}`, { token: t.token, expiresAt: t.expiresAt - STORED_TOKEN_MARGIN_MS, anonymous: true, expiry: t.expiresAt });
    return t.token;
  }

  credential(host: string): Promise<Credential | undefined> {
    let c = this.#creds.get(host);
    if (!c) {
      c = this.#options.credentials ? this.#options.credentials(host) : Promise.resolve(undefined);
      this.#creds.set(host, c);
    }
    return c;
  }

  /** The Authorization header to send up front, from what the host asked for before. */
  async authorization(host: string, scope: string): Promise<string | undefined> {
    let ch = this.#schemes.get(host);
    if (!ch) {
      if (!scope || !(await this.#adoptStored(host))) return undefined;
      ch = this.#schemes.get(host)!;
    }
    if (ch.scheme === 'basic') return basicHeader(await this.credential(host));
    if (ch.scheme === 'bearer') {
      const t = this.#tokens.get(`${host} ${scope}`);
      if (t && t.expiresAt > this.#now()) return `Bearer ${t.token}`;
      const stored = scope ? await this.#storedToken(host, ch, scope) : undefined;
      if (stored) return `Bearer ${stored}`;
      // Known bearer host: fetch the token for this scope now instead of eating a 401 first.
      return `Bearer ${await this.#token(host, ch, scope)}`;
    }
    return undefined;
  }

  /**
   * Handles a 401: learns the challenge and returns the header to retry with, or undefined. `sent` is
   * the Authorization the refused request carried: a request sent before a concurrent one fetched
   * the scope's token reuses that token instead of asking again; a refused token is dropped (and
   * forgotten on disk).
   */
  async onChallenge(host: string, header: string | null, scope: string, sent?: string): Promise<string | undefined> {
    if (!header) return undefined;
    const ch = parseChallenge(header);
    if (!ch) return undefined;
    this.#schemes.set(host, ch);
    if (ch.scheme === 'basic') {
      return basicHeader(await this.credential(host));
    }
    if (ch.scheme !== 'bearer') return undefined;
    const key = `${host} ${scope}`;
    const have = this.#tokens.get(key);
    if (have && have.expiresAt > this.#now() && `Bearer ${have.token}` !== sent) return `Bearer ${have.token}`;
    const pending = this.#pending.get(key);
    if (pending) return `Bearer ${await pending}`;
    this.#tokens.delete(key);
    if (have?.anonymous && this.#options.store && sent === `Bearer ${have.token}`) {
      const stale = this.#challengeOf(ch);
      if (stale) await this.#options.store.remove(stale, scope, this.#now()).catch(() => undefined);
    }
    // The challenge may name a wider scope than ours (e.g. pull,push); ask for both.
    const wanted = ch.params.scope && ch.params.scope !== scope ? `${scope} ${ch.params.scope}` : scope;
    return `Bearer ${await this.#token(host, ch, scope, wanted)}`;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #challengeOf(ch: Challenge): StoredChallenge | undefined {
    const realm = ch.params.realm;
    if (!realm) return undefined;
    return { realm, ...(ch.params.service !== undefined ? { service: ch.params.service } : {}) };
  }

  #token(host: string, ch: Challenge, scope: string, wanted = scope): Promise<string> {
    const key = `${host} ${scope}`;
    let p = this.#pending.get(key);
    if (!p) {
      p = this.#fetchToken(host, ch, wanted).then(async (t) => {
        this.#tokens.set(key, t);
        const stored = this.#challengeOf(ch);
        // Only an anonymous pull token is written to disk (issue 12): never one obtained with any
        // credential, never one asked for with push rights.
        if (t.anonymous && t.expiry !== undefined && stored && isPullOnly(wanted) && this.#options.store) {
          await this.#options.store.save(host, stored, scope, { token: t.token, expiresAt: t.expiry }, this.#now()).catch(() => undefined);
        }
        return t.token;
      });
      p.finally(() => this.#pending.delete(key)).catch(() => undefined);
      this.#pending.set(key, p);
    }
    return p;
  }

  /** The token fetch, its failures typed: an untrusted realm certificate is TLS_UNTRUSTED, the rest NETWORK. */
  /** One token exchange, bounded as a whole and capped while reading (boundedExchange). */
  #exchange(url: URL, init: RequestInit, bounds: Omit<Parameters<typeof boundedExchange>[1], 'url' | 'init'>): Promise<ExchangeResult> {
    const fetch: FetchLike = async (input, init2) => {
      try {
        return await this.#options.fetch(input, init2);
      } catch (cause) {
        if (cause instanceof OciError) throw cause;
        if (init2?.signal?.aborted) throw new OciError('ABORTED', `token request to ${redactUrl(url.href)} was aborted`, { cause });
        const tls = tlsFailure(cause);
        if (tls?.kind === 'untrusted') throw untrustedError(url.href, tls, cause, init.method ?? 'GET');
        const detail = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String((cause as Error)?.message ?? cause);
        throw new OciError('NETWORK', `token request to ${redactUrl(url.href)} failed: ${detail.split('\n')[0]}`, { cause, method: init.method ?? 'GET', url: redactUrl(url.href) });
      }
    };
    return boundedExchange(fetch, { ...bounds, url, init });
  }

  async #fetchToken(host: string, ch: Challenge, scope: string): Promise<CachedToken> {
    const realm = ch.params.realm;
    if (!realm) throw new OciError('UNAUTHORIZED', `registry ${host} asked for a bearer token without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch (cause) {
      throw new OciError('UNAUTHORIZED', `registry ${host} named an invalid token realm "${realm}"`, { cause });
    }
    const cred = await this.credential(host);
    const safe = url.protocol === 'https:' || isLoopback(url.hostname);
    const scopes = scope.split(' ').filter(Boolean);
    if (cred?.accessToken) return { token: cred.accessToken, expiresAt: this.#now() + 60_000 };
    const t = resolveTimeouts(this.#options.timeouts);
    const bounds = { wholeMs: t.exchangeMs, idleMs: Math.min(t.idleMs, t.exchangeMs), maxBytes: MAX_TOKEN_RESPONSE_BYTES, what: `a token for ${host}`, signal: this.#options.signal };
    let res: Awaited<ReturnType<typeof boundedExchange>>;
    if (cred?.refreshToken && safe) {
      const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.refreshToken, service: ch.params.service ?? '', client_id: 'ocx' });
      if (scopes.length) body.set('scope', scopes.join(' '));
      res = await this.#exchange(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'error' }, bounds);
    } else {
      if (ch.params.service) url.searchParams.set('service', ch.params.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      const basic = safe ? basicHeader(cred) : undefined;
      if (basic) headers.authorization = basic;
      res = await this.#exchange(url, { headers, redirect: 'error' }, bounds);
    }
    if (res.status === 401 || res.status === 403) {
      throw new OciError('UNAUTHORIZED', `token request to ${url.origin}${url.pathname} for ${host} was refused (${res.status})${cred ? '' : ': no credentials configured'}`, { status: res.status, url: `${url.origin}${url.pathname}`, method: 'GET' });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new OciError('UNAVAILABLE', `token request to ${url.origin}${url.pathname} failed with ${res.status}`, { status: res.status });
    }
    const text = new TextDecoder().decode(res.bytes);
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new OciError('UNAUTHORIZED', `token response from ${url.origin} is not JSON`, { cause });
    }
    const token = typeof json.token === 'string' ? json.token : typeof json.access_token === 'string' ? json.access_token : undefined;
    if (!token) throw new OciError('UNAUTHORIZED', `token response from ${url.origin} has no token`);
    // Renew 10 s before expiry.
    const lifetime = tokenLifetime(json.expires_in) * 1000;
    const now = this.#now();
    return { token, expiresAt: now + lifetime - 10_000, expiry: now + lifetime, anonymous: cred === undefined };
  }
}

/** `repository:NAME:pull` scopes only (space-separated), the kind a public registry hands anyone. */
function isPullOnly(scope: string): boolean {
  const scopes = scope.split(' ').filter(Boolean);
  return scopes.length > 0 && scopes.every((s) => /^repository:[^\s]+:pull$/.test(s));
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

function basicHeader(cred: Credential | undefined): string | undefined {
  if (!cred?.username || cred.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
}
