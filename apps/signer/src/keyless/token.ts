// Where a keyless signature's identity comes from: an OIDC ID token, handed over by the caller
// (file, stdin, SIGSTORE_ID_TOKEN) or fetched from the CI's ambient credentials. The token is a
// bearer secret: it is never put in an error message, a log line or argv.
import { z } from 'zod';
import { SignerError } from '../errors.ts';

const MAX_TOKEN_CHARS = 64 * 1024;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const claimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().optional(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  exp: z.number().optional(),
});

export interface IdentityClaims {
  readonly issuer: string;
  /** What Fulcio's proof of possession signs: the email when the token carries one, else `sub`. */
  readonly subject: string;
  readonly expiresAt?: Date;
}

/**
 * Reads the claims a signer needs before spending a Fulcio round trip, and refuses a token that
 * cannot work (not a JWT, expired, email unverified) with a message that never quotes the token.
 * The signature is Fulcio's to check.
 */
export function identityClaims(token: string, now: Date): IdentityClaims {
  const t = token.trim();
  if (t.length > MAX_TOKEN_CHARS || !JWT.test(t)) throw new SignerError('INVALID_TOKEN', 'the identity token is not a JWT (three base64url parts)');
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')));
  } catch {
    throw new SignerError('INVALID_TOKEN', 'the identity token has no readable claims (iss, sub or email)');
  }
  // sigstore-js oidc.extractJWTSubject: an email must be verified, else the subject is `sub`.
  if (claims.email !== undefined && claims.email_verified !== true) throw new SignerError('INVALID_TOKEN', `the identity token's email is not verified (email_verified is not true)`);
  const subject = claims.email ?? claims.sub;
  if (!subject) throw new SignerError('INVALID_TOKEN', 'the identity token names no subject (neither email nor sub)');
  if (claims.exp !== undefined && claims.exp * 1000 <= now.getTime()) {
    throw new SignerError('INVALID_TOKEN', `the identity token expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  return { issuer: claims.iss, subject, ...(claims.exp !== undefined ? { expiresAt: new Date(claims.exp * 1000) } : {}) };
}

/** Replaces every occurrence of `secret` (and its payload part) in `text`. */
export function redact(text: string, secret: string): string {
  let out = text;
  for (const s of [secret, ...secret.split('.')].filter((p) => p.length >= 16)) out = out.split(s).join('[REDACTED]');
  return out;
}

export interface AmbientTokenOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: typeof globalThis.fetch;
  readonly signal?: AbortSignal;
  /** Deadline of the token request, default 10 s. */
  readonly timeoutMs?: number;
}

const githubResponse = z.object({ value: z.string().min(1).max(MAX_TOKEN_CHARS) });

/**
 * The CI's ambient identity token, or undefined when none is offered:
 * - SIGSTORE_ID_TOKEN (GitLab `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`, or any CI that sets it);
 * - GitHub Actions (`permissions: id-token: write`): GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore
 *   with ACTIONS_ID_TOKEN_REQUEST_TOKEN as bearer (GitHub docs "Configuring OpenID Connect in cloud
 *   providers", requesting the JWT). The request token only goes to the URL the runner gave.
 */
export async function ambientIdentityToken(opts: AmbientTokenOptions): Promise<string | undefined> {
  const direct = opts.env.SIGSTORE_ID_TOKEN?.trim();
  if (direct) return direct;
  const url = opts.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = opts.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new SignerError('INVALID_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL');
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target.hostname))) {
    throw new SignerError('INVALID_TOKEN', `ACTIONS_ID_TOKEN_REQUEST_URL must be https, not ${target.protocol}`);
  }
  target.searchParams.set('audience', 'sigstore');
  const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 10_000), ...(opts.signal ? [opts.signal] : [])]);
  let res: Response;
  try {
    res = await opts.fetch(target, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' }, signal, redirect: 'error' });
  } catch (e) {
    throw new SignerError('TOKEN_UNAVAILABLE', `the GitHub Actions ID token request to ${target.host} failed: ${(e as Error).message}`, { cause: e });
  }
  const text = await readCapped(res, MAX_TOKEN_CHARS * 2);
  if (!res.ok) throw new SignerError('TOKEN_UNAVAILABLE', `the GitHub Actions ID token request to ${target.host} answered ${res.status} (is "permissions: id-token: write" set?)`);
  const parsed = githubResponse.safeParse(safeJson(text));
  if (!parsed.success) throw new SignerError('TOKEN_UNAVAILABLE', `the GitHub Actions ID token response from ${target.host} has no token value`);
  return parsed.data.value;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readCapped(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new SignerError('TOKEN_UNAVAILABLE', `the ID token response is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
