import { describe, expect, it } from 'vitest';
import { summarizeSbom } from './summarize.ts';

const enc = new TextEncoder();

// Written for this test after the CycloneDX 1.4 / 1.6 XML schemas: nested components, both tool
// shapes, license id / name / expression, comments, CDATA and character references.
const BOM_14 = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2023-03-01T10:00:00Z</timestamp>
    <tools>
      <tool><vendor>CycloneDX</vendor><name>cyclonedx-maven-plugin</name><version>2.7.5</version></tool>
    </tools>
    <authors><author><name>Jane &amp; Co</name><email>jane@example.com</email></author></authors>
    <component type="application" bom-ref="app">
      <name>acme-app</name>
      <version>1.0.0</version>
      <purl>pkg:maven/com.acme/acme-app@1.0.0</purl>
      <licenses><license><id>Apache-2.0</id></license></licenses>
    </component>
  </metadata>
  <!-- <component><name>commented-out</name></component> -->
  <components>
    <component type="library" bom-ref="a">
      <group>org.example</group>
      <name>alpha</name>
      <version>1.2.3</version>
      <licenses>
        <license><id>MIT</id><url>https://spdx.org/licenses/MIT.html</url></license>
        <license><name>Custom &#x2F; Other</name></license>
      </licenses>
      <purl>pkg:maven/org.example/alpha@1.2.3</purl>
      <components>
        <component type="library"><name>alpha-inner</name><version>0.1</version>
          <licenses><expression>(MIT OR Apache-2.0)</expression></licenses>
        </component>
      </components>
    </component>
    <component type="library"><name><![CDATA[beta <&> gamma]]></name><version>2</version></component>
    <component type="library"/>
  </components>
  <dependencies><dependency ref="a"/></dependencies>
</bom>
`;

describe('summarizeSbom: CycloneDX XML', () => {
  it('summarises a 1.4 document', () => {
    const s = summarizeSbom(enc.encode(BOM_14), { mediaType: 'application/vnd.cyclonedx+xml' }, { includePackages: true });
    expect(s).toEqual({
      format: 'cyclonedx',
      encoding: 'xml',
      specVersion: '1.4',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      creators: ['Tool: CycloneDX cyclonedx-maven-plugin 2.7.5', 'Person: Jane & Co (jane@example.com)'],
      createdAt: '2023-03-01T10:00:00Z',
      packageCount: 4,
      topLevel: { name: 'acme-app', version: '1.0.0', purl: 'pkg:maven/com.acme/acme-app@1.0.0' },
      licenses: [
        { expression: 'Custom / Other', count: 1, valid: false },
        { expression: 'MIT', count: 1, valid: true },
        { expression: 'MIT OR Apache-2.0', count: 1, valid: true },
      ],
      packagesWithoutLicense: 2,
      packages: [
        { name: 'alpha', version: '1.2.3', purl: 'pkg:maven/org.example/alpha@1.2.3', licenses: ['MIT', 'Custom / Other'] },
        { name: 'alpha-inner', version: '0.1', licenses: ['MIT OR Apache-2.0'] },
        { name: 'beta <&> gamma', version: '2', licenses: [] },
        { name: '', licenses: [] },
      ],
    });
  });

  it('1.6 with a namespace prefix, tools as components and services, manufacturer', () => {
    const doc = `<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.6" version="1">
  <cdx:metadata>
    <cdx:tools>
      <cdx:components><cdx:component type="application"><cdx:group>@cyclonedx</cdx:group><cdx:name>cyclonedx-npm</cdx:name><cdx:version>1.19.0</cdx:version></cdx:component></cdx:components>
      <cdx:services><cdx:service><cdx:name>scanner</cdx:name></cdx:service></cdx:services>
    </cdx:tools>
    <cdx:manufacturer><cdx:name>Acme</cdx:name></cdx:manufacturer>
  </cdx:metadata>
  <cdx:components><cdx:component type="library"><cdx:name>x</cdx:name></cdx:component></cdx:components>
</cdx:bom>`;
    expect(summarizeSbom(enc.encode(doc))).toMatchObject({
      specVersion: '1.6',
      creators: ['Tool: @cyclonedx cyclonedx-npm 1.19.0', 'Tool: scanner', 'Organization: Acme'],
      packageCount: 1,
    });
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE bom [<!ENTITY x "y">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>'],
    ['an unclosed element', '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>'],
    ['a mismatched end tag', '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components></component></bom>'],
    ['an unterminated comment', '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><!-- '],
    ['a stray <', '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>< x</components></bom>'],
  ])('%s is a PARSE error', (_, doc) => {
    // A DOCTYPE before the root hides it from detection; inside, the scanner refuses it.
    const bytes = enc.encode(doc);
    let code: string | undefined;
    try {
      summarizeSbom(bytes);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(['PARSE', 'UNSUPPORTED_FORMAT']).toContain(code);
    if (!doc.startsWith('<!DOCTYPE')) expect(code).toBe('PARSE');
  });

  it('handles deep nesting without recursion', () => {
    const depth = 50_000;
    const doc = `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>${'<component><name>n</name><components>'.repeat(depth)}${'</components></component>'.repeat(depth)}</components></bom>`;
    expect(summarizeSbom(enc.encode(doc)).packageCount).toBe(depth);
  });
});
