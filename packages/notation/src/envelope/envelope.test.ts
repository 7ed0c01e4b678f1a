import { encode, Tag } from 'cbor2';
import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { defaultCoseProtected, makeCose, makeJws, makeKey, makePki, payloadBytes, type Alg, type KeySpec } from '../x509/testcerts.ts';
import { parseSignatureEnvelope } from './parse.ts';
import { verifyEnvelopeSignature } from './signature.ts';

const JWS = 'application/jose+json';
const COSE = 'application/cose';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return isNotationError(err) ? err.code : `non-notation: ${String(err)}`;
  }
  return undefined;
}

const verifyBytes = async (bytes: Uint8Array, mt: string) => verifyEnvelopeSignature(parseSignatureEnvelope(bytes, mt));

const SPECS: [Alg, KeySpec][] = [
  ['ES256', { kind: 'ec', curve: 'P-256' }],
  ['ES384', { kind: 'ec', curve: 'P-384' }],
  ['ES512', { kind: 'ec', curve: 'P-521' }],
  ['PS256', { kind: 'rsa', bits: 2048 }],
  ['PS384', { kind: 'rsa', bits: 3072 }],
];

describe('envelope signatures by algorithm', () => {
  for (const [alg, spec] of SPECS) {
    it(`${alg}: JWS and COSE verify; the wrong alg for the key is ALG_MISMATCH`, async () => {
      const p = await makePki(spec);
      const key = p.leafKey.nodePrivate;
      const jws = makeJws({ alg, key, chain: p.chain });
      const env = parseSignatureEnvelope(jws, JWS);
      expect(env.signatureAlgorithm).toBe(alg);
      expect(env.certificateChain).toHaveLength(3);
      expect((await verifyEnvelopeSignature(env)).subject).toContain('CN=Acme Signer');
      await expect(verifyBytes(makeCose({ alg, key, chain: p.chain }), COSE)).resolves.toBeDefined();
      const wrong: Alg = alg === 'ES256' ? 'ES384' : 'ES256';
      if (spec.kind === 'ec') {
        expect(await codeOf(verifyBytes(makeJws({ alg: wrong, key: (await makeKey({ kind: 'ec', curve: wrong === 'ES384' ? 'P-384' : 'P-256' })).nodePrivate, chain: p.chain }), JWS))).toBe('ALG_MISMATCH');
      } else {
        const other: Alg = alg === 'PS256' ? 'PS384' : 'PS256';
        expect(await codeOf(verifyBytes(makeCose({ alg: other, key, chain: p.chain }), COSE))).toBe('ALG_MISMATCH');
      }
    });
  }
});

describe('JWS envelope rules', () => {
  it('rejects tampered payloads and signatures', async () => {
    const p = await makePki();
    const jws = JSON.parse(new TextDecoder().decode(makeJws({ alg: 'ES256', key: p.leafKey.nodePrivate, chain: p.chain }))) as Record<string, unknown>;
    const tampered = { ...jws, payload: Buffer.from(payloadBytes({ extra: 'x' })).toString('base64url') };
    expect(await codeOf(verifyBytes(new TextEncoder().encode(JSON.stringify(tampered)), JWS))).toBe('SIGNATURE_INVALID');
    const sig = Buffer.from(String(jws.signature), 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    expect(await codeOf(verifyBytes(new TextEncoder().encode(JSON.stringify({ ...jws, signature: sig.toString('base64url') })), JWS))).toBe('SIGNATURE_INVALID');
  });

  it('applies crit and header rules', async () => {
    const p = await makePki();
    const key = p.leafKey.nodePrivate;
    const base = {
      alg: 'ES256',
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      crit: ['io.cncf.notary.signingScheme'],
      'io.cncf.notary.signingScheme': 'notary.x509',
      'io.cncf.notary.signingTime': '2024-01-01T00:00:00Z',
    };
    const parse = (protectedHeader: Record<string, unknown>, header?: Record<string, unknown>) => () =>
      parseSignatureEnvelope(makeJws({ alg: 'ES256', key, chain: p.chain, protectedHeader, ...(header ? { header } : {}) }), JWS);
    expect(await codeOf(parse(base))).toBeUndefined();
    expect(await codeOf(parse({ ...base, crit: [...base.crit, 'acme.custom'], 'acme.custom': 1 }))).toBe('CRIT_UNKNOWN');
    expect(await codeOf(parse({ ...base, crit: [...base.crit, 'acme.missing'] }))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(parse({ ...base, 'io.cncf.notary.expiry': '2030-01-01T00:00:00Z' }))).toBe('ENVELOPE_INVALID'); // expiry not critical
    expect(await codeOf(parse({ ...base, crit: [] }))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(parse({ ...base, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'], 'io.cncf.notary.expiry': '2023-01-01T00:00:00Z' }))).toBe('ENVELOPE_INVALID'); // expiry before signing
    expect(await codeOf(parse({ ...base, cty: 'application/json' }))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(parse({ ...base, 'io.cncf.notary.signingScheme': 'notary.other' }))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(parse({ ...base, 'io.cncf.notary.signingTime': 'yesterday' }))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(parse({ ...base, 'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority' }))).toBe('ENVELOPE_INVALID'); // needs authenticSigningTime
    expect(await codeOf(parse({ ...base, alg: 'RS256' }))).toBe('ENVELOPE_INVALID');
    const x5c = p.chain.map((c) => Buffer.from(c).toString('base64'));
    expect(await codeOf(parse(base, { x5c, cty: 'text/plain' }))).toBe('ENVELOPE_INVALID'); // protected ∩ unprotected
    expect(await codeOf(parse(base, { 'io.cncf.notary.signingAgent': 'x' }))).toBe('ENVELOPE_INVALID'); // no x5c
    expect(await codeOf(() => parseSignatureEnvelope(new TextEncoder().encode('{"signatures":[]}'), JWS))).toBe('UNSUPPORTED_ENVELOPE');
    expect(await codeOf(() => parseSignatureEnvelope(new TextEncoder().encode('not json'), JWS))).toBe('ENVELOPE_INVALID');
    expect(await codeOf(() => parseSignatureEnvelope(new Uint8Array(), 'application/vnd.oci.image.layer.v1.tar'))).toBe('UNSUPPORTED_ENVELOPE');
  });

  it('declared extended critical headers are admitted and reported', async () => {
    const p = await makePki();
    const jws = makeJws({
      alg: 'ES256',
      key: p.leafKey.nodePrivate,
      chain: p.chain,
      protectedHeader: {
        alg: 'ES256',
        cty: 'application/vnd.cncf.notary.payload.v1+json',
        crit: ['io.cncf.notary.signingScheme', 'acme.custom'],
        'io.cncf.notary.signingScheme': 'notary.x509',
        'io.cncf.notary.signingTime': '2024-01-01T00:00:00+08:00',
        'acme.custom': 'v',
        'acme.note': 'n',
      },
    });
    const env = parseSignatureEnvelope(jws, JWS, { knownCriticalHeaders: ['acme.custom'] });
    expect(env.signedAttributes.extendedAttributes).toEqual([
      { key: 'acme.custom', value: 'v', critical: true },
      { key: 'acme.note', value: 'n', critical: false },
    ]);
    expect(env.signedAttributes.signingTime?.toISOString()).toBe('2023-12-31T16:00:00.000Z');
    await expect(verifyEnvelopeSignature(env)).resolves.toBeDefined();
  });
});

describe('COSE_Sign1 envelope rules', () => {
  it('verifies over the protected bytes exactly as received', async () => {
    const p = await makePki();
    const key = p.leafKey.nodePrivate;
    // Sign a protected header whose map is NOT in canonical key order: a verifier that re-encoded
    // the decoded map would compute different bytes.
    const m = defaultCoseProtected('ES256');
    const reordered = new Map([...m.entries()].reverse());
    const protectedBytes = encode(reordered);
    expect(Buffer.from(protectedBytes).equals(Buffer.from(encode(m)))).toBe(false);
    const env = makeCose({ alg: 'ES256', key, chain: p.chain, protectedBytes });
    await expect(verifyBytes(env, COSE)).resolves.toBeDefined();

    // Swap in the canonically ordered encoding of the same map after signing: must fail.
    const arr = (await import('cbor2')).decode(env, { preferMap: true }) as Tag;
    const parts = arr.contents as unknown[];
    const swapped = encode(new Tag(18, [encode(m), parts[1], parts[2], parts[3]]));
    expect(await codeOf(verifyBytes(swapped, COSE))).toBe('SIGNATURE_INVALID');
  });

  it('reads x5chain as a single bstr or an array, and keeps the timestamp countersignature', async () => {
    const key = await makeKey({ kind: 'ec', curve: 'P-256' });
    const { makeCert } = await import('../x509/testcerts.ts');
    const self = await makeCert({ subject: { C: 'US', ST: 'WA', O: 'Acme', CN: 'self' }, key });
    const tst = new Uint8Array([0x30, 0x00]);
    const env = parseSignatureEnvelope(
      makeCose({ alg: 'ES256', key: key.nodePrivate, chain: [self], unprotected: new Map<unknown, unknown>([[33, self], ['io.cncf.notary.timestampSignature', tst]]) }),
      COSE,
    );
    expect(env.certificateChain).toHaveLength(1);
    expect(env.unsignedAttributes.timestampSignature).toEqual(tst);
    await expect(verifyEnvelopeSignature(env)).resolves.toBeDefined();
  });

  it('rejects malformed COSE', async () => {
    const p = await makePki();
    const key = p.leafKey.nodePrivate;
    const good = makeCose({ alg: 'ES256', key, chain: p.chain });
    const parts = ((await import('cbor2')).decode(good, { preferMap: true }) as Tag).contents as unknown[];
    expect(await codeOf(() => parseSignatureEnvelope(encode(parts), COSE))).toBe('ENVELOPE_INVALID'); // untagged
    expect(await codeOf(() => parseSignatureEnvelope(encode(new Tag(18, [parts[0], parts[1], null, parts[3]])), COSE))).toBe('ENVELOPE_INVALID'); // detached payload
    expect(await codeOf(() => parseSignatureEnvelope(encode(new Tag(18, [parts[0], new Map(), parts[2], parts[3]])), COSE))).toBe('ENVELOPE_INVALID'); // no x5chain
    const badAlg = defaultCoseProtected('ES256').set(1, -257);
    expect(await codeOf(() => parseSignatureEnvelope(makeCose({ alg: 'ES256', key, chain: p.chain, protectedBytes: encode(badAlg) }), COSE))).toBe('ENVELOPE_INVALID');
    const badTime = defaultCoseProtected('ES256').set('io.cncf.notary.signingTime', 1704067200);
    expect(await codeOf(() => parseSignatureEnvelope(makeCose({ alg: 'ES256', key, chain: p.chain, protectedBytes: encode(badTime) }), COSE))).toBe('ENVELOPE_INVALID');
    const unknownCrit = defaultCoseProtected('ES256').set(2, ['io.cncf.notary.signingScheme', 'acme']).set('acme', 1);
    expect(await codeOf(() => parseSignatureEnvelope(makeCose({ alg: 'ES256', key, chain: p.chain, protectedBytes: encode(unknownCrit) }), COSE))).toBe('CRIT_UNKNOWN');
    expect(await codeOf(() => parseSignatureEnvelope(new Uint8Array([0xff, 0x00]), COSE))).toBe('ENVELOPE_INVALID');
  });
});
