import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifact, errorCode, harness, type Harness, MT_INDEX, MT_MANIFEST, pushBlob, pushManifest, seedImage, sha256, type Transport } from './test-helpers.ts';

interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }[];
}

describe.each<Transport>(['fetch', 'http'])('content discovery over %s', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(transport);
  });
  afterEach(() => h.close());
  const url = (p: string) => `${h.base}${p}`;

  describe('tags list', () => {
    beforeEach(async () => {
      const m = await seedImage(h, 'repo', 'b');
      for (const t of ['a', 'C', 'c', 'd']) {
        await h.fetch(url(`/v2/repo/manifests/${t}`), { method: 'PUT', headers: { 'content-type': MT_MANIFEST }, body: m.bytes });
      }
    });

    it('lists all tags in ASCIIbetical order', async () => {
      const res = await h.fetch(url('/v2/repo/tags/list'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: 'repo', tags: ['C', 'a', 'b', 'c', 'd'] });
      expect(res.headers.get('link')).toBeNull();
    });

    it('paginates with n and last, with a Link rel="next"', async () => {
      const first = await h.fetch(url('/v2/repo/tags/list?n=2'));
      expect(((await first.json()) as { tags: string[] }).tags).toEqual(['C', 'a']);
      expect(first.headers.get('link')).toBe('</v2/repo/tags/list?n=2&last=a>; rel="next"');
      const next = await h.fetch(url('/v2/repo/tags/list?n=2&last=a'));
      expect(((await next.json()) as { tags: string[] }).tags).toEqual(['b', 'c']);
      const last = await h.fetch(url('/v2/repo/tags/list?n=2&last=c'));
      expect(((await last.json()) as { tags: string[] }).tags).toEqual(['d']);
      expect(last.headers.get('link')).toBeNull();
      const onlyLast = await h.fetch(url('/v2/repo/tags/list?last=b'));
      expect(((await onlyLast.json()) as { tags: string[] }).tags).toEqual(['c', 'd']);
    });

    it('answers n=0 with an empty list and no Link; rejects a bad n', async () => {
      const zero = await h.fetch(url('/v2/repo/tags/list?n=0'));
      expect(((await zero.json()) as { tags: string[] }).tags).toEqual([]);
      expect(zero.headers.get('link')).toBeNull();
      const bad = await h.fetch(url('/v2/repo/tags/list?n=-1'));
      expect(bad.status).toBe(400);
      await bad.arrayBuffer();
    });

    it('pages by tagsPageSize when the client sends no n', async () => {
      h.emulator.configure({ tagsPageSize: 3 });
      const res = await h.fetch(url('/v2/repo/tags/list'));
      expect(((await res.json()) as { tags: string[] }).tags).toEqual(['C', 'a', 'b']);
      expect(res.headers.get('link')).toBe('</v2/repo/tags/list?n=3&last=b>; rel="next"');
    });

    it('answers 404 NAME_UNKNOWN for an unknown repository', async () => {
      const res = await h.fetch(url('/v2/nope/tags/list'));
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe('NAME_UNKNOWN');
    });
  });

  describe('referrers', () => {
    let subject: { digest: string; size: number };
    beforeEach(async () => {
      const m = await seedImage(h, 'repo', 'v1');
      subject = { digest: m.digest, size: m.size };
    });

    it('answers an empty index (200) for unknown subjects and unknown repositories', async () => {
      for (const repo of ['repo', 'never/pushed']) {
        const res = await h.fetch(url(`/v2/${repo}/referrers/${sha256('nothing')}`));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(MT_INDEX);
        expect(await res.json()).toEqual({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [] });
      }
    });

    it('answers 400 for an invalid digest', async () => {
      const res = await h.fetch(url('/v2/repo/referrers/sha256:short'));
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('DIGEST_INVALID');
    });

    it('lists referrers with artifactType (else config.mediaType) and every annotation; OCI-Subject on PUT', async () => {
      const sig = await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.sig', annotations: { a: '1', b: '2' } }));
      expect(sig.response.status).toBe(201);
      expect(sig.response.headers.get('oci-subject')).toBe(subject.digest);
      await pushBlob(h, 'repo', 'cfg');
      const legacy = await pushManifest(h, 'repo', undefined, {
        ...artifact({ subject }),
        config: { mediaType: 'application/vnd.example.config', digest: sha256('cfg'), size: 3 },
      });
      const idx = await pushManifest(h, 'repo', undefined, {
        schemaVersion: 2,
        mediaType: MT_INDEX,
        manifests: [],
        subject: { mediaType: MT_MANIFEST, ...subject },
        annotations: { kind: 'index' },
      });
      const res = await h.fetch(url(`/v2/repo/referrers/${subject.digest}`));
      const body = (await res.json()) as Index;
      const byDigest = new Map(body.manifests.map((d) => [d.digest, d]));
      expect(byDigest.get(sig.digest)).toEqual({
        mediaType: MT_MANIFEST,
        digest: sig.digest,
        size: sig.size,
        artifactType: 'application/vnd.example.sig',
        annotations: { a: '1', b: '2' },
      });
      expect(byDigest.get(legacy.digest)?.artifactType).toBe('application/vnd.example.config');
      expect(byDigest.get(idx.digest)).toEqual({ mediaType: MT_INDEX, digest: idx.digest, size: idx.size, annotations: { kind: 'index' } });
      expect(body.manifests).toHaveLength(3);
    });

    it('filters by artifactType and says so with OCI-Filters-Applied', async () => {
      await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.sig' }));
      await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.sbom' }));
      const res = await h.fetch(url(`/v2/repo/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`));
      expect(res.headers.get('oci-filters-applied')).toBe('artifactType');
      const body = (await res.json()) as Index;
      expect(body.manifests.map((d) => d.artifactType)).toEqual(['application/vnd.example.sbom']);
      const unfiltered = await h.fetch(url(`/v2/repo/referrers/${subject.digest}`));
      expect(unfiltered.headers.get('oci-filters-applied')).toBeNull();
      await unfiltered.arrayBuffer();
    });

    it('paginates with Link rel="next" at the configured page size, keeping the filter', async () => {
      h.emulator.setPageSize(2);
      const pushed = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const m = await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.sig', annotations: { i: String(i) } }));
        pushed.add(m.digest);
      }
      await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.other' }));
      const seen: string[] = [];
      let next: string | null = `/v2/repo/referrers/${subject.digest}?artifactType=application%2Fvnd.example.sig`;
      let pages = 0;
      while (next) {
        const res = await h.fetch(url(next));
        const body = (await res.json()) as Index;
        expect(body.manifests.length).toBeLessThanOrEqual(2);
        seen.push(...body.manifests.map((d) => d.digest));
        const link = res.headers.get('link');
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        pages++;
      }
      expect(pages).toBe(3);
      expect(new Set(seen)).toEqual(pushed);
    });

    it('drops a referrer once its manifest is deleted', async () => {
      const sig = await pushManifest(h, 'repo', undefined, artifact({ subject, artifactType: 'application/vnd.example.sig' }));
      await h.fetch(url(`/v2/repo/manifests/${sig.digest}`), { method: 'DELETE' });
      const body = (await (await h.fetch(url(`/v2/repo/referrers/${subject.digest}`))).json()) as Index;
      expect(body.manifests).toEqual([]);
    });
  });
});
