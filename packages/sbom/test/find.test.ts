import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { cannedFaults, createEmulator, pushImage, pushTagged, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { fetchSbomBytes, findSboms, legacySbomTag, openSbom, writeFileAtomic, isSbomError } from '../src/index.ts';
import { attachBundle, attachRaw, dsse, statement } from './helpers.ts';

const SPDX = '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","dataLicense":"CC0-1.0","documentNamespace":"https://x/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1.0.0","downloadLocation":"NOASSERTION"}]}\n';
const CDX = '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"b","version":"2.0.0"}]}';

for (const referrersApi of [true, false]) {
  describe(`findSboms on the emulator (${referrersApi ? 'referrers API' : 'tag schema'})`, () => {
    let emu: Emulator;
    let server: RunningRegistry;
    let client: RegistryClient;
    let repo: RemoteRepository;
    let subject: Descriptor;
    let other: Descriptor;
    let dir: string;
    beforeAll(async () => {
      emu = createEmulator({ referrersApi });
      server = await emu.listen();
      client = new RegistryClient({});
      repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'sbom/app' });
      dir = await mkdtemp(join(tmpdir(), 'ocx-sbom-find-'));
      subject = await pushImage(repo, 'one', 'v1');
      other = await pushImage(repo, 'two', 'v2');
      await attachRaw(repo, subject, 'application/spdx+json', SPDX, 'application/spdx+json');
      await attachRaw(repo, subject, 'application/vnd.cyclonedx+json', CDX, 'application/vnd.oci.image.layer.v1.tar'); // typed by artifactType only
      await attachRaw(repo, subject, 'application/vnd.example.readme', 'not an sbom', 'text/plain');
      await attachRaw(repo, subject, undefined, CDX, 'application/vnd.cyclonedx+json'); // typed by layer only
      await attachRaw(repo, subject, 'application/vnd.cncf.notary.signature', 'sig', 'application/jose+json');
      await attachBundle(repo, subject, statement(subject.digest, 'https://spdx.dev/Document', JSON.parse(SPDX)), 'https://spdx.dev/Document');
      await attachBundle(repo, subject, statement(subject.digest, 'https://slsa.dev/provenance/v1', {}), 'https://slsa.dev/provenance/v1');
      // A bundle whose statement names another image: not this subject's SBOM.
      await attachBundle(repo, subject, statement(other.digest, 'https://cyclonedx.org/bom', JSON.parse(CDX)), 'https://cyclonedx.org/bom');
      await pushTagged(repo, legacySbomTag(subject.digest, 'att')!, [
        { content: JSON.stringify(dsse(statement(subject.digest, 'https://cyclonedx.org/bom/v1.5', JSON.parse(CDX)))), mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { predicateType: 'https://cyclonedx.org/bom/v1.5' } },
        { content: JSON.stringify(dsse(statement(subject.digest, 'https://slsa.dev/provenance/v1', {}))), mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { predicateType: 'https://slsa.dev/provenance/v1' } },
      ]);
      await pushTagged(repo, legacySbomTag(subject.digest, 'sbom')!, [{ content: 'SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n', mediaType: 'text/spdx' }]);
    });
    afterAll(async () => {
      await client?.close();
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('finds raw referrers, bundle and legacy attestations and the legacy .sbom tag, bound to the subject', async () => {
      const { findings, skipped } = await findSboms(repo, subject);
      const seen = findings.map((f) => `${f.source} ${f.kind} ${f.mediaType}`).sort();
      expect(seen).toEqual([
        'bundle-attestation spdx https://spdx.dev/Document',
        'legacy-att cyclonedx https://cyclonedx.org/bom/v1.5',
        'legacy-sbom-tag spdx text/spdx',
        'referrer cyclonedx application/vnd.cyclonedx+json',
        'referrer cyclonedx application/vnd.cyclonedx+json',
        'referrer spdx application/spdx+json',
      ]);
      for (const f of findings) {
        expect(f.subject).toBe(subject.digest);
        expect(f.authenticity).toBe('unproven');
      }
      expect(skipped.map((s) => s.reason).join('\n')).toMatch(/does not name the subject/);
      const att = findings.find((f) => f.source === 'legacy-att')!;
      expect(att.tag).toBe(legacySbomTag(subject.digest, 'att'));
      expect(JSON.parse(new TextDecoder().decode(att.document))).toEqual(JSON.parse(CDX));
      expect(att.digest).toBe(digestOf(att.document!));
      const raw = findings.find((f) => f.source === 'referrer' && f.kind === 'spdx')!;
      expect(raw.digest).toBe(raw.layer.digest);
      expect(raw.artifactType).toBe('application/spdx+json');
      expect(new TextDecoder().decode(await fetchSbomBytes(repo, raw))).toBe(SPDX);
    });

    it('finds nothing for an image without SBOMs', async () => {
      const r = await findSboms(repo, other);
      expect(r.findings).toEqual([]);
    });

    it('caps the manifests fetched per subject, SBOM-typed referrers first', async () => {
      const r = await findSboms(repo, subject, { limits: { maxManifests: 3 }, legacyTags: false });
      const capped = r.skipped.filter((s) => /over the cap of 3/.test(s.reason));
      expect(capped).toHaveLength(3);
      // The referrer typed only by its layer is fetched last, so the cap drops it.
      expect(r.findings.map((f) => [f.source, f.artifactType])).not.toContainEqual(["referrer", undefined]);
    });

    it('streams to a file atomically; a digest mismatch leaves no file', async () => {
      const { findings } = await findSboms(repo, subject);
      const raw = findings.find((f) => f.source === 'referrer' && f.kind === 'spdx')!;
      const target = join(dir, 'ok.json');
      const w = await writeFileAtomic(await openSbom(repo, raw), target);
      expect(w.bytes).toBe(SPDX.length);
      expect(await readFile(target, 'utf8')).toBe(SPDX);

      emu.setFaults(cannedFaults.wrongDigest(/\/blobs\//));
      try {
        const bad = join(dir, 'bad.json');
        await expect(writeFileAtomic(await openSbom(repo, raw), bad)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
        expect(existsSync(bad)).toBe(false);
        expect((await readdir(dir)).filter((n) => n.includes('partial'))).toEqual([]);
      } finally {
        emu.setFaults(undefined);
      }
    });

    it('refuses an SBOM larger than the cap before fetching it', async () => {
      const { findings } = await findSboms(repo, subject);
      const raw = findings.find((f) => f.source === 'referrer')!;
      const err = await openSbom(repo, raw, { maxBytes: 10 }).catch((e: unknown) => e);
      expect(isSbomError(err, 'TOO_LARGE')).toBe(true);
    });
  });
}

describe('findSboms with a listing that carries no annotations (tag-schema indexes written by cosign v3)', () => {
  it('classifies bundle referrers from their own manifest annotations', async () => {
    const emu = createEmulator();
    const server = await emu.listen();
    const client = new RegistryClient({});
    try {
      const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'bare/app' });
      const a = await pushImage(repo, 'a');
      await attachBundle(repo, a, statement(a.digest, 'https://spdx.dev/Document', JSON.parse(SPDX)), 'https://spdx.dev/Document');
      await attachBundle(repo, a, statement(a.digest, 'https://slsa.dev/provenance/v1', {}), 'https://slsa.dev/provenance/v1');
      const bare = {
        resolve: repo.resolve.bind(repo),
        fetch: repo.fetch.bind(repo),
        fetchStream: repo.fetchStream.bind(repo),
        async *referrers(subject: Descriptor) {
          for await (const page of repo.referrers(subject)) yield page.map(({ annotations: _drop, ...d }) => d);
        },
      };
      const r = await findSboms(bare, a, { legacyTags: false });
      expect(r.findings.map((f) => `${f.source} ${f.kind}`)).toEqual(['bundle-attestation spdx']);
      expect(r.skipped).toEqual([]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('findSboms against a hostile listing', () => {
  it('skips a referrer whose manifest names another subject', async () => {
    const emu = createEmulator();
    const server = await emu.listen();
    const client = new RegistryClient({});
    try {
      const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'h/app' });
      const a = await pushImage(repo, 'a');
      const b = await pushImage(repo, 'b');
      const ref = await attachRaw(repo, b, 'application/spdx+json', SPDX, 'application/spdx+json');
      // The listing for `a` claims b's SBOM.
      const lying = {
        resolve: repo.resolve.bind(repo),
        fetch: repo.fetch.bind(repo),
        fetchStream: repo.fetchStream.bind(repo),
        async *referrers() {
          yield [{ ...ref, artifactType: 'application/spdx+json' }];
        },
      };
      const r = await findSboms(lying, a, { legacyTags: false });
      expect(r.findings).toEqual([]);
      expect(r.skipped[0]?.reason).toMatch(/names subject/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
