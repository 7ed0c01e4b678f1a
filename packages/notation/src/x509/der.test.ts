import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@ocx/testkit';
import { certificateFields, decodeOid, parseBasicConstraints, parseExtKeyUsage, parseKeyUsage } from './der.ts';
import { makeCert, makeKey } from './testcerts.ts';

// The small DER reader replaces pkijs on the verify path (issue 12): it must read what pkijs read,
// for every certificate in the fixtures (notation, notation-go, notation-core-go, tspclient-go).

function certificatesUnder(dir: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(crt|pem|cer)$/.test(name)) {
        const text = readFileSync(p, 'latin1');
        const pems = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
        if (pems.length) for (const m of pems) out.push(new Uint8Array(Buffer.from(m[1]!, 'base64')));
        else if (text.charCodeAt(0) === 0x30) out.push(new Uint8Array(readFileSync(p)));
      }
    }
  };
  walk(dir);
  return out;
}

const attrs = (n: pkijs.RelativeDistinguishedNames) =>
  n.typesAndValues.map((tv) => {
    const raw: unknown = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
    return { type: tv.type, value: typeof raw === 'string' ? raw : '' };
  });

describe('DER certificate reader agrees with pkijs', () => {
  const certs = ['notation', 'notation-go', 'notation-core-go', 'tspclient-go'].flatMap((r) => certificatesUnder(fixturePath(r)));

  it(`reads the same fields from ${certs.length} fixture certificates`, () => {
    expect(certs.length).toBeGreaterThan(20);
    for (const der of certs) {
      let pk: pkijs.Certificate;
      try {
        pk = pkijs.Certificate.fromBER(der);
      } catch {
        continue; // deliberately broken fixtures: node:crypto refuses them first
      }
      const f = certificateFields(der);
      expect(f.version).toBe(pk.version);
      expect(f.signatureAlgorithmOid).toBe(pk.signatureAlgorithm.algorithmId);
      expect(f.subjectAttributes).toEqual(attrs(pk.subject));
      expect(f.issuerAttributes).toEqual(attrs(pk.issuer));
      expect(Buffer.from(f.rawSubject)).toEqual(Buffer.from(pk.subject.toSchema().toBER()));
      expect(f.extensions.map((e) => [e.oid, e.critical, Buffer.from(e.value).toString('hex')])).toEqual(
        (pk.extensions ?? []).map((e) => [e.extnID, e.critical, Buffer.from(e.extnValue.valueBlock.valueHexView).toString('hex')]),
      );
    }
  });

  it('decodes UTF8String names and refuses truncated input', async () => {
    const key = await makeKey({ kind: 'ec', curve: 'P-256' });
    const der = await makeCert({ subject: { C: 'US', ST: 'WA', O: 'Ünïcode', CN: 'bmp' }, key });
    const f = certificateFields(der);
    expect(f.subjectAttributes.map((a) => a.value)).toContain('Ünïcode');
    expect(() => certificateFields(der.subarray(0, der.length - 1))).toThrow(/malformed certificate/);
    expect(decodeOid(new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]))).toBe('1.2.840.113549');
  });

  it('extension values: basicConstraints, keyUsage, extKeyUsage; malformed ones are undefined', () => {
    const ber = (x: asn1js.AsnType) => new Uint8Array(x.toBER());
    expect(parseBasicConstraints(ber(new asn1js.Sequence({ value: [new asn1js.Boolean({ value: true }), new asn1js.Integer({ value: 2 })] })))).toEqual({ ca: true, pathLength: 2 });
    expect(parseBasicConstraints(ber(new asn1js.Sequence({ value: [] })))).toEqual({ ca: false });
    expect(parseBasicConstraints(ber(new asn1js.Integer({ value: 1 })))).toBeUndefined();
    // digitalSignature (bit 0) + keyCertSign (bit 5)
    expect(parseKeyUsage(ber(new asn1js.BitString({ valueHex: new Uint8Array([0x84]).buffer, unusedBits: 2 })))).toBe(1 | 32);
    expect(parseKeyUsage(ber(new asn1js.Sequence({ value: [] })))).toBeUndefined();
    expect(parseExtKeyUsage(ber(new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.3.6.1.5.5.7.3.3' })] })))).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(parseExtKeyUsage(ber(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] })))).toBeUndefined();
  });
});
