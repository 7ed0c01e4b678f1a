import { randomBytes, timingSafeEqual } from 'node:crypto';
import { baseHeaders, errorResponse } from './errors.ts';

// Registry authentication as distribution implements it: Basic on /v2/*, or the bearer token flow of
// the distribution token spec ("Token Authentication Specification", "Token Scope Documentation"):
// a 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=repository:NAME:pull[,push]`, a token
// endpoint answering `{token, access_token, expires_in, issued_at}`, and scopes checked per request.

export type EmulatorAuth =
  /** 401 + Bearer challenge (realm = this server's /token, service = host); anyone gets a pull+push token anonymously. */
  | { readonly mode: 'anonymous-token'; readonly realm?: string }
  /** The token endpoint needs Basic credentials of a user; anonymous callers get pull-only tokens if anonymousPull, else 401. */
  | { readonly mode: 'token'; readonly users: Readonly<Record<string, string>>; readonly anonymousPull?: boolean; readonly realm?: string }
  /** 401 + Basic realm challenge on /v2/*. */
  | { readonly mode: 'basic'; readonly users: Readonly<Record<string, string>> };

/** Who a request was authenticated as; `scheme` is what the Authorization header named (never the secret). */
export interface AuthSeen {
  readonly scheme?: string;
  readonly user?: string;
}

interface Grant {
  readonly subject: string | undefined;
  /** repository name → granted actions */
  readonly access: ReadonlyMap<string, ReadonlySet<string>>;
  readonly expiresAt: number;
}

const TOKEN_PATH = '/token';
const DEFAULT_EXPIRES_IN = 300;
const ROUTE_NAME = /^\/v2\/(.+?)\/(?:manifests\/[^/]+|blobs\/uploads\/[^/]*|blobs\/[^/]+|tags\/list|referrers\/[^/]+)$/;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodeBasic(header: string | null): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

/** Actions a request needs: reads pull, writes push (distribution maps DELETE to `delete`; push is enough here). */
function needed(method: string): string {
  return method === 'GET' || method === 'HEAD' ? 'pull' : 'push';
}

/** `repository:NAME:a,b` scopes (the token spec's grammar; NAME may contain `/` and a `:port`-free host part). */
function parseScopes(values: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const v of values.flatMap((s) => s.split(' ')).filter(Boolean)) {
    const m = /^repository(?:\([a-z0-9]+\))?:(.+):([a-z*,]+)$/.exec(v);
    if (!m) continue;
    const set = out.get(m[1]!) ?? new Set<string>();
    for (const a of m[2]!.split(',')) if (a) set.add(a);
    out.set(m[1]!, set);
  }
  return out;
}

export interface AuthGate {
  /** Who the request's Authorization names (for the request log): scheme, and the user or token subject. */
  identify(req: Request): AuthSeen;
  /** Answers the token endpoint, a 401/403, or undefined to let the request through to the registry. */
  check(req: Request): Promise<{ response?: Response; seen: AuthSeen; request: Request }>;
}

export function createAuthGate(auth: EmulatorAuth | undefined, options: { now: () => number; tokenExpiresIn?: number }): AuthGate {
  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, string>();
  const expiresIn = options.tokenExpiresIn ?? DEFAULT_EXPIRES_IN;

  const validUser = (users: Readonly<Record<string, string>>, user: string, password: string): boolean =>
    Object.hasOwn(users, user) && safeEqual(users[user]!, password);

  function challenge(req: Request, scope: string | undefined, error?: string): Response {
    const u = new URL(req.url);
    let header: string;
    if (auth?.mode === 'basic') header = 'Basic realm="ocx-emulator"';
    else {
      const realm = (auth && 'realm' in auth && auth.realm) || `${u.origin}${TOKEN_PATH}`;
      header = `Bearer realm="${realm}",service="${u.host}"${scope ? `,scope="${scope}"` : ''}${error ? `,error="${error}"` : ''}`;
    }
    return errorResponse(401, 'UNAUTHORIZED', 'authentication required', { headers: { 'www-authenticate': header }, head: req.method === 'HEAD' });
  }

  async function tokenEndpoint(req: Request): Promise<{ response: Response; seen: AuthSeen }> {
    if (!auth || auth.mode === 'basic') return { response: new Response('404 page not found\n', { status: 404 }), seen: {} };
    const u = new URL(req.url);
    let user: string | undefined;
    let password: string | undefined;
    let scopes: string[] = u.searchParams.getAll('scope');
    let refresh: string | undefined;
    let wantsRefresh = u.searchParams.get('offline_token') === 'true';
    if (req.method === 'POST') {
      // OAuth2 form (docker's identity-token flow): grant_type=password | refresh_token.
      const form = new URLSearchParams(await req.text());
      scopes = form.getAll('scope');
      if (form.get('grant_type') === 'password') {
        user = form.get('username') ?? undefined;
        password = form.get('password') ?? undefined;
        wantsRefresh = form.get('access_type') === 'offline';
      } else if (form.get('grant_type') === 'refresh_token') {
        refresh = form.get('refresh_token') ?? '';
        user = refreshTokens.get(refresh);
        if (user === undefined) return { response: errorResponse(401, 'UNAUTHORIZED', 'invalid refresh token'), seen: {} };
      } else return { response: errorResponse(400, 'UNSUPPORTED', 'unsupported grant_type'), seen: {} };
    } else if (req.method === 'GET') {
      const basic = decodeBasic(req.headers.get('authorization'));
      user = basic?.user;
      password = basic?.password;
    } else return { response: errorResponse(405, 'UNSUPPORTED', 'GET or POST'), seen: {} };

    const seen: AuthSeen = { scheme: req.headers.get('authorization')?.split(' ')[0], user };
    let subject: string | undefined;
    let allowed: (action: string) => boolean;
    if (auth.mode === 'anonymous-token') {
      subject = user;
      allowed = (a) => a === 'pull' || a === 'push';
    } else if (user !== undefined && (refresh !== undefined || validUser(auth.users, user, password ?? ''))) {
      subject = user;
      allowed = (a) => a === 'pull' || a === 'push';
    } else if (user === undefined && auth.anonymousPull) {
      allowed = (a) => a === 'pull';
    } else {
      return { response: errorResponse(401, 'UNAUTHORIZED', 'invalid credentials', { headers: { 'www-authenticate': 'Basic realm="ocx-emulator token"' } }), seen };
    }
    const access = new Map<string, Set<string>>();
    for (const [name, actions] of parseScopes(scopes)) {
      const granted = new Set([...actions].filter(allowed));
      if (granted.size) access.set(name, granted);
    }
    const token = randomBytes(24).toString('base64url');
    const ttlMs = Number.isFinite(expiresIn) && expiresIn > 0 ? Math.min(expiresIn, 1e9) * 1000 : 0;
    grants.set(token, { subject, access, expiresAt: options.now() + ttlMs });
    const body: Record<string, unknown> = { token, access_token: token, expires_in: expiresIn, issued_at: new Date(options.now()).toISOString() };
    if (wantsRefresh && subject !== undefined) {
      const rt = randomBytes(24).toString('base64url');
      refreshTokens.set(rt, subject);
      body.refresh_token = rt;
    }
    return { response: new Response(JSON.stringify(body), { status: 200, headers: baseHeaders({ 'content-type': 'application/json' }) }), seen };
  }

  return {
    identify(req) {
      const header = req.headers.get('authorization');
      if (!header) return {};
      const scheme = header.split(' ')[0];
      const basic = decodeBasic(header);
      if (basic) return { scheme, user: basic.user };
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const grant = m ? grants.get(m[1]!) : undefined;
      return grant?.subject !== undefined ? { scheme, user: grant.subject } : { scheme };
    },
    async check(req) {
      const u = new URL(req.url);
      if (auth && auth.mode !== 'basic' && u.pathname === TOKEN_PATH) return { ...(await tokenEndpoint(req)), request: req };
      const header = req.headers.get('authorization');
      const scheme = header?.split(' ')[0];
      if (!auth || !u.pathname.startsWith('/v2')) return { seen: { scheme }, request: req };
      const name = ROUTE_NAME.exec(u.pathname)?.[1];
      const action = needed(req.method);
      const scope = name ? `repository:${name}:${action === 'push' ? 'pull,push' : 'pull'}` : undefined;

      if (auth.mode === 'basic') {
        const basic = decodeBasic(header);
        if (!basic || !validUser(auth.users, basic.user, basic.password)) return { response: challenge(req, undefined), seen: { scheme }, request: req };
        return { seen: { scheme, user: basic.user }, request: req };
      }

      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      const grant = m ? grants.get(m[1]!) : undefined;
      if (!grant || grant.expiresAt <= options.now()) return { response: challenge(req, scope, m ? 'invalid_token' : undefined), seen: { scheme }, request: req };
      const seen: AuthSeen = { scheme, user: grant.subject };
      if (!name) return { seen, request: req }; // `/v2/` only proves the token is valid
      if (!grant.access.get(name)?.has(action)) {
        // distribution answers a token lacking the scope with 401 and error="insufficient_scope".
        return { response: challenge(req, scope, 'insufficient_scope'), seen, request: req };
      }
      // A cross-repository mount needs pull on `from`; without it distribution starts a plain upload.
      const from = u.searchParams.get('from');
      if (u.searchParams.has('mount') && from !== null && !grant.access.get(from)?.has('pull')) {
        const stripped = new URL(u);
        stripped.searchParams.delete('mount');
        stripped.searchParams.delete('from');
        const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers: req.headers, signal: req.signal };
        if (req.body) Object.assign(init, { body: req.body, duplex: 'half' });
        return { seen, request: new Request(stripped, init) };
      }
      return { seen, request: req };
    },
  };
}
