import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, pushMultiPlatform, type RunningRegistry } from '@ocx/testkit';
import { run } from '../src/run.ts';

// issue 8 §3: `ocx login` / `ocx logout` write and remove docker config entries as docker and oras
// do, after checking the credentials against the registry: the emulator with Basic auth, and with
// bearer tokens behind Basic credentials. The credential helper is a fake on PATH that records what
// it was given.

const USER = 'alice';
const PASSWORD = 'correct horse';

const HELPER = `#!/bin/sh
# docker-credential-ocxtest: records each call, keeps one credential in a file next to itself.
dir="$(dirname "$0")"
input="$(cat)"
printf '%s\\t%s\\n' "$1" "$input" >> "$dir/calls.log"
case "$1" in
  store) printf '%s' "$input" > "$dir/stored.json" ;;
  get) if [ -f "$dir/stored.json" ]; then cat "$dir/stored.json"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) if [ -f "$dir/stored.json" ]; then rm "$dir/stored.json"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  *) exit 2 ;;
esac
`;

describe('ocx login / logout', () => {
  let server: RunningRegistry;
  let home: string;
  let bin: string;
  let docker: string;
  let key: string;
  let pub: string;
  const oldPath = process.env.PATH;

  /** Runs ocx in-process with `stdin` as its standard input and the test's docker config. */
  const ocx = async (args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { ...process.env, OCX_HOME: join(home, 'ocx'), DOCKER_CONFIG: docker, OCX_USERNAME: undefined, OCX_PASSWORD: undefined, ...env },
      cwd: home,
      ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    });
    return { code, stdout, stderr };
  };
  const config = async () => JSON.parse(await readFile(join(docker, 'config.json'), 'utf8'));

  beforeAll(async () => {
    server = await createEmulator({ auth: { mode: 'basic', users: { [USER]: PASSWORD } } }).listen();
    home = await mkdtemp(join(tmpdir(), 'ocx-login-'));
    bin = join(home, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker-credential-ocxtest'), HELPER);
    await chmod(join(bin, 'docker-credential-ocxtest'), 0o755);
    // The reading side spawns helpers with the process environment.
    process.env.PATH = `${bin}${delimiter}${oldPath ?? ''}`;
    const client = new RegistryClient({ credentials: async () => ({ username: USER, password: PASSWORD }) });
    await pushMultiPlatform(new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'app' }), 'login', 'v1');
    await client.close();
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    key = join(home, 'cosign.key');
    pub = join(home, 'cosign.pub');
    await writeFile(key, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(pub, pair.publicKey.export({ format: 'pem', type: 'spki' }));
  });
  afterAll(async () => {
    process.env.PATH = oldPath;
    await server?.close();
    await rm(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    docker = await mkdtemp(join(home, 'docker-'));
  });

  it('login then package sign and verify work on the basic-auth registry; logout removes the entry', async () => {
    await writeFile(join(docker, 'config.json'), JSON.stringify({ auths: { 'other.example': { auth: 'eDp5' } }, currentContext: 'default' }));
    const anonymous = await ocx(['discover', `${server.host}/app:v1`, '--no-cache']);
    expect(anonymous.code).toBe(80);

    const login = await ocx(['login', server.host, '-u', USER, '--password-stdin'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`logged in to ${server.host} as ${USER}`);
    expect(login.stderr).toMatch(/stored unencrypted/);
    expect(login.stdout + login.stderr).not.toContain(PASSWORD);
    expect((await stat(join(docker, 'config.json'))).mode & 0o777).toBe(0o600);
    expect(await config()).toEqual({ auths: { 'other.example': { auth: 'eDp5' }, [server.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } }, currentContext: 'default' });

    const sign = await ocx(['package', 'sign', `${server.host}/app:v1`, '--key', key, '--tlog-upload=false', '--no-cache']);
    expect(sign.code, sign.stderr).toBe(0);
    const verify = await ocx(['verify', `${server.host}/app:v1`, '--key', pub, '--insecure-ignore-tlog', '--no-cache']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const logout = await ocx(['logout', server.host]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(await config()).toEqual({ auths: { 'other.example': { auth: 'eDp5' } }, currentContext: 'default' });
    expect((await ocx(['discover', `${server.host}/app:v1`, '--no-cache'])).code).toBe(80);
    const again = await ocx(['logout', server.host]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/not logged in/);
  });

  it('bad credentials: exit 80 and nothing written', async () => {
    const bad = await ocx(['login', server.host, '-u', USER, '--password-stdin'], 'wrong\n');
    expect(bad.code).toBe(80);
    await expect(stat(join(docker, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(docker, 'config.json'), '{"auths":{}}');
    expect((await ocx(['login', server.host], undefined, { OCX_USERNAME: USER, OCX_PASSWORD: 'nope' })).code).toBe(80);
    expect(await readFile(join(docker, 'config.json'), 'utf8')).toBe('{"auths":{}}');
  });

  it('through the configured credential helper: store and erase get what the protocol says', async () => {
    await rm(join(bin, 'calls.log'), { force: true });
    await writeFile(join(docker, 'config.json'), JSON.stringify({ credHelpers: { [server.host]: 'ocxtest' }, psFormat: 'table' }));
    const login = await ocx(['login', server.host], undefined, { OCX_USERNAME: USER, OCX_PASSWORD: PASSWORD });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('docker-credential-ocxtest');
    expect(JSON.parse(await readFile(join(bin, 'stored.json'), 'utf8'))).toEqual({ ServerURL: server.host, Username: USER, Secret: PASSWORD });
    expect(await config()).toEqual({ credHelpers: { [server.host]: 'ocxtest' }, psFormat: 'table' });

    // The reading side gets it back from the helper.
    expect((await ocx(['discover', `${server.host}/app:v1`, '--no-cache'])).code).toBe(0);

    const logout = await ocx(['logout', server.host]);
    expect(logout.code, logout.stderr).toBe(0);
    const calls = (await readFile(join(bin, 'calls.log'), 'utf8')).trim().split('\n').map((l) => l.split('\t'));
    expect(calls[0]).toEqual(['store', JSON.stringify({ ServerURL: server.host, Username: USER, Secret: PASSWORD })]);
    expect(calls.at(-1)).toEqual(['erase', server.host]);
    await expect(stat(join(bin, 'stored.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a token registry: login fetches a token with the credentials; refused credentials exit 80', async () => {
    const tokenServer = await createEmulator({ auth: { mode: 'token', users: { [USER]: PASSWORD } } }).listen();
    try {
      const bad = await ocx(['login', tokenServer.host, '-u', USER, '--password-stdin'], 'wrong');
      expect(bad.code, bad.stderr).toBe(80);
      await expect(stat(join(docker, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      const login = await ocx(['login', tokenServer.host, '-u', USER, '--password-stdin', '--format', 'json'], PASSWORD);
      expect(login.code, login.stderr).toBe(0);
      expect(JSON.parse(login.stdout)).toEqual({ registry: tokenServer.host, username: USER, stored: 'file', path: join(docker, 'config.json') });
      const client = new RegistryClient({ credentials: async () => ({ username: USER, password: PASSWORD }) });
      await pushMultiPlatform(new RemoteRepository(client, { host: tokenServer.host, registry: tokenServer.host, repository: 'tok' }), 'token', 'v1');
      await client.close();
      const d = await ocx(['discover', `${tokenServer.host}/tok:v1`, '--no-cache']);
      expect(d.code, d.stderr).toBe(0);
    } finally {
      await tokenServer.close();
    }
  });

  it('usage: no user, a password in argv, no registry', async () => {
    expect((await ocx(['login', server.host])).code).toBe(64);
    const argv = await ocx(['login', server.host, '-u', USER, '-p', PASSWORD]);
    expect(argv.code).toBe(64);
    expect(argv.stderr).toMatch(/--password-stdin/);
    expect((await ocx(['login'])).code).toBe(64);
    expect((await ocx(['logout'])).code).toBe(64);
  });
});
