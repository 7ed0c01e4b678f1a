import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { fixturePath } from '@ocx/testkit';
import { arbitraryBytes, fuzzParams, fuzzTimeout, mutatedBytes, mutatedJson, parsesOrTyped } from '@ocx/testkit/fuzz';
import { describe, expect } from 'vitest';
import { detectSbomFormat, extractPredicate, isSbomError, SBOM_MEDIA_TYPES, summarizeSbom } from '../src/index.ts';

// Property suite (issue 10 "Beyond the list"): SPDX (JSON, JSON-LD, tag-value), CycloneDX (JSON, XML),
// syft JSON and in-toto statements — detection, summary and predicate extraction give a value or throw
// SbomError, never another exception, never a hang, on mutated real documents and arbitrary bytes.

const enc = new TextEncoder();
const typed = (err: unknown) => isSbomError(err);

const JSON_FILES = [
  'spdx-examples/software/example11/spdx2.3/sbom.spdx.json',
  'spdx-examples/software/example11/spdx3.0/sbom.spdx3.json',
  'spdx-examples/software/example12/spdx2.2/hello-dist.spdx.json',
  'spdx-examples/software/example14/content/examplemaven-0.0.1.spdx.json',
  'cosign/test/testdata/bom-go-mod.cyclonedx.json',
  'cosign/test/testdata/bom-go-mod.spdx.json',
  'cyclonedx-bom-examples/VEX/vex.json',
  'cyclonedx-bom-examples/SBOM/cern-lhc-vdm-editor-e564943/bom.json',
];
// The largest real documents are mutated at the byte level only (a structural copy per case is slow).
const LARGE_FILES = ['cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json', 'cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json'];

// Tag-value and XML shapes as spdx/tools-golang and cyclonedx-maven-plugin write them (from the unit tests).
const TAG_VALUE = `## Document Information
SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: hello
DocumentNamespace: https://spdx.org/spdxdocs/hello-7c6a33ab
DocumentComment: <text>multi-line;
PackageName: not-a-package-this-is-inside-text
</text>
Creator: Tool: sigs.k8s.io/bom/pkg/spdx
Created: 2022-11-03T07:10:10Z

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-hello

PackageName: hello-server-src
SPDXID: SPDXRef-Package-hello
PackageVersion: 0.1.0
PackageDownloadLocation: NONE
PackageLicenseConcluded: Apache-2.0
PackageLicenseDeclared: (MIT OR Apache-2.0)
ExternalRef: PACKAGE-MANAGER purl pkg:cargo/hyper@0.14

FileName: hello-server
SPDXID: SPDXRef-File-hello-server
LicenseConcluded: Apache-2.0
`;
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2023-03-01T10:00:00Z</timestamp>
    <tools><tool><vendor>CycloneDX</vendor><name>cyclonedx-maven-plugin</name><version>2.7.5</version></tool></tools>
    <component type="application" bom-ref="app"><name>acme-app</name><version>1.0.0</version><purl>pkg:maven/com.acme/acme-app@1.0.0</purl></component>
  </metadata>
  <!-- <component><name>commented-out</name></component> -->
  <components>
    <component type="library" bom-ref="a">
      <group>org.example</group><name>alpha</name><version>1.2.3</version>
      <licenses><license><id>MIT</id></license><license><name>Custom &#x2F; Other</name></license></licenses>
      <purl>pkg:maven/org.example/alpha@1.2.3</purl>
      <components><component type="library"><name>inner</name><licenses><expression>(MIT OR Apache-2.0)</expression></licenses></component></components>
    </component>
    <component type="library"><name><![CDATA[beta <&> gamma]]></name><version>2</version></component>
  </components>
</bom>
`;
const SYFT = {
  artifacts: [
    { id: '1', name: 'musl', version: '1.2.5-r0', type: 'apk', purl: 'pkg:apk/alpine/musl@1.2.5-r0', licenses: [{ value: 'MIT', spdxExpression: 'MIT', type: 'declared' }] },
    { id: '2', name: 'busybox', version: '1.36.1-r29', type: 'apk', licenses: ['GPL-2.0-only'] },
  ],
  source: { id: 'sha256:abc', name: 'alpine', version: '3.20', type: 'image' },
  descriptor: { name: 'syft', version: '1.18.1' },
  schema: { version: '16.0.18', url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.18.json' },
};

const jsonDocs = JSON_FILES.map((f) => JSON.parse(readFileSync(fixturePath(f), 'utf8')) as unknown);
jsonDocs.push(SYFT);
const byteDocs = [...JSON_FILES, ...LARGE_FILES].map((f) => new Uint8Array(readFileSync(fixturePath(f))));
byteDocs.push(enc.encode(TAG_VALUE), enc.encode(XML), enc.encode(JSON.stringify(SYFT)));

const sbomInput = fc.oneof(
  { weight: 3, arbitrary: mutatedBytes(byteDocs) },
  { weight: 3, arbitrary: mutatedJson(jsonDocs).map((s) => enc.encode(s)) },
  { weight: 1, arbitrary: arbitraryBytes() },
  { weight: 1, arbitrary: fc.constantFrom('{', '<', 'SPDXVersion: SPDX-2.3\n', '\ufeff<bom xmlns="http://cyclonedx.org/schema/bom/1.5"').chain((p) => arbitraryBytes(256).map((b) => new Uint8Array([...enc.encode(p), ...b]))) },
);
const hint = fc.record({ mediaType: fc.option(fc.oneof(fc.constantFrom(...SBOM_MEDIA_TYPES), fc.string({ maxLength: 30 })), { nil: undefined }), predicateType: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }) });
const limits = fc.option(fc.record({ maxBytes: fc.integer({ min: 1, max: 1 << 20 }), maxPackages: fc.integer({ min: 0, max: 50 }) }), { nil: undefined });

describe('SBOM documents', () => {
  test.prop([sbomInput, hint], fuzzParams(400))(
    'detectSbomFormat returns a detection or throws SbomError',
    (bytes, h) => {
      const r = parsesOrTyped(() => detectSbomFormat(bytes, h), typed);
      if (r.value) expect(['spdx', 'cyclonedx', 'syft', 'unknown']).toContain(r.value.format);
    },
    fuzzTimeout(),
  );

  test.prop([sbomInput, hint, limits, fc.boolean()], fuzzParams(400))(
    'summarizeSbom returns a summary or throws SbomError',
    (bytes, h, l, includePackages) => {
      const r = parsesOrTyped(() => summarizeSbom(bytes, h, { includePackages, ...(l ? { limits: l } : {}) }), typed);
      // A summary is JSON output of the CLI: it must serialise.
      if (r.value) expect(() => JSON.stringify(r.value)).not.toThrow();
    },
    fuzzTimeout(),
  );
});

const STATEMENT = enc.encode(
  JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: 'b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9' } }], predicateType: 'https://spdx.dev/Document', predicate: jsonDocs[0] }),
);
const LEGACY = enc.encode(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ digest: { sha256: 'ab' } }], predicateType: 'https://cyclonedx.org/bom', predicate: { Data: TAG_VALUE, Timestamp: '2024-01-01T00:00:00Z' } }));

describe('in-toto statements carrying SBOMs', () => {
  const json = [STATEMENT, LEGACY].map((b) => JSON.parse(new TextDecoder().decode(b)) as unknown);
  test.prop([fc.oneof(mutatedBytes([STATEMENT, LEGACY]), mutatedJson(json).map((s) => enc.encode(s)), arbitraryBytes())], fuzzParams(400))(
    'extractPredicate returns the predicate or throws SbomError',
    (bytes) => {
      parsesOrTyped(() => extractPredicate(bytes), typed);
    },
    fuzzTimeout(),
  );
});
