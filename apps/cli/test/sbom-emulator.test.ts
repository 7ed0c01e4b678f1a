import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { legacySbomTag } from '@ocx/sbom';
import { cannedFaults, createEmulator, pushImage, pushTagged, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { attachBundle, attachRaw, dsse, statement } from '../../../packages/sbom/test/helpers.ts';
import { ocx } from './cli.ts';
import { ocxBinary } from './sbom-helpers.ts';

// `ocx sbom` end to end against the emulator, with artifacts shaped like oras / cosign output (the
// peer tests in sbom-peers.test.ts use the real tools).

const SPDX = '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app\\u001b[31m","dataLicense":"CC0-1.0","documentNamespace":"https://x/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1.0.0","downloadLocation":"NOASSERTION","licenseConcluded":"MIT"}]}\n';
const CDX = '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"b","version":"2.0.0"},{"type":"library","name":"c","version":"3.0.0"}]}';

describe('ocx sbom on the emulator', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let client: RegistryClient;
  let repo: RemoteRepository;
  let subject: Descriptor;
  let dir: string;
  let host: string;
  let spdxLayer: string;
  let pubKey: string;
  beforeAll(async () => {
    emu = createEmulator();
    server = await emu.listen();
    host = server.host;
    client = new RegistryClient({});
    repo = new RemoteRepository(client, { host, registry: host, repository: 'cli/app' });
    dir = await mkdtemp(join(tmpdir(), 'ocx-sbom-cli-'));
    subject = await pushImage(repo, 'one', 'v1');
    await pushImage(repo, 'bare', 'bare');
    await attachRaw(repo, subject, 'application/spdx+json', SPDX, 'application/spdx+json');
    spdxLayer = digestOf(new TextEncoder().encode(SPDX));
    await attachBundle(repo, subject, statement(subject.digest, 'https://cyclonedx.org/bom', JSON.parse(CDX)), 'https://cyclonedx.org/bom');
    await pushTagged(repo, legacySbomTag(subject.digest, 'att')!, [
      { content: JSON.stringify(dsse(statement(subject.digest, 'https://spdx.dev/Document', JSON.parse(SPDX)))), mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { predicateType: 'https://spdx.dev/Document' } },
    ]);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    pubKey = join(dir, 'cosign.pub');
    await writeFile(pubKey, publicKey.export({ type: 'spki', format: 'pem' }));
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every source as JSON, unsigned and unchecked without trust flags', async () => {
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.subject).toBe(subject.digest);
    expect(doc.sboms.map((s: { source: string; format: string }) => `${s.source}/${s.format}`).sort()).toEqual(['bundle-attestation/cyclonedx', 'legacy-att/spdx', 'referrer/spdx']);
    for (const s of doc.sboms) expect(s.signed).toBe(false);
  });

  it('prints a sanitised text summary with package counts', async () => {
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--summary', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 SBOM(s)');
    expect(r.stdout).toContain('spdx 2.3 (json) "app\\u001b[31m": 1 packages');
    expect(r.stdout).toContain('cyclonedx 1.5 (json): 2 packages');
    expect(r.stdout).toContain('licenses: MIT (1)');
    expect(r.stdout).not.toContain('\u001b');
  });

  it('--output refuses to choose among several, listing them (exit 64)', async () => {
    const out = join(dir, 'several.json');
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--output', out, '--no-cache']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/3 SBOMs match: choose one with --digest/);
    expect(r.stdout).toContain(spdxLayer);
    expect(existsSync(out)).toBe(false);
  });

  it('--type and --digest select one; --output writes exactly the attached bytes', async () => {
    const out = join(dir, 'raw.json');
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--digest', spdxLayer, '--output', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(SPDX);
    const att = join(dir, 'att.json');
    const r2 = await ocx(['sbom', `${host}/cli/app:v1`, '--type', 'cyclonedx', '--output', att, '--no-cache']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(await readFile(att, 'utf8')).toBe(JSON.stringify(JSON.parse(CDX)));
  });

  it('--output - streams to stdout and puts the report on stderr; refuses a terminal', async () => {
    const r = await ocxBinary(['sbom', `${host}/cli/app:v1`, '--digest', spdxLayer, '--output', '-', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bytes.toString('utf8')).toBe(SPDX);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wrote');
    const tty = await ocxBinary(['sbom', `${host}/cli/app:v1`, '--digest', spdxLayer, '--output', '-', '--no-cache'], { tty: true });
    expect(tty.code).toBe(64);
    expect(tty.bytes.length).toBe(0);
  });

  it('nothing attached: exit 79; no match for --type: exit 79', async () => {
    expect((await ocx(['sbom', `${host}/cli/app:bare`, '--no-cache'])).code).toBe(79);
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--type', 'syft', '--format', 'json', '--no-cache']);
    expect(r.code).toBe(79);
  });

  it('--require-signed needs trust material (64), refuses unsigned SBOMs (79, unsigned as in verify) and writes nothing', async () => {
    expect((await ocx(['sbom', `${host}/cli/app:v1`, '--require-signed', '--no-cache'])).code).toBe(64);
    const out = join(dir, 'unsigned.json');
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--require-signed', '--key', pubKey, '--insecure-ignore-tlog', '--digest', spdxLayer, '--output', out, '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(79);
    expect(r.stderr).toMatch(/--require-signed/);
    const doc = JSON.parse(r.stdout);
    expect(doc.sboms).toHaveLength(1);
    expect(doc.sboms[0].signed).toBe(false);
    expect(doc.sboms[0].trust.checked).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it('a digest mismatch fails with 65 and leaves no file', async () => {
    emu.setFaults(cannedFaults.wrongDigest(/\/blobs\//));
    try {
      const out = join(dir, 'tampered.json');
      const r = await ocx(['sbom', `${host}/cli/app:v1`, '--digest', spdxLayer, '--output', out, '--no-cache']);
      expect(r.code).toBe(65);
      expect(existsSync(out)).toBe(false);
      expect((await readdir(dir)).filter((n) => n.includes('partial'))).toEqual([]);
    } finally {
      emu.setFaults(undefined);
    }
  });

  it('picks the platform manifest of an index (--platform)', async () => {
    const amd = await pushImage(repo, 'idx-amd64');
    const arm = await pushImage(repo, 'idx-arm64');
    const index = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    }));
    const idx = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digestOf(index), size: index.byteLength };
    await repo.push(idx, index);
    await repo.tag(idx, 'multi');
    await attachRaw(repo, arm, 'application/spdx+json', SPDX, 'application/spdx+json');
    const r = await ocx(['sbom', `${host}/cli/app:multi`, '--platform', 'linux/arm64', '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.subject).toBe(arm.digest);
    expect(doc.platform).toBe('linux/arm64');
    expect(doc.sboms).toHaveLength(1);
    expect((await ocx(['sbom', `${host}/cli/app:multi`, '--platform', 'linux/amd64', '--no-cache'])).code).toBe(79);
  });

  it('--max-bytes caps what is fetched', async () => {
    const r = await ocx(['sbom', `${host}/cli/app:v1`, '--digest', spdxLayer, '--output', join(dir, 'big.json'), '--max-bytes', '10', '--no-cache']);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/over the 10-byte cap/);
  });
});
