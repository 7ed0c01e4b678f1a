import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attach, blob, pushImage, pushMultiPlatform, pushReferrer, pushTagged, type ArtifactDescriptor } from './artifacts.ts';

/** A target that records pushes and tags, and checks every digest and size against the bytes. */
function recorder() {
  const blobs = new Map<string, Uint8Array>();
  const tags = new Map<string, string>();
  return {
    blobs,
    tags,
    async push(d: ArtifactDescriptor, bytes: Uint8Array) {
      expect(d.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
      expect(d.size).toBe(bytes.byteLength);
      blobs.set(d.digest, bytes);
    },
    async tag(d: ArtifactDescriptor, tag: string) {
      tags.set(tag, d.digest);
    },
  };
}

const json = (t: ReturnType<typeof recorder>, d: ArtifactDescriptor) => JSON.parse(new TextDecoder().decode(t.blobs.get(d.digest)!));

describe('artifact builders', () => {
  it('blob digests its bytes; the same seed gives the same image', async () => {
    expect(blob('{}', 'x').desc.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    const t = recorder();
    const a = await pushImage(t, 's', 'v1');
    expect(await pushImage(recorder(), 's')).toEqual(a);
    expect(t.tags.get('v1')).toBe(a.digest);
    expect(json(t, a)).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar' }] });
  });

  it('an index names both platforms; referrers name their subject and carry what a listing shows', async () => {
    const t = recorder();
    const { index, children } = await pushMultiPlatform(t, 'm', 'v1');
    expect(json(t, index).manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    const r = await pushReferrer(t, children[0]!, 'application/vnd.example', { k: 'v' });
    expect(r).toMatchObject({ artifactType: 'application/vnd.example', annotations: { k: 'v', 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } });
    expect(json(t, r).subject.digest).toBe(children[0]!.digest);
    expect(t.blobs.has('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a')).toBe(true);
    const lie = await attach(t, children[0]!, { content: 'x', mediaType: 'text/plain' }, { subjectDigest: children[1]!.digest });
    expect(lie.artifactType).toBeUndefined();
    expect(json(t, lie).subject.digest).toBe(children[1]!.digest);
  });

  it('pushTagged tags a manifest of the given layers', async () => {
    const t = recorder();
    const d = await pushTagged(t, 'sha256-abc.att', [{ content: 'a', mediaType: 'text/plain', annotations: { n: '1' } }, { content: 'b', mediaType: 'text/plain' }]);
    expect(t.tags.get('sha256-abc.att')).toBe(d.digest);
    expect(json(t, d).layers.map((l: ArtifactDescriptor) => l.annotations)).toEqual([{ n: '1' }, undefined]);
  });
});
