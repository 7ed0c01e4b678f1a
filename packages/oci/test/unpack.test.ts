import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTree, rawHeader, tarOf, type TarEntry } from '@ocx/testkit';
import { isOciError, unpackLayers, type UnpackLayer } from '../src/index.ts';
import { zstdWindowSize } from '../src/unpack/decompress.ts';
import { lazyLayer, layerOf, sha256 } from './unpack-helpers.ts';

const TAR = 'application/vnd.oci.image.layer.v1.tar';
const TGZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
const TZST = 'application/vnd.oci.image.layer.v1.tar+zstd';
const TXZ = 'application/vnd.oci.image.layer.v1.tar+xz';

let work: string;
let dir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocx-unpack-'));
  dir = join(work, 'out');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const tarLayer = async (entries: TarEntry[], mediaType = TAR) => layerOf(await tarOf(entries), mediaType);

/** Lists `root` recursively: `path` for files, `path/` for directories, `path -> target` for links. */
const tree = (root: string) => listTree(root);

/** Expects an UNSAFE_ARCHIVE refusal (exit 65) and nothing at all left next to the target. */
async function expectRefused(layers: UnpackLayer[], message: RegExp, limits = {}): Promise<void> {
  const err = await unpackLayers(dir, layers, { limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOciError(err, 'UNSAFE_ARCHIVE'), String(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
  expect(await readdir(work)).toEqual([]);
}

function tool(name: string): boolean {
  return spawnSync(name, ['--version']).status === 0;
}

describe('unpackLayers', () => {
  it('unpacks tar and tar+gzip layers in order, files, directories, links and modes', async () => {
    const base = await tarLayer([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o4755 },
      { name: 'etc/conf', content: 'v1' },
      { name: 'etc/link', type: 'symlink', linkname: 'conf' },
      { name: 'etc/hard', type: 'link', linkname: 'etc/conf' },
    ]);
    const top = layerOf(gzipSync(await tarOf([{ name: './etc/conf', content: 'v2' }])), TGZ);
    const result = await unpackLayers(dir, [base, top]);
    expect(await tree(dir)).toEqual(['bin/', 'bin/tool', 'etc/', 'etc/conf', 'etc/hard', 'etc/link -> conf']);
    expect(await readFile(join(dir, 'etc/conf'), 'utf8')).toBe('v2');
    // The hardlink keeps the content it linked to; the later layer replaced the name, not the inode.
    expect(await readFile(join(dir, 'etc/hard'), 'utf8')).toBe('v1');
    // setuid/setgid bits are dropped.
    expect((await lstat(join(dir, 'bin/tool'))).mode & 0o7777).toBe(0o755);
    expect(result.layers.map((l) => l.as.kind)).toEqual(['tar', 'tar']);
    expect(result.entries).toBe(6);
  });

  it.skipIf(!tool('zstd'))('unpacks tar+zstd (fzstd)', async () => {
    const tar = await tarOf([{ name: 'z/file', content: 'zstd content '.repeat(10_000) }]);
    const z = spawnSync('zstd', ['-c', '-q'], { input: tar });
    await unpackLayers(dir, [layerOf(z.stdout, TZST)]);
    expect(await readFile(join(dir, 'z/file'), 'utf8')).toBe('zstd content '.repeat(10_000));
  });

  it.skipIf(!tool('xz'))('unpacks tar+xz (xz-decompress)', async () => {
    const tar = await tarOf([{ name: 'x/file', content: 'xz content '.repeat(10_000) }]);
    const x = spawnSync('xz', ['-c', '-q'], { input: tar });
    await unpackLayers(dir, [layerOf(x.stdout, TXZ)]);
    expect(await readFile(join(dir, 'x/file'), 'utf8')).toBe('xz content '.repeat(10_000));
  });

  it('refuses a zstd frame asking for a window over 128 MiB before allocating it', async () => {
    // Frame header: magic, descriptor 0 (window descriptor follows), window log 31 (2 GiB).
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (31 - 10) << 3, ...new Array(20).fill(0)]);
    expect(zstdWindowSize(frame)).toBe(2 ** 31);
    await expectRefused([layerOf(frame, TZST)], /window/);
  });

  it('honours whiteouts and opaque whiteouts from lower layers only', async () => {
    const lower = await tarLayer([
      { name: 'a/x', content: 'x' },
      { name: 'a/y', content: 'y' },
      { name: 'b/z', content: 'z' },
      { name: 'c/old', content: 'old' },
      { name: 'c/sub/deep', content: 'deep' },
    ]);
    const upper = await tarLayer([
      { name: 'c/new', content: 'new' },
      { name: 'a/.wh.x', content: '' },
      { name: '.wh.b', content: '' },
      { name: 'c/.wh..wh..opq', content: '' },
      { name: 'd/kept', content: 'kept' },
      // A whiteout never hides what its own layer put there.
      { name: 'd/.wh.kept', content: '' },
      { name: '.wh..wh.plnk', type: 'directory' },
    ]);
    await unpackLayers(dir, [lower, upper]);
    expect(await tree(dir)).toEqual(['a/', 'a/y', 'c/', 'c/new', 'd/', 'd/kept']);
  });

  it('writes a non-tar layer as a file named by its title, else by its digest', async () => {
    const readme = layerOf(Buffer.from('hello'), 'text/markdown', { 'org.opencontainers.image.title': 'README.md' });
    const sneaky = layerOf(Buffer.from('nope'), 'application/octet-stream', { 'org.opencontainers.image.title': '../../etc/passwd' });
    const bare = layerOf(Buffer.from('bare'), 'application/octet-stream');
    const warnings: string[] = [];
    const result = await unpackLayers(dir, [readme, sneaky, bare], { onWarning: (w) => warnings.push(w) });
    const sneakyName = sneaky.descriptor.digest.replace(':', '-');
    const bareName = bare.descriptor.digest.replace(':', '-');
    expect(await tree(dir)).toEqual(['README.md', bareName, sneakyName].sort());
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('hello');
    expect(result.layers.map((l) => l.as)).toEqual([{ kind: 'file', name: 'README.md' }, { kind: 'file', name: sneakyName }, { kind: 'file', name: bareName }]);
    expect(warnings.join('\n')).toMatch(/not a safe relative file name/);
  });

  // What `oras push ref file dir` writes (oras-go content/file): files as titled `…layer.v1.tar`
  // blobs, directories as titled tar+gzip with io.deis.oras.content.unpack=true.
  it('writes a titled layer as its file whatever its media type, a nested title into subdirectories', async () => {
    const plain = layerOf(Buffer.from('not a tarball'), TAR, { 'org.opencontainers.image.title': 'notes.txt' });
    const nested = layerOf(Buffer.from('deep'), TAR, { 'org.opencontainers.image.title': './sub//file.txt' });
    const result = await unpackLayers(dir, [plain, nested]);
    expect(await tree(dir)).toEqual(['notes.txt', 'sub/', 'sub/file.txt']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('not a tarball');
    expect(await readFile(join(dir, 'sub/file.txt'), 'utf8')).toBe('deep');
    expect(result.layers.map((l) => l.as)).toEqual([{ kind: 'file', name: 'notes.txt' }, { kind: 'file', name: 'sub/file.txt' }]);
  });

  it('unpacks a titled directory layer (unpack=true) under its title and checks its tarball digest', async () => {
    const tar = await tarOf([
      { name: 'dir', type: 'directory', mode: 0o755 },
      { name: 'dir/a.txt', content: 'a' },
      { name: 'dir/inner/b.txt', content: 'b' },
      { name: 'dir/link', type: 'symlink', linkname: 'a.txt' },
    ]);
    const annotations = { 'org.opencontainers.image.title': 'dir', 'io.deis.oras.content.unpack': 'true', 'io.deis.oras.content.digest': sha256(tar) };
    const result = await unpackLayers(dir, [layerOf(gzipSync(tar), TGZ, annotations)]);
    expect(await tree(dir)).toEqual(['dir/', 'dir/a.txt', 'dir/inner/', 'dir/inner/b.txt', 'dir/link -> a.txt']);
    expect(result.layers[0]!.as).toEqual({ kind: 'tar', dir: 'dir' });
    // oras gunzips a directory layer whatever media type it was pushed with.
    await rm(dir, { recursive: true });
    await unpackLayers(dir, [layerOf(gzipSync(tar), 'application/vnd.example.dir', annotations)]);
    expect(await tree(dir)).toContain('dir/inner/b.txt');
  });

  it('refuses a directory layer with an entry outside its title, an unsafe title or a wrong tarball digest', async () => {
    const unpack = { 'io.deis.oras.content.unpack': 'true' };
    const outside = await tarOf([{ name: 'dir/a', content: 'a' }, { name: 'other/b', content: 'b' }]);
    await expectRefused([layerOf(gzipSync(outside), TGZ, { 'org.opencontainers.image.title': 'dir', ...unpack })], /"other\/b" lies outside "dir"/);
    await expectRefused([layerOf(gzipSync(outside), TGZ, { 'org.opencontainers.image.title': '../dir', ...unpack })], /not a safe relative path/);
    const ok = await tarOf([{ name: 'dir/a', content: 'a' }]);
    const err = await unpackLayers(dir, [layerOf(gzipSync(ok), TGZ, { 'org.opencontainers.image.title': 'dir', ...unpack, 'io.deis.oras.content.digest': sha256(Buffer.from('other')) })]).catch((e: unknown) => e);
    expect(isOciError(err, 'DIGEST_MISMATCH'), String(err)).toBe(true);
    expect(await readdir(work)).toEqual([]);
  });

  it('accepts an empty existing directory and refuses a non-empty one', async () => {
    await mkdir(dir);
    await unpackLayers(dir, [await tarLayer([{ name: 'f', content: '1' }])]);
    expect(await tree(dir)).toEqual(['f']);
    const err = await unpackLayers(dir, [await tarLayer([{ name: 'g', content: '2' }])]).catch((e: unknown) => e);
    expect(isOciError(err, 'IO')).toBe(true);
    expect(await tree(dir)).toEqual(['f']);
  });

  it('leaves nothing behind when aborted mid-layer (Ctrl-C)', async () => {
    const controller = new AbortController();
    const tar = await tarOf([{ name: 'big', content: Buffer.alloc(512 * 1024) }]);
    const slow = async function* (): AsyncGenerator<Uint8Array> {
      yield tar.subarray(0, 64 * 1024);
      controller.abort();
      await new Promise((r) => setTimeout(r, 10));
      yield tar.subarray(64 * 1024);
    };
    const err = await unpackLayers(dir, [lazyLayer(TAR, slow)], { signal: controller.signal }).catch((e: unknown) => e);
    expect(isOciError(err, 'ABORTED'), String(err)).toBe(true);
    expect(await readdir(work)).toEqual([]);
  });

  it('leaves nothing behind when a layer fails its digest', async () => {
    const good = await tarOf([{ name: 'f', content: 'good' }]);
    const bad = layerOf(good, TAR, undefined, `sha256:${'1'.repeat(64)}`);
    const err = await unpackLayers(dir, [await tarLayer([{ name: 'e', content: '1' }]), bad]).catch((e: unknown) => e);
    expect(isOciError(err, 'DIGEST_MISMATCH'), String(err)).toBe(true);
    expect(await readdir(work)).toEqual([]);
  });
});

describe('unpackLayers refuses hostile archives, leaving nothing behind', () => {
  it('path traversal', async () => {
    await expectRefused([await tarLayer([{ name: 'ok', content: '1' }, { name: 'a/../../evil', content: 'x' }])], /climbs out/);
    expect(existsSync(join(work, '..', 'evil'))).toBe(false);
  });

  it('absolute path', async () => {
    await expectRefused([await tarLayer([{ name: '/tmp/ocx-evil', content: 'x' }])], /absolute path/);
  });

  it('symlink escaping the root, relative or absolute', async () => {
    await expectRefused([await tarLayer([{ name: 'a/l', type: 'symlink', linkname: '../../etc' }])], /outside the target/);
    await expectRefused([await tarLayer([{ name: 'l', type: 'symlink', linkname: '/etc/passwd' }])], /absolute path/);
  });

  it('a symlink that escapes only when resolved through another symlink', async () => {
    // p/q/a -> x/../.. is lexically p/q/x/../.. = p (inside); but x -> ../.. is the root, so the
    // kernel resolves a to the root's grandparent.
    const chain = await tarLayer([
      { name: 'p/q/x', type: 'symlink', linkname: '../..' },
      { name: 'p/q/a', type: 'symlink', linkname: 'x/../..' },
    ]);
    await expectRefused([chain], /"p\/q\/a" resolves outside the target directory/);
    // The same, with x turned into a symlink by a later layer.
    const early = await tarLayer([
      { name: 'p/q/x/', type: 'directory' },
      { name: 'p/q/a', type: 'symlink', linkname: 'x/../..' },
    ]);
    const late = await tarLayer([{ name: 'p/q/x', type: 'symlink', linkname: '../..' }]);
    await expectRefused([early, late], /resolves outside/);
    // Links that stay inside, through other links, are fine.
    await unpackLayers(dir, [await tarLayer([
      { name: 'usr/lib/libc.so', content: 'c' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'usr/bin/libc', type: 'symlink', linkname: '../../lib/libc.so' },
      { name: 'loop', type: 'symlink', linkname: 'loop' },
    ])]);
    expect(await readFile(join(dir, 'usr/bin/libc'), 'utf8')).toBe('c');
  });

  it('writing through a symlink an earlier entry or layer planted', async () => {
    const plant = await tarLayer([
      { name: 'real/', type: 'directory' },
      { name: 'via', type: 'symlink', linkname: 'real' },
    ]);
    await expectRefused([plant, await tarLayer([{ name: 'via/file', content: 'x' }])], /through "via", which is a symlink/);
    await expectRefused([await tarLayer([{ name: 'via', type: 'symlink', linkname: '.' }, { name: 'via/x', content: 'x' }])], /symlink/);
  });

  it('hardlink escaping the root, or to a symlink', async () => {
    await expectRefused([await tarLayer([{ name: 'h', type: 'link', linkname: '../../etc/passwd' }])], /climbs out/);
    await expectRefused([await tarLayer([{ name: 'h', type: 'link', linkname: '/etc/passwd' }])], /absolute path/);
    await expectRefused([await tarLayer([{ name: 's', type: 'symlink', linkname: 'nowhere' }, { name: 'h', type: 'link', linkname: 's' }])], /not a regular file/);
  });

  it('device nodes and fifos', async () => {
    await expectRefused([await tarLayer([{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }])], /device node/);
    await expectRefused([await tarLayer([{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }])], /device node/);
    await expectRefused([await tarLayer([{ name: 'pipe', type: 'fifo' }])], /fifo/);
  });

  it('10^6 tiny entries: refused at the entry cap, read lazily', async () => {
    let produced = 0;
    const million = async function* (): AsyncGenerator<Uint8Array> {
      const empty = Buffer.alloc(0);
      for (; produced < 1_000_000; produced++) yield Buffer.concat([rawHeader(`f${produced}`, 0), empty]);
    };
    await expectRefused([lazyLayer(TAR, million)], /more than 2000 entries/, { maxEntries: 2000 });
    expect(produced).toBeLessThan(10_000);
  });

  it('a 10 GiB size claim is refused by its header, before any content is read', async () => {
    let read = 0;
    const claim = async function* (): AsyncGenerator<Uint8Array> {
      yield rawHeader('sparse.img', 10 * 1024 ** 3);
      // Content that would follow is never asked for.
      for (;;) {
        read++;
        yield Buffer.alloc(64 * 1024);
        if (read > 1000) return;
      }
    };
    await expectRefused([lazyLayer(TAR, claim)], /declares 10737418240 bytes/);
    expect(read).toBeLessThan(10);
  });

  it('total bytes over the cap across layers', async () => {
    const one = await tarLayer([{ name: 'a', content: Buffer.alloc(600) }]);
    const two = await tarLayer([{ name: 'b', content: Buffer.alloc(600) }]);
    await expectRefused([one, two], /over the 1000-byte unpack limit/, { maxBytes: 1000 });
  });

  it('an oversized pax header is refused instead of buffered', async () => {
    const pax = async function* (): AsyncGenerator<Uint8Array> {
      yield rawHeader('PaxHeader', 512 * 1024 * 1024, 'x');
      for (let i = 0; i < 1000; i++) yield Buffer.alloc(64 * 1024, 0x61);
    };
    await expectRefused([lazyLayer(TAR, pax)], /larger than 1048576 bytes/);
  });

  it('a corrupt archive', async () => {
    await expectRefused([layerOf(Buffer.alloc(1024, 7), TAR)], /not a valid tar archive/);
    await expectRefused([layerOf(Buffer.from('not gzip at all'), TGZ)], /not a valid tar archive/);
  });
});

// Keep the helper visible to type-checking even when a tool-dependent test is skipped.
void writeFile;
