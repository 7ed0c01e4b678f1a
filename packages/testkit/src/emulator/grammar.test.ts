import { describe, expect, it } from 'vitest';
import { checkDigest, isValidName, isValidTag } from './digest.ts';
import { MT_DOCKER_MANIFEST, MT_OCI_INDEX, MT_OCI_MANIFEST, parseManifest } from './manifest.ts';

const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
const d = { mediaType: 'application/octet-stream', digest: `sha256:${'a'.repeat(64)}`, size: 1 };

describe('name, tag and digest grammars (distribution-spec "Pulling manifests")', () => {
  it.each(['a', 'library/ubuntu', 'a.b/c_d/e__f/g-h', 'a---b', `${'a'.repeat(255)}`])('accepts name %s', (n) => {
    expect(isValidName(n)).toBe(true);
  });
  it.each(['', 'A', 'a/', '/a', 'a//b', 'a_-b', 'a___b', '-a', `${'a'.repeat(256)}`])('rejects name %s', (n) => {
    expect(isValidName(n)).toBe(false);
  });
  it.each(['latest', 'v1.2.3', '_x', 'sha256-abc', 'A'.repeat(128)])('accepts tag %s', (t) => expect(isValidTag(t)).toBe(true));
  it.each(['', '.x', '-x', 'a:b', 'A'.repeat(129)])('rejects tag %s', (t) => expect(isValidTag(t)).toBe(false));
  it('separates bad syntax, unknown algorithms and bad encodings', () => {
    expect(checkDigest(`sha256:${'a'.repeat(64)}`)).toMatchObject({ ok: true, algorithm: 'sha256' });
    expect(checkDigest(`sha512:${'a'.repeat(128)}`)).toMatchObject({ ok: true, algorithm: 'sha512' });
    expect(checkDigest('sha256')).toEqual({ ok: false, reason: 'syntax' });
    expect(checkDigest(`md5:${'a'.repeat(32)}`)).toEqual({ ok: false, reason: 'unsupported' });
    expect(checkDigest(`sha256:${'A'.repeat(64)}`)).toEqual({ ok: false, reason: 'encoding' });
    expect(checkDigest('sha256:baddigeststring')).toEqual({ ok: false, reason: 'encoding' });
  });
});

describe('parseManifest', () => {
  it('reads image manifests (OCI and Docker) and indexes, with referrers fields', () => {
    const r = parseManifest(enc({ schemaVersion: 2, mediaType: MT_OCI_MANIFEST, artifactType: 'x/y', config: d, layers: [d], subject: d, annotations: { k: 'v' } }), MT_OCI_MANIFEST);
    expect(r).toMatchObject({ ok: true, manifest: { kind: 'image', artifactType: 'x/y', configMediaType: d.mediaType, subject: d, annotations: { k: 'v' } } });
    expect(parseManifest(enc({ schemaVersion: 2, mediaType: MT_DOCKER_MANIFEST, config: d, layers: [] }), undefined)).toMatchObject({ ok: true });
    expect(parseManifest(enc({ schemaVersion: 2, manifests: [d] }), MT_OCI_INDEX)).toMatchObject({ ok: true, manifest: { kind: 'index', mediaType: MT_OCI_INDEX } });
  });
  it.each([
    ['not an object', [1]],
    ['schemaVersion 1', { schemaVersion: 1, mediaType: MT_OCI_MANIFEST, config: d, layers: [] }],
    ['bad config digest', { schemaVersion: 2, mediaType: MT_OCI_MANIFEST, config: { ...d, digest: 'x' }, layers: [] }],
    ['negative size', { schemaVersion: 2, mediaType: MT_OCI_MANIFEST, config: { ...d, size: -1 }, layers: [] }],
    ['non-string annotation', { schemaVersion: 2, mediaType: MT_OCI_MANIFEST, config: d, layers: [], annotations: { a: 1 } }],
    ['index without manifests', { schemaVersion: 2, mediaType: MT_OCI_INDEX }],
    ['bad subject', { schemaVersion: 2, mediaType: MT_OCI_MANIFEST, config: d, layers: [], subject: 'x' }],
  ])('rejects %s', (_, doc) => {
    expect(parseManifest(enc(doc), undefined).ok).toBe(false);
  });
  it('needs a media type from the body or the Content-Type', () => {
    expect(parseManifest(enc({ schemaVersion: 2, config: d, layers: [] }), undefined)).toMatchObject({ ok: false });
    expect(parseManifest(enc({ schemaVersion: 2, config: d, layers: [] }), MT_OCI_MANIFEST)).toMatchObject({ ok: true });
  });
});
