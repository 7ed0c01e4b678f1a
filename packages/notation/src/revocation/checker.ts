// createRevocationChecker: notation's revocation check (notation-core-go revocation.ValidateContext and
// notation-go's revocationFinalResult) behind the verifier's RevocationChecker seam. Every certificate
// but the root is checked against its issuer: bring-your-own CRLs first, then OCSP, then — when OCSP is
// absent or says "unknown" — the CRL distribution points. A certificate naming neither is
// non-revokable (good). Any revoked certificate makes the chain revoked; otherwise any unknown one
// makes it "revocation unavailable", which the trust policy level enforces or logs.
import type { RevocationChecker } from '../verify/options.ts';
import type { ParsedCertificate } from '../x509/cert.ts';
import { crlUrls, ocspUrls } from './asn1.ts';
import { revocationCacheKey } from './cache.ts';
import { crlIssuedBy, lookupCrl, parseCrl, validateCrl, type ParsedCrl } from './crl.ts';
import { boundedFetch, CRL_MAX_BYTES, OCSP_MAX_RESPONSE_BYTES } from './http.ts';
import { buildOcspRequest, evaluateOcspResponse, ocspGetUrl, type OcspAnswer } from './ocsp.ts';
import type { CertRevocationResult, RevocationCheckerOptions, RevocationFetch } from './types.ts';

export const DEFAULT_OCSP_TIMEOUT_MS = 2000;
export const DEFAULT_CRL_TIMEOUT_MS = 5000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Ctx {
  readonly now: Date;
  readonly signingTime?: Date;
}

export function createRevocationChecker(options: RevocationCheckerOptions): RevocationChecker {
  const fetchFn: RevocationFetch | undefined = options.fetch;
  const t = options.timeoutMs;
  const ocspTimeout = typeof t === 'number' ? t : (t?.ocsp ?? DEFAULT_OCSP_TIMEOUT_MS);
  const crlTimeout = typeof t === 'number' ? t : (t?.crl ?? DEFAULT_CRL_TIMEOUT_MS);
  const byo: ParsedCrl[] = (options.crls ?? []).map((b) => parseCrl(b));
  const nowOf = () => (typeof options.now === 'function' ? options.now() : options.now);
  const cache = options.cache;
  const signal = options.signal;

  async function cached(key: string, now: Date): Promise<Uint8Array | undefined> {
    const hit = await cache?.get(key).catch(() => undefined);
    return hit && hit.expires.getTime() >= now.getTime() ? hit.data : undefined;
  }

  async function ocspFromServer(cert: ParsedCertificate, issuer: ParsedCertificate, server: string, ctx: Ctx): Promise<OcspAnswer> {
    const key = revocationCacheKey('ocsp', server, issuer.sha256, cert.serialNumber);
    const hit = await cached(key, ctx.now);
    if (hit) {
      try {
        return await evaluateOcspResponse(hit, cert, issuer, ctx.now, ctx.signingTime);
      } catch {
        // A cached answer that no longer verifies is replaced by a fresh one.
      }
    }
    if (!fetchFn) throw new Error('no HTTP client configured');
    const request = buildOcspRequest(cert, issuer);
    const get = ocspGetUrl(server, request);
    const body = await boundedFetch(fetchFn, {
      url: get ?? server,
      method: get ? 'GET' : 'POST',
      ...(get ? {} : { body: request, contentType: 'application/ocsp-request' }),
      timeoutMs: ocspTimeout,
      maxBytes: OCSP_MAX_RESPONSE_BYTES,
      ...(signal ? { signal } : {}),
    });
    const answer = await evaluateOcspResponse(body, cert, issuer, ctx.now, ctx.signingTime);
    await cache?.set(key, { data: body, expires: answer.nextUpdate }).catch(() => undefined);
    return answer;
  }

  async function checkOcsp(cert: ParsedCertificate, issuer: ParsedCertificate, servers: string[], ctx: Ctx): Promise<CertRevocationResult> {
    const errors: string[] = [];
    for (const server of servers) {
      try {
        const a = await ocspFromServer(cert, issuer, server, ctx);
        // The first valid answer decides, whatever other servers said (notation-core-go CertCheckStatus).
        if (a.status === 'good') return { status: 'good', method: 'ocsp', server, ...(a.reason ? { reason: a.reason } : {}) };
        if (a.status === 'revoked') return { status: 'revoked', method: 'ocsp', server, ...(a.revocationTime ? { revocationTime: a.revocationTime } : {}), ...(a.reason ? { reason: a.reason } : {}) };
        return { status: 'unknown', method: 'ocsp', server, reason: `OCSP responder ${server} does not know the certificate` };
      } catch (err) {
        errors.push(`OCSP ${message(err)}`);
      }
    }
    return { status: 'unknown', method: 'ocsp', reason: errors.join('; ') };
  }

  async function fetchCrl(url: string, issuer: ParsedCertificate, now: Date): Promise<ParsedCrl> {
    const key = revocationCacheKey('crl', url);
    const hit = await cached(key, now);
    if (hit) {
      try {
        const crl = parseCrl(hit);
        await validateCrl(crl, issuer, now);
        return crl;
      } catch {
        // fall through to the network
      }
    }
    if (!fetchFn) throw new Error('no HTTP client configured');
    const body = await boundedFetch(fetchFn, { url, method: 'GET', timeoutMs: crlTimeout, maxBytes: CRL_MAX_BYTES, ...(signal ? { signal } : {}) });
    const crl = parseCrl(body);
    await validateCrl(crl, issuer, now);
    // A CRL without nextUpdate is used once: there is no time until which it stays current.
    if (crl.nextUpdate) await cache?.set(key, { data: crl.der, expires: crl.nextUpdate }).catch(() => undefined);
    return crl;
  }

  async function checkCrl(cert: ParsedCertificate, issuer: ParsedCertificate, urls: string[], ctx: Ctx): Promise<CertRevocationResult> {
    // Every distribution point is consulted: the extension does not say which holds which reasons.
    for (const url of urls) {
      try {
        const crl = await fetchCrl(url, issuer, ctx.now);
        const a = lookupCrl(crl, cert, ctx.signingTime);
        if (a.status === 'revoked') return { status: 'revoked', method: 'crl', server: url, ...(a.revocationTime ? { revocationTime: a.revocationTime } : {}), ...(a.reason ? { reason: a.reason } : {}) };
      } catch (err) {
        return { status: 'unknown', method: 'crl', server: url, reason: `CRL ${message(err)}` };
      }
    }
    return { status: 'good', method: 'crl' };
  }

  async function checkByo(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: Ctx): Promise<CertRevocationResult | undefined> {
    for (const crl of byo) {
      if (!crlIssuedBy(crl, issuer)) continue;
      try {
        await validateCrl(crl, issuer, ctx.now);
        const a = lookupCrl(crl, cert, ctx.signingTime);
        return a.status === 'revoked'
          ? { status: 'revoked', method: 'byo-crl', ...(a.revocationTime ? { revocationTime: a.revocationTime } : {}), ...(a.reason ? { reason: a.reason } : {}) }
          : { status: 'good', method: 'byo-crl' };
      } catch {
        // A provided CRL that does not validate (expired, wrong key) does not answer; try the next.
      }
    }
    return undefined;
  }

  async function checkCert(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: Ctx): Promise<CertRevocationResult> {
    const fromByo = await checkByo(cert, issuer, ctx);
    if (fromByo) return fromByo;
    const ocsp = ocspUrls(cert.pkijs);
    const crls = crlUrls(cert.pkijs);
    if (ocsp.length === 0 && crls.length === 0) return { status: 'nonRevokable', method: 'none' };
    if (options.offline) return { status: 'unknown', method: 'none', reason: 'offline: no network access to the OCSP responder or CRL distribution point the certificate names' };
    if (ocsp.length > 0) {
      const r = await checkOcsp(cert, issuer, ocsp, ctx);
      if (r.status !== 'unknown' || crls.length === 0) return r;
      const c = await checkCrl(cert, issuer, crls, ctx);
      return c.status === 'unknown' ? { ...c, reason: `${r.reason}; ${c.reason}` } : c;
    }
    return checkCrl(cert, issuer, crls, ctx);
  }

  return async (chain, context) => {
    if (chain.length === 0) return { status: 'unknown', reason: 'revocation unavailable: empty certificate chain' };
    const now = nowOf();
    // notation-go passes an authentic signing time for code-signing chains only; a TSA chain is
    // checked as of now.
    const signingTime = context.purpose === 'codeSigning' ? context.signingTime : undefined;
    const ctx: Ctx = { now, ...(signingTime ? { signingTime } : {}) };
    // The root (last) is trusted by configuration and never checked.
    const results = await Promise.all(chain.slice(0, -1).map((c, i) => checkCert(c, chain[i + 1] as ParsedCertificate, ctx)));
    const revoked = results.findIndex((r) => r.status === 'revoked');
    if (revoked >= 0) {
      const r = results[revoked] as CertRevocationResult;
      const when = r.revocationTime ? ` at ${r.revocationTime.toISOString()}` : '';
      const why = r.reason ? ` (${r.reason})` : '';
      return { status: 'revoked', reason: `certificate "${chain[revoked]?.subject}" was revoked${when}${why} according to ${r.method}${r.server ? ` ${r.server}` : ''}` };
    }
    const unknown = results.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 'unknown');
    if (unknown.length > 0) {
      return { status: 'unknown', reason: `revocation unavailable: ${unknown.map(({ r, i }) => `certificate "${chain[i]?.subject}": ${r.reason ?? 'no answer'}`).join('; ')}` };
    }
    return { status: 'good', reason: results.every((r) => r.status === 'nonRevokable') ? 'no certificate in the chain names an OCSP responder or CRL (non-revokable)' : 'not revoked' };
  };
}
