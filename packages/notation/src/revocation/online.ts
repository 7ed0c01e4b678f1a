// createRevocationChecker: notation's revocation check (notation-core-go revocation.ValidateContext and
// notation-go's revocationFinalResult) behind the verifier's RevocationChecker seam. Every certificate
// but the root is checked against its issuer: bring-your-own CRLs first, then OCSP, then — when OCSP is
// absent or says "unknown" — the CRL distribution points, each with the delta CRL its base CRL names
// (RFC 5280 §5.2.6, as notation-core-go v1.3.0). A certificate naming neither is
// non-revokable (good). Any revoked certificate makes the chain revoked; otherwise any unknown one
// makes it "revocation unavailable", which the trust policy level enforces or logs.
import { NotationError } from '../errors.ts';
import type { RevocationChecker } from '../verify/options.ts';
import type { ParsedCertificate } from '../x509/cert.ts';
import { pkijsCertificate } from '../x509/pkijs-view.ts';
import { crlUrls, ocspUrls } from './asn1.ts';
import { decodeCrlPair, encodeCrlPair, revocationCacheKey } from './cache.ts';
import { certNamesDeltaCrl, crlIssuedBy, deltaMismatch, lookupCrl, parseCrl, parseCrls, validateCrl, validateCrlPair, type CrlPair, type ParsedCrl } from './crl.ts';
import { boundedFetch, CRL_MAX_BYTES, OCSP_MAX_RESPONSE_BYTES } from './http.ts';
import { buildOcspRequest, evaluateOcspResponse, ocspGetUrl, type OcspAnswer } from './ocsp.ts';
import type { CertRevocationResult, RevocationCheckerOptions, RevocationFetch } from './types.ts';

import { DEFAULT_CRL_TIMEOUT_MS, DEFAULT_OCSP_TIMEOUT_MS, NON_REVOKABLE } from './checker.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Ctx {
  readonly now: Date;
  readonly signingTime?: Date;
}

/** The checker itself; checker.ts loads this module (and pkijs) only when a chain needs it. */
export function createOnlineRevocationChecker(options: RevocationCheckerOptions): RevocationChecker {
  const fetchFn: RevocationFetch | undefined = options.fetch;
  const t = options.timeoutMs;
  const ocspTimeout = typeof t === 'number' ? t : (t?.ocsp ?? DEFAULT_OCSP_TIMEOUT_MS);
  const crlTimeout = typeof t === 'number' ? t : (t?.crl ?? DEFAULT_CRL_TIMEOUT_MS);
  const byo: ParsedCrl[] = (options.crls ?? []).flatMap((b) => parseCrls(b));
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

  async function download(url: string): Promise<ParsedCrl> {
    if (!fetchFn) throw new NotationError('REVOCATION', 'no HTTP client configured');
    return parseCrl(await boundedFetch(fetchFn, { url, method: 'GET', timeoutMs: crlTimeout, maxBytes: CRL_MAX_BYTES, ...(signal ? { signal } : {}) }));
  }

  /**
   * The delta CRL a base CRL names (freshestCRL): its URLs are copies of one CRL, so they are tried in
   * order until one downloads and parses (notation-core-go fetchDeltaCRL); it is validated afterwards.
   */
  async function fetchDelta(base: ParsedCrl): Promise<ParsedCrl | undefined> {
    const urls = base.deltaUrls ?? [];
    if (urls.length === 0) return undefined;
    let last: unknown;
    for (const url of urls) {
      try {
        return await download(url);
      } catch (err) {
        last = err;
      }
    }
    throw new NotationError('REVOCATION', `delta CRL: none of the ${urls.length} URL(s) the base CRL names could be read; last: ${message(last)}`);
  }

  async function fetchCrl(url: string, issuer: ParsedCertificate, now: Date): Promise<CrlPair> {
    const key = revocationCacheKey('crl', url);
    const hit = await cached(key, now);
    const split = hit && decodeCrlPair(hit);
    if (split) {
      try {
        const pair: CrlPair = { base: parseCrl(split.base), ...(split.delta ? { delta: parseCrl(split.delta) } : {}) };
        // An entry without the delta its base names is not the pair: fetch both again.
        if (pair.delta || !pair.base.deltaUrls?.length) {
          await validateCrlPair(pair, issuer, now);
          return pair;
        }
      } catch {
        // fall through to the network
      }
    }
    const base = await download(url);
    const delta = await fetchDelta(base);
    const pair: CrlPair = { base, ...(delta ? { delta } : {}) };
    await validateCrlPair(pair, issuer, now);
    // validateCrlPair guarantees nextUpdate on both; the pair is current until the earlier one.
    const expires = [base.nextUpdate, delta?.nextUpdate].filter((d): d is Date => d !== undefined).reduce((a, b) => (a.getTime() <= b.getTime() ? a : b));
    await cache?.set(key, { data: encodeCrlPair(base.der, delta?.der), expires }).catch(() => undefined);
    return pair;
  }

  async function checkCrl(cert: ParsedCertificate, issuer: ParsedCertificate, urls: string[], ctx: Ctx): Promise<CertRevocationResult> {
    const certDelta = certNamesDeltaCrl(cert);
    // Every distribution point is consulted: the extension does not say which holds which reasons.
    // The first that cannot answer makes the result unknown (notation-core-go CertCheckStatus).
    for (const url of urls) {
      try {
        const pair = await fetchCrl(url, issuer, ctx.now);
        if (certDelta && !pair.delta) {
          // notation-core-go: a delta CRL named only by the certificate may have another scope than
          // the base CRL, so it is not used, and without it the base alone is no answer.
          throw new NotationError('REVOCATION', `the certificate names a freshest (delta) CRL but the base CRL names none; a delta CRL named only by the certificate is not supported`);
        }
        const a = lookupCrl(pair, cert, ctx.signingTime);
        if (a.status === 'revoked') return { status: 'revoked', method: 'crl', server: url, ...(a.revocationTime ? { revocationTime: a.revocationTime } : {}), ...(a.reason ? { reason: a.reason } : {}) };
      } catch (err) {
        return { status: 'unknown', method: 'crl', server: url, reason: `CRL ${url}: ${message(err)}` };
      }
    }
    return { status: 'good', method: 'crl' };
  }

  /**
   * Bring-your-own CRLs: each complete CRL of the issuer, with the newest provided delta CRL that
   * validly extends it. A base that names a delta CRL (or a certificate that does) answers only with
   * such a delta, as online. A CRL that does not validate does not answer; the next one is tried.
   */
  async function checkByo(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: Ctx): Promise<{ result?: CertRevocationResult; notes: string[] }> {
    const notes: string[] = [];
    const mine = byo.filter((c) => crlIssuedBy(c, issuer));
    const deltas = mine.filter((c) => c.baseNumber !== undefined);
    for (const base of mine.filter((c) => c.baseNumber === undefined)) {
      try {
        await validateCrl(base, issuer, ctx.now);
        let delta: ParsedCrl | undefined;
        for (const d of deltas) {
          const why = deltaMismatch(base, d);
          if (why) {
            notes.push(`--crl ${why}`);
            continue;
          }
          try {
            await validateCrl(d, issuer, ctx.now, 'delta CRL');
          } catch (err) {
            notes.push(`--crl ${message(err)}`);
            continue;
          }
          if (!delta || (d.number ?? 0n) > (delta.number ?? 0n)) delta = d;
        }
        if (!delta && (base.deltaUrls?.length || certNamesDeltaCrl(cert))) {
          throw new NotationError('REVOCATION', `the ${base.deltaUrls?.length ? 'CRL' : 'certificate'} names a delta CRL, and no --crl file is a valid delta CRL for CRL number ${base.number ?? '(none)'}`);
        }
        const a = lookupCrl({ base, ...(delta ? { delta } : {}) }, cert, ctx.signingTime);
        const result: CertRevocationResult =
          a.status === 'revoked'
            ? { status: 'revoked', method: 'byo-crl', ...(a.revocationTime ? { revocationTime: a.revocationTime } : {}), ...(a.reason ? { reason: a.reason } : {}) }
            : { status: 'good', method: 'byo-crl' };
        return { result, notes };
      } catch (err) {
        notes.push(`--crl ${message(err)}`);
      }
    }
    return { notes };
  }

  async function checkCert(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: Ctx): Promise<CertRevocationResult> {
    const fromByo = await checkByo(cert, issuer, ctx);
    if (fromByo.result) return fromByo.result;
    const r = await checkOnline(cert, issuer, ctx);
    // Say why a provided CRL did not answer when nothing else did either.
    return r.status === 'unknown' && fromByo.notes.length > 0 ? { ...r, reason: `${r.reason ?? 'no answer'}; ${fromByo.notes.join('; ')}` } : r;
  }

  async function checkOnline(cert: ParsedCertificate, issuer: ParsedCertificate, ctx: Ctx): Promise<CertRevocationResult> {
    const ocsp = ocspUrls(pkijsCertificate(cert));
    const crls = crlUrls(pkijsCertificate(cert));
    if (!crls) return { status: 'unknown', method: 'crl', reason: 'the certificate has a malformed CRL distribution points extension' };
    if (ocsp.length === 0 && crls.length === 0) return { status: 'nonRevokable', method: 'none' };
    if (options.offline) return { status: 'unknown', method: 'none', offline: true, reason: 'offline: no network access to the OCSP responder or CRL distribution point the certificate names' };
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
      const offline = unknown.every(({ r }) => r.offline === true);
      return { status: 'unknown', reason: `revocation unavailable: ${unknown.map(({ r, i }) => `certificate "${chain[i]?.subject}": ${r.reason ?? 'no answer'}`).join('; ')}`, ...(offline ? { offline } : {}) };
    }
    return { status: 'good', reason: results.every((r) => r.status === 'nonRevokable') ? NON_REVOKABLE : 'not revoked' };
  };
}
