import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { summarizeSbom } from './summarize.ts';

const enc = new TextEncoder();

// The content of spdx-examples example11 (SPDX 2.3 JSON fixture) written out in tag-value by hand,
// with a comment, a multi-line <text> value and a file section between packages.
const EXAMPLE11_TAG_VALUE = `## Document Information
SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: SBOM-SPDX-2d85f548-12fa-46d5-87ce-5e78e5e111f4
DocumentNamespace: https://spdx.org/spdxdocs/k8s-releng-bom-7c6a33ab-bd76-4b06-b291-a850e0815b07
DocumentComment: <text>written for a test;
PackageName: not-a-package-this-is-inside-text
</text>
Creator: Tool: sigs.k8s.io/bom/pkg/spdx
Creator: Organization: Unknown
Created: 2022-11-03T07:10:10Z

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-hello-server-src
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-File-hello-server

PackageName: hello-server-src
SPDXID: SPDXRef-Package-hello-server-src
PackageVersion: 0.1.0
PackageDownloadLocation: NONE
FilesAnalyzed: false
PackageLicenseConcluded: Apache-2.0
PackageLicenseDeclared: Apache-2.0
PackageCopyrightText: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x

FileName: hello-server
SPDXID: SPDXRef-File-hello-server
LicenseConcluded: Apache-2.0

PackageName: hyper
SPDXID: SPDXRef-Package-SPDXRef-Package-cargo-hyper-0.14
PackageVersion: 0.14
PackageDownloadLocation: https://github.com/rust-lang/crates.io-index
PackageLicenseConcluded: MIT
PackageLicenseDeclared: NOASSERTION
ExternalRef: PACKAGE_MANAGER purl pkg:cargo/hyper@0.14

PackageName: tokio
SPDXID: SPDXRef-Package-SPDXRef-Package-cargo-tokio-1
PackageVersion: 1.19.2
PackageLicenseConcluded: MIT
ExternalRef: PACKAGE-MANAGER purl pkg:cargo/tokio@1.19.2

PackageName: pretty_env_logger
SPDXID: SPDXRef-Package-SPDXRef-Package-cargo-pretty-env-logger-0.4.0
PackageVersion: 0.4.0
PackageLicenseConcluded: (MIT OR Apache-2.0)
ExternalRef: PACKAGE-MANAGER purl pkg:cargo/pretty_env_logger@0.4.0
`;

describe('summarizeSbom: SPDX tag-value', () => {
  it('summarises a tag-value document exactly like its JSON rendering', () => {
    const tv = summarizeSbom(enc.encode(EXAMPLE11_TAG_VALUE), { mediaType: 'text/spdx' }, { includePackages: true });
    const json = summarizeSbom(
      readFileSync(fixturePath('spdx-examples', 'software/example11/spdx2.3/sbom.spdx.json')),
      undefined,
      { includePackages: true },
    );
    expect(tv.encoding).toBe('tag-value');
    expect({ ...tv, encoding: 'json' }).toEqual(json);
    expect(tv.packageCount).toBe(EXAMPLE11_TAG_VALUE.match(/^PackageName:/gm)!.length - 1);
  });

  it('CRLF line endings, DESCRIBED_BY, a package without SPDXID', () => {
    const doc = [
      'SPDXVersion: SPDX-2.2',
      'DocumentName: crlf',
      'PackageName: lonely',
      'PackageName: main',
      'SPDXID: SPDXRef-main',
      'PackageVersion: 9',
      'PackageLicenseDeclared: LicenseRef-Custom',
      'Relationship: SPDXRef-main DESCRIBED_BY SPDXRef-DOCUMENT',
      '',
    ].join('\r\n');
    const s = summarizeSbom(enc.encode(doc));
    expect(s).toMatchObject({
      specVersion: '2.2',
      name: 'crlf',
      packageCount: 2,
      topLevel: { name: 'main', version: '9' },
      licenses: [{ expression: 'LicenseRef-Custom', count: 1, valid: true }],
      packagesWithoutLicense: 1,
    });
  });

  it('an unclosed <text> is a PARSE error', () => {
    expect(() => summarizeSbom(enc.encode('SPDXVersion: SPDX-2.3\nDocumentComment: <text>never closed\n'))).toThrow(
      expect.objectContaining({ code: 'PARSE' }),
    );
  });
});
