import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { summarizeSbom } from './summarize.ts';
import { SbomSummarySchema } from './summary.ts';

const enc = new TextEncoder();
const bytesOf = (...p: string[]): Uint8Array => readFileSync(fixturePath(...p));

interface RawComponent {
  name: string;
  version?: string;
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
  components?: RawComponent[];
}
// Independent of the implementation: recursive walk and a per-component license set.
function independent(...p: string[]): { count: number; licenses: Map<string, number> } {
  const doc = JSON.parse(readFileSync(fixturePath(...p), 'utf8')) as { components?: RawComponent[] };
  let count = 0;
  const licenses = new Map<string, number>();
  const walk = (cs: RawComponent[] = []): void => {
    for (const c of cs) {
      count++;
      const set = new Set((c.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name));
      for (const l of set) if (l) licenses.set(l, (licenses.get(l) ?? 0) + 1);
      walk(c.components);
    }
  };
  walk(doc.components);
  return { count, licenses };
}

const CERN = ['cyclonedx-bom-examples', 'SBOM/cern-lhc-vdm-editor-e564943/bom.json'];
const LARAVEL = ['cyclonedx-bom-examples', 'SBOM/laravel-7.12.0/bom.1.4.json'];
const PROTON = ['cyclonedx-bom-examples', 'SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json'];

describe('summarizeSbom: CycloneDX JSON fixtures', () => {
  it('cosign bom-go-mod.cyclonedx.json (1.4, empty)', () => {
    const s = summarizeSbom(bytesOf('cosign', 'test/testdata/bom-go-mod.cyclonedx.json'));
    expect(s).toEqual({
      format: 'cyclonedx',
      encoding: 'json',
      specVersion: '1.4',
      serialNumber: 'urn:uuid:9b0c2427-be94-439c-82e5-8928db124270',
      creators: [],
      packageCount: 0,
      licenses: [],
      packagesWithoutLicense: 0,
    });
    expect(SbomSummarySchema.parse(s)).toEqual(s);
  });

  it.each([
    [CERN, 43, '1.2', { name: 'lhc-vdm-editor', version: '0.0.1', purl: 'pkg:npm/lhc-vdm-editor@0.0.1' }, 'Tool: CycloneDX Node.js module 2.0.0'],
    [
      LARAVEL,
      62,
      '1.4',
      {
        name: 'cyclonedx-php-composer-demo',
        version: 'dev-master',
        purl: 'pkg:composer/cyclonedx/cyclonedx-php-composer-demo@dev-master',
      },
      'Tool: cyclonedx cyclonedx-php-composer in-dev',
    ],
    [
      PROTON,
      201,
      '1.2',
      {
        name: 'github.com/ProtonMail/proton-bridge',
        version: 'v1.8.0',
        purl: 'pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0',
      },
      'Tool: CycloneDX cyclonedx-gomod v0.6.1',
    ],
  ])('%j', (path, count, specVersion, topLevel, tool) => {
    const s = summarizeSbom(bytesOf(...path), { mediaType: 'application/vnd.cyclonedx+json' });
    const ind = independent(...path);
    expect(s.packageCount).toBe(count); // SOURCES.md
    expect(s.packageCount).toBe(ind.count);
    expect(s.specVersion).toBe(specVersion);
    expect(s.topLevel).toEqual(topLevel);
    expect(s.creators).toEqual([tool]);
    // Every fixture license is a plain id (or a name), so normalisation keeps the text.
    expect(new Map(s.licenses.map((l) => [l.expression, l.count]))).toEqual(ind.licenses);
    expect(SbomSummarySchema.parse(s)).toEqual(s);
  });

  it('cern: timestamp, serial number, license ranking, first component', () => {
    const s = summarizeSbom(bytesOf(...CERN), undefined, { includePackages: true });
    expect(s.serialNumber).toBe('urn:uuid:699b6458-60da-4f52-b1b3-34915dc01eb6');
    expect(s.createdAt).toBe('2020-08-03T01:28:52.765Z');
    expect(s.licenses).toEqual([
      { expression: 'MIT', count: 33, valid: true },
      { expression: 'ISC', count: 8, valid: true },
      { expression: 'Apache-2.0', count: 1, valid: true },
      { expression: 'BSD-2-Clause', count: 1, valid: true },
    ]);
    expect(s.packages?.[0]).toEqual({
      name: 'puppeteer',
      version: '1.19.0',
      purl: 'pkg:npm/puppeteer@1.19.0',
      licenses: ['Apache-2.0'],
    });
  });

  it('laravel: laravel/framework v7.30.6 is listed', () => {
    const s = summarizeSbom(bytesOf(...LARAVEL), undefined, { includePackages: true });
    expect(s.packages?.find((p) => p.name === 'framework')).toMatchObject({ version: 'v7.30.6', licenses: ['MIT'] });
    expect(s.serialNumber).toBeUndefined();
  });

  it('proton-bridge: a license name that is no SPDX id is kept as invalid', () => {
    const s = summarizeSbom(bytesOf(...PROTON), undefined, { includePackages: true });
    expect(s.licenses).toContainEqual({ expression: 'GooglePatentClause', count: 1, valid: false });
    expect(s.packages?.find((p) => p.name === 'github.com/BurntSushi/xgb')).toEqual({
      name: 'github.com/BurntSushi/xgb',
      version: 'v0.0.0-20160522181843-27f122750802',
      purl: 'pkg:golang/github.com/BurntSushi/xgb@v0.0.0-20160522181843-27f122750802',
      licenses: ['BSD-3-Clause', 'GooglePatentClause'],
    });
  });

  it('reports a hint that names another format, and still summarises the bytes', () => {
    const s = summarizeSbom(bytesOf(...CERN), { mediaType: 'application/spdx+json' });
    expect(s).toMatchObject({ format: 'cyclonedx', packageCount: 43, hintMismatch: true });
    expect(SbomSummarySchema.parse(s)).toEqual(s);
    expect(summarizeSbom(bytesOf(...CERN), { predicateType: 'https://cyclonedx.org/bom/v1.2' }).hintMismatch).toBeUndefined();
  });

  it('VEX document: a BOM without components', () => {
    const s = summarizeSbom(bytesOf('cyclonedx-bom-examples', 'VEX/vex.json'));
    expect(s).toMatchObject({ format: 'cyclonedx', specVersion: '1.4', packageCount: 0, creators: [] });
    expect(s.topLevel).toBeUndefined();
  });
});

describe('summarizeSbom: CycloneDX JSON shapes', () => {
  const bom = (body: object): Uint8Array =>
    enc.encode(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, ...body }));

  it('counts nested components and reads 1.5+ tools, authors, manufacturer, expressions', () => {
    const s = summarizeSbom(
      bom({
        metadata: {
          timestamp: '2024-01-01T00:00:00Z',
          tools: {
            components: [{ type: 'application', group: '@cyclonedx', name: 'cyclonedx-npm', version: '1.19.0' }],
            services: [{ provider: { name: 'Acme' }, name: 'sbom-service', version: '2' }],
          },
          authors: [{ name: 'Jane', email: 'jane@example.com' }],
          manufacturer: { name: 'Acme Inc' },
          component: { type: 'application', name: 'app', version: '1.0.0' },
        },
        components: [
          {
            type: 'library',
            name: 'a',
            licenses: [{ expression: '(mit OR Apache-2.0)' }],
            components: [
              { type: 'library', name: 'a1', components: [{ type: 'library', name: 'a1x', licenses: [{ license: { id: 'MIT' } }] }] },
            ],
          },
          { type: 'library', name: 'b', licenses: [{ license: { name: 'Custom EULA' } }] },
        ],
      }),
      undefined,
      { includePackages: true },
    );
    expect(s.packageCount).toBe(4);
    expect(s.packages?.map((p) => p.name)).toEqual(['a', 'a1', 'a1x', 'b']);
    expect(s.creators).toEqual([
      'Tool: @cyclonedx cyclonedx-npm 1.19.0',
      'Tool: Acme sbom-service 2',
      'Person: Jane (jane@example.com)',
      'Organization: Acme Inc',
    ]);
    expect(s.topLevel).toEqual({ name: 'app', version: '1.0.0' });
    expect(s.licenses).toEqual([
      { expression: 'Custom EULA', count: 1, valid: false },
      { expression: 'MIT', count: 1, valid: true },
      { expression: 'MIT OR Apache-2.0', count: 1, valid: true },
    ]);
    expect(s.packagesWithoutLicense).toBe(1);
  });

  it('survives components nested 100 000 deep', () => {
    const depth = 100_000;
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":${'[{"name":"x","components":'.repeat(depth)}[]${'}]'.repeat(depth)}}`;
    expect(summarizeSbom(enc.encode(text)).packageCount).toBe(depth);
  });

  it('refuses a component that is not an object, and a missing specVersion', () => {
    expect(() => summarizeSbom(bom({ components: [{ name: 'a', components: ['x'] }] }))).toThrow(
      expect.objectContaining({ code: 'INVALID' }),
    );
    expect(() => summarizeSbom(enc.encode('{"bomFormat":"CycloneDX"}'))).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
});
