import { readFileSync } from 'node:fs';
import { decode, encode, Tag } from 'cbor2';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from './constants.ts';
import { parseSignatureEnvelope } from './parse.ts';

// Found by the property suite: a protected header whose value is a JSON object with a `toString`
// member made the error message itself throw a TypeError ("Cannot convert object to primitive value").
describe('hostile JWS protected header values', () => {
  const envelope = JSON.parse(readFileSync(fixturePath('notation-go/internal/testdata/jws_signature.sig'), 'utf8')) as Record<string, unknown>;
  const header = JSON.parse(Buffer.from(String(envelope.protected), 'base64url').toString('utf8')) as Record<string, unknown>;
  const withHeader = (h: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ ...envelope, protected: Buffer.from(JSON.stringify(h)).toString('base64url') }));
  const errorOf = (bytes: Uint8Array) => {
    try {
      parseSignatureEnvelope(bytes, MEDIA_TYPE_JWS);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  const values: Record<string, unknown>[] = [{ toString: 1 }, { toString: -7e-112, name: {} }, { valueOf: 'x', toString: null }];
  it.each(values)('signingScheme %j is ENVELOPE_INVALID', (value) => {
    const err = errorOf(withHeader({ ...header, 'io.cncf.notary.signingScheme': value }));
    expect(isNotationError(err, 'ENVELOPE_INVALID')).toBe(true);
  });
});

// Found by the property suite: a COSE tag-1 time outside the Date range parsed to an Invalid Date.
describe('COSE times outside the Date range', () => {
  const bytes = new Uint8Array(readFileSync(fixturePath('notation-go/internal/testdata/cose_signature.sig')));
  const top = decode(bytes, { preferMap: true }) as Tag;
  const [protBytes, unprot, ...rest] = top.contents as [Uint8Array, Map<unknown, unknown>, ...unknown[]];
  const prot = decode(protBytes, { preferMap: true }) as Map<unknown, unknown>;

  it.each([1e300, -1e300, 9e15])('signingTime %d is ENVELOPE_INVALID', (secs) => {
    const m = new Map(prot);
    m.set('io.cncf.notary.signingTime', new Tag(1, secs));
    let err: unknown;
    try {
      parseSignatureEnvelope(encode(new Tag(18, [encode(m), unprot, ...rest])), MEDIA_TYPE_COSE);
    } catch (e) {
      err = e;
    }
    expect(isNotationError(err, 'ENVELOPE_INVALID')).toBe(true);
  });

  it('a time in range still parses', () => {
    const env = parseSignatureEnvelope(bytes, MEDIA_TYPE_COSE);
    expect(Number.isNaN(env.signedAttributes.signingTime!.getTime())).toBe(false);
  });
});
