// Delta CRLs (RFC 5280 §5.2.4, §5.2.6) as notation-core-go v1.3.0 handles them, on a loopback server.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@ocx/testkit';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCertificate, type ParsedCertificate } from '../x509/cert.ts';
import { crlUrls, OID_REV, parseDistributionPointUris } from './asn1.ts';
import { decodeCrlPair, encodeCrlPair, fileRevocationCache, memoryRevocationCache } from './cache.ts';
import { createRevocationChecker } from './checker.ts';
import { parseCrl } from './crl.ts';
import { genKey, makeCrl, makeTestCa, startServer, type CrlSpec, type TestCa } from './testpki.ts';
import type { RevocationCache, RevocationCacheEntry } from './types.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const FRESH = { thisUpdate: new Date('2026-06-01T00:00:00Z'), nextUpdate: new Date('2026-06-08T00:00:00Z') };
const DELTA_FRESH = { thisUpdate: new Date('2026-06-01T06:00:00Z'), nextUpdate: new Date('2026-06-02T00:00:00Z') };
const code = { purpose: 'codeSigning' as const };
const HOLD = 6;
const REMOVE = 8;
const KEY_COMPROMISE = 1;
const may = (d: string) => new Date(`2026-05-${d}T00:00:00Z`);

describe('delta CRLs on loopback', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  const routes = new Map<string, Uint8Array>();
  let ca: TestCa;

  beforeAll(async () => {
    srv = await startServer((req, _body, res) => {
      const body = routes.get(req.url ?? '');
      if (body) res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
      else res.writeHead(404).end();
    });
  });
  afterAll(() => srv.close());
  beforeEach(() => routes.clear());

  async function chainFor(certFreshest = false): Promise<ParsedCertificate[]> {
    ca = await makeTestCa({ crl: `${srv.url}/base`, ...(certFreshest ? { freshest: `${srv.url}/delta` } : {}) });
    return ca.chain.map((d) => parseCertificate(d));
  }
  const crl = (spec: CrlSpec) => makeCrl(ca.root, ca.rootKey.privateKey, spec);
  /** Serve base CRL number 10 naming `${srv.url}/delta`, and the given delta (default: number 11, indicator 10). */
  async function serve(base: Partial<CrlSpec>, delta?: Partial<CrlSpec>): Promise<void> {
    routes.set('/base', await crl({ ...FRESH, number: 10, freshest: [`${srv.url}/delta`], ...base }));
    if (delta) routes.set('/delta', await crl({ ...DELTA_FRESH, number: 11, deltaOf: 10, ...delta }));
  }
  const requested = (from: number) => srv.requests.slice(from).map((r) => r.url);

  it('a revocation only the delta carries → revoked, and both CRLs were read', async () => {
    const chain = await chainFor();
    await serve({}, { revoked: [{ serial: 2, date: may('20'), reason: KEY_COMPROMISE }] });
    const before = srv.requests.length;
    const r = await createRevocationChecker({ fetch, now: NOW })(chain, code);
    expect(r.status).toBe('revoked');
    expect(r.reason).toMatch(/revoked at 2026-05-20T00:00:00.000Z \(keyCompromise\) according to crl/);
    expect(requested(before)).toEqual(['/base', '/delta']);
    // An empty delta leaves the base's answer.
    await serve({}, {});
    expect((await createRevocationChecker({ fetch, now: NOW })(chain, code)).status).toBe('good');
  });

  it('certificateHold and removeFromCRL: the most recent of them decides, across base and delta', async () => {
    const chain = await chainFor();
    const check = createRevocationChecker({ fetch, now: NOW });
    await serve({ revoked: [{ serial: 2, date: may('01'), reason: HOLD }] }, { revoked: [{ serial: 2, date: may('10'), reason: REMOVE }] });
    expect((await check(chain, code)).status).toBe('good');
    await serve({}, { revoked: [{ serial: 2, date: may('10'), reason: HOLD }] });
    const held = await check(chain, code);
    expect(held.status).toBe('revoked');
    expect(held.reason).toMatch(/certificateHold/);
    // An older removeFromCRL does not release a newer hold.
    await serve({ revoked: [{ serial: 2, date: may('10'), reason: HOLD }] }, { revoked: [{ serial: 2, date: may('01'), reason: REMOVE }] });
    expect((await check(chain, code)).status).toBe('revoked');
    // A permanent reason is never undone by removeFromCRL.
    await serve({ revoked: [{ serial: 2, date: may('01'), reason: KEY_COMPROMISE }] }, { revoked: [{ serial: 2, date: may('10'), reason: REMOVE }] });
    expect((await check(chain, code)).status).toBe('revoked');
    // Without any delta: removeFromCRL alone is good, a hold alone is revoked.
    routes.set('/base', await crl({ ...FRESH, number: 10, revoked: [{ serial: 2, date: may('10'), reason: REMOVE }] }));
    expect((await check(chain, code)).status).toBe('good');
    routes.set('/base', await crl({ ...FRESH, number: 10, revoked: [{ serial: 2, date: may('10'), reason: HOLD }] }));
    expect((await check(chain, code)).status).toBe('revoked');
  });

  it('a delta that does not extend the base is unavailable, and the reason says why', async () => {
    const chain = await chainFor();
    const check = createRevocationChecker({ fetch, now: NOW });
    const cases: [Partial<CrlSpec>, RegExp][] = [
      [{ number: 10 }, /delta CRL number 10 is not greater than the base CRL number 10/],
      [{ number: 9, deltaOf: 8 }, /delta CRL number 9 is not greater than the base CRL number 10/],
      [{ deltaOf: undefined }, /delta CRL has no delta CRL indicator extension/],
      [{ number: 12, deltaOf: 11 }, /delta CRL indicator 11 \(minimum base CRL number\) is greater than the base CRL number 10/],
      [{ thisUpdate: may('01'), nextUpdate: may('02') }, /expired delta CRL \(nextUpdate 2026-05-02T00:00:00.000Z\)/],
      [{ signingKey: (await genKey()).privateKey }, /delta CRL signature does not verify with the key of/],
    ];
    for (const [delta, re] of cases) {
      await serve({ revoked: [{ serial: 77, date: may('01') }] }, delta);
      const r = await check(chain, code);
      expect(r.status).toBe('unknown');
      expect(r.reason).toMatch(/^revocation unavailable: certificate "CN=Revocation Test Leaf, O=ocx revocation test": CRL http:\/\/127\.0\.0\.1:\d+\/base: /);
      expect(r.reason).toMatch(re);
    }
    // The base needs a CRL number for any delta to extend it.
    await serve({ number: undefined }, {});
    expect((await check(chain, code)).reason).toMatch(/base CRL has no CRL number/);
  });

  it('delta URLs are tried in order until one downloads; none → unavailable', async () => {
    const chain = await chainFor();
    await serve({ freshest: [`${srv.url}/missing`, `${srv.url}/delta`] }, { revoked: [{ serial: 2, date: may('20') }] });
    const before = srv.requests.length;
    expect((await createRevocationChecker({ fetch, now: NOW })(chain, code)).status).toBe('revoked');
    expect(requested(before)).toEqual(['/base', '/missing', '/delta']);
    routes.delete('/delta');
    const r = await createRevocationChecker({ fetch, now: NOW })(chain, code);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/delta CRL: none of the 2 URL\(s\) the base CRL names could be read; last: .*\/delta: HTTP status 404/);
  });

  it('a certificate naming a freshest CRL needs a base CRL that names one too', async () => {
    const chain = await chainFor(true);
    routes.set('/base', await crl({ ...FRESH, number: 10 }));
    const r = await createRevocationChecker({ fetch, now: NOW })(chain, code);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/the certificate names a freshest \(delta\) CRL but the base CRL names none/);
    await serve({}, {});
    expect((await createRevocationChecker({ fetch, now: NOW })(chain, code)).status).toBe('good');
  });

  it('an invalidityDate in the delta after the signing time → good; before it → revoked', async () => {
    const chain = await chainFor();
    const check = createRevocationChecker({ fetch, now: NOW });
    await serve({}, { revoked: [{ serial: 2, date: may('20'), invalidityDate: may('15'), reason: KEY_COMPROMISE }] });
    expect((await check(chain, { purpose: 'codeSigning', signingTime: may('10') })).status).toBe('good');
    expect((await check(chain, { purpose: 'codeSigning', signingTime: may('16') })).status).toBe('revoked');
  });

  it('a delta CRL served as the complete CRL, or a CRL without nextUpdate, is no answer', async () => {
    const chain = await chainFor();
    const check = createRevocationChecker({ fetch, now: NOW });
    routes.set('/base', await crl({ ...FRESH, number: 11, deltaOf: 10 }));
    expect((await check(chain, code)).reason).toMatch(/is a delta CRL .* not a complete CRL/);
    routes.set('/base', await crl({ thisUpdate: FRESH.thisUpdate, number: 10 }));
    expect((await check(chain, code)).reason).toMatch(/CRL has no nextUpdate/);
  });

  it('the cache holds base and delta as one entry until the earlier nextUpdate', async () => {
    const chain = await chainFor();
    await serve({}, { revoked: [{ serial: 2, date: may('20') }] });
    const sets: RevocationCacheEntry[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'ocx-delta-cache-'));
    for (const inner of [memoryRevocationCache(), fileRevocationCache(dir)]) {
      const cache: RevocationCache = { get: (k) => inner.get(k), set: (k, e) => (sets.push(e), inner.set(k, e)) };
      const before = srv.requests.length;
      const check = createRevocationChecker({ fetch, now: NOW, cache });
      expect((await check(chain, code)).status).toBe('revoked');
      expect((await check(chain, code)).status).toBe('revoked');
      expect(requested(before)).toEqual(['/base', '/delta']);
      expect(sets.at(-1)?.expires.toISOString()).toBe(DELTA_FRESH.nextUpdate.toISOString());
      expect(decodeCrlPair(sets.at(-1)?.data ?? new Uint8Array())?.delta).toBeDefined();
      // Past the delta's nextUpdate (the base is still current) both are fetched again.
      await serve({}, { ...FRESH, revoked: [{ serial: 2, date: may('20') }] });
      expect((await createRevocationChecker({ fetch, now: new Date('2026-06-03T00:00:00Z'), cache })(chain, code)).status).toBe('revoked');
      expect(requested(before)).toEqual(['/base', '/delta', '/base', '/delta']);
      await serve({}, { revoked: [{ serial: 2, date: may('20') }] });
    }
  });

  it('a cached base without the delta it names is a miss', async () => {
    const chain = await chainFor();
    await serve({}, {});
    const cache = memoryRevocationCache();
    const check = createRevocationChecker({ fetch, now: NOW, cache });
    await check(chain, code);
    const key = (await import('./cache.ts')).revocationCacheKey('crl', `${srv.url}/base`);
    const entry = await cache.get(key);
    const split = decodeCrlPair(entry?.data ?? new Uint8Array());
    await cache.set(key, { data: split?.base ?? new Uint8Array(), expires: FRESH.nextUpdate });
    const before = srv.requests.length;
    expect((await check(chain, code)).status).toBe('good');
    expect(requested(before)).toEqual(['/base', '/delta']);
  });

  it('--crl files: a base and its delta answer together; a base naming a delta answers only with it', async () => {
    const chain = await chainFor();
    const failFetch = (() => Promise.reject(new Error('network used'))) as typeof fetch;
    const base = await crl({ ...FRESH, number: 10, freshest: [`${srv.url}/delta`] });
    const older = await crl({ ...DELTA_FRESH, number: 11, deltaOf: 10 });
    const newer = await crl({ ...DELTA_FRESH, number: 12, deltaOf: 10, revoked: [{ serial: 2, date: may('20'), reason: HOLD }] });
    const unrelated = await crl({ ...DELTA_FRESH, number: 30, deltaOf: 20 });
    const run = (crls: Uint8Array[]) => createRevocationChecker({ fetch: failFetch, now: NOW, offline: true, crls })(chain, code);
    // The newest delta that extends the base is used, in whatever order the files come.
    const r = await run([newer, base, older, unrelated]);
    expect(r.status).toBe('revoked');
    expect(r.reason).toMatch(/certificateHold.*according to byo-crl/);
    expect((await run([base, older])).status).toBe('good');
    const alone = await run([base]);
    expect(alone.status).toBe('unknown');
    expect(alone.reason).toMatch(/--crl the CRL names a delta CRL, and no --crl file is a valid delta CRL for CRL number 10/);
    const mismatch = await run([base, unrelated]);
    expect(mismatch.reason).toMatch(/--crl delta CRL indicator 20 .* greater than the base CRL number 10/);
    // One PEM file may hold the base and its delta.
    const pemOf = (ders: Uint8Array[]) => new TextEncoder().encode(ders.map((d) => `-----BEGIN X509 CRL-----\n${Buffer.from(d).toString('base64')}\n-----END X509 CRL-----\n`).join(''));
    expect((await run([pemOf([base, newer])])).status).toBe('revoked');
    // A delta alone is never taken for a complete CRL.
    expect((await run([newer])).status).toBe('unknown');
    // A base that names no delta may still be extended by a provided one.
    const plain = await crl({ ...FRESH, number: 10 });
    expect((await run([plain, newer])).status).toBe('revoked');
    expect((await run([plain])).status).toBe('good');
  });
});

describe('pair encoding in the cache', () => {
  it('round-trips one or two DER CRLs and rejects anything else', async () => {
    const ca = await makeTestCa({});
    const a = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH, revoked: Array.from({ length: 20 }, (_, i) => ({ serial: i + 10, date: may('01') })) });
    const b = await makeCrl(ca.root, ca.rootKey.privateKey, { ...DELTA_FRESH, number: 2, deltaOf: 1 });
    expect(decodeCrlPair(encodeCrlPair(a))).toEqual({ base: a });
    const both = decodeCrlPair(encodeCrlPair(a, b));
    expect(both?.base).toEqual(a);
    expect(both?.delta).toEqual(b);
    expect(decodeCrlPair(encodeCrlPair(a, b).subarray(0, a.length + 5))).toBeUndefined();
    expect(decodeCrlPair(new TextEncoder().encode('{not der'))).toBeUndefined();
  });
});

describe('freshestCRL parsing agrees with notation-core-go on its testdata', () => {
  const dir = 'notation-core-go/revocation/crl/testdata';
  const freshestOf = (file: string): string[] | undefined => {
    const pem = readFileSync(fixturePath(dir, file), 'utf8');
    const der = Buffer.from(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '', 'base64');
    const ext = pkijs.Certificate.fromBER(der).extensions?.find((e) => e.extnID === OID_REV.freshestCrl);
    if (!ext) throw new Error(`${file} has no freshestCRL extension`);
    return parseDistributionPointUris(new Uint8Array(ext.extnValue.valueBlock.valueHexView));
  };

  it('certificates: one URL, two URLs, none, non-URI names, malformed', () => {
    const one = freshestOf('certificateWithDeltaCRL.cer');
    expect(one).toHaveLength(1);
    expect(one?.[0]).toMatch(/^http:\/\/localhost:80\/ejbca\/.*cmd=deltacrl/);
    expect(freshestOf('certificateWith2DeltaCRL.cer')).toHaveLength(2);
    expect(freshestOf('certificateWithZeroDeltaCRLURL.cer')).toEqual([]);
    expect(freshestOf('certificateWithNonURIDeltaCRL.cer')).toEqual([]);
    expect(freshestOf('certificateWithIncompleteFreshestCRL2.cer')).toEqual([]);
    expect(freshestOf('certificateWithIncompleteFreshestCRL.cer')).toBeUndefined();
  });

  it('CRL distribution points of the same certificates: URIs until the first other name; malformed is undefined', () => {
    const cdp = (file: string) => {
      const pem = readFileSync(fixturePath(dir, file), 'utf8');
      return crlUrls(pkijs.Certificate.fromBER(Buffer.from(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/.exec(pem)?.[1] ?? '', 'base64')));
    };
    expect(cdp('certificateWithDeltaCRL.cer')).toEqual([expect.stringMatching(/^http:\/\/localhost:80\/ejbca\/.*cmd=crl&/)]);
    // An iPAddress name where a URI is expected: Go reads no URL and the certificate is non-revokable.
    expect(cdp('certificateWithNonURIDeltaCRL.cer')).toEqual([]);
    const broken = new pkijs.Certificate();
    broken.extensions = [new pkijs.Extension({ extnID: OID_REV.crlDistributionPoints, extnValue: new Uint8Array([0x30, 0x03, 0x30, 0x01]).buffer })];
    expect(crlUrls(broken)).toBeUndefined();
  });

  it('CRLs: a base naming two delta URLs, and a delta with its indicator', () => {
    const base = parseCrl(new Uint8Array(readFileSync(fixturePath(dir, 'crlWithMultipleFreshestCRLs.crl'))));
    expect(base.number).toBe(5n);
    expect(base.baseNumber).toBeUndefined();
    expect(base.deltaUrls).toHaveLength(2);
    const delta = parseCrl(new Uint8Array(readFileSync(fixturePath(dir, 'delta.crl'))));
    expect(delta.number).toBe(5n);
    expect(delta.baseNumber).toBe(4n);
    expect(delta.deltaUrls).toBeUndefined();
  });
});
