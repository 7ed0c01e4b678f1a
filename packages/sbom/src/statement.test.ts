import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { extractPredicate } from './statement.ts';
import { summarizeSbom } from './summarize.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const SUBJECT = [{ name: 'registry.example/app', digest: { sha256: 'a'.repeat(64) } }];
const statement = (predicateType: string, predicate: unknown, type = 'https://in-toto.io/Statement/v1'): Uint8Array =>
  enc.encode(JSON.stringify({ _type: type, subject: SUBJECT, predicateType, predicate }));

describe('extractPredicate', () => {
  it('reads the Statement inside a real cosign attestation bundle', () => {
    const bundle = JSON.parse(readFileSync(fixturePath('cosign', 'pkg/cosign/testdata/oci-attestation.sigstore.json'), 'utf8'));
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    const p = extractPredicate(payload);
    expect(p.statementType).toBe('https://in-toto.io/Statement/v0.1');
    expect(p.predicateType).toBe('https://cosign.sigstore.dev/attestation/v1');
    expect(p.subjects).toEqual([
      { name: '127.0.0.1:60943/repo', digest: { sha256: '732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4' } },
    ]);
    // cosign wrote the payload compactly, so the predicate's bytes are a slice of it.
    const text = payload.toString('utf8');
    const start = text.indexOf('"predicate":') + '"predicate":'.length;
    expect(dec.decode(p.predicateBytes)).toBe(text.slice(start, text.lastIndexOf('}')));
    // Not an SBOM predicate type: nothing is unwrapped.
    expect(p.documentBytes).toEqual(p.predicateBytes);
  });

  it('a CycloneDX attestation of cosign bom-go-mod.cyclonedx.json yields the same summary as the file', () => {
    const file = readFileSync(fixturePath('cosign', 'test/testdata/bom-go-mod.cyclonedx.json'));
    const p = extractPredicate(statement('https://cyclonedx.org/bom', JSON.parse(file.toString('utf8'))));
    expect(dec.decode(p.predicateBytes)).toBe(JSON.stringify(JSON.parse(file.toString('utf8'))));
    expect(summarizeSbom(p.documentBytes, { predicateType: p.predicateType })).toEqual(summarizeSbom(file));
  });

  it('an SPDX attestation of cosign bom-go-mod.spdx.json (Statement v0.1)', () => {
    const file = readFileSync(fixturePath('cosign', 'test/testdata/bom-go-mod.spdx.json'));
    const p = extractPredicate(
      statement('https://spdx.dev/Document', JSON.parse(file.toString('utf8')), 'https://in-toto.io/Statement/v0.1'),
    );
    // The fixture is already compact JSON.
    expect(dec.decode(p.predicateBytes)).toBe(file.toString('utf8').trim());
    expect(summarizeSbom(p.documentBytes).packageCount).toBe(0);
  });

  it('unwraps a tag-value SPDX predicate carried as a JSON string', () => {
    const tv = 'SPDXVersion: SPDX-2.3\nDocumentName: tv\nPackageName: a\n';
    const p = extractPredicate(statement('https://spdx.dev/Document', tv));
    expect(dec.decode(p.predicateBytes)).toBe(JSON.stringify(tv));
    expect(dec.decode(p.documentBytes)).toBe(tv);
    expect(summarizeSbom(p.documentBytes)).toMatchObject({ encoding: 'tag-value', name: 'tv', packageCount: 1 });
  });

  it('unwraps the old cosign {"Data": …} predicate for SBOM types only', () => {
    const spdx = { spdxVersion: 'SPDX-2.2', name: 'old', packages: [{ name: 'x' }] };
    const p = extractPredicate(statement('https://spdx.dev/Document', { Data: spdx }));
    expect(dec.decode(p.documentBytes)).toBe(JSON.stringify(spdx));
    expect(summarizeSbom(p.documentBytes)).toMatchObject({ name: 'old', packageCount: 1 });
    const custom = extractPredicate(statement('https://example.com/custom', { Data: spdx }));
    expect(custom.documentBytes).toEqual(custom.predicateBytes);
  });

  it.each([
    ['not JSON', enc.encode('nope')],
    ['a JSON array', enc.encode('[]')],
    ['an unknown _type', statement('https://spdx.dev/Document', {}, 'https://in-toto.io/Statement/v9')],
    ['no subject', enc.encode(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'x', predicate: {} }))],
    ['no predicate', enc.encode(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: SUBJECT, predicateType: 'x' }))],
    ['a null predicate', statement('https://spdx.dev/Document', null)],
    [
      'a predicate nested too deeply to re-serialise',
      enc.encode(
        `{"_type":"https://in-toto.io/Statement/v1","subject":${JSON.stringify(SUBJECT)},"predicateType":"x","predicate":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
      ),
    ],
  ])('refuses %s with INVALID_STATEMENT', (_, bytes) => {
    expect(() => extractPredicate(bytes)).toThrow(expect.objectContaining({ code: 'INVALID_STATEMENT' }));
  });

  it('refuses a statement above maxBytes with TOO_LARGE', () => {
    const bytes = statement('https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3' });
    expect(() => extractPredicate(bytes, { limits: { maxBytes: 10 } })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});
