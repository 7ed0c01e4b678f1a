import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, isCI, makeTestCertificate, pushImage, type Emulator, type RunningRegistry, type TestCertificate } from '@ocx/testkit';
import { run } from '../src/run.ts';

// The CLI against the emulator's auth modes and TLS: exit code of an untrusted certificate,
// credentials bound to their registry (issue 10 item 1), and copy's --from-/--to- credentials.

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');
if (!openssl) console.warn('skipping CLI TLS tests: openssl not found');

const home = mkdtempSync(join(tmpdir(), 'ocx-auth-home-'));

async function ocx(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OCX_|DOCKER_CONFIG|NODE_EXTRA_CA_CERTS)/.test(k)));
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    env: { ...clean, OCX_HOME: home, DOCKER_CONFIG: join(home, 'no-docker'), ...env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

const users = (name: string) => ({ [name]: `${name}-pw` });

async function seed(host: string, credential: { username: string; password: string }, tls?: string): Promise<void> {
  const client = new RegistryClient({ ...(tls ? { caFile: tls } : {}), credentials: async () => credential });
  try {
    await pushImage(new RemoteRepository(client, { host, registry: host, repository: 'app' }), 'seed', 'v1');
  } finally {
    await client.close();
  }
}

describe('credentials bound to their registry (two token registries, alice on A, bob on B)', () => {
  let a: Emulator;
  let b: Emulator;
  let sa: RunningRegistry;
  let sb: RunningRegistry;
  beforeAll(async () => {
    a = createEmulator({ auth: { mode: 'token', users: users('alice') } });
    b = createEmulator({ auth: { mode: 'token', users: users('bob') } });
    sa = await a.listen();
    sb = await b.listen();
    await seed(sa.host, { username: 'alice', password: 'alice-pw' });
  });
  afterAll(async () => {
    await sa?.close();
    await sb?.close();
  });

  const noRequests = () => {
    expect(a.log.length + b.log.length).toBe(0);
  };
  const clear = () => {
    a.clearLog();
    b.clearLog();
  };

  it('copy with a bare --username touching two registries is a usage error naming the flags, before any request', async () => {
    clear();
    const r = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/app:v1`, '-u', 'alice', '--password-stdin', '--no-cache'], {}, 'alice-pw\n');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--from-username');
    expect(r.stderr).toContain('--to-username');
    noRequests();
  });

  it('OCX_USERNAME/OCX_PASSWORD in a copy between two registries is a usage error too', async () => {
    clear();
    const r = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/app:v1`, '--no-cache'], { OCX_USERNAME: 'alice', OCX_PASSWORD: 'alice-pw' });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/OCX_USERNAME applies to one registry/);
    noRequests();
  });

  it('--from-username/--from-password-stdin and OCX_TO_USERNAME/OCX_TO_PASSWORD: each secret reaches only its registry', async () => {
    clear();
    const r = await ocx(
      ['copy', `${sa.host}/app:v1`, `${sb.host}/copied:v1`, '--from-username', 'alice', '--from-password-stdin', '--no-cache'],
      { OCX_TO_USERNAME: 'bob', OCX_TO_PASSWORD: 'bob-pw' },
      'alice-pw\n',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(a.log.some((e) => e.auth.user === 'alice')).toBe(true);
    expect(b.log.some((e) => e.auth.user === 'bob' && e.method === 'PUT')).toBe(true);
    expect(a.log.filter((e) => e.auth.user !== undefined && e.auth.user !== 'alice')).toEqual([]);
    expect(b.log.filter((e) => e.auth.user !== undefined && e.auth.user !== 'bob')).toEqual([]);
  });

  it('--to-username with --to-password-stdin; the source side comes from the docker config', async () => {
    clear();
    const cfg = await mkdtemp(join(tmpdir(), 'ocx-docker-'));
    try {
      await writeFile(join(cfg, 'config.json'), JSON.stringify({ auths: { [sa.host]: { auth: Buffer.from('alice:alice-pw').toString('base64') } } }));
      const r = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/copied2:v1`, '--to-username', 'bob', '--to-password-stdin', '--no-cache'], { DOCKER_CONFIG: cfg }, 'bob-pw\n');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(b.log.filter((e) => e.auth.user === 'alice')).toEqual([]);
    } finally {
      await rm(cfg, { recursive: true, force: true });
    }
  });

  it('both sides reading stdin, or mixing --username with the sided flags, is a usage error', async () => {
    clear();
    const both = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/x:v1`, '--from-username', 'alice', '--from-password-stdin', '--to-username', 'bob', '--to-password-stdin'], {}, 'x\n');
    expect(both.code).toBe(64);
    expect(both.stderr).toMatch(/only one of --from-password-stdin and --to-password-stdin/);
    const mixed = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/x:v1`, '-u', 'alice', '--password-stdin', '--to-username', 'bob'], { OCX_TO_PASSWORD: 'bob-pw' }, 'alice-pw\n');
    expect(mixed.code).toBe(64);
    const noPassword = await ocx(['copy', `${sa.host}/app:v1`, `${sb.host}/x:v1`, '--to-username', 'bob']);
    expect(noPassword.code).toBe(64);
    expect(noPassword.stderr).toContain('OCX_TO_PASSWORD');
    noRequests();
  });

  it('--username applies to the one registry of a single-registry command', async () => {
    clear();
    const r = await ocx(['discover', `${sa.host}/app:v1`, '-u', 'alice', '--password-stdin', '--no-cache'], {}, 'alice-pw\n');
    expect(r.code).toBe(0);
    expect(a.log.some((e) => e.auth.user === 'alice')).toBe(true);
  });
});

describe.skipIf(!openssl)('ocx against a TLS registry', () => {
  let cert: TestCertificate;
  let emu: Emulator;
  let server: RunningRegistry;
  beforeAll(async () => {
    cert = await makeTestCertificate();
    emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    server = await emu.listen({ tls: { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) } });
    await seed(server.host, { username: 'x', password: 'y' }, cert.caFile);
  });
  afterAll(async () => {
    await server?.close();
    await cert?.cleanup();
  });

  it('reaches a loopback TLS registry with --ca-file (https first, no --plain-http needed)', async () => {
    const r = await ocx(['discover', `${server.host}/app:v1`, '--ca-file', cert.caFile, '--no-cache']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('an untrusted certificate exits 78 (configuration) with the fixes named, not 75', async () => {
    emu.clearLog();
    const r = await ocx(['discover', `${server.host}/app:v1`, '--no-cache', '--format', 'json']);
    expect(r.code).toBe(78);
    for (const fix of ['--ca-file', 'NODE_EXTRA_CA_CERTS', '--insecure']) expect(r.stderr).toContain(fix);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { kind: 'tls_untrusted', exitCode: 78 } });
  });

  it('--insecure reaches it (with a warning)', async () => {
    const r = await ocx(['discover', `${server.host}/app:v1`, '--insecure', '--no-cache']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--insecure/);
  });
});
