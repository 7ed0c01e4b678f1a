import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { fixturePath } from '@ocx/testkit';
import { arbitraryBytes, fuzzParams, fuzzTimeout, hostileJsonValue, mutatedBytes, mutatedJson, parsesOrTyped } from '@ocx/testkit/fuzz';
import { decode, encode, Tag } from 'cbor2';
import { describe, expect } from 'vitest';
import { checkTrustPolicy, isNotationError, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, parseSignatureEnvelope, parseTrustPolicy } from '../src/index.ts';

// Property suite (issue 10 "Beyond the list"): JWS/COSE envelopes and trust policies parse to a value
// or throw NotationError — never another exception, never a hang — on arbitrary bytes, on mutated
// real envelopes (byte level and header level) and on mutated real trust policies.

const enc = new TextEncoder();
const typed = (err: unknown) => isNotationError(err);

function envelopeSamples(): { jws: Uint8Array[]; cose: Uint8Array[] } {
  const files = [
    ...['cose_signature.sig', 'jws_signature.sig'].map((f) => fixturePath('notation-go/internal/testdata', f)),
    ...readdirSync(fixturePath('notation-go/verifier/testdata/timestamp/sigEnv')).map((f) => fixturePath('notation-go/verifier/testdata/timestamp/sigEnv', f)),
    ...readdirSync(fixturePath('notation-go/internal/mock/testdata')).map((f) => fixturePath('notation-go/internal/mock/testdata', f)),
    fixturePath('notation-core-go/signature/jws/testdata/conformance.json'),
  ];
  const jws: Uint8Array[] = [];
  const cose: Uint8Array[] = [];
  for (const f of files) {
    const b = readFileSync(f);
    if (b[0] === 0xd2) cose.push(b);
    else if (/"protected"/.test(b.toString('latin1'))) jws.push(b);
  }
  const coseVector = JSON.parse(readFileSync(fixturePath('notation-core-go/signature/cose/testdata/conformance.json'), 'utf8')) as { expectedOutput: { cborHex: string } };
  cose.push(Buffer.from(coseVector.expectedOutput.cborHex, 'hex'));
  return { jws, cose };
}

const { jws: JWS, cose: COSE } = envelopeSamples();
const JWS_JSON = JWS.map((b) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>);
const PROTECTED = JWS_JSON.map((e) => JSON.parse(Buffer.from(String(e.protected), 'base64url').toString('utf8')) as unknown);

/** A real JWS envelope whose protected header was mutated structurally and encoded again. */
const mutatedJwsHeader = fc.tuple(fc.nat(JWS_JSON.length - 1), mutatedJson(PROTECTED)).map(([i, header]) =>
  enc.encode(JSON.stringify({ ...JWS_JSON[i], protected: Buffer.from(header).toString('base64url') })),
);

/** CBOR values a hostile signer could put in a header. */
const cborValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom<unknown>(NaN, Infinity, -0, 1e308, null, undefined, true, '', new Uint8Array(0), [], new Map()),
  fc.string({ maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }),
  fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.bigInt({ min: 0n, max: 2n ** 70n })).map((v) => new Tag(1, v)),
  fc.integer({ min: 0, max: 300 }).map((t) => new Tag(t, 'x')),
  fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.integer()), { maxLength: 4 }),
);

function decodeSign1(b: Uint8Array): { prot: Map<unknown, unknown>; unprot: Map<unknown, unknown>; rest: unknown[] } | undefined {
  try {
    const top = decode(new Uint8Array(b), { preferMap: true }) as Tag;
    const [protBytes, unprot, ...rest] = top.contents as [Uint8Array, Map<unknown, unknown>, ...unknown[]];
    return { prot: decode(protBytes, { preferMap: true }) as Map<unknown, unknown>, unprot, rest };
  } catch {
    return undefined;
  }
}
const COSE_DECODED = COSE.map(decodeSign1).filter((d) => d !== undefined);

/** A real COSE envelope with one protected or unprotected header set, replaced or removed, encoded again. */
const mutatedCoseHeader = fc
  .record({
    i: fc.nat(COSE_DECODED.length - 1),
    where: fc.constantFrom('prot', 'unprot'),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom<unknown>(1, 2, 3, 33, 'io.cncf.notary.signingScheme', 'io.cncf.notary.signingTime', 'io.cncf.notary.expiry', 'io.cncf.notary.signingAgent', 'io.cncf.notary.timestampSignature'), fc.integer({ min: -5, max: 40 })),
    value: cborValue,
    remove: fc.boolean(),
  })
  .map(({ i, where, pick, key, value, remove }) => {
    const d = COSE_DECODED[i]!;
    const prot = new Map(d.prot);
    const unprot = new Map(d.unprot);
    const target = where === 'prot' ? prot : unprot;
    const keys = [...target.keys()];
    const k = pick % 2 === 0 && keys.length > 0 ? keys[pick % keys.length] : key;
    if (remove) target.delete(k);
    else target.set(k, value);
    try {
      return encode(new Tag(18, [encode(prot), unprot, ...d.rest]));
    } catch {
      return COSE[i]!;
    }
  });

/** A parsed time is a real instant: verification compares and prints it (toISOString throws on Invalid Date). */
function expectValidTimes(attrs: { signingTime?: Date; authenticSigningTime?: Date; expiry?: Date }): void {
  for (const t of [attrs.signingTime, attrs.authenticSigningTime, attrs.expiry]) if (t !== undefined) expect(Number.isNaN(t.getTime())).toBe(false);
}

describe('signature envelopes', () => {
  test.prop([fc.oneof(mutatedBytes(JWS), mutatedJson(JWS_JSON).map((s) => enc.encode(s)), mutatedJwsHeader, arbitraryBytes()), fc.boolean()], fuzzParams(500))(
    'a JWS envelope parses or throws NotationError',
    (bytes, headersOnly) => {
      const r = parsesOrTyped(() => parseSignatureEnvelope(bytes, MEDIA_TYPE_JWS, { headersOnly }), typed);
      if (r.value) expect(r.value.format).toBe('jws');
      if (r.value) expectValidTimes(r.value.signedAttributes);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(mutatedBytes(COSE), mutatedCoseHeader, arbitraryBytes()), fc.boolean()], fuzzParams(300))(
    'a COSE envelope parses or throws NotationError',
    (bytes, headersOnly) => {
      const r = parsesOrTyped(() => parseSignatureEnvelope(bytes, MEDIA_TYPE_COSE, { headersOnly }), typed);
      if (r.value) expect(r.value.format).toBe('cose');
      if (r.value) expectValidTimes(r.value.signedAttributes);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(mutatedBytes([...JWS, ...COSE]), arbitraryBytes()), fc.string({ maxLength: 40 })], fuzzParams(200))(
    'any media type: a value or NotationError',
    (bytes, mediaType) => {
      parsesOrTyped(() => parseSignatureEnvelope(bytes, mediaType), typed);
    },
    fuzzTimeout(),
  );
});

// ---- trust policies (trustpolicy.json / trustpolicy.oci.json) ----

function policySamples(): Uint8Array[] {
  const dir = fixturePath('notation/test/e2e/testdata/config/trustpolicies');
  return [...readdirSync(dir).map((f) => readFileSync(join(dir, f))), readFileSync(fixturePath('notation/test/e2e/testdata/blob/trustpolicies/trustpolicy.blob.json'))];
}
const POLICIES = policySamples();
const POLICY_JSON = POLICIES.flatMap((b) => {
  try {
    return [JSON.parse(new TextDecoder().decode(b)) as unknown];
  } catch {
    return [];
  }
});

describe('trust policies', () => {
  test.prop([fc.oneof(mutatedBytes(POLICIES), mutatedJson(POLICY_JSON).map((s) => enc.encode(s)), arbitraryBytes())], fuzzParams(500))(
    'parseTrustPolicy returns a document or throws NotationError',
    (bytes) => {
      parsesOrTyped(() => parseTrustPolicy(bytes), typed);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(hostileJsonValue(), fc.anything(), mutatedJson(POLICY_JSON).map((s) => JSON.parse(s) as unknown))], fuzzParams(300))(
    'checkTrustPolicy never throws: problems are issues',
    (value) => {
      const r = parsesOrTyped(() => checkTrustPolicy(value), () => false);
      if (r.value && r.value.document === undefined) expect(r.value.issues.length).toBeGreaterThan(0);
    },
    fuzzTimeout(),
  );
});
