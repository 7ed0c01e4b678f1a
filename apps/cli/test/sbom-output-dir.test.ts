import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, pushImage, type RunningRegistry } from '@ocx/testkit';
import { attachBundle, attachRaw, statement } from '../../../packages/sbom/test/helpers.ts';
import { sbomFileName } from '../src/commands/sbom-file-name.ts';
import { ocx } from './cli.ts';

// issue 8 §4: `ocx sbom -o DIR` on a directory writes the SBOM into it, named by digest and format,
// as `oras pull -o DIR` writes into a directory (no EISDIR).

const SPDX = '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","packages":[]}\n';
const CDX = '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}';

describe('ocx sbom -o DIR', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  let dir: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    client = new RegistryClient({});
    const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'sbom/dir' });
    const raw = await pushImage(repo, 'raw', 'raw');
    await attachRaw(repo, raw, 'application/spdx+json', SPDX, 'application/spdx+json');
    const att = await pushImage(repo, 'att', 'att');
    await attachBundle(repo, att, statement(att.digest, 'https://cyclonedx.org/bom', JSON.parse(CDX)), 'https://cyclonedx.org/bom');
    dir = await mkdtemp(join(tmpdir(), 'ocx-sbom-dir-'));
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes into an existing directory as sha256-<hex>.spdx.json', async () => {
    const out = join(dir, 'existing');
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    const r = await ocx(['sbom', `${server.host}/sbom/dir:raw`, '-o', out, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const name = `${digestOf(new TextEncoder().encode(SPDX)).replace(':', '-')}.spdx.json`;
    expect(await readdir(out)).toEqual([name]);
    expect(await readFile(join(out, name), 'utf8')).toBe(SPDX);
    expect(r.stdout).toContain(name);
  });

  it('creates a directory named with a trailing slash; an attestation predicate gets .cdx.json', async () => {
    const out = join(dir, 'new', 'sub');
    const r = await ocx(['sbom', `${server.host}/sbom/dir:att`, '--output', `${out}/`, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const [name] = await readdir(out);
    expect(name).toMatch(/^sha256-[0-9a-f]{64}\.cdx\.json$/);
    expect(JSON.parse(await readFile(join(out, name!), 'utf8'))).toEqual(JSON.parse(CDX));
  });

  it('still writes a plain file path as given', async () => {
    const file = join(dir, 'plain.json');
    const r = await ocx(['sbom', `${server.host}/sbom/dir:raw`, '-o', file, '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('names each format by its usual suffix', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(sbomFileName({ digest: d, mediaType: 'text/spdx', kind: 'spdx' })).toBe(`sha256-${'a'.repeat(64)}.spdx`);
    expect(sbomFileName({ digest: d, mediaType: 'application/vnd.cyclonedx+xml; version=1.5', kind: 'cyclonedx' })).toBe(`sha256-${'a'.repeat(64)}.cdx.xml`);
    expect(sbomFileName({ digest: d, mediaType: 'application/vnd.syft+json', kind: 'syft' })).toBe(`sha256-${'a'.repeat(64)}.syft.json`);
    expect(sbomFileName({ digest: d, mediaType: 'application/vnd.dev.cosign.artifact.sbom.v1+json', kind: 'unknown' })).toBe(`sha256-${'a'.repeat(64)}.sbom`);
  });
});
