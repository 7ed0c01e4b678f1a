import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type ParsedCertificate } from '../x509/cert.ts';
import { fileRevocationCache, memoryRevocationCache } from './cache.ts';
import { createRevocationChecker } from './checker.ts';
import { buildOcspRequest, ocspGetUrl } from './ocsp.ts';
import * as pkijs from 'pkijs';
import { genKey, makeCrl, makeOcspResponse, makeTestCa, mintCert, startServer, type OcspSpec, type TestCa } from './testpki.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const FRESH = { thisUpdate: new Date('2026-06-01T00:00:00Z'), nextUpdate: new Date('2026-06-08T00:00:00Z') };
const parse = (ders: Uint8Array[]) => ders.map((d) => parseCertificate(d));
const code = { purpose: 'codeSigning' as const };

type Server = Awaited<ReturnType<typeof startServer>>;

/** One loopback server: /ocsp/<mode>/... answers OCSP, /crl/<mode> serves a CRL, /hang never answers. */
describe('createRevocationChecker on loopback', () => {
  let srv: Server;
  let ocspMode: OcspSpec | 'hang' | 'status500' = { status: 'good', ...FRESH };
  let ocspBody: (ca: TestCa, spec: OcspSpec) => Promise<Uint8Array>;
  let crlBytes: Uint8Array = new Uint8Array();
  let ca: TestCa;

  beforeAll(async () => {
    srv = await startServer((req, _body, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/ocsp')) {
        if (ocspMode === 'hang') return; // never answers
        if (ocspMode === 'status500') {
          res.writeHead(500).end();
          return;
        }
        void ocspBody(ca, ocspMode).then((b) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(b));
        return;
      }
      if (url.startsWith('/crl')) {
        res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crlBytes);
        return;
      }
      res.writeHead(404).end();
    });
    ocspBody = (c, spec) => makeOcspResponse(c.root, c.rootKey.privateKey, 2, spec);
  });
  afterAll(() => srv.close());

  async function withCa(urls: { ocsp?: boolean; crl?: boolean }): Promise<ParsedCertificate[]> {
    ca = await makeTestCa({ ...(urls.ocsp ? { ocsp: `${srv.url}/ocsp` } : {}), ...(urls.crl ? { crl: `${srv.url}/crl` } : {}) });
    return parse(ca.chain);
  }

  it('good over OCSP (GET), revoked with its time, unknown', async () => {
    const chain = await withCa({ ocsp: true });
    const check = createRevocationChecker({ fetch, now: NOW });
    ocspMode = { status: 'good', ...FRESH };
    expect(await check(chain, code)).toMatchObject({ status: 'good' });
    expect(srv.requests.at(-1)?.method).toBe('GET');
    ocspMode = { status: 'revoked', revocationTime: new Date('2026-05-01T00:00:00Z'), ...FRESH };
    const r = await check(chain, code);
    expect(r.status).toBe('revoked');
    expect(r.reason).toContain('2026-05-01T00:00:00.000Z');
    expect(r.reason).toContain('Revocation Test Leaf');
    ocspMode = { status: 'unknown', ...FRESH };
    const u = await check(chain, code);
    expect(u.status).toBe('unknown');
    expect(u.reason).toMatch(/revocation unavailable.*does not know/);
  });

  it('revoked, but signed (authentic time) before the invalidity date → good; a TSA chain ignores the time', async () => {
    const chain = await withCa({ ocsp: true });
    const check = createRevocationChecker({ fetch, now: NOW });
    ocspMode = { status: 'revoked', revocationTime: new Date('2026-05-01T00:00:00Z'), invalidityDate: new Date('2026-04-01T00:00:00Z'), ...FRESH };
    expect((await check(chain, { purpose: 'codeSigning', signingTime: new Date('2026-03-01T00:00:00Z') })).status).toBe('good');
    expect((await check(chain, { purpose: 'codeSigning', signingTime: new Date('2026-04-15T00:00:00Z') })).status).toBe('revoked');
    expect((await check(chain, { purpose: 'timestamping', signingTime: new Date('2026-03-01T00:00:00Z') })).status).toBe('revoked');
    // Revocation time alone does not matter (notation compares the invalidity date only).
    ocspMode = { status: 'revoked', revocationTime: new Date('2026-05-01T00:00:00Z'), ...FRESH };
    expect((await check(chain, { purpose: 'codeSigning', signingTime: new Date('2026-03-01T00:00:00Z') })).status).toBe('revoked');
  });

  it('a responder that never answers times out within the configured timeout', async () => {
    const chain = await withCa({ ocsp: true });
    ocspMode = 'hang';
    const check = createRevocationChecker({ fetch, now: NOW, timeoutMs: { ocsp: 200 } });
    const t0 = Date.now();
    const r = await check(chain, code);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/timed out after 200 ms/);
  });

  it('HTTP error status, bad signature and an expired response are unavailable, with the reason', async () => {
    const chain = await withCa({ ocsp: true });
    const check = createRevocationChecker({ fetch, now: NOW });
    ocspMode = 'status500';
    expect((await check(chain, code)).reason).toMatch(/HTTP status 500/);
    const other = await genKey();
    ocspMode = { status: 'good', ...FRESH, signingKey: other.privateKey };
    const bad = await check(chain, code);
    expect(bad.status).toBe('unknown');
    expect(bad.reason).toMatch(/signature does not verify/);
    ocspMode = { status: 'good', thisUpdate: new Date('2026-05-01T00:00:00Z'), nextUpdate: new Date('2026-05-08T00:00:00Z') };
    const exp = await check(chain, code);
    expect(exp.status).toBe('unknown');
    expect(exp.reason).toMatch(/expired OCSP response/);
    ocspMode = { status: 'good', thisUpdate: new Date('2026-05-01T00:00:00Z') };
    expect((await check(chain, code)).reason).toMatch(/expired OCSP response \(nextUpdate absent\)/);
    ocspMode = { status: 'good', thisUpdate: new Date('2026-06-02T00:00:00Z'), nextUpdate: new Date('2026-06-09T00:00:00Z') };
    expect((await check(chain, code)).reason).toMatch(/not yet valid/);
  });

  it('delegated responder: OCSPSigning EKU with nocheck is accepted; without nocheck or EKU it is not', async () => {
    const chain = await withCa({ ocsp: true });
    const check = createRevocationChecker({ fetch, now: NOW });
    const rk = await genKey();
    const responder = async (eku: string, noCheck: boolean) =>
      mintCert({ cn: 'Revocation Test Responder', issuerCn: 'Revocation Test Root', publicKey: rk.publicKey, signingKey: ca.rootKey.privateKey, serial: 9, eku, noCheck });
    ocspMode = { status: 'revoked', ...FRESH, signingKey: rk.privateKey, responderCert: await responder('1.3.6.1.5.5.7.3.9', true) };
    expect((await check(chain, code)).status).toBe('revoked');
    ocspMode = { status: 'good', ...FRESH, signingKey: rk.privateKey, responderCert: await responder('1.3.6.1.5.5.7.3.9', false) };
    expect((await check(chain, code)).reason).toMatch(/no id-pkix-ocsp-nocheck/);
    ocspMode = { status: 'good', ...FRESH, signingKey: rk.privateKey, responderCert: await responder('1.3.6.1.5.5.7.3.3', true) };
    expect((await check(chain, code)).reason).toMatch(/lacks the id-kp-OCSPSigning/);
  });

  it('OCSP unknown falls back to the CRL; CRL alone: good, revoked, bad signature, expired', async () => {
    const chain = await withCa({ ocsp: true, crl: true });
    const check = createRevocationChecker({ fetch, now: NOW });
    ocspMode = { status: 'unknown', ...FRESH };
    crlBytes = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH, revoked: [{ serial: 2, date: new Date('2026-05-02T00:00:00Z') }] });
    const r = await check(chain, code);
    expect(r.status).toBe('revoked');
    expect(r.reason).toMatch(/according to crl/);

    const crlOnly = await withCa({ crl: true });
    const check2 = createRevocationChecker({ fetch, now: NOW });
    crlBytes = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH, revoked: [{ serial: 77, date: new Date('2026-05-02T00:00:00Z') }] });
    expect((await check2(crlOnly, code)).status).toBe('good');
    crlBytes = await makeCrl(ca.root, (await genKey()).privateKey, { ...FRESH });
    expect((await check2(crlOnly, code)).reason).toMatch(/CRL signature does not verify/);
    crlBytes = await makeCrl(ca.root, ca.rootKey.privateKey, { thisUpdate: new Date('2026-05-01T00:00:00Z'), nextUpdate: new Date('2026-05-02T00:00:00Z') });
    expect((await check2(crlOnly, code)).reason).toMatch(/expired CRL/);
  });

  it('a cached OCSP answer is used until nextUpdate: the second check makes no request (memory and disk)', async () => {
    const chain = await withCa({ ocsp: true });
    ocspMode = { status: 'good', ...FRESH };
    const dir = await mkdtemp(join(tmpdir(), 'ocx-revocation-cache-'));
    for (const cache of [memoryRevocationCache(), fileRevocationCache(dir)]) {
      const before = srv.requests.length;
      const check = createRevocationChecker({ fetch, now: NOW, cache });
      expect((await check(chain, code)).status).toBe('good');
      expect(srv.requests.length).toBe(before + 1);
      expect((await check(chain, code)).status).toBe('good');
      expect(srv.requests.length).toBe(before + 1);
      // After nextUpdate the entry is stale and the responder is asked again.
      const later = createRevocationChecker({ fetch, now: new Date('2026-06-09T00:00:00Z'), cache });
      await later(chain, code);
      expect(srv.requests.length).toBe(before + 2);
    }
    // A fresh checker over the same directory reuses the file; corrupt files are misses.
    const before = srv.requests.length;
    await createRevocationChecker({ fetch, now: NOW, cache: fileRevocationCache(dir) })(chain, code);
    expect(srv.requests.length).toBe(before);
    for (const f of await readdir(dir)) await writeFile(join(dir, f), '{not json');
    expect((await createRevocationChecker({ fetch, now: NOW, cache: fileRevocationCache(dir) })(chain, code)).status).toBe('good');
    expect(srv.requests.length).toBe(before + 1);
  });

  it('a bring-your-own CRL answers without network; offline without one is unavailable', async () => {
    const chain = await withCa({ ocsp: true, crl: true });
    const before = srv.requests.length;
    const crl = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH, revoked: [{ serial: 2, date: new Date('2026-05-02T00:00:00Z') }] });
    const pemCrl = new TextEncoder().encode(`-----BEGIN X509 CRL-----\n${Buffer.from(crl).toString('base64')}\n-----END X509 CRL-----\n`);
    const failFetch = (() => Promise.reject(new Error('network used'))) as typeof fetch;
    for (const bytes of [crl, pemCrl]) {
      const r = await createRevocationChecker({ fetch: failFetch, now: NOW, crls: [bytes], offline: true })(chain, code);
      expect(r.status).toBe('revoked');
      expect(r.reason).toMatch(/byo-crl/);
    }
    const off = await createRevocationChecker({ fetch: failFetch, now: NOW, offline: true })(chain, code);
    expect(off.status).toBe('unknown');
    expect(off.reason).toMatch(/revocation unavailable.*offline/);
    expect(srv.requests.length).toBe(before);
  });

  it('a chain naming no endpoint is non-revokable (good), even offline; the root is never checked', async () => {
    const chain = await withCa({});
    expect(await createRevocationChecker({ now: NOW, offline: true })(chain, code)).toMatchObject({ status: 'good' });
    expect(await createRevocationChecker({ now: NOW })([chain[1] as ParsedCertificate], code)).toMatchObject({ status: 'good' });
  });

  it('refuses non-http endpoints and oversized responses', async () => {
    ca = await makeTestCa({ ocsp: 'ldap://127.0.0.1/ocsp' });
    const r = await createRevocationChecker({ fetch, now: NOW })(parse(ca.chain), code);
    expect(r.reason).toMatch(/only http and https/);
    const big = await startServer((_req, _b, res) => res.writeHead(200).end(Buffer.alloc(30 * 1024)));
    try {
      ca = await makeTestCa({ ocsp: `${big.url}/ocsp` });
      const r2 = await createRevocationChecker({ fetch, now: NOW })(parse(ca.chain), code);
      expect(r2.reason).toMatch(/exceeds the 20480-byte limit/);
    } finally {
      await big.close();
    }
  });

  it('a redirect to a non-http scheme is refused; a redirect to http is followed', async () => {
    const chain = await withCa({ ocsp: true });
    ocspMode = { status: 'good', ...FRESH };
    const redirect = await startServer((req, _b, res) => res.writeHead(302, { location: req.url?.startsWith('/to-file') ? 'file:///etc/passwd' : `${srv.url}/ocsp?redirected` }).end());
    try {
      const viaHttp = await createRevocationChecker({ fetch: (u, i) => fetch(String(u).replace(`${srv.url}/ocsp/`, `${redirect.url}/to-http/`), i), now: NOW })(chain, code);
      expect(viaHttp.status).toBe('good');
      expect(srv.requests.at(-1)?.url).toBe('/ocsp?redirected');
      const viaFile = await createRevocationChecker({ fetch: (u, i) => fetch(String(u).replace(`${srv.url}/ocsp/`, `${redirect.url}/to-file/`), i), now: NOW })(chain, code);
      expect(viaFile.reason).toMatch(/only http and https/);
    } finally {
      await redirect.close();
    }
  });

  it('a CRL is cached until its nextUpdate', async () => {
    const chain = await withCa({ crl: true });
    crlBytes = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH });
    const cache = memoryRevocationCache();
    const before = srv.requests.length;
    const check = createRevocationChecker({ fetch, now: NOW, cache });
    expect((await check(chain, code)).status).toBe('good');
    expect((await check(chain, code)).status).toBe('good');
    expect(srv.requests.length).toBe(before + 1);
  });
});

describe('OCSP request encoding', () => {
  it('is a pkijs OCSPRequest for the certificate; GET only while the base64 form is short', async () => {
    const ca = await makeTestCa({});
    const [leaf, root] = parse(ca.chain) as [ParsedCertificate, ParsedCertificate];
    const req = buildOcspRequest(leaf, root);
    const parsed = pkijs.OCSPRequest.fromBER(req);
    expect(parsed.tbsRequest.requestList[0]?.reqCert.serialNumber.valueBlock.valueDec).toBe(2);
    expect(ocspGetUrl('http://ocsp.example/', req)).toMatch(/^http:\/\/ocsp\.example\/[A-Za-z0-9%]+$/);
    expect(ocspGetUrl('http://ocsp.example', new Uint8Array(200))).toBeUndefined();
  });
});
