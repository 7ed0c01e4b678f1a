import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { MEDIA_TYPE_JWS } from './constants.ts';
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
