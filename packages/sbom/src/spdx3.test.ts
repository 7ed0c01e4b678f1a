import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { summarizeSbom } from './summarize.ts';
import { SbomSummarySchema } from './summary.ts';

const enc = new TextEncoder();
const SPDX3 = ['spdx-examples', 'software/example11/spdx3.0/sbom.spdx3.json'];
const SPDX23 = ['spdx-examples', 'software/example11/spdx2.3/sbom.spdx.json'];

describe('summarizeSbom: SPDX 3.0 JSON-LD', () => {
  it('example11 sbom.spdx3.json', () => {
    const text = readFileSync(fixturePath(...SPDX3), 'utf8');
    const s = summarizeSbom(new TextEncoder().encode(text), undefined, { includePackages: true });
    // Independent count: elements whose type is software_Package, by text search.
    expect(s.packageCount).toBe(text.match(/"type"\s*:\s*"software_Package"/g)?.length);
    expect(s).toMatchObject({
      format: 'spdx',
      encoding: 'json-ld',
      specVersion: '3.0.1',
      name: 'SBOM-SPDX-2d85f548-12fa-46d5-87ce-5e78e5e111f4',
      createdAt: '2022-11-03T07:10:10Z',
      packageCount: 4,
      topLevel: { name: 'hello-server-src', version: '0.1.0', purl: 'pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x' },
      packagesWithoutLicense: 0,
    });
    expect(s.creators).toEqual(['Organization: Unknown', 'Tool: sigs.k8s.io/bom/pkg/spdx']);
    expect(s.packages?.find((p) => p.name === 'pretty_env_logger')).toEqual({
      name: 'pretty_env_logger',
      version: '0.4.0',
      purl: 'pkg:cargo/pretty_env_logger@0.4.0',
      licenses: ['MIT OR Apache-2.0'],
    });
    expect(SbomSummarySchema.parse(s)).toEqual(s);
  });

  it('says the same as the SPDX 2.3 rendering of the same document', () => {
    const v3 = summarizeSbom(readFileSync(fixturePath(...SPDX3)), undefined, { includePackages: true });
    const v2 = summarizeSbom(readFileSync(fixturePath(...SPDX23)), undefined, { includePackages: true });
    expect(v3.packageCount).toBe(v2.packageCount);
    expect(v3.topLevel).toEqual(v2.topLevel);
    expect(v3.licenses).toEqual(v2.licenses);
    expect([...v3.creators].sort()).toEqual([...v2.creators].sort());
    const key = (p: { name: string; version?: string }): string => `${p.name}@${p.version}`;
    expect(v3.packages?.map(key).sort()).toEqual(v2.packages?.map(key).sort());
  });

  it('reads full-IRI types, inline creation info, expanded license sets and external identifiers', () => {
    const T = 'https://spdx.org/rdf/3.0.1/terms';
    const doc = {
      '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
      '@graph': [
        {
          type: 'SpdxDocument',
          spdxId: 'urn:doc',
          name: 'doc',
          rootElement: ['urn:sbom'],
          creationInfo: { type: 'CreationInfo', specVersion: '3.0.1', created: '2025-01-01T00:00:00Z', createdBy: ['urn:p'] },
        },
        { type: 'Person', spdxId: 'urn:p', name: 'Alice' },
        { type: 'software_Sbom', spdxId: 'urn:sbom', rootElement: ['urn:pkg-b'] },
        {
          type: `${T}/Software/Package`,
          spdxId: 'urn:pkg-a',
          name: 'a',
          externalIdentifier: [{ type: 'ExternalIdentifier', externalIdentifierType: 'packageUrl', identifier: 'pkg:npm/a@1' }],
        },
        { type: 'software_Package', spdxId: 'urn:pkg-b', name: 'b', software_packageVersion: '2' },
        { type: 'Relationship', spdxId: 'urn:r1', from: 'urn:pkg-a', relationshipType: 'hasConcludedLicense', to: ['urn:set'] },
        {
          type: 'expandedlicensing_DisjunctiveLicenseSet',
          spdxId: 'urn:set',
          expandedlicensing_member: ['https://spdx.org/licenses/MIT', 'urn:and'],
        },
        {
          type: 'expandedlicensing_ConjunctiveLicenseSet',
          spdxId: 'urn:and',
          expandedlicensing_member: ['https://spdx.org/licenses/ISC', 'urn:with'],
        },
        {
          type: 'expandedlicensing_WithAdditionOperator',
          spdxId: 'urn:with',
          expandedlicensing_subjectExtendableLicense: 'https://spdx.org/licenses/GPL-2.0-only',
          expandedlicensing_subjectAddition: 'https://spdx.org/licenses/Classpath-exception-2.0',
        },
        { type: 'Relationship', spdxId: 'urn:r2', from: 'urn:pkg-b', relationshipType: 'hasConcludedLicense', to: [`${T}/ExpandedLicensing/NoAssertionLicense`] },
        { type: 'Relationship', spdxId: 'urn:r3', from: 'urn:pkg-b', relationshipType: 'hasDeclaredLicense', to: ['urn:lic-b'] },
        { type: 'simplelicensing_LicenseExpression', spdxId: 'urn:lic-b', simplelicensing_licenseExpression: 'apache-2.0' },
      ],
    };
    const s = summarizeSbom(enc.encode(JSON.stringify(doc)), undefined, { includePackages: true });
    expect(s).toMatchObject({
      specVersion: '3.0.1',
      name: 'doc',
      creators: ['Person: Alice'],
      createdAt: '2025-01-01T00:00:00Z',
      packageCount: 2,
      topLevel: { name: 'b', version: '2' },
    });
    expect(s.packages).toEqual([
      { name: 'a', purl: 'pkg:npm/a@1', licenses: ['MIT OR ISC AND GPL-2.0-only WITH Classpath-exception-2.0'] },
      { name: 'b', version: '2', licenses: ['Apache-2.0'] },
    ]);
  });

  it('a JSON-LD document without @graph is INVALID', () => {
    const bytes = enc.encode(JSON.stringify({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld' }));
    expect(() => summarizeSbom(bytes)).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
});
