import { InternalError } from '@sigstore/sign';
import { describe, expect, it } from 'vitest';
import { isSignerError } from '../src/errors.ts';
import { keylessError } from '../src/keyless/signer.ts';
import { PUBLIC_GOOD, resolveServices, SIGNING_CONFIG_MEDIA_TYPE } from '../src/keyless/services.ts';
import { ambientIdentityToken, identityClaims, redact } from '../src/keyless/token.ts';

const now = new Date('2026-06-01T00:00:00Z');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'ES256' })}.${b64(claims)}.${'s'.repeat(40)}`;

describe('identityClaims', () => {
  it('takes the email when verified, else sub', () => {
    expect(identityClaims(jwt({ iss: 'https://i', email: 'a@b.c', email_verified: true, sub: 'x' }), now)).toMatchObject({ issuer: 'https://i', subject: 'a@b.c' });
    expect(identityClaims(jwt({ iss: 'https://i', sub: 'repo:org/app:ref:refs/heads/main' }), now).subject).toBe('repo:org/app:ref:refs/heads/main');
  });

  it('refuses what cannot work, never quoting the token', () => {
    const cases = [
      'not-a-jwt',
      jwt({ sub: 'x' }), // no iss
      jwt({ iss: 'https://i', email: 'a@b.c' }), // email unverified
      jwt({ iss: 'https://i' }), // no subject
      jwt({ iss: 'https://i', sub: 'x', exp: now.getTime() / 1000 - 1 }), // expired
    ];
    for (const t of cases) {
      let err: unknown;
      try {
        identityClaims(t, now);
      } catch (e) {
        err = e;
      }
      expect(isSignerError(err, 'INVALID_TOKEN'), t).toBe(true);
      for (const part of t.split('.').filter((p) => p.length >= 16)) expect((err as Error).message).not.toContain(part);
    }
  });

  it('redact cuts the token and each long part out', () => {
    const t = jwt({ iss: 'https://i', sub: 'x' });
    const [h, p] = t.split('.');
    expect(redact(`a ${t} b ${p} c ${h}`, t)).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });
});

describe('resolveServices', () => {
  it('defaults to public-good Fulcio and Rekor; --tlog-upload=false needs a TSA', () => {
    expect(resolveServices({}, now)).toEqual({ fulcioURL: PUBLIC_GOOD.fulcio, rekor: { url: PUBLIC_GOOD.rekor, majorApiVersion: 1 } });
    expect(() => resolveServices({ tlogUpload: false }, now)).toThrow(/needs a trusted time/);
    expect(resolveServices({ tlogUpload: false, tsaURL: 'http://127.0.0.1:3000/', fulcioURL: 'http://127.0.0.1:5555' }, now)).toEqual({
      fulcioURL: 'http://127.0.0.1:5555',
      tsaURL: 'http://127.0.0.1:3000',
    });
  });

  it('refuses URLs that are not http(s) or carry credentials', () => {
    expect(() => resolveServices({ fulcioURL: 'file:///etc/passwd' }, now)).toThrow(/--fulcio-url must be an http\(s\) URL/);
    expect(() => resolveServices({ rekorURL: 'https://u:p@rekor.example' }, now)).toThrow(/must not carry credentials/);
  });

  const cfg = (extra: Record<string, unknown>) => ({ mediaType: SIGNING_CONFIG_MEDIA_TYPE, caUrls: [{ url: 'https://ca.old', majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' } }, { url: 'https://ca.new', majorApiVersion: 1, validFor: { start: '2025-01-01T00:00:00Z' } }], ...extra });

  it('reads a signing config: the newest valid service of a supported API version; flags win', () => {
    const signingConfig = cfg({
      rekorTlogUrls: [
        { url: 'https://rekor.v3', majorApiVersion: 3, validFor: { start: '2026-01-01T00:00:00Z' } },
        { url: 'https://rekor.v1', majorApiVersion: 1, validFor: { start: '2021-01-01T00:00:00Z' } },
      ],
      rekorTlogConfig: { selector: 'ANY' },
      tsaUrls: [{ url: 'https://tsa.example/api/v1/timestamp', majorApiVersion: 1, validFor: { start: '2021-01-01T00:00:00Z' } }],
      tsaConfig: { selector: 'ANY' },
    });
    expect(resolveServices({ signingConfig }, now)).toEqual({ fulcioURL: 'https://ca.new', rekor: { url: 'https://rekor.v1', majorApiVersion: 1 }, tsaURL: 'https://tsa.example/api/v1/timestamp' });
    expect(resolveServices({ signingConfig, tlogUpload: false, fulcioURL: 'https://mine' }, now)).toEqual({ fulcioURL: 'https://mine', tsaURL: 'https://tsa.example/api/v1/timestamp' });
    // A config without Rekor means none (not public-good's).
    expect(() => resolveServices({ signingConfig: cfg({}) }, now)).toThrow(/needs a trusted time/);
  });

  it('refuses a malformed config and selectors it cannot honour', () => {
    expect(() => resolveServices({ signingConfig: { mediaType: 'x' } }, now)).toThrow(/not a Sigstore signing config v0.2: mediaType/);
    expect(() => resolveServices({ signingConfig: cfg({ tsaUrls: [{ url: 'https://t' }], tsaConfig: { selector: 'ALL' } }) }, now)).toThrow(/selector ALL is not supported/);
    expect(() => resolveServices({ signingConfig: cfg({ tsaUrls: [{ url: 'https://t', majorApiVersion: 2 }] }) }, now)).toThrow(/no TSA valid now/);
  });
});

describe('ambientIdentityToken', () => {
  it('prefers SIGSTORE_ID_TOKEN, then asks GitHub Actions for audience sigstore', async () => {
    const calls: { url: string; auth: string | null }[] = [];
    const fetch = (async (url: URL, init: RequestInit) => {
      calls.push({ url: url.toString(), auth: new Headers(init.headers).get('authorization') });
      return new Response(JSON.stringify({ value: 'gha.jwt.token' }), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    expect(await ambientIdentityToken({ env: { SIGSTORE_ID_TOKEN: ' direct ' }, fetch })).toBe('direct');
    expect(calls).toHaveLength(0);
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/idtoken?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' };
    expect(await ambientIdentityToken({ env, fetch })).toBe('gha.jwt.token');
    expect(calls).toEqual([{ url: 'https://pipelines.example/idtoken?api-version=2.0&audience=sigstore', auth: 'Bearer req' }]);
    expect(await ambientIdentityToken({ env: {}, fetch })).toBeUndefined();
  });

  it('refuses a non-https request URL and reports a refusal without the request token', async () => {
    const fetch = (async () => new Response('nope', { status: 403 })) as unknown as typeof globalThis.fetch;
    await expect(ambientIdentityToken({ env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://pipelines.example/t', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' }, fetch })).rejects.toThrow(/must be https/);
    const err = await ambientIdentityToken({ env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/t', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-request-token' }, fetch }).catch((e: Error) => e);
    expect(isSignerError(err, 'TOKEN_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/answered 403.*id-token: write/);
    expect((err as Error).message).not.toContain('secret-request-token');
  });
});

describe('keylessError', () => {
  const services = { fulcioURL: 'https://ca', tsaURL: 'https://tsa' };
  it('maps @sigstore/sign failures to codes and cuts the token out', () => {
    const token = jwt({ iss: 'https://i', sub: 'x' });
    const parse = keylessError(new InternalError({ code: 'IDENTITY_TOKEN_PARSE_ERROR', message: `invalid identity token: ${token}` }), token, services);
    expect(isSignerError(parse, 'INVALID_TOKEN')).toBe(true);
    expect((parse as Error).message).not.toContain(token.split('.')[1]!);
    const refused = keylessError(new InternalError({ code: 'CA_CREATE_SIGNING_CERTIFICATE_ERROR', message: 'error creating signing certificate', cause: Object.assign(new Error('(401) no'), { statusCode: 401 }) }), token, services);
    expect(isSignerError(refused, 'INVALID_TOKEN')).toBe(true);
    const down = keylessError(new InternalError({ code: 'CA_CREATE_SIGNING_CERTIFICATE_ERROR', message: 'error creating signing certificate', cause: Object.assign(new Error('(503) down'), { statusCode: 503 }) }), token, services);
    expect(isSignerError(down, 'CA_FAILED')).toBe(true);
    const tsa = keylessError(new InternalError({ code: 'TSA_CREATE_TIMESTAMP_ERROR', message: 'error creating timestamp' }), token, services);
    expect(isSignerError(tsa, 'TIMESTAMP_FAILED')).toBe(true);
    expect((tsa as Error).message).toContain('https://tsa');
  });
});

describe('legacyAnnotations (cosign v2 keyless .sig layer)', () => {
  it('maps the certificate, a Rekor entry and an RFC 3161 timestamp to cosign annotations', async () => {
    const { legacyAnnotations } = await import('../src/keyless/package.ts');
    const der = Buffer.from('30030201', 'hex');
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      content: { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: 1, digest: Buffer.alloc(32) }, signature: Buffer.from('sig') } },
      verificationMaterial: {
        content: { $case: 'certificate', certificate: { rawBytes: der } },
        tlogEntries: [
          {
            logIndex: '42',
            logId: { keyId: Buffer.from('abcd', 'hex') },
            kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
            integratedTime: '1700000000',
            inclusionPromise: { signedEntryTimestamp: Buffer.from('set') },
            canonicalizedBody: Buffer.from('{"body":1}'),
          },
        ],
        timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: Buffer.from('tst') }] },
      },
    } as unknown as Parameters<typeof legacyAnnotations>[0];
    const a = legacyAnnotations(bundle);
    expect(a['dev.cosignproject.cosign/signature']).toBe(Buffer.from('sig').toString('base64'));
    expect(a['dev.sigstore.cosign/certificate']).toBe(`-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`);
    expect(JSON.parse(a['dev.sigstore.cosign/bundle']!)).toEqual({
      SignedEntryTimestamp: Buffer.from('set').toString('base64'),
      Payload: { body: Buffer.from('{"body":1}').toString('base64'), integratedTime: 1700000000, logIndex: 42, logID: 'abcd' },
    });
    expect(JSON.parse(a['dev.sigstore.cosign/rfc3161timestamp']!)).toEqual({ SignedRFC3161Timestamp: Buffer.from('tst').toString('base64') });
  });
});
