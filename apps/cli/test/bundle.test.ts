import { chmod, chown, lstat, mkdtemp, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, makeTestCertificate, repoRoot, runProcess, type Emulator, type RunningRegistry, type TestCertificate } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { ensureBuilt } from './installed/harness.ts';

// What users install: the bundled executable (dist/bin/ocx.cjs) — built here (shared with the
// installed-CLI suite), then run as a process, with its V8 code cache cold, warm, corrupted, planted
// and switched off, and over https (node:https loads inside the vm.Script-run bundle).

const cliDir = join(repoRoot, 'apps/cli');
const bin = join(cliDir, 'dist/bin/ocx.cjs');

async function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProcess(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, timeoutMs: 600_000 });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const mtimes = async (dir: string) => Object.fromEntries(await Promise.all((await readdir(dir)).map(async (f) => [f, (await stat(join(dir, f))).mtimeMs] as const)));

// Blob GETs answered with a 307 to an https front of the same registry (as registries send blobs to
// object storage): the loopback registry itself speaks plain http, the blobs come over TLS.
const PROXIED = 'x-ocx-test-proxied';
async function httpsFront(emulator: Emulator, server: () => RunningRegistry, cert: TestCertificate): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const front = createServer({ key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) }, (req, res) => {
    hits++;
    void fetch(`${server().url}${req.url}`, { method: req.method, headers: { [PROXIED]: '1' } }).then(
      async (r) => {
        const body = Buffer.from(await r.arrayBuffer());
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(body.length) });
        res.end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const port = (front.address() as { port: number }).port;
  emulator.setFaults((req) => {
    const u = new URL(req.url);
    if (req.headers.get(PROXIED) || req.method !== 'GET' || !/\/blobs\/[^/]+$/.test(u.pathname)) return undefined;
    return new Response(null, { status: 307, headers: { location: `https://127.0.0.1:${port}${u.pathname}` } });
  });
  return { server: front, port, hits: () => hits };
}

describe('the bundled ocx executable', () => {
  let emulator: Emulator;
  let server: RunningRegistry;
  let keys: KeyFiles;
  let home: string;
  let ref: string;

  beforeAll(async () => {
    await ensureBuilt();
    emulator = createEmulator();
    server = await emulator.listen();
    keys = await keyFiles();
    home = await mkdtemp(join(tmpdir(), 'ocx-bundle-'));
    const { repo, client } = repoAt(server.host, 'bundle/app');
    await pushPackage(repo, 'bundle', 'v1');
    await client.close();
    ref = `${server.host}/bundle/app:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'])).code).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const verify = (env: NodeJS.ProcessEnv) => runBin(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json'], env);

  it('prints its version and help', async () => {
    const v = await runBin(['--version'], { OCX_HOME: home });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^ocx \d+\.\d+\.\d+/);
    const h = await runBin(['--help'], { OCX_HOME: home });
    expect(h.stdout).toMatch(/verify/);
  });

  it('verifies with a cold code cache, writes it, and reuses it unchanged on the next run', async () => {
    const env = { OCX_HOME: join(home, 'cache-run') };
    const cold = await verify(env);
    expect(cold.code, cold.stderr).toBe(0);
    expect(JSON.parse(cold.stdout).verified).toBe(true);
    const dir = join(env.OCX_HOME, 'v8');
    const written = await mtimes(dir);
    expect(Object.keys(written).length).toBeGreaterThan(1);
    const warm = await verify(env);
    expect(warm.code, warm.stderr).toBe(0);
    // V8 accepted every entry: none was written again.
    expect(await mtimes(dir)).toEqual(written);
  });

  it('a corrupted code cache is rejected by V8 and rebuilt; the run is unaffected', async () => {
    const env = { OCX_HOME: join(home, 'corrupt-run') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    for (const f of await readdir(dir)) await writeFile(join(dir, f), 'not a code cache');
    const r = await verify(env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verified).toBe(true);
  });

  it('a code cache directory others can write to is neither read nor written', async () => {
    const env = { OCX_HOME: join(home, 'shared-run') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    await chmod(dir, 0o777);
    for (const f of await readdir(dir)) await writeFile(join(dir, f), 'planted');
    const before = await mtimes(dir);
    const r = await verify(env);
    expect(r.code, r.stderr).toBe(0);
    expect(await mtimes(dir)).toEqual(before);
  });

  it('a cache entry that is a symlink, that others can write to or that another user owns is not read, and is replaced by a private file', async () => {
    const env = { OCX_HOME: join(home, 'planted-entry') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    const [first, second, third] = (await readdir(dir)).sort();
    // Valid data, so only the launcher's checks (not V8's) can keep it from being used.
    await chmod(join(dir, first!), 0o666);
    const elsewhere = join(home, 'planted-target.bin');
    await rename(join(dir, second!), elsewhere);
    await symlink(elsewhere, join(dir, second!));
    const targetBefore = await readFile(elsewhere);
    // Owned by another user (only root can hand a file to someone else).
    const asRoot = process.getuid?.() === 0 && third !== undefined;
    if (asRoot) await chown(join(dir, third!), 65534, 65534);
    const r = await verify(env);
    expect(r.code, r.stderr).toBe(0);
    for (const f of asRoot ? [first!, second!, third!] : [first!, second!]) {
      if (asRoot && f === third) expect((await lstat(join(dir, f))).uid).toBe(0);
      const st = await lstat(join(dir, f));
      expect(st.isFile(), f).toBe(true);
      expect(st.mode & 0o777, f).toBe(0o600);
    }
    expect(await readFile(elsewhere)).toEqual(targetBefore);
  });

  it('reaches https (node:https inside the bundle): blobs redirected to a TLS host, trusted by --ca-file or NODE_EXTRA_CA_CERTS', async () => {
    const cert = await makeTestCertificate();
    const front = await httpsFront(emulator, () => server, cert);
    // --plain-http: the registry itself is plain http whatever the loopback default; the redirected
    // blobs still come over https.
    const verifyTls = (extra: string[], env: NodeJS.ProcessEnv) =>
      runBin(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json', '--plain-http', '--no-cache', ...extra], { OCX_HOME: join(home, 'https'), ...env });
    try {
      const byFlag = await verifyTls(['--ca-file', cert.caFile], {});
      expect(byFlag.code, byFlag.stderr).toBe(0);
      expect(JSON.parse(byFlag.stdout).verified).toBe(true);
      expect(byFlag.stderr).not.toMatch(/ExperimentalWarning|dynamic import/);
      const seen = front.hits();
      expect(seen).toBeGreaterThan(0);
      const byEnv = await verifyTls([], { NODE_EXTRA_CA_CERTS: cert.caFile });
      expect(byEnv.code, byEnv.stderr).toBe(0);
      expect(front.hits()).toBeGreaterThan(seen);
      // Untrusted: the TLS failure is reported, not a dynamic-import error.
      const untrusted = await verifyTls([], {});
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr).not.toMatch(/dynamic import callback/);
    } finally {
      emulator.setFaults(undefined);
      await new Promise((r) => front.server.close(r));
      await cert.cleanup();
    }
  });

  it('entries not rewritten for 30 days are pruned when new ones are written; recent ones stay', async () => {
    const env = { OCX_HOME: join(home, 'prune-run') };
    expect((await verify(env)).code).toBe(0);
    const dir = join(env.OCX_HOME, 'v8');
    const old = join(dir, `${'0'.repeat(40)}.bin`);
    const recent = join(dir, `${'1'.repeat(40)}.bin`);
    await writeFile(old, 'from an old install', { mode: 0o600 });
    await writeFile(recent, 'from a recent install', { mode: 0o600 });
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    await utimes(old, longAgo, longAgo);
    // A rejected entry makes the run write again, which prunes.
    const [first] = (await readdir(dir)).filter((f) => f !== `${'0'.repeat(40)}.bin` && f !== `${'1'.repeat(40)}.bin`).sort();
    await writeFile(join(dir, first!), 'not a code cache');
    expect((await verify(env)).code).toBe(0);
    await expect(stat(old)).rejects.toThrow();
    expect((await stat(recent)).isFile()).toBe(true);
  });

  it('OCX_NO_CODE_CACHE=1 writes no code cache', async () => {
    const env = { OCX_HOME: join(home, 'off-run'), OCX_NO_CODE_CACHE: '1' };
    expect((await verify(env)).code).toBe(0);
    await expect(stat(join(env.OCX_HOME, 'v8'))).rejects.toThrow();
  });
});
