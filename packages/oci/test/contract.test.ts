import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectReferrers, copy, fetchReferrer, LayoutRepository, parseManifest, type Descriptor } from '@ocx/oci';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendFactories, type Backend } from './backends.ts';
import { pushImage, pushMultiPlatform, pushReferrer } from '@ocx/testkit';

// One contract, every backend: emulator with and without the referrers API, docker-registry 2.8,
// distribution v3 and an OCI image layout behave the same through the role interfaces.

for (const factory of backendFactories) {
  describe.skipIf(!factory.available)(`contract: ${factory.name}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await factory.start();
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('pushes, tags, resolves and fetches with digest checks', async () => {
      const repo = backend.repo('contract/basic');
      const desc = await pushImage(repo, 'basic', 'v1');
      const resolved = await repo.resolve('v1');
      expect(resolved).toMatchObject({ digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
      const byDigest = await repo.resolve(desc.digest);
      expect(byDigest.digest).toBe(desc.digest);
      const { manifest } = parseManifest(await repo.fetch(resolved));
      expect('layers' in manifest && manifest.layers).toHaveLength(1);
      const layer = (manifest as { layers: Descriptor[] }).layers[0]!;
      expect(await repo.exists(layer)).toBe(true);
      expect(await repo.exists({ ...layer, digest: 'sha256:' + '0'.repeat(64) })).toBe(false);
      const chunks: Uint8Array[] = [];
      for await (const c of await repo.fetchStream(layer)) chunks.push(c);
      expect(Buffer.concat(chunks).toString()).toBe('layer basic');
    });

    it('lists referrers with artifactType and all annotations, filters by type, reports the mode', async () => {
      const repo = backend.repo('contract/referrers');
      const subject = await pushImage(repo, 'subject', 'v1');
      const a = await pushReferrer(repo, subject, 'application/vnd.example.sig', { 'com.example.k': 'v', 'com.example.other': 'x' });
      const b = await pushReferrer(repo, subject, 'application/vnd.example.sbom');
      const all = await collectReferrers(repo.referrers(subject));
      expect(all.map((d) => d.digest).sort()).toEqual([a.digest, b.digest].sort());
      const sig = all.find((d) => d.digest === a.digest)!;
      expect(sig.artifactType).toBe('application/vnd.example.sig');
      expect(sig.annotations).toMatchObject({ 'com.example.k': 'v', 'com.example.other': 'x', 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' });
      const filtered = await collectReferrers(repo.referrers(subject, { artifactType: 'application/vnd.example.sbom' }));
      expect(filtered.map((d) => d.digest)).toEqual([b.digest]);
      expect(repo.referrersMode).toBe(backend.mode);
      const fetched = await fetchReferrer(repo, sig, subject.digest);
      expect(fetched.manifest.subject?.digest).toBe(subject.digest);
    });

    it('lists nothing for a subject without referrers', async () => {
      const repo = backend.repo('contract/empty');
      const subject = await pushImage(repo, 'lonely', 'v1');
      expect(await collectReferrers(repo.referrers(subject))).toEqual([]);
    });

    it('copies an index with its platforms and referrers to a layout and back', async () => {
      const repo = backend.repo('contract/copy');
      const { index, children } = await pushMultiPlatform(repo, 'mp', 'v1');
      const onIndex = await pushReferrer(repo, index, 'application/vnd.example.sig');
      const onChild = await pushReferrer(repo, children[0]!, 'application/vnd.example.sbom');
      const onReferrer = await pushReferrer(repo, onChild, 'application/vnd.example.sig');
      const dir = await mkdtemp(join(tmpdir(), 'ocx-copy-'));
      try {
        const layout = new LayoutRepository(join(dir, 'lay'));
        const res = await copy(repo, layout, index, { tag: 'v1' });
        expect(res.referrers).toBe(3);
        expect((await layout.resolve('v1')).digest).toBe(index.digest);
        expect((await collectReferrers(layout.referrers(children[0]!))).map((d) => d.digest)).toEqual([onChild.digest]);
        expect((await collectReferrers(layout.referrers(onChild))).map((d) => d.digest)).toEqual([onReferrer.digest]);
        const back = backend.repo('contract/copy-back');
        await copy(layout, back, index, { tag: 'v2' });
        expect((await back.resolve('v2')).digest).toBe(index.digest);
        expect((await collectReferrers(back.referrers(index))).map((d) => d.digest)).toEqual([onIndex.digest]);
        expect((await collectReferrers(back.referrers(onChild))).map((d) => d.digest)).toEqual([onReferrer.digest]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
