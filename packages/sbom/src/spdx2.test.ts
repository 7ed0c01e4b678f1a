import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { isSbomError } from './errors.ts';
import { summarizeSbom } from './summarize.ts';
import { SbomSummarySchema } from './summary.ts';

const enc = new TextEncoder();
const bytesOf = (...p: string[]): Uint8Array => readFileSync(fixturePath(...p));
const rawJson = (...p: string[]): { packages?: { name: string; versionInfo?: string }[] } =>
  JSON.parse(readFileSync(fixturePath(...p), 'utf8'));
// Independent count: occurrences of `"SPDXID": "SPDXRef-…"` inside the packages array text.
const countPackagesInText = (...p: string[]): number => {
  const text = readFileSync(fixturePath(...p), 'utf8');
  const start = text.indexOf('"packages"');
  const end = text.indexOf('"files"', start) === -1 ? text.length : text.indexOf('"files"', start);
  return start === -1 ? 0 : (text.slice(start, end).match(/"versionInfo"|"downloadLocation"/g) ?? []).length;
};

describe('summarizeSbom: SPDX 2 JSON fixtures', () => {
  it('cosign bom-go-mod.spdx.json (SPDX 2.2, no packages)', () => {
    const s = summarizeSbom(bytesOf('cosign', 'test/testdata/bom-go-mod.spdx.json'));
    expect(s).toEqual({
      format: 'spdx',
      encoding: 'json',
      specVersion: '2.2',
      name: 'SBOM-SPDX-34f1a7f5-03ff-4277-9021-8c04f8777803',
      documentNamespace: 'https://spdx.org/spdxdocs/k8s-releng-bom-16f4e288-6bdf-4b89-a79a-9ffd56ad33e0',
      creators: ['Organization: Kubernetes Release Engineering', 'Tool: sigs.k8s.io/bom/pkg/spdx'],
      createdAt: '2022-06-07T22:14:56Z',
      packageCount: 0,
      licenses: [],
      packagesWithoutLicense: 0,
    });
    expect(SbomSummarySchema.parse(s)).toEqual(s);
  });

  it('example11 sbom.spdx.json (SPDX 2.3, 4 packages, describes a package and a file)', () => {
    const path = ['spdx-examples', 'software/example11/spdx2.3/sbom.spdx.json'];
    const s = summarizeSbom(bytesOf(...path), { mediaType: 'application/spdx+json' }, { includePackages: true });
    expect(s.packageCount).toBe(rawJson(...path).packages?.length);
    expect(s.packageCount).toBe(countPackagesInText(...path) / 2);
    expect(s.packageCount).toBe(4);
    expect(s.specVersion).toBe('2.3');
    expect(s.creators).toEqual(['Tool: sigs.k8s.io/bom/pkg/spdx', 'Organization: Unknown']);
    expect(s.createdAt).toBe('2022-11-03T07:10:10Z');
    expect(s.topLevel).toEqual({
      name: 'hello-server-src',
      version: '0.1.0',
      purl: 'pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x',
    });
    // Concluded licenses: Apache-2.0, MIT, MIT, "MIT OR Apache-2.0".
    expect(s.licenses).toEqual([
      { expression: 'MIT', count: 2, valid: true },
      { expression: 'Apache-2.0', count: 1, valid: true },
      { expression: 'MIT OR Apache-2.0', count: 1, valid: true },
    ]);
    expect(s.packagesWithoutLicense).toBe(0);
    expect(s.packages?.map((p) => `${p.name}@${p.version}`)).toEqual([
      'hello-server-src@0.1.0',
      'hyper@0.14',
      'tokio@1.19.2',
      'pretty_env_logger@0.4.0',
    ]);
    expect(s.packages?.[2]).toEqual({ name: 'tokio', version: '1.19.2', purl: 'pkg:cargo/tokio@1.19.2', licenses: ['MIT'] });
  });

  it('example12 hello-dist.spdx.json (SPDX 2.2, DESCRIBES relationship, NOASSERTION licenses)', () => {
    const s = summarizeSbom(bytesOf('spdx-examples', 'software/example12/spdx2.2/hello-dist.spdx.json'));
    expect(s).toMatchObject({
      specVersion: '2.2',
      name: 'hello 0.0.1',
      documentNamespace: 'https://swinslow.net/spdx-examples/example11/hello/hello/0.0.1/q7S1LJe0Tke-HnphZSB1MQ',
      creators: ['Organization: DocFest', 'Tool: Microsoft.SBOMTool-0.2.7'],
      createdAt: '2022-11-04T11:13:29Z',
      packageCount: 1,
      topLevel: { name: 'hello', version: '0.0.1' },
      licenses: [],
      packagesWithoutLicense: 1,
    });
  });

  it('example14 examplemaven (SPDX 2.3, 6 packages, declared license when concluded is NOASSERTION)', () => {
    const path = ['spdx-examples', 'software/example14/content/examplemaven-0.0.1.spdx.json'];
    const s = summarizeSbom(bytesOf(...path), undefined, { includePackages: true });
    expect(s.packageCount).toBe(rawJson(...path).packages?.length);
    expect(s.packageCount).toBe(6);
    expect(s.creators).toEqual(["Person: Gary O'Neall", 'Tool: spdx-maven-plugin']);
    expect(s.topLevel).toEqual({ name: 'examplemaven', version: '0.0.1' });
    expect(s.licenses).toEqual([
      { expression: 'Apache-2.0', count: 1, valid: true },
      { expression: 'CPL-1.0', count: 1, valid: true },
    ]);
    expect(s.packagesWithoutLicense).toBe(4);
    expect(s.packages?.find((p) => p.name === 'JUnit')).toEqual({ name: 'JUnit', version: '3.8.1', licenses: ['CPL-1.0'] });
  });
});

describe('summarizeSbom: SPDX 2 JSON edge cases', () => {
  const doc = (extra: object): Uint8Array =>
    enc.encode(JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'n', ...extra }));

  it('takes DESCRIBED_BY into account and keeps invalid license text', () => {
    const s = summarizeSbom(
      doc({
        packages: [
          { SPDXID: 'SPDXRef-a', name: 'a', licenseConcluded: 'MIT and Foo' },
          { SPDXID: 'SPDXRef-b', name: 'b', versionInfo: '2', licenseDeclared: 'isc' },
        ],
        relationships: [{ spdxElementId: 'SPDXRef-b', relationshipType: 'DESCRIBED_BY', relatedSpdxElement: 'SPDXRef-DOCUMENT' }],
      }),
    );
    expect(s.topLevel).toEqual({ name: 'b', version: '2' });
    expect(s.licenses).toEqual([
      { expression: 'ISC', count: 1, valid: true },
      { expression: 'MIT and Foo', count: 1, valid: false },
    ]);
  });

  it('wrong field types are INVALID, malformed JSON is PARSE', () => {
    const codeOf = (bytes: Uint8Array): string | undefined => {
      try {
        summarizeSbom(bytes);
      } catch (e) {
        return isSbomError(e) ? e.code : 'raw';
      }
      return undefined;
    };
    expect(codeOf(doc({ packages: {} }))).toBe('INVALID');
    expect(codeOf(doc({ packages: [1] }))).toBe('INVALID');
    expect(codeOf(doc({ creationInfo: { creators: 'Tool: x' } }))).toBe('INVALID');
    expect(codeOf(enc.encode('{"spdxVersion":"SPDX-2.3",'))).toBe('PARSE');
    expect(codeOf(enc.encode('{"hello":1}'))).toBe('UNSUPPORTED_FORMAT');
  });

  it('enforces maxPackages with TOO_MANY', () => {
    const bytes = doc({ packages: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    expect(summarizeSbom(bytes, undefined, { limits: { maxPackages: 3 } }).packageCount).toBe(3);
    expect(() => summarizeSbom(bytes, undefined, { limits: { maxPackages: 2 } })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY' }),
    );
  });
});
