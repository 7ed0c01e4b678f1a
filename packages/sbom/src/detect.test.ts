import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { detectSbomFormat } from './detect.ts';
import { isSbomError } from './errors.ts';

const enc = new TextEncoder();
const fixture = (...p: string[]): Uint8Array => readFileSync(fixturePath(...p));

describe('detectSbomFormat on real documents', () => {
  // Expected values read by hand from each file.
  it.each([
    [['cosign', 'test/testdata/bom-go-mod.spdx.json'], 'spdx', 'json', '2.2'],
    [['cosign', 'test/testdata/bom-go-mod.cyclonedx.json'], 'cyclonedx', 'json', '1.4'],
    [['spdx-examples', 'software/example11/spdx2.3/sbom.spdx.json'], 'spdx', 'json', '2.3'],
    [['spdx-examples', 'software/example11/spdx3.0/sbom.spdx3.json'], 'spdx', 'json-ld', '3.0.1'],
    [['spdx-examples', 'software/example12/spdx2.2/hello-dist.spdx.json'], 'spdx', 'json', '2.2'],
    [['spdx-examples', 'software/example14/content/examplemaven-0.0.1.spdx.json'], 'spdx', 'json', '2.3'],
    [['cyclonedx-bom-examples', 'SBOM/cern-lhc-vdm-editor-e564943/bom.json'], 'cyclonedx', 'json', '1.2'],
    [['cyclonedx-bom-examples', 'SBOM/laravel-7.12.0/bom.1.4.json'], 'cyclonedx', 'json', '1.4'],
    [['cyclonedx-bom-examples', 'SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json'], 'cyclonedx', 'json', '1.2'],
    [['cyclonedx-bom-examples', 'VEX/vex.json'], 'cyclonedx', 'json', '1.4'],
  ] as const)('%j → %s %s %s', (path, format, encoding, specVersion) => {
    expect(detectSbomFormat(fixture(...path))).toEqual({ format, encoding, specVersion });
  });

  it('is not fooled by an in-toto attestation bundle', () => {
    const d = detectSbomFormat(fixture('cosign', 'pkg/cosign/testdata/oci-attestation.sigstore.json'));
    expect(d).toEqual({ format: 'unknown', encoding: 'json' });
  });
});

describe('detectSbomFormat on text and XML encodings', () => {
  it('SPDX tag-value, after comments', () => {
    const doc = '# generated\n\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n';
    expect(detectSbomFormat(enc.encode(doc))).toEqual({ format: 'spdx', encoding: 'tag-value', specVersion: '2.3' });
  });

  it.each(['1.2', '1.3', '1.4', '1.5', '1.6'])('CycloneDX %s XML (default namespace)', (v) => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><bom xmlns="http://cyclonedx.org/schema/bom/${v}" version="1"><components/></bom>`;
    expect(detectSbomFormat(enc.encode(doc))).toEqual({ format: 'cyclonedx', encoding: 'xml', specVersion: v });
  });

  it('CycloneDX XML with a namespace prefix', () => {
    const doc = `<cdx:bom xmlns:cdx='http://cyclonedx.org/schema/bom/1.5' serialNumber="urn:uuid:x"/>`;
    expect(detectSbomFormat(enc.encode(doc))).toEqual({ format: 'cyclonedx', encoding: 'xml', specVersion: '1.5' });
  });

  it('a <bom> in another namespace is unknown XML', () => {
    expect(detectSbomFormat(enc.encode('<bom xmlns="urn:other"/>'))).toEqual({ format: 'unknown', encoding: 'xml' });
  });

  it('SPDX RDF/XML is recognised', () => {
    const doc =
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#">' +
      '<spdx:SpdxDocument><spdx:specVersion>SPDX-2.2</spdx:specVersion></spdx:SpdxDocument></rdf:RDF>';
    expect(detectSbomFormat(enc.encode(doc))).toEqual({ format: 'spdx', encoding: 'xml', specVersion: '2.2' });
  });

  it('syft JSON', () => {
    const doc = {
      artifacts: [],
      source: { type: 'image' },
      descriptor: { name: 'syft', version: '1.18.1' },
      schema: { version: '16.0.18', url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.18.json' },
    };
    expect(detectSbomFormat(enc.encode(JSON.stringify(doc)))).toEqual({ format: 'syft', encoding: 'json', specVersion: '16.0.18' });
  });
});

describe('detectSbomFormat on anything else', () => {
  it.each([
    ['empty', ''],
    ['plain text', 'hello'],
    ['a JSON array', '[1,2]'],
    ['JSON without markers', '{"name":"x"}'],
  ])('%s is unknown', (_, text) => {
    expect(detectSbomFormat(enc.encode(text)).format).toBe('unknown');
  });

  it('malformed JSON is unknown, not an exception', () => {
    expect(detectSbomFormat(enc.encode('{"spdxVersion": "SPDX-2.3",'))).toEqual({ format: 'unknown', encoding: 'json' });
  });

  it('invalid UTF-8 is unknown', () => {
    expect(detectSbomFormat(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).format).toBe('unknown');
  });

  it('refuses documents above maxBytes with TOO_LARGE', () => {
    const bytes = enc.encode(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', pad: 'x'.repeat(100) }));
    expect(detectSbomFormat(bytes, undefined, { limits: { maxBytes: bytes.length } }).format).toBe('cyclonedx');
    let err: unknown;
    try {
      detectSbomFormat(bytes, undefined, { limits: { maxBytes: bytes.length - 1 } });
    } catch (e) {
      err = e;
    }
    expect(isSbomError(err, 'TOO_LARGE')).toBe(true);
  });

  it('accepts a UTF-8 byte order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('{"bomFormat":"CycloneDX","specVersion":"1.6"}')]);
    expect(detectSbomFormat(bytes)).toEqual({ format: 'cyclonedx', encoding: 'json', specVersion: '1.6' });
  });
});

describe('hints', () => {
  const cdx = enc.encode('{"bomFormat":"CycloneDX","specVersion":"1.5"}');

  it('agreeing hints change nothing', () => {
    expect(
      detectSbomFormat(cdx, { mediaType: 'application/vnd.cyclonedx+json', predicateType: 'https://cyclonedx.org/bom/v1.5' }),
    ).toEqual({ format: 'cyclonedx', encoding: 'json', specVersion: '1.5' });
    expect(detectSbomFormat(cdx, { mediaType: 'application/vnd.dev.cosign.artifact.sbom.v1+json' }).hintMismatch).toBeUndefined();
  });

  it('the bytes win over a contradicting hint, which is flagged', () => {
    expect(detectSbomFormat(cdx, { mediaType: 'application/spdx+json' })).toEqual({
      format: 'cyclonedx',
      encoding: 'json',
      specVersion: '1.5',
      hintMismatch: true,
    });
    expect(detectSbomFormat(enc.encode('nope'), { predicateType: 'https://spdx.dev/Document' }).hintMismatch).toBe(true);
  });
});
