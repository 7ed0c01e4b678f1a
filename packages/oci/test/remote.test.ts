import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CapabilityCache,
  copy,
  createDockerCredentials,
  digestOf,
  fileCapabilityStore,
  fileContentCache,
  memoryContentCache,
  MEDIA_TYPE_OCI_INDEX,
  parsePlatform,
  RegistryClient,
  RemoteRepository,
  selectPlatform,
  type ImageIndex,
} from '@ocx/oci';
import { createEmulator, pushImage } from '@ocx/testkit';

const HOST = '127.0.0.1:5998';

describe('platform selection', () => {
  const d = (digest: string, platform: ImageIndex['manifests'][number]['platform']) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${digest.repeat(64)}`, size: 1, platform });
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_INDEX,
    manifests: [d('0', { os: 'unknown', architecture: 'unknown' }), d('1', { os: 'linux', architecture: 'amd64' }), d('2', { os: 'linux', architecture: 'arm64' }), d('3', { os: 'linux', architecture: 'arm', variant: 'v7' })],
  };
  it('picks os/arch, treats arm64 as v8, and never picks attestation entries', () => {
    expect(selectPlatform(index, parsePlatform('linux/amd64')).digest).toMatch(/1{64}$/);
    expect(selectPlatform(index, parsePlatform('linux/arm64/v8')).digest).toMatch(/2{64}$/);
    expect(selectPlatform(index, parsePlatform('linux/arm/v7')).digest).toMatch(/3{64}$/);
    expect(() => selectPlatform(index, parsePlatform('unknown/unknown'))).toThrow(/no manifest for platform unknown\/unknown \(offered: linux\/amd64, linux\/arm64, linux\/arm\/v7\)/);
    expect(() => parsePlatform('linux')).toThrow(/expected os\/arch/);
  });
});

describe('docker config credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-docker-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: { 'reg.example': { auth: Buffer.from('alice:s3cret').toString('base64') }, 'https://index.docker.io/v1/': { auth: Buffer.from('bob:hub').toString('base64') }, 'tok.example': { identitytoken: 'refresh' } },
        credHelpers: { 'helper.example': 'fake' },
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads auths, Docker Hub keys, identity tokens and credential helpers', async () => {
    const calls: string[] = [];
    const creds = createDockerCredentials({
      env: { DOCKER_CONFIG: dir },
      runHelper: async (program, host) => {
        calls.push(`${program} ${host}`);
        return JSON.stringify({ Username: 'carol', Secret: 'from-helper' });
      },
    });
    expect(await creds('reg.example')).toEqual({ username: 'alice', password: 's3cret' });
    expect(await creds('registry-1.docker.io')).toEqual({ username: 'bob', password: 'hub' });
    expect(await creds('tok.example')).toMatchObject({ refreshToken: 'refresh' });
    expect(await creds('helper.example')).toEqual({ username: 'carol', password: 'from-helper' });
    expect(calls).toEqual(['docker-credential-fake helper.example']);
    expect(await creds('other.example')).toBeUndefined();
  });

  it('lets explicit credentials win for the host they were given for, and only there', async () => {
    const creds = createDockerCredentials({ env: { DOCKER_CONFIG: dir }, explicit: new Map([['reg.example', { username: 'x', password: 'y' }]]) });
    expect(await creds('reg.example')).toEqual({ username: 'x', password: 'y' });
    // Another host keeps its own docker-config entry, or goes anonymous.
    expect(await creds('registry-1.docker.io')).toEqual({ username: 'bob', password: 'hub' });
    expect(await creds('other.example')).toBeUndefined();
    const hub = createDockerCredentials({ env: {}, explicit: new Map([['docker.io', { username: 'h', password: 'p' }]]) });
    expect(await hub('registry-1.docker.io')).toEqual({ username: 'h', password: 'p' });
  });
});

describe('referrers capability cache', () => {
  it('persists per host with a TTL and is fail-open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-cap-'));
    try {
      const path = join(dir, 'cap.json');
      let now = 1_000_000;
      const a = new CapabilityCache(fileCapabilityStore(path), () => now, 1000);
      expect(await a.get('r.example')).toBe('unknown');
      await a.set('r.example', 'unsupported');
      const b = new CapabilityCache(fileCapabilityStore(path), () => now, 1000);
      expect(await b.get('r.example')).toBe('unsupported');
      now += 2000;
      expect(await b.get('r.example')).toBe('unknown');
      await writeFile(path, 'not json');
      expect(await new CapabilityCache(fileCapabilityStore(path)).get('r.example')).toBe('unknown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('blob transfer', () => {
  it('pushes large blobs in PATCH chunks and streams them back verified', async () => {
    const emu = createEmulator();
    const repo = new RemoteRepository(new RegistryClient({ fetch: emu.fetch }), { host: HOST, registry: HOST, repository: 'big/blob' });
    const bytes = new Uint8Array(40 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.byteLength };
    await repo.push(desc, bytes);
    const methods = emu.log.filter((e) => e.path.includes('/blobs/uploads/')).map((e) => e.method);
    expect(methods).toEqual(['POST', 'PATCH', 'PUT']);
    let total = 0;
    for await (const chunk of await repo.fetchStream(desc)) total += chunk.byteLength;
    expect(total).toBe(bytes.byteLength);
  });

  it('copies between repositories of one registry by mounting blobs', async () => {
    const emu = createEmulator();
    const client = new RegistryClient({ fetch: emu.fetch });
    const src = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'team/a' });
    const dst = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'team/b' });
    const desc = await pushImage(src, 'mount', 'v1');
    emu.clearLog();
    const res = await copy(src, dst, desc, { tag: 'v1' });
    expect(res.mountedBlobs).toBe(2);
    expect(emu.log.filter((e) => e.method === 'POST' && e.path.includes('mount=')).map((e) => e.status)).toEqual([201, 201]);
    expect(emu.log.some((e) => e.method === 'GET' && e.path.includes('/blobs/sha256:'))).toBe(false);
    expect((await dst.resolve('v1')).digest).toBe(desc.digest);
  });
});

describe('content cache', () => {
  it('serves manifests and small blobs by digest without requests, and re-hashes what it reads', async () => {
    const emu = createEmulator();
    const cache = memoryContentCache();
    const seed = new RemoteRepository(new RegistryClient({ fetch: emu.fetch }), { host: HOST, registry: HOST, repository: 'cache/app' });
    const desc = await pushImage(seed, 'cached', 'v1');
    const first = new RemoteRepository(new RegistryClient({ fetch: emu.fetch, contentCache: cache }), { host: HOST, registry: HOST, repository: 'cache/app' });
    const manifestBytes = await first.fetch(desc);
    const layer = JSON.parse(new TextDecoder().decode(manifestBytes)).layers[0];
    await first.fetch(layer);
    emu.clearLog();
    const second = new RemoteRepository(new RegistryClient({ fetch: emu.fetch, contentCache: cache }), { host: HOST, registry: HOST, repository: 'cache/app' });
    expect((await second.resolve(desc.digest)).mediaType).toBe(desc.mediaType);
    expect(await second.fetch(desc)).toEqual(manifestBytes);
    expect(new TextDecoder().decode(await second.fetch(layer))).toBe('layer cached');
    expect(emu.log).toHaveLength(0);
    await second.resolve('v1');
    expect(emu.log).toHaveLength(1);
  });

  it('treats a tampered cache file as a miss', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-cc-'));
    try {
      const cache = fileContentCache(dir);
      const bytes = new TextEncoder().encode('hello');
      const d = digestOf(bytes);
      await cache.put(d, bytes);
      expect(await cache.get(d)).toEqual(bytes);
      await writeFile(join(dir, 'sha256', d.slice(7)), 'evil!');
      expect(await cache.get(d)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
