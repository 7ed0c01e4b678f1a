import { describe, expect, it } from 'vitest';
import { summarizeSbom } from './summarize.ts';

const enc = new TextEncoder();
const SCHEMA = { version: '16.0.18', url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.18.json' };

describe('summarizeSbom: syft JSON', () => {
  it('current schema: license objects, source name/version', () => {
    const doc = {
      artifacts: [
        {
          id: '1',
          name: 'musl',
          version: '1.2.5-r0',
          type: 'apk',
          purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64',
          licenses: [{ value: 'MIT', spdxExpression: 'MIT', type: 'declared', urls: [], locations: [] }],
        },
        {
          id: '2',
          name: 'busybox',
          version: '1.36.1-r29',
          type: 'apk',
          licenses: [{ value: 'GPL-2.0-only', spdxExpression: '', type: 'declared' }],
        },
        { id: '3', name: 'ssl_client', version: '1.36.1-r29', type: 'apk', licenses: [] },
      ],
      artifactRelationships: [],
      source: { id: 'sha256:abc', name: 'alpine', version: '3.20', type: 'image', metadata: { userInput: 'alpine:3.20' } },
      distro: { prettyName: 'Alpine Linux v3.20', name: 'Alpine Linux', id: 'alpine' },
      descriptor: { name: 'syft', version: '1.18.1' },
      schema: SCHEMA,
    };
    const s = summarizeSbom(enc.encode(JSON.stringify(doc)), { mediaType: 'application/vnd.syft+json' }, { includePackages: true });
    expect(s).toEqual({
      format: 'syft',
      encoding: 'json',
      specVersion: '16.0.18',
      creators: ['Tool: syft-1.18.1'],
      packageCount: 3,
      topLevel: { name: 'alpine', version: '3.20' },
      licenses: [
        { expression: 'GPL-2.0-only', count: 1, valid: true },
        { expression: 'MIT', count: 1, valid: true },
      ],
      packagesWithoutLicense: 1,
      packages: [
        { name: 'musl', version: '1.2.5-r0', purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64', licenses: ['MIT'] },
        { name: 'busybox', version: '1.36.1-r29', licenses: ['GPL-2.0-only'] },
        { name: 'ssl_client', version: '1.36.1-r29', licenses: [] },
      ],
    });
  });

  it('old schema: string licenses, source.target', () => {
    const doc = {
      artifacts: [{ name: 'a', version: '1', licenses: ['Apache-2.0', 'BSD'] }],
      source: { type: 'directory', target: '/src' },
      descriptor: { name: 'syft', version: '0.40.0' },
      schema: { version: '3.2.1', url: 'https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-3.2.1.json' },
    };
    const s = summarizeSbom(enc.encode(JSON.stringify(doc)));
    expect(s).toMatchObject({ specVersion: '3.2.1', topLevel: { name: '/src' }, packageCount: 1 });
    expect(s.licenses).toEqual([
      { expression: 'Apache-2.0', count: 1, valid: true },
      { expression: 'BSD', count: 1, valid: false },
    ]);
  });

  it('a syft document without schema.version is INVALID', () => {
    const doc = { artifacts: [], descriptor: { name: 'syft' }, schema: { url: 'https://x/anchore/syft/schema.json' } };
    expect(() => summarizeSbom(enc.encode(JSON.stringify(doc)))).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });
});
