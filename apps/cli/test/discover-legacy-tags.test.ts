import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayoutRepository, type Descriptor, type RemoteRepository } from '@ocx/oci';
import { attach, blob, cannedFaults, createEmulator, peerOrSkip, pushImage, pushManifest, type TaggableTarget } from '@ocx/testkit';
import { ocx, ocxWithFetch } from './cli.ts';
import { COSIGN_HTTP, COSIGN_PEER_TARGETS, cosignPeerRig, freshPackage, keyFiles, repoAt, type KeyFiles } from './cosign-helpers.ts';

// Issue 8 §4: `ocx discover` shows cosign's legacy tags (sha256-<hex>.sig/.att/.sbom) of the
// subject as nodes marked tag-attached, in the tree and the JSON, as `cosign tree` shows them;
// probed with one request per tag, hostile answers failing the discovery rather than reading as
// "nothing attached".

interface Node {
  digest: string;
  artifactType?: string;
  kind?: { kind: string; format?: string; predicateType?: string };
  attachedBy?: string;
  tag?: string;
  referrers: Node[];
}

const host = 'registry.test';
const legacy = (d: Descriptor | string, suffix: string) => `${(typeof d === 'string' ? d : d.digest).replace(':', '-')}.${suffix}`;
const EMPTY_CONFIG = blob('{}', 'application/vnd.oci.empty.v1+json');

/** Legacy `.att` and `.sbom` tags for `subject`, as cosign v2 writes them (manifests found by tag only). */
async function pushLegacyAttAndSbom(repo: TaggableTarget, subject: Descriptor): Promise<{ att: Descriptor; sbom: Descriptor }> {
  await repo.push(EMPTY_CONFIG.desc, EMPTY_CONFIG.bytes);
  const envelope = blob(JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: '', signatures: [] }), 'application/vnd.dsse.envelope.v1+json');
  await repo.push(envelope.desc, envelope.bytes);
  const att = await pushManifest(repo, { config: EMPTY_CONFIG.desc, layers: [{ ...envelope.desc, annotations: { predicateType: 'https://slsa.dev/provenance/v1' } }] });
  await repo.tag(att, legacy(subject, 'att'));
  const spdx = blob('{"spdxVersion":"SPDX-2.3"}', 'text/spdx+json');
  await repo.push(spdx.desc, spdx.bytes);
  const sbom = await pushManifest(repo, { config: EMPTY_CONFIG.desc, layers: [spdx.desc] });
  await repo.tag(sbom, legacy(subject, 'sbom'));
  return { att, sbom };
}

describe('ocx discover: cosign legacy tags (emulator, testkit builders)', () => {
  const emu = createEmulator();
  let keys: KeyFiles;
  let repo: RemoteRepository;
  let subject: Descriptor;
  let tagged: { sig: Descriptor; att: Descriptor; sbom: Descriptor };
  let referrer: Descriptor;
  const at = (args: string[]) => ocxWithFetch(emu.fetch, args);

  beforeAll(async () => {
    keys = await keyFiles();
    ({ repo } = repoAt(host, 'legacy/app', emu.fetch as typeof fetch));
    subject = await pushImage(repo, 'legacy', 'v1');
    const s = await at(['package', 'sign', `${host}/legacy/app:v1`, '--key', keys.priv, '--tlog-upload=false', '--legacy-tag']);
    expect(s.code, s.stderr).toBe(0);
    const sig = await repo.resolve(legacy(subject, 'sig'));
    tagged = { sig, ...(await pushLegacyAttAndSbom(repo, subject)) };
    referrer = await attach(repo, subject, { content: '{"bomFormat":"CycloneDX"}', mediaType: 'application/vnd.cyclonedx+json' }, { artifactType: 'application/vnd.cyclonedx+json' });
    await pushImage(repo, 'bare', 'bare');
    return () => keys.cleanup();
  });

  it('JSON: each legacy tag is a node marked attachedBy "tag" with its tag name and kind, beside the referrers', async () => {
    emu.clearLog();
    const r = await at(['discover', `${host}/legacy/app:v1`, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Node;
    const byTag = Object.fromEntries(doc.referrers.filter((n) => n.attachedBy === 'tag').map((n) => [n.tag, n]));
    expect(byTag[legacy(subject, 'sig')]).toMatchObject({ digest: tagged.sig.digest, kind: { kind: 'cosign-signature', format: 'legacy' }, referrers: [] });
    expect(byTag[legacy(subject, 'att')]).toMatchObject({ digest: tagged.att.digest, kind: { kind: 'cosign-attestation', format: 'legacy', predicateType: 'https://slsa.dev/provenance/v1' } });
    expect(byTag[legacy(subject, 'sbom')]).toMatchObject({ digest: tagged.sbom.digest, kind: { kind: 'sbom', format: 'spdx' } });
    const listed = doc.referrers.find((n) => n.digest === referrer.digest);
    expect(listed).toMatchObject({ artifactType: 'application/vnd.cyclonedx+json', kind: { kind: 'sbom', format: 'cyclonedx' } });
    expect(listed?.attachedBy).toBeUndefined();
    // One request per legacy tag, no more.
    const probes = emu.log.filter((e) => e.path.includes(`/manifests/${subject.digest.replace(':', '-')}.`));
    expect(probes.map((e) => e.path.split('/').pop()).sort()).toEqual([legacy(subject, 'att'), legacy(subject, 'sbom'), legacy(subject, 'sig')]);
  });

  it('tree: the tag names the node, the kind is shown; an image without any shows "(no referrers)"', async () => {
    const r = await at(['discover', `${host}/legacy/app:v1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`tag ${legacy(subject, 'sig')}  [cosign signature (legacy)]`);
    expect(r.stdout).toContain(`tag ${legacy(subject, 'att')}  [cosign attestation https://slsa.dev/provenance/v1]`);
    expect(r.stdout).toContain(`tag ${legacy(subject, 'sbom')}  [SBOM (spdx)]`);
    expect(r.stdout).not.toContain('(no referrers)');
    const bare = await at(['discover', `${host}/legacy/app:bare`]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain('(no referrers)');
  });

  it('--artifact-type filters tags out (they carry no artifactType) and probes none', async () => {
    emu.clearLog();
    const r = await at(['discover', `${host}/legacy/app:v1`, '--format', 'json', '--artifact-type', 'application/vnd.cyclonedx+json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Node).referrers.map((n) => n.digest)).toEqual([referrer.digest]);
    expect(emu.log.filter((e) => e.path.includes('.sig')).length).toBe(0);
  });

  it('a tag answered with bytes that do not match their digest fails the discovery; a tag naming the subject itself is no node', async () => {
    emu.setFaults(cannedFaults.wrongDigest(/\.sig$/));
    try {
      const r = await at(['discover', `${host}/legacy/app:v1`, '--format', 'json']);
      expect(r.code).toBe(65);
      expect(r.stdout + r.stderr).not.toContain('(no referrers)');
    } finally {
      emu.setFaults(undefined);
    }
    const self = await pushImage(repo, 'self', 'self');
    await repo.tag(self, legacy(self, 'sig'));
    const r = await at(['discover', `${host}/legacy/app:self`, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Node).referrers).toEqual([]);
  });

  it('an OCI layout: the tags of its index.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-legacy-layout-'));
    try {
      const layout = new LayoutRepository(dir, { create: true });
      const img = await pushImage(layout, 'layout', 'v1');
      const { att } = await pushLegacyAttAndSbom(layout, img);
      const r = await at(['discover', `oci-layout:${dir}:v1`, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const nodes = (JSON.parse(r.stdout) as Node).referrers;
      expect(nodes.find((n) => n.tag === legacy(img, 'att'))).toMatchObject({ digest: att.digest, attachedBy: 'tag' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const cosign2 = peerOrSkip('cosign2');
const emulatorTarget = COSIGN_PEER_TARGETS[0]!;
describe.skipIf(!cosign2)('ocx discover shows what real cosign v2 attached by tag', () => {
  const rig = cosignPeerRig(emulatorTarget);
  const { ok: cosignOk, key, file } = rig;

  it('cosign sign, attest and attach sbom (legacy tags) → three tag-attached nodes', async () => {
    const { ref, digest } = await freshPackage(rig.host, 'cosign/legacy', 'legacy-peer');
    const predicate = file('predicate.json');
    await writeFile(predicate, '{"builder":"ocx-test"}');
    const sbom = file('sbom.spdx.json');
    await writeFile(sbom, '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app"}');
    await cosignOk('cosign2', ['sign', '--key', key(), '--tlog-upload=false', ...COSIGN_HTTP, '-y', ref]);
    await cosignOk('cosign2', ['attest', '--key', key(), '--tlog-upload=false', '--type', 'custom', '--predicate', predicate, ...COSIGN_HTTP, '-y', ref]);
    await cosignOk('cosign2', ['attach', 'sbom', '--sbom', sbom, '--type', 'spdx', ...COSIGN_HTTP, ref]);
    const r = await ocx(['discover', ref, '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const nodes = (JSON.parse(r.stdout) as Node).referrers.filter((n) => n.attachedBy === 'tag');
    const kinds = Object.fromEntries(nodes.map((n) => [n.tag, n.kind?.kind]));
    expect(kinds).toEqual({ [legacy(digest, 'sig')]: 'cosign-signature', [legacy(digest, 'att')]: 'cosign-attestation', [legacy(digest, 'sbom')]: 'sbom' });
  }, 120_000);
});
