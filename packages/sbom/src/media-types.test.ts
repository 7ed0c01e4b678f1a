import { describe, expect, it } from 'vitest';
import { isSbomMediaType, isSbomPredicateType, sbomKindOf } from './media-types.ts';

describe('media types and predicate types', () => {
  it.each([
    ['application/spdx+json', 'spdx'],
    ['text/spdx', 'spdx'],
    ['text/spdx+json', 'spdx'],
    ['application/vnd.cyclonedx+json', 'cyclonedx'],
    ['Application/VND.CycloneDX+JSON; version=1.5', 'cyclonedx'],
    ['application/vnd.cyclonedx+xml', 'cyclonedx'],
    ['application/vnd.syft+json', 'syft'],
    ['application/vnd.dev.cosign.artifact.sbom.v1+json', 'unknown'],
    ['https://spdx.dev/Document', 'spdx'],
    ['https://spdx.dev/Document/v2.3', 'spdx'],
    ['https://cyclonedx.org/bom', 'cyclonedx'],
    ['https://cyclonedx.org/bom/v1.4', 'cyclonedx'],
  ])('%s → %s', (value, kind) => {
    expect(sbomKindOf(value)).toBe(kind);
  });

  it.each([
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.dev.cosign.artifact.sig.v1+json',
    'https://slsa.dev/provenance/v1',
    'https://spdx.dev/Documents',
    'http://cyclonedx.org/bom',
    'https://cyclonedx.org/bom/v1.4/extra',
  ])('%s is not an SBOM type', (value) => {
    expect(sbomKindOf(value)).toBeUndefined();
    expect(isSbomMediaType(value)).toBe(false);
    expect(isSbomPredicateType(value)).toBe(false);
  });

  it('keeps media types and predicate types apart', () => {
    expect(isSbomMediaType('text/spdx')).toBe(true);
    expect(isSbomPredicateType('text/spdx')).toBe(false);
    expect(isSbomPredicateType('https://spdx.dev/Document/v2.3')).toBe(true);
    expect(isSbomMediaType('https://spdx.dev/Document/v2.3')).toBe(false);
  });
});
