import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pkijs from 'pkijs';
import { buildTimestampRequest, requestTimestamp } from '@ocx/signer';
import { startTsa, type TestTsa } from './notation-tsa.ts';

// The nonce is a DER INTEGER that the TSA echoes into TSTInfo; Go's encoding/asn1 (notation) refuses
// the whole token when it is not minimal (X.690 §8.3.2), so ocx must never send one that is not.
// These nonces are the random draws that once made a timestamped signature unverifiable by notation.
const NONCES: readonly (readonly number[])[] = [
  [0x00, 0x05, 1, 2, 3, 4, 5, 6],
  [0x80, 0x05, 1, 2, 3, 4, 5, 6],
  [0x80, 0x00, 0x00, 0x7f, 1, 2, 3, 4],
  [0x00, 0x80, 1, 2, 3, 4, 5, 6],
  [0xff, 0xff, 1, 2, 3, 4, 5, 6],
];

function isMinimalPositive(content: Uint8Array): boolean {
  if (content.length === 0 || content[0]! >= 0x80) return false;
  return !(content.length > 1 && content[0] === 0 && content[1]! < 0x80);
}

describe('timestamp request nonce', () => {
  let tsa: TestTsa;
  beforeAll(async () => {
    tsa = await startTsa();
  }, 60_000);
  afterAll(async () => {
    await tsa?.close();
  });

  it.each(NONCES.map((n) => [Buffer.from(n).toString('hex'), n] as const))('nonce %s is sent as a minimal positive DER INTEGER', (_hex, n) => {
    const req = pkijs.TimeStampReq.fromBER(buildTimestampRequest(new Uint8Array([1, 2, 3]), 'sha256', Uint8Array.from(n)));
    const content = new Uint8Array(req.nonce!.valueBlock.valueHexView);
    expect(isMinimalPositive(content), Buffer.from(content).toString('hex')).toBe(true);
  });

  it.each(NONCES.map((n) => [Buffer.from(n).toString('hex'), n] as const))('nonce %s: the TSA echoes it, ocx matches it, and TSTInfo stays strict DER', async (_hex, n) => {
    const { token } = await requestTimestamp(new Uint8Array([9, 9, 9]), { url: tsa.url, hash: 'sha256', rootCertificates: tsa.rootPem, nonce: Uint8Array.from(n) });
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
    const info = pkijs.TSTInfo.fromBER(sd.encapContentInfo.eContent!.valueBlock.valueHexView);
    expect(isMinimalPositive(new Uint8Array(info.nonce!.valueBlock.valueHexView))).toBe(true);
  });
});
