import { generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository, type Credential } from '@ocx/oci';
import { createEmulator, repoRoot, type Emulator, type EmulatorAuth, type FaultHook, type RunningRegistry } from '@ocx/testkit';
import { run } from '../src/run.ts';
import { pushPackage } from './cosign-helpers.ts';

// issue 10 "Beyond the list": no secret — registry password, registry token, credential-helper
// secret, identity token, key password — appears in the argv of a process ocx spawns, in --verbose
// logs, in JSON output or in error messages. Registries here require Basic auth or the token flow.

const BASIC_PW = 'Basic-Pw-7f3a9c51';
const TOKEN_PW = 'Token-Pw-91be22d0';
const HELPER_SECRET = 'Helper-Secret-5d6e8a1b';
const KEY_PW = 'Key-Pw-c0ffee42';
const WRONG_PW = 'Wrong-Pw-deadbeef';
const ID_TOKEN = 'eyJhbGciOi.identity-token-0a1b2c3d.sig';

/** Every token the emulators' token endpoints issued during the test. */
const issued: string[] = [];
const captureTokens: FaultHook = async (req, next) => {
  if (new URL(req.url).pathname !== '/token') return undefined;
  const res = await next(req);
  const body = await res.clone().text();
  try {
    const doc = JSON.parse(body) as { token?: string; access_token?: string; refresh_token?: string };
    for (const t of [doc.token, doc.access_token, doc.refresh_token]) if (t) issued.push(t);
  } catch {
    // not a token answer
  }
  return res;
};

function secrets(): string[] {
  const basic = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
  return [BASIC_PW, TOKEN_PW, HELPER_SECRET, KEY_PW, WRONG_PW, ID_TOKEN, basic('alice', BASIC_PW), basic('bob', TOKEN_PW), basic('carol', HELPER_SECRET), basic('bob', WRONG_PW), ...issued];
}

function expectNoSecret(what: string, text: string): void {
  for (const s of secrets()) expect(text.includes(s), `${what} contains a secret (${s.slice(0, 6)}…):\n${text}`).toBe(false);
}

/** cosign's encrypted key format (scrypt + nacl secretbox), low scrypt cost for speed. */
async function encryptedCosignKey(password: string): Promise<{ pem: string; pub: string }> {
  const salsa = createRequire(join(repoRoot, 'apps/signer/package.json')).resolve('@noble/ciphers/salsa.js');
  const { xsalsa20poly1305 } = (await import(pathToFileURL(salsa).href)) as { xsalsa20poly1305: (k: Uint8Array, n: Uint8Array) => { encrypt(b: Uint8Array): Uint8Array } };
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const N = 1024;
  const key = scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const json = JSON.stringify({ kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') }, cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') }, ciphertext: Buffer.from(ciphertext).toString('base64') });
  const body = Buffer.from(json).toString('base64').replace(/(.{64})/g, '$1\n');
  return { pem: `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`, pub: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

interface Run {
  code: number;
  out: string;
}

describe('no secret leaks', () => {
  const emus: Emulator[] = [];
  const servers: RunningRegistry[] = [];
  let basicHost: string;
  let tokenHost: string;
  let helperHost: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let keyFile: string;
  let pubFile: string;
  let savedPath: string | undefined;

  async function ocx(args: string[], extra: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { ...env, ...extra.env },
      cwd: dir,
      ...(extra.stdin !== undefined ? { stdin: async () => extra.stdin! } : {}),
    });
    // Our own argv never carries a secret either: passwords come from stdin or the environment.
    expectNoSecret(`argv of ocx ${args[0]}`, args.join(' '));
    expectNoSecret(`output of ocx ${args.join(' ')}`, stdout + stderr);
    return { code, out: stdout + stderr };
  }

  async function start(auth: EmulatorAuth, user: Credential): Promise<string> {
    const emu = createEmulator({ auth, faults: captureTokens });
    const server = await emu.listen();
    emus.push(emu);
    servers.push(server);
    const client = new RegistryClient({ credentials: async () => user });
    await pushPackage(new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'secret/app' }), server.host, 'v1');
    await client.close();
    return server.host;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocx-secret-'));
    basicHost = await start({ mode: 'basic', users: { alice: BASIC_PW } }, { username: 'alice', password: BASIC_PW });
    tokenHost = await start({ mode: 'token', users: { bob: TOKEN_PW } }, { username: 'bob', password: TOKEN_PW });
    helperHost = await start({ mode: 'token', users: { carol: HELPER_SECRET } }, { username: 'carol', password: HELPER_SECRET });
    // A docker credential helper that records its argv, and a docker config naming it for helperHost.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const helper = join(bin, 'docker-credential-ocxleak');
    await writeFile(helper, `#!/bin/sh\nprintf '%s\\n' "$0" "$@" >> "${join(dir, 'helper-argv.log')}"\ncat > /dev/null\nprintf '{"ServerURL":"%s","Username":"carol","Secret":"${HELPER_SECRET}"}' "${helperHost}"\n`);
    await chmod(helper, 0o755);
    const dockerConfig = join(dir, 'docker');
    await mkdir(dockerConfig);
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ credHelpers: { [helperHost]: 'ocxleak' }, auths: { [basicHost]: { auth: Buffer.from(`alice:${BASIC_PW}`).toString('base64') } } }));
    const key = await encryptedCosignKey(KEY_PW);
    keyFile = join(dir, 'cosign.key');
    pubFile = join(dir, 'cosign.pub');
    await writeFile(keyFile, key.pem);
    await writeFile(pubFile, key.pub);
    // Credential helpers are found on the process PATH (as docker does).
    savedPath = process.env.PATH;
    process.env.PATH = [bin, process.env.PATH].join(delimiter);
    env = { ...process.env, DOCKER_CONFIG: dockerConfig, OCX_HOME: join(dir, 'home'), SIGSTORE_ID_TOKEN: ID_TOKEN, OCX_USERNAME: undefined, OCX_PASSWORD: undefined, COSIGN_PASSWORD: undefined };
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    for (const s of servers) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--password-stdin with Basic auth: --verbose, text and JSON', async () => {
    for (const format of ['text', 'json']) {
      const r = await ocx(['discover', `${basicHost}/secret/app:v1`, '-u', 'alice', '--password-stdin', '--verbose', '--no-cache', '--format', format], { stdin: `${BASIC_PW}\n`, env: { DOCKER_CONFIG: join(dir, 'empty') } });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/→ 200/);
    }
    expect(emus[0]!.log.some((e) => e.auth.scheme?.toLowerCase() === 'basic' && e.auth.user === 'alice')).toBe(true);
  });

  it('OCX_PASSWORD with the token flow: no password and no issued token in --verbose or JSON', async () => {
    const r = await ocx(['verify', `${tokenHost}/secret/app:v1`, '--key', pubFile, '--insecure-ignore-tlog', '--all-platforms', '--verbose', '--no-cache', '--format', 'json'], { env: { OCX_USERNAME: 'bob', OCX_PASSWORD: TOKEN_PW } });
    expect(r.code, r.out).toBe(79);
    expect(issued.length).toBeGreaterThan(0);
    expect(r.out).toMatch(/→ 200/);
  });

  it('a wrong password: the 401 error (text and JSON) names no secret', async () => {
    for (const format of ['text', 'json']) {
      const r = await ocx(['discover', `${tokenHost}/secret/app:v1`, '--verbose', '--no-cache', '--format', format], { env: { OCX_USERNAME: 'bob', OCX_PASSWORD: WRONG_PW } });
      expect(r.code, r.out).toBe(80);
    }
  });

  it('a docker credential helper gets no secret in argv, and its secret is never printed', async () => {
    const r = await ocx(['sbom', `${helperHost}/secret/app:v1`, '--platform', 'linux/amd64', '--verbose', '--no-cache', '--format', 'json']);
    expect(r.code, r.out).toBe(79);
    const argv = await readFile(join(dir, 'helper-argv.log'), 'utf8');
    expect(argv.trim().split('\n').slice(1)).toEqual(['get']);
    expectNoSecret('credential helper argv', argv);
    expect(emus[2]!.log.some((e) => e.auth.user === 'carol')).toBe(true);
  });

  it('COSIGN_PASSWORD for an encrypted key: signing, and a wrong password, print neither', async () => {
    const ref = `${basicHost}/secret/app:v1`;
    const ok = await ocx(['package', 'sign', ref, '--key', keyFile, '--tlog-upload=false', '--verbose', '--format', 'json'], { env: { COSIGN_PASSWORD: KEY_PW } });
    expect(ok.code, ok.out).toBe(0);
    const wrong = await ocx(['package', 'sign', ref, '--key', keyFile, '--tlog-upload=false', '--verbose', '--format', 'json'], { env: { COSIGN_PASSWORD: WRONG_PW } });
    expect(wrong.code, wrong.out).toBe(80);
    const stdin = await ocx(['package', 'sign', ref, '--key', keyFile, '--tlog-upload=false', '--verbose'], { stdin: `${KEY_PW}\n` });
    expect(stdin.code, stdin.out).toBe(0);
  });

  it('copy between two authenticated registries prints no secret of either', async () => {
    const r = await ocx(['copy', `${basicHost}/secret/app:v1`, `${helperHost}/secret/copy:v1`, '--verbose', '--format', 'json']);
    expect(r.code, r.out).toBe(0);
  });
});
