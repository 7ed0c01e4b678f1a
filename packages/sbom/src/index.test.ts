import { describe, expect, it } from 'vitest';
import * as sbom from './index.ts';

describe('@ocx/sbom public API', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(sbom).sort()).toEqual(
      [
        'ARTIFACT_TYPE_COSIGN_SBOM',
        'DEFAULT_SBOM_LIMITS',
        'LicenseCountSchema',
        'LicenseTally',
        'MAX_LICENSE_EXPRESSION_LENGTH',
        'MEDIA_TYPE_CYCLONEDX_JSON',
        'MEDIA_TYPE_CYCLONEDX_XML',
        'MEDIA_TYPE_SPDX_JSON',
        'MEDIA_TYPE_SPDX_JSON_TEXT',
        'MEDIA_TYPE_SPDX_TAG_VALUE',
        'MEDIA_TYPE_SYFT_JSON',
        'PREDICATE_TYPE_CYCLONEDX',
        'PREDICATE_TYPE_SPDX',
        'SBOM_ERROR_CODES',
        'SBOM_MEDIA_TYPES',
        'STATEMENT_TYPE_V01',
        'STATEMENT_TYPE_V1',
        'SbomError',
        'SbomPackageRefSchema',
        'SbomPackageSchema',
        'SbomSummarySchema',
        'detectSbomFormat',
        'extractPredicate',
        'isNoLicense',
        'isSbomError',
        'isSbomMediaType',
        'isSbomPredicateType',
        'normalizeLicenseExpression',
        'normalizeMediaType',
        'resolveSbomLimits',
        'sbomKindOf',
        'summarizeSbom',
        'findSboms',
        'legacySbomTag',
        'DEFAULT_MAX_SBOM_BYTES',
        'fetchSbomBytes',
        'openSbom',
        'DEFAULT_SBOM_FIND_LIMITS',
        'writeFileAtomic',
        'writeToStream',
      ].sort(),
    );
  });

  it('the summary schema converts to JSON Schema for the published CLI output', () => {
    const schema = sbom.SbomSummarySchema.toJSONSchema();
    expect(schema).toMatchObject({ type: 'object' });
    expect(Object.keys((schema as { properties: object }).properties)).toContain('packageCount');
  });

  it('summaries list their keys in one order whatever the format', () => {
    const enc = new TextEncoder();
    const order = ['format', 'encoding', 'specVersion', 'name', 'serialNumber', 'documentNamespace', 'creators', 'createdAt', 'packageCount', 'topLevel', 'licenses', 'packagesWithoutLicense', 'hintMismatch', 'packages'];
    const docs = [
      '{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:1","metadata":{"component":{"name":"a"},"timestamp":"t"}}',
      '{"packages":[],"creationInfo":{"created":"t","creators":["Tool: x"]},"name":"n","documentNamespace":"ns","spdxVersion":"SPDX-2.3"}',
    ];
    for (const d of docs) {
      const keys = Object.keys(sbom.summarizeSbom(enc.encode(d), { mediaType: 'text/spdx' }, { includePackages: true }));
      expect(keys).toEqual(order.filter((k) => keys.includes(k)));
    }
  });

  it('detects CycloneDX JSON from $schema alone', () => {
    const bytes = new TextEncoder().encode('{"$schema":"http://cyclonedx.org/schema/bom-1.5.schema.json","components":[]}');
    expect(sbom.detectSbomFormat(bytes)).toEqual({ format: 'cyclonedx', encoding: 'json', specVersion: '1.5' });
    expect(sbom.summarizeSbom(bytes).specVersion).toBe('1.5');
  });
});
