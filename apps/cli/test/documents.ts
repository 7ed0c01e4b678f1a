// Small SBOM and provenance documents the CLI tests attach, attest and push.

export interface SpdxOptions {
  /** creationInfo.creators[0]; default 'Tool: ocx-test'. */
  readonly creator?: string;
  /** default https://example.com/<name> */
  readonly namespace?: string;
}

/** A minimal SPDX 2.3 JSON document (fixed creation time, so the bytes are the same on every run). */
export function spdxDocument(name: string, packages: readonly object[], opts: SpdxOptions = {}): object {
  return {
    spdxVersion: 'SPDX-2.3',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    dataLicense: 'CC0-1.0',
    documentNamespace: opts.namespace ?? `https://example.com/${name}`,
    creationInfo: { created: '2026-01-01T00:00:00Z', creators: [opts.creator ?? 'Tool: ocx-test'] },
    packages,
  };
}

/** A SLSA v1 provenance predicate with the fields cosign's slsaprovenance1 type requires. */
export const TEST_PROVENANCE = { buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} }, runDetails: { builder: { id: 'https://example.com/builder' } } };
