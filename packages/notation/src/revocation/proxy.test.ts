import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, proxyFromEnv } from '@ocx/oci';
import { startProxy, type TestProxy } from '@ocx/testkit';
import { parseCertificate } from '../x509/cert.ts';
import { createRevocationChecker } from './checker.ts';
import { makeCrl, makeOcspResponse, makeTestCa, startServer, type TestCa } from './testpki.ts';

// OCSP and CRL requests go through HTTP_PROXY when the checker is given a proxy-aware fetch (the
// CLI's): absolute-form requests for the responders' http URLs (issue 8 §2). The responders are
// named `revocation.test`, which only the proxy resolves (to loopback).

const NOW = new Date('2026-06-01T12:00:00Z');
const FRESH = { thisUpdate: new Date('2026-06-01T00:00:00Z'), nextUpdate: new Date('2026-06-08T00:00:00Z') };

describe('revocation through a proxy', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let proxy: TestProxy;
  let ca: TestCa;
  let ocsp: 'good' | 'fail' = 'good';
  let crl: Uint8Array = new Uint8Array();

  beforeAll(async () => {
    srv = await startServer((req, _body, res) => {
      if ((req.url ?? '').startsWith('/ocsp')) {
        if (ocsp === 'fail') return void res.writeHead(500).end();
        void makeOcspResponse(ca.root, ca.rootKey.privateKey, 2, { status: 'good', ...FRESH }).then((b) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(b));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
    });
    proxy = await startProxy({ hosts: { 'revocation.test': '127.0.0.1' } });
    const base = `http://revocation.test:${new URL(srv.url).port}`;
    ca = await makeTestCa({ ocsp: `${base}/ocsp`, crl: `${base}/crl` });
    crl = await makeCrl(ca.root, ca.rootKey.privateKey, { ...FRESH });
  });
  afterAll(async () => {
    await srv?.close();
    await proxy?.close();
  });

  it('asks the OCSP responder, then the CRL distribution point, through HTTP_PROXY', async () => {
    const transport = createTransport({ transport: 'node-http', proxy: proxyFromEnv({ HTTP_PROXY: proxy.url }) });
    try {
      const chain = ca.chain.map((d) => parseCertificate(d));
      const check = createRevocationChecker({ fetch: transport.fetch, now: NOW });
      ocsp = 'good';
      expect(await check(chain, { purpose: 'codeSigning' })).toMatchObject({ status: 'good' });
      expect(proxy.log.at(-1)).toMatchObject({ kind: 'absolute', target: expect.stringMatching(/^http:\/\/revocation\.test:\d+\/ocsp/), status: 200 });

      ocsp = 'fail';
      proxy.log.length = 0;
      expect(await createRevocationChecker({ fetch: transport.fetch, now: NOW })(chain, { purpose: 'codeSigning' })).toMatchObject({ status: 'good' });
      expect(proxy.log.map((e) => e.target)).toEqual([expect.stringMatching(/\/ocsp/), expect.stringMatching(/^http:\/\/revocation\.test:\d+\/crl$/)]);
    } finally {
      await transport.close();
    }
  });
});
