import { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyNotationSignature } from '../verify/verify.ts';
import { makeJws, SUBJECT } from '../x509/testcerts.ts';
import { createRevocationChecker } from './checker.ts';
import { makeOcspResponse, makeTestCa, startServer, type TestCa } from './testpki.ts';

// The checker behind verifyNotationSignature's seam: a notary.x509 signature's signingTime is only the
// signer's claim, so it never excuses a revocation (notation passes an authentic signing time only).
describe('revocation through verifyNotationSignature', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let ca: TestCa;
  beforeAll(async () => {
    srv = await startServer((_req, _body, res) => {
      void makeOcspResponse(ca.root, ca.rootKey.privateKey, 2, {
        status: 'revoked',
        revocationTime: new Date('2025-06-01T00:00:00Z'),
        invalidityDate: new Date('2025-01-01T00:00:00Z'),
        thisUpdate: new Date('2026-06-01T00:00:00Z'),
        nextUpdate: new Date('2026-06-08T00:00:00Z'),
      }).then((b) => res.writeHead(200).end(b));
    });
    ca = await makeTestCa({ ocsp: `${srv.url}/ocsp` });
  });
  afterAll(() => srv.close());

  it('a claimed signingTime before the invalidity date does not make a revoked leaf good', async () => {
    // makeJws claims io.cncf.notary.signingTime 2024-01-01, before the 2025-01-01 invalidity date.
    const jws = makeJws({ alg: 'ES256', key: KeyObject.from(ca.leafKey.privateKey), chain: ca.chain });
    const now = new Date('2026-06-01T12:00:00Z');
    const r = await verifyNotationSignature(jws, 'application/jose+json', {
      subject: SUBJECT,
      trustAnchors: { ca: [ca.root] },
      now,
      revocationChecker: createRevocationChecker({ fetch, now }),
    });
    expect(r.checks.integrity.status).toBe('ok');
    expect(r.checks.authenticity.status).toBe('ok');
    expect(r.checks.revocation).toMatchObject({ status: 'failed', code: 'REVOCATION' });
    expect(r.checks.revocation.reason).toMatch(/revoked/);
  });
});
