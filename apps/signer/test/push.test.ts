import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { encodeJson, isIndex, MEDIA_TYPE_OCI_INDEX, parseManifest, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, pushImage, type Emulator } from '@ocx/testkit';
import { isSignerError, loadSigningKey, packLayer, pushPackage, putPlatform } from '../src/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocx-push-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function headers(path: string): Promise<{ name: string; mode: number; uid: number; gid: number; mtime: number; type: string; linkname?: string | null }[]> {
  const out: { name: string; mode: number; uid: number; gid: number; mtime: number; type: string; linkname?: string | null }[] = [];
  const x = extract();
  x.on('entry', (h, stream, next) => {
    out.push({ name: h.name, mode: h.mode!, uid: h.uid!, gid: h.gid!, mtime: h.mtime!.getTime(), type: h.type!, linkname: h.linkname });
    stream.on('end', next);
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    x.on('finish', resolve);
    x.on('error', reject);
    createReadStream(path).pipe(createGunzip()).pipe(x);
  });
  return out;
}

async function tree(root: string, readme: string): Promise<void> {
  await mkdir(join(root, 'b/sub'), { recursive: true });
  await mkdir(join(root, 'a'), { recursive: true });
  await writeFile(join(root, 'b/sub/tool'), '#!/bin/sh\n');
  await chmod(join(root, 'b/sub/tool'), 0o700);
  await writeFile(join(root, 'README'), readme);
  await chmod(join(root, 'README'), 0o600);
  await writeFile(join(root, 'a-file'), 'x');
  await symlink('sub/tool', join(root, 'b/tool-link'));
}

describe('packLayer', () => {
  it('is reproducible: sorted depth-first, mtime fixed, owner 0:0, modes 0644/0755, whatever the file system says', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    await tree(one, 'hi');
    await tree(two, 'hi');
    await utimes(join(two, 'README'), new Date('2020-01-01'), new Date('2020-01-01'));
    const [a, b] = [await packLayer(one), await packLayer(two)];
    try {
      expect(a.digest).toBe(b.digest);
      expect(a.size).toBe(b.size);
      const h = await headers(a.path);
      expect(h.map((e) => e.name)).toEqual(['README', 'a/', 'a-file', 'b/', 'b/sub/', 'b/sub/tool', 'b/tool-link']);
      expect(h.map((e) => e.mode.toString(8))).toEqual(['644', '755', '644', '755', '755', '755', '777']);
      expect(h.every((e) => e.uid === 0 && e.gid === 0 && e.mtime === 0)).toBe(true);
      expect(h.find((e) => e.name === 'b/tool-link')).toMatchObject({ type: 'symlink', linkname: 'sub/tool' });
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
    const c = await packLayer(one, { mtime: new Date(1_700_000_000_000) });
    expect(c.digest).not.toBe(a.digest);
    await c.cleanup();
  });

  it('packs a single file under its own name; refuses links that leave the directory', async () => {
    await writeFile(join(dir, 'tool.bin'), 'bytes');
    const one = await packLayer(join(dir, 'tool.bin'));
    expect((await headers(one.path)).map((e) => e.name)).toEqual(['tool.bin']);
    await one.cleanup();
    await mkdir(join(dir, 'pkg'));
    await symlink('../../etc/passwd', join(dir, 'pkg', 'escape'));
    const err = await packLayer(join(dir, 'pkg')).catch((e: unknown) => e);
    expect(isSignerError(err, 'READ_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/outside the package/);
  });

  it('stops on its signal and leaves no temporary file (a refusal while packing)', async () => {
    await writeFile(join(dir, 'big.bin'), randomBytes(8 * 1024 * 1024));
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const abort = new AbortController();
    const packing = packLayer(join(dir, 'big.bin'), { tmpDir: tmp, signal: abort.signal });
    abort.abort();
    expect(isSignerError(await packing.catch((e: unknown) => e), 'READ_FAILED')).toBe(true);
    expect(await readdir(tmp)).toEqual([]);
  });
});

function setup(opts: { referrersApi?: boolean; etag?: boolean } = {}): { emu: Emulator; repo: RemoteRepository } {
  const emu = createEmulator(opts);
  const client = new RegistryClient({ fetch: emu.fetch as never });
  return { emu, repo: new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'tools/app' }) };
}

const key = () => loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
const now = new Date('2026-05-01T00:00:00Z');

describe('putPlatform', () => {
  for (const etag of [true, false]) {
    it(`concurrent pushes of different platforms all land in one index (${etag ? 'If-Match honoured' : 'If-Match ignored, read-back'})`, async () => {
      const { emu, repo } = setup({ etag, referrersApi: etag });
      const ifMatch: string[] = [];
      emu.setFaults((req) => {
        if (req.method === 'PUT' && req.url.endsWith('/manifests/1.0')) ifMatch.push(req.headers.get('if-match') ?? req.headers.get('if-none-match') ?? '-');
        return undefined;
      });
      const archs = ['amd64', 'arm64', 'riscv64', 's390x', 'ppc64le'];
      const images = await Promise.all(archs.map((a) => pushImage(repo, `img-${a}`)));
      await Promise.all(archs.map((a, i) => putPlatform(repo, '1.0', { ...images[i]!, platform: { os: 'linux', architecture: a }, artifactType: 'application/vnd.sh.ocx.package.v1' }, { sleep: async () => {} })));
      const root = await repo.resolve('1.0');
      const { manifest } = parseManifest(await repo.fetch(root), root.mediaType);
      if (!isIndex(manifest)) throw new Error('not an index');
      expect(manifest.manifests.map((d) => d.platform!.architecture).sort()).toEqual([...archs].sort());
      // The first write creates the tag (If-None-Match: *); later ones are conditional where ETags come.
      expect(ifMatch.every((h) => h === '*' || (etag ? h.startsWith('"sha256:') : h === '-'))).toBe(true);
      expect(ifMatch).toContain('*');
      if (etag) expect(ifMatch.some((h) => h.startsWith('"sha256:'))).toBe(true);
    });
  }

  it('refuses a tag that holds a single manifest or an index of something else', async () => {
    const { repo } = setup();
    const img = await pushImage(repo, 'plain', 'taken');
    const entry = { ...img, platform: { os: 'linux', architecture: 'amd64' }, artifactType: 'application/vnd.sh.ocx.package.v1' };
    const e1 = await putPlatform(repo, 'taken', entry).catch((e: unknown) => e);
    expect(isSignerError(e1, 'TAG_CONFLICT')).toBe(true);
    const foreign = encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [{ ...img, platform: { os: 'linux', architecture: 'arm64' } }] });
    const fd = { mediaType: MEDIA_TYPE_OCI_INDEX, digest: `sha256:${(await import('node:crypto')).createHash('sha256').update(foreign).digest('hex')}`, size: foreign.byteLength };
    await repo.push(fd, foreign);
    await repo.tag(fd, 'image');
    const e2 = await putPlatform(repo, 'image', entry).catch((e: unknown) => e);
    expect(isSignerError(e2, 'TAG_CONFLICT')).toBe(true);
  });
});

describe('pushPackage', () => {
  it('uploads a large layer in chunks, then skips it when the registry has it', async () => {
    const { emu, repo } = setup();
    await writeFile(join(dir, 'blob.bin'), randomBytes(300_000));
    const progress: number[] = [];
    const opts = { path: join(dir, 'blob.bin'), tag: '1.0', platform: { os: 'linux', architecture: 'amd64' }, name: 'app', version: '1.0', repositoryName: 'registry.test/tools/app', now, chunkBytes: 65_536, onProgress: (s: number) => progress.push(s) };
    const r = await pushPackage(repo, opts);
    expect(r.failed).toBeUndefined();
    expect(emu.log.filter((e) => e.method === 'PATCH').length).toBeGreaterThan(1);
    const layerSize = (await repo.fetch(r.manifest!).then((b) => JSON.parse(new TextDecoder().decode(b)) as { layers: { size: number }[] })).layers[0]!.size;
    expect(progress.at(-1)).toBe(layerSize);
    emu.clearLog();
    const again = await pushPackage(repo, opts);
    expect(again.written[0]).toMatchObject({ what: 'layer', skipped: true });
    expect(again.manifest!.digest).toBe(r.manifest!.digest);
    expect(emu.log.filter((e) => e.method === 'PATCH')).toHaveLength(0);
  });

  it("honours the registry's OCI-Chunk-Min-Length", async () => {
    const { emu, repo } = setup();
    emu.configure({ chunkMinLength: 200_000 });
    await writeFile(join(dir, 'blob.bin'), randomBytes(300_000));
    const r = await pushPackage(repo, { path: join(dir, 'blob.bin'), tag: '1.0', platform: { os: 'linux', architecture: 'amd64' }, name: 'app', version: '1.0', repositoryName: 'registry.test/tools/app', now, chunkBytes: 65_536 });
    expect(r.failed).toBeUndefined();
    expect(emu.log.filter((e) => e.method === 'PATCH')).toHaveLength(1);
  });

  it('pushes into an OCI layout: two platforms, one index', async () => {
    const { LayoutRepository } = await import('@ocx/oci');
    const layout = new LayoutRepository(join(dir, 'layout'), { create: true });
    await writeFile(join(dir, 'f'), 'x');
    const base = { path: join(dir, 'f'), tag: '1.0', name: 'app', version: '1.0', repositoryName: 'oci-layout:x', now };
    const a = await pushPackage(layout, { ...base, platform: { os: 'linux', architecture: 'amd64' } });
    const b = await pushPackage(layout, { ...base, platform: { os: 'linux', architecture: 'arm64' } });
    expect(a.failed ?? b.failed).toBeUndefined();
    const root = await layout.resolve('1.0');
    const { manifest } = parseManifest(await layout.fetch(root), root.mediaType);
    if (!isIndex(manifest)) throw new Error('not an index');
    expect(manifest.manifests.map((d) => [d.platform!.architecture, d.digest])).toEqual([
      ['amd64', a.manifest!.digest],
      ['arm64', b.manifest!.digest],
    ]);
  });

  it('a failing step leaves a report of every digest written and names the step', async () => {
    const { emu, repo } = setup();
    await writeFile(join(dir, 'f'), 'x');
    await writeFile(join(dir, 'sbom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }));
    let manifestPuts = 0;
    // The 5th manifest PUT (layer manifest, index, SBOM attestation, then the signature) is denied.
    emu.setFaults((req) => {
      if (req.method === 'PUT' && req.url.includes('/manifests/') && ++manifestPuts === 4) {
        return new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no' }] }), { status: 403, headers: { 'content-type': 'application/json' } });
      }
      return undefined;
    });
    const r = await pushPackage(repo, {
      path: join(dir, 'f'),
      tag: '1.0',
      platform: { os: 'linux', architecture: 'amd64' },
      name: 'app',
      version: '1.0',
      repositoryName: 'registry.test/tools/app',
      now,
      sbom: { bytes: new TextEncoder().encode(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] })), fileName: 'sbom.json' },
      sign: { kind: 'cosign', key: key() },
    });
    expect(r.failed?.step).toBe('sign');
    expect(r.written.map((w) => `${w.step}:${w.what}`)).toEqual(['push:layer', 'push:config', 'push:manifest', 'push:index', 'sbom:attestation']);
  });

  it('refuses before writing anything: --attest without a cosign key, an unsigned-only SBOM format with --sign', async () => {
    const { emu, repo } = setup();
    await writeFile(join(dir, 'f'), 'x');
    const base = { path: join(dir, 'f'), tag: '1.0', platform: { os: 'linux', architecture: 'amd64' }, name: 'app', version: '1.0', repositoryName: 'registry.test/tools/app', now };
    await expect(pushPackage(repo, { ...base, attest: [{ type: 'slsaprovenance1', predicate: new TextEncoder().encode('{}') }] })).rejects.toMatchObject({ code: 'REFUSED' });
    const xml = new TextEncoder().encode('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"></bom>');
    await expect(pushPackage(repo, { ...base, sbom: { bytes: xml, fileName: 'bom.xml' }, sign: { kind: 'cosign', key: key() } })).rejects.toMatchObject({ code: 'PREDICATE_INVALID' });
    expect(emu.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD')).toEqual([]);
  });
});
