import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { makeJws, makePki, payloadBytes, SUBJECT } from '../x509/testcerts.ts';
import type { RevocationChecker } from './verify.ts';
import { verifyNotationSignature } from './verify.ts';

const JWS = 'application/jose+json';
const NOW = new Date('2025-01-01T00:00:00Z');

async function fixture(opts: { scheme?: 'notary.x509' | 'notary.x509.signingAuthority'; expiry?: string; signingTime?: string; annotations?: Record<string, string> } = {}) {
  const p = await makePki();
  const scheme = opts.scheme ?? 'notary.x509';
  const timeKey = scheme === 'notary.x509' ? 'io.cncf.notary.signingTime' : 'io.cncf.notary.authenticSigningTime';
  const crit = ['io.cncf.notary.signingScheme', ...(scheme === 'notary.x509' ? [] : [timeKey]), ...(opts.expiry ? ['io.cncf.notary.expiry'] : [])];
  const bytes = makeJws({
    alg: 'ES256',
    key: p.leafKey.nodePrivate,
    chain: p.chain,
    payload: payloadBytes(opts.annotations),
    protectedHeader: {
      alg: 'ES256',
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      crit,
      'io.cncf.notary.signingScheme': scheme,
      [timeKey]: opts.signingTime ?? '2024-06-01T00:00:00Z',
      ...(opts.expiry ? { 'io.cncf.notary.expiry': opts.expiry } : {}),
    },
  });
  return { p, bytes };
}

describe('verifyNotationSignature', () => {
  it('passes every check for a trusted chain and reports the signer', async () => {
    const { p, bytes } = await fixture({ expiry: '2030-01-01T00:00:00Z', annotations: { build: '42' } });
    const r = await verifyNotationSignature(bytes, JWS, {
      subject: SUBJECT,
      trustAnchors: { ca: [p.root] },
      trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, OU=Build'],
      userMetadata: { build: '42' },
      now: NOW,
    });
    expect(r.ok).toBe(true);
    expect(r.results.map((c) => `${c.type}:${c.status}`)).toEqual(['integrity:ok', 'authenticity:ok', 'authenticTimestamp:ok', 'expiry:ok', 'revocation:skipped']);
    expect(r.checks.revocation.code).toBe('REVOCATION_UNAVAILABLE');
    expect(r.signer).toMatchObject({
      subject: 'CN=Acme Signer, OU=Build, O=Acme, L=Seattle, ST=WA, C=US',
      signingScheme: 'notary.x509',
      signatureAlgorithm: 'ES256',
      signingAgent: 'ocx-test/1.0',
      trustedIdentity: 'x509.subject: C=US, ST=WA, O=Acme, OU=Build',
      userMetadata: { build: '42' },
    });
    expect(r.signer?.thumbprints).toHaveLength(3);
    expect(r.signer?.signingTime?.toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(r.signer?.expiry?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('reports each failure under its own validation type', async () => {
    const { p, bytes } = await fixture({ expiry: '2024-12-01T00:00:00Z' });
    const other = await makePki();
    const r = await verifyNotationSignature(bytes, JWS, {
      subject: SUBJECT,
      trustAnchors: { ca: [other.root] },
      now: new Date('2041-01-01T00:00:00Z'), // after the minted certificates expire
    });
    expect(r.ok).toBe(false);
    expect(r.checks.integrity.status).toBe('ok');
    expect(r.checks.authenticity).toMatchObject({ status: 'failed', code: 'UNTRUSTED' });
    expect(r.checks.expiry).toMatchObject({ status: 'failed', code: 'EXPIRED' });
    expect(r.checks.authenticTimestamp).toMatchObject({ status: 'failed', code: 'EXPIRED' });
    // Identity mismatch is an authenticity failure even when the chain is trusted.
    const id = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { ca: [p.root] }, trustedIdentities: ['x509.subject: C=US, ST=WA, O=Other'], now: NOW });
    expect(id.checks.authenticity).toMatchObject({ status: 'failed', code: 'UNTRUSTED' });
    // A subject other than the signed one fails integrity.
    const mismatch = await verifyNotationSignature(bytes, JWS, { subject: { ...SUBJECT, size: 1 }, trustAnchors: { ca: [p.root] }, now: NOW });
    expect(mismatch.checks.integrity).toMatchObject({ status: 'failed', code: 'PAYLOAD_MISMATCH' });
    // Missing user metadata fails integrity too (notation enforces it at every level but skip).
    const meta = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { ca: [p.root] }, userMetadata: { k: 'v' }, now: NOW });
    expect(meta.checks.integrity).toMatchObject({ status: 'failed', code: 'PAYLOAD_MISMATCH' });
  });

  it('skips the other checks when integrity fails', async () => {
    const r = await verifyNotationSignature(new TextEncoder().encode('{}'), JWS, { subject: SUBJECT, trustAnchors: {}, now: NOW });
    expect(r.checks.integrity).toMatchObject({ status: 'failed', code: 'ENVELOPE_INVALID' });
    for (const t of ['authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const) {
      expect(r.checks[t]).toMatchObject({ status: 'skipped', code: 'NOT_EVALUATED' });
    }
    expect(r.envelope).toBeUndefined();
  });

  it('signingAuthority: trust from the signingAuthority store and the authentic signing time', async () => {
    const { p, bytes } = await fixture({ scheme: 'notary.x509.signingAuthority' });
    const ok = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { signingAuthority: [p.root] }, now: new Date('2045-01-01T00:00:00Z') });
    // The certificates have expired by 2045, but the authentic signing time is within validity.
    expect(ok.checks.authenticTimestamp.status).toBe('ok');
    expect(ok.checks.authenticity.status).toBe('ok');
    const wrongStore = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { ca: [p.root] }, now: NOW });
    expect(wrongStore.checks.authenticity).toMatchObject({ status: 'failed', code: 'UNTRUSTED' });
    const early = await fixture({ scheme: 'notary.x509.signingAuthority', signingTime: '2019-01-01T00:00:00Z' });
    const r = await verifyNotationSignature(early.bytes, JWS, { subject: SUBJECT, trustAnchors: { signingAuthority: [early.p.root] }, now: NOW });
    expect(r.checks.authenticTimestamp).toMatchObject({ status: 'failed', code: 'EXPIRED' });
  });

  it('afterCertExpiry: no timestamp needed while the chain is valid', async () => {
    const { p, bytes } = await fixture();
    const always = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { ca: [p.root], tsa: [] }, now: NOW });
    expect(always.checks.authenticTimestamp).toMatchObject({ status: 'failed', code: 'TIMESTAMP_INVALID' });
    const after = await verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: { ca: [p.root], tsa: [] }, verifyTimestamp: 'afterCertExpiry', now: NOW });
    expect(after.checks.authenticTimestamp.status).toBe('ok');
  });

  it('calls the revocation seam with the chain and maps its answer', async () => {
    const { p, bytes } = await fixture();
    const seen: string[][] = [];
    const checker = (status: 'good' | 'revoked' | 'unknown'): RevocationChecker => async (chain, ctx) => {
      seen.push([ctx.purpose, ...chain.map((c) => c.subject)]);
      return { status, reason: 'test' };
    };
    const base = { subject: SUBJECT, trustAnchors: { ca: [p.root] }, now: NOW } as const;
    expect((await verifyNotationSignature(bytes, JWS, { ...base, revocationChecker: checker('good') })).checks.revocation.status).toBe('ok');
    expect((await verifyNotationSignature(bytes, JWS, { ...base, revocationChecker: checker('revoked') })).checks.revocation).toMatchObject({ status: 'failed', code: 'REVOCATION' });
    expect((await verifyNotationSignature(bytes, JWS, { ...base, revocationChecker: checker('unknown') })).checks.revocation).toMatchObject({ status: 'failed', code: 'REVOCATION' });
    const throwing: RevocationChecker = async () => {
      throw new Error('offline');
    };
    expect((await verifyNotationSignature(bytes, JWS, { ...base, revocationChecker: throwing })).checks.revocation.status).toBe('failed');
    expect(seen[0]?.[0]).toBe('codeSigning');
    expect(seen[0]).toHaveLength(4);
  });

  it('refuses to run without an explicit time', async () => {
    const { bytes } = await fixture();
    await expect(verifyNotationSignature(bytes, JWS, { subject: SUBJECT, trustAnchors: {}, now: new Date(Number.NaN) })).rejects.toSatisfy((e) => isNotationError(e, 'POLICY_INVALID'));
  });
});
