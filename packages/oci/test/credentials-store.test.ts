import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDockerCredentials, dockerConfigKey, eraseDockerCredential, storeDockerCredential, type HelperAction } from '@ocx/oci';

// ocx login / logout: the docker config written as docker and oras write it.

describe('docker credential store', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const file = () => join(dir, 'config.json');
  const read = async () => JSON.parse(await readFile(file(), 'utf8')) as Record<string, unknown> & { auths?: Record<string, { auth?: string }> };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-cred-store-'));
    env = { DOCKER_CONFIG: dir, HOME: dir };
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('names Docker Hub by its legacy index URL and other registries by host[:port]', () => {
    for (const r of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']) expect(dockerConfigKey(r)).toBe('https://index.docker.io/v1/');
    expect(dockerConfigKey('ghcr.io')).toBe('ghcr.io');
    expect(dockerConfigKey('https://localhost:5000/v2/')).toBe('localhost:5000');
    expect(() => dockerConfigKey('bad host')).toThrow(/invalid registry/);
  });

  it('writes auths[key].auth with mode 0600, keeping every other key, and the reader finds it', async () => {
    const before = { auths: { 'other.example': { auth: 'b3RoZXI6cw==' }, 'reg.example': { identitytoken: 'old' } }, currentContext: 'desktop', proxies: { default: { httpProxy: 'http://p' } }, psFormat: 'x' };
    await writeFile(file(), JSON.stringify(before), { mode: 0o644 });
    const at = await storeDockerCredential('reg.example', { username: 'alice', password: 'p:ss' }, { env });
    expect(at).toEqual({ kind: 'file', path: file(), key: 'reg.example' });
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    const after = await read();
    expect(after).toEqual({ ...before, auths: { 'other.example': { auth: 'b3RoZXI6cw==' }, 'reg.example': { auth: Buffer.from('alice:p:ss').toString('base64') } } });
    expect(await createDockerCredentials({ env })('reg.example')).toEqual({ username: 'alice', password: 'p:ss' });
  });

  it('creates the directory and file when there is none; Docker Hub goes under https://index.docker.io/v1/', async () => {
    env = { DOCKER_CONFIG: join(dir, 'new', 'docker') };
    await storeDockerCredential('docker.io', { username: 'u', password: 'p' }, { env });
    const path = join(dir, 'new', 'docker', 'config.json');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('u:p').toString('base64') } } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await createDockerCredentials({ env })('registry-1.docker.io')).toEqual({ username: 'u', password: 'p' });
  });

  it('writes through a symlinked config to its target', async () => {
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'config.json'), '{"auths":{}}');
    await symlink(join(dir, 'real', 'config.json'), file());
    await storeDockerCredential('reg.example', { username: 'u', password: 'p' }, { env });
    expect(JSON.parse(await readFile(join(dir, 'real', 'config.json'), 'utf8')).auths['reg.example']).toBeDefined();
  });

  it('never overwrites a config it cannot parse', async () => {
    await writeFile(file(), '{ not json');
    await expect(storeDockerCredential('reg.example', { username: 'u', password: 'p' }, { env })).rejects.toMatchObject({ code: 'CONFIG' });
    expect(await readFile(file(), 'utf8')).toBe('{ not json');
  });

  it('uses credHelpers[registry], else credsStore: store with JSON on stdin, a stale plain-text entry removed', async () => {
    const calls: [string, HelperAction, string][] = [];
    const runHelper = async (p: string, a: HelperAction, i: string) => void calls.push([p, a, i]);
    await writeFile(file(), JSON.stringify({ credsStore: 'desktop', credHelpers: { 'reg.example': 'ocxtest' }, auths: { 'reg.example': { auth: 'c3RhbGU6eA==' }, keep: {} } }));
    expect(await storeDockerCredential('reg.example', { username: 'u', password: 's3cret' }, { env, runHelper })).toEqual({ kind: 'helper', helper: 'ocxtest', key: 'reg.example' });
    expect(calls).toEqual([['docker-credential-ocxtest', 'store', JSON.stringify({ ServerURL: 'reg.example', Username: 'u', Secret: 's3cret' })]]);
    expect(await read()).toEqual({ credsStore: 'desktop', credHelpers: { 'reg.example': 'ocxtest' }, auths: { keep: {} } });
    await storeDockerCredential('other.example', { username: 'u', password: 'p' }, { env, runHelper });
    expect(calls[1]?.[0]).toBe('docker-credential-desktop');
  });

  it('logout: erase through the helper (server URL on stdin) and every file entry; nothing stored → empty', async () => {
    const calls: [string, HelperAction, string][] = [];
    const runHelper = async (p: string, a: HelperAction, i: string) => void calls.push([p, a, i]);
    await writeFile(file(), JSON.stringify({ credsStore: 'ocxtest', auths: { 'https://reg.example': { auth: 'eDp5' }, other: { auth: 'eDp5' } }, x: 1 }));
    await chmod(file(), 0o600);
    const removed = await eraseDockerCredential('reg.example', { env, runHelper });
    expect(removed.map((r) => r.kind)).toEqual(['helper', 'file']);
    expect(calls).toEqual([['docker-credential-ocxtest', 'erase', 'reg.example']]);
    expect(await read()).toEqual({ credsStore: 'ocxtest', auths: { other: { auth: 'eDp5' } }, x: 1 });

    await writeFile(file(), JSON.stringify({ auths: {} }));
    expect(await eraseDockerCredential('reg.example', { env })).toEqual([]);
  });

  it('refuses a helper name that could be a path', async () => {
    await writeFile(file(), JSON.stringify({ credsStore: '../../bin/sh' }));
    await expect(storeDockerCredential('reg.example', { username: 'u', password: 'p' }, { env })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
