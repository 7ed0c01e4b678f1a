import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTrustedRoot, sigstoreServicesOrSkip, startFulcio, startOidcIssuer, startTimestampServer, type OidcIssuer, type SigstoreService } from './sigstore-services.ts';

describe('OIDC issuer on loopback', () => {
  it('serves discovery and a JWKS that verifies the tokens it mints', async () => {
    const issuer = await startOidcIssuer();
    try {
      const disc = (await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
      expect(disc.issuer).toBe(issuer.url);
      const { createRemoteJWKSet, jwtVerify } = await import('jose');
      const token = await issuer.mintToken({ email: 'a@example.com' });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(disc.jwks_uri)), { issuer: issuer.url, audience: 'sigstore' });
      expect(payload).toMatchObject({ email: 'a@example.com', email_verified: true, sub: 'a@example.com' });
    } finally {
      await issuer.stop();
    }
  });
});

const have = sigstoreServicesOrSkip();
describe.skipIf(!have)('fulcio and timestamp-server (real peers)', () => {
  let issuer: OidcIssuer;
  let fulcio: SigstoreService;
  let tsa: SigstoreService;
  beforeAll(async () => {
    issuer = await startOidcIssuer();
    [fulcio, tsa] = await Promise.all([startFulcio({ issuer: issuer.url }), startTimestampServer()]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([fulcio?.stop(), tsa?.stop(), issuer?.stop()]);
  });

  it('Fulcio issues a certificate for a loopback-issuer token, the proof of possession signing the email', async () => {
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await issuer.mintToken({ email: 'dev@example.com' });
    const res = await fetch(`${fulcio.url}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: token },
        publicKeyRequest: {
          publicKey: { algorithm: 'ECDSA', content: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
          proofOfPossession: sign('sha256', Buffer.from('dev@example.com'), privateKey).toString('base64'),
        },
      }),
    });
    const body = (await res.json()) as { signedCertificateDetachedSct?: { chain: { certificates: string[] } } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const leaf = new X509Certificate(body.signedCertificateDetachedSct!.chain.certificates[0]!);
    expect(leaf.subjectAltName).toContain('dev@example.com');
    expect(leaf.checkIssued(new X509Certificate(fulcio.certificates.at(-1)!))).toBe(true);
  });

  it('composes a trusted root naming both services', () => {
    const root = composeTrustedRoot({ fulcio, tsa }) as { certificateAuthorities: { uri: string; certChain: { certificates: unknown[] } }[]; timestampAuthorities: { uri: string; certChain: { certificates: unknown[] } }[] };
    expect(root.certificateAuthorities[0]!.uri).toBe(fulcio.url);
    expect(root.timestampAuthorities[0]!.uri).toBe(tsa.url);
    expect(root.timestampAuthorities[0]!.certChain.certificates.length).toBe(tsa.certificates.length);
    expect(tsa.certificates.length).toBeGreaterThan(0);
  });
});
