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
      ].sort(),
    );
  });

  it('the summary schema converts to JSON Schema for the published CLI output', () => {
    const schema = sbom.SbomSummarySchema.toJSONSchema();
    expect(schema).toMatchObject({ type: 'object' });
    expect(Object.keys((schema as { properties: object }).properties)).toContain('packageCount');
  });

  it('detects CycloneDX JSON from $schema alone', () => {
    const bytes = new TextEncoder().encode('{"$schema":"http://cyclonedx.org/schema/bom-1.5.schema.json","components":[]}');
    expect(sbom.detectSbomFormat(bytes)).toEqual({ format: 'cyclonedx', encoding: 'json', specVersion: '1.5' });
    expect(sbom.summarizeSbom(bytes).specVersion).toBe('1.5');
  });
});
