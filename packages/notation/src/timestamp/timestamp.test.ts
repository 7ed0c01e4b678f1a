import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { parseCertificates } from '../x509/cert.ts';
import { parseTimestampToken, verifyTimestampToken, verifyTimestampTokenSignature } from './token.ts';

const token = () => new Uint8Array(readFileSync(fixturePath('tspclient-go/testdata/TimeStampToken.p7s')));
const root = () => parseCertificates(new Uint8Array(readFileSync(fixturePath('tspclient-go/testdata/GlobalSignRootCA.crt'))));
const message = new TextEncoder().encode('notation');

describe('RFC 3161 timestamp tokens', () => {
  it('parses TSTInfo: genTime, accuracy, policy', () => {
    const t = parseTimestampToken(token());
    expect(t.genTime.toISOString()).toBe('2021-09-17T14:09:10.000Z');
    expect(t.accuracyMs).toBe(1000);
    expect(t.policy).toBe('1.3.6.1.4.1.4146.2.3');
    expect(t.signedData.certificates).toHaveLength(4);
  });

  it('verifies over the message and anchors the TSA chain at genTime', () => {
    const r = verifyTimestampToken(token(), { message, tsaRoots: root() });
    expect(r.notBefore.toISOString()).toBe('2021-09-17T14:09:09.000Z');
    expect(r.notAfter.toISOString()).toBe('2021-09-17T14:09:11.000Z');
    expect(r.tsaChain[0]?.subject).toContain('TSA');
    expect(r.tsaChain.at(-1)?.subject).toBe('CN=GlobalSign, O=GlobalSign, OU=GlobalSign Root CA - R3');
  });

  it('fails at a time the TSA chain was not valid, or with an unrelated root', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isNotationError(e, 'TIMESTAMP_INVALID');
      }
      return false;
    };
    expect(err(() => verifyTimestampTokenSignature(token(), root(), new Date('2000-01-01T00:00:00Z')))).toBe(true);
    const other = parseCertificates(new Uint8Array(readFileSync(fixturePath('notation/test/e2e/testdata/config/timestamp/DigiCertTSARootSHA384.cer'))));
    expect(err(() => verifyTimestampTokenSignature(token(), other))).toBe(true);
    // A corrupted token is a TIMESTAMP_INVALID error, never a crash.
    const t = token();
    expect(err(() => parseTimestampToken(t.slice(0, 100)))).toBe(true);
  });
});

/** The fixture token with its TSTInfo re-wrapped as a constructed (BER) OCTET STRING of two segments. */
function constructedEContent(der: Uint8Array): Uint8Array {
  const asn = asn1js.fromBER(der);
  const ci = asn.result as asn1js.Sequence;
  const sd = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const encap = sd.valueBlock.value[2] as asn1js.Sequence;
  const wrapper = encap.valueBlock.value[1] as asn1js.Constructed;
  const info = new Uint8Array((wrapper.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView);
  const half = info.length >> 1;
  wrapper.valueBlock.value[0] = new asn1js.OctetString({
    idBlock: { isConstructed: true },
    lenBlock: { isIndefiniteForm: false },
    value: [new asn1js.OctetString({ valueHex: info.slice(0, half) }), new asn1js.OctetString({ valueHex: info.slice(half) })],
  });
  return new Uint8Array(ci.toBER(false));
}

describe('RFC 3161 timestamp tokens: DER only, as notation', () => {
  it('rejects a TSTInfo wrapped in a constructed OCTET STRING (notation: "sequence truncated")', () => {
    const bad = constructedEContent(token());
    expect(bad[0]).toBe(0x30);
    let caught: unknown;
    try {
      verifyTimestampToken(bad, { message, tsaRoots: root() });
    } catch (e) {
      caught = e;
    }
    expect(isNotationError(caught, 'TIMESTAMP_INVALID'), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/constructed/);
  });
});
