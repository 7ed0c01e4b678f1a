import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import bcrypt from 'bcryptjs';
import { isExecutableFile, missingToolMessage, peerPath, warnOnce } from './peers.ts';
import { isCI, RigError, stopProcess } from './proc.ts';

/**
 * Real registries for interop tests, each on a random 127.0.0.1 port with its own temp storage:
 * - 'distribution2': Debian's docker-registry (distribution 2.8), predating OCI 1.1.
 * - 'distribution3': distribution v3.1.2 (peer `registry3`). It stores OCI 1.1 manifests with `subject`
 *   and `artifactType`, but (checked in its v3.1.2 source and by registries.test.ts) it has NO referrers
 *   API either and sends no `OCI-Subject` on push.
 * So both exercise the client fallback to the referrers tag schema (distribution-spec "Referrers Tag
 * Schema"); the referrers API itself is covered by the emulator.
 *
 * Usage (missing binary: one skip line locally, a failing file under CI=true):
 *
 *   const haveD2 = registryOrSkip('distribution2');
 *   describe.skipIf(!haveD2)('against distribution 2.8', () => {
 *     let reg: RealRegistry;
 *     beforeAll(async () => { reg = await startRegistry('distribution2'); });
 *     afterAll(() => reg?.stop());
 *     it('…', async () => { await fetch(`${reg.url}/v2/`); });
 *   });
 */

export type RegistryKind = 'distribution2' | 'distribution3';

export const registryKinds: readonly RegistryKind[] = ['distribution2', 'distribution3'];

export interface RealRegistry {
  kind: RegistryKind;
  /** http://127.0.0.1:PORT, https:// with `tls` (no trailing slash). */
  url: string;
  /** 127.0.0.1:PORT, as used in references and in peers' `--plain-http` invocations. */
  host: string;
  port: number;
  pid: number;
  storageDir: string;
  /** The registry's recent stderr (log level error), for failure messages. */
  logs(): string;
  /** SIGTERM, then SIGKILL; removes the temp storage. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** How long to wait for GET /v2/ to answer (default 20 s). */
  readyTimeoutMs?: number;
  /** Binary override (else OCX_DOCKER_REGISTRY / /usr/bin/docker-registry, or the registry3 peer). */
  binary?: string;
  /** Port for the first attempt (default: a fresh free port); later attempts always pick a fresh one. */
  port?: number;
  /** Serve https with this PEM certificate and key (the config's http.tls), e.g. from makeTestCertificate(). */
  tls?: { certFile: string; keyFile: string };
  /** Basic auth from an htpasswd file (bcrypt entries, the only kind distribution accepts): user → password. */
  htpasswd?: Record<string, string>;
}

/** The executable for `kind`, or undefined when not installed/built. */
export function registryBinary(kind: RegistryKind): string | undefined {
  if (kind === 'distribution3') return peerPath('registry3');
  const p = process.env.OCX_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';
  return isExecutableFile(p) ? p : undefined;
}

function registryMessage(kind: RegistryKind): string {
  return kind === 'distribution3'
    ? missingToolMessage('registry distribution3 (peer registry3)', 'run pnpm peers')
    : missingToolMessage('registry distribution2 (/usr/bin/docker-registry)', 'apt-get install -y docker-registry');
}

/** For `describe.skipIf(!x)`: the binary, or undefined after one skip line; throws under CI. */
export function registryOrSkip(kind: RegistryKind): string | undefined {
  const p = registryBinary(kind);
  if (p) return p;
  const msg = registryMessage(kind);
  if (isCI()) throw new RigError('REGISTRY_MISSING', msg);
  warnOnce(msg);
  return undefined;
}

/** A port that was free a moment ago (bind 0, read, close). The caller retries if it gets taken. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

// The config both versions accept (distribution docs/configuration.md). Access logs off and level error keep
// test output quiet; delete enabled so clients can exercise DELETE; a fixed secret avoids the
// "no secret" warning; upload purging off so no background goroutine touches the temp dir.
function configYaml(root: string, port: number, extra: { tls?: { certFile: string; keyFile: string }; htpasswdFile?: string } = {}): string {
  const tls = extra.tls ? ['  tls:', `    certificate: ${JSON.stringify(extra.tls.certFile)}`, `    key: ${JSON.stringify(extra.tls.keyFile)}`] : [];
  const auth = extra.htpasswdFile ? ['auth:', '  htpasswd:', '    realm: ocx-test', `    path: ${JSON.stringify(extra.htpasswdFile)}`] : [];
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(root)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...tls,
    ...auth,
    '',
  ].join('\n');
}

const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;

// A test that forgets stop() (or a worker that crashes) must not leave registries behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const r of live) {
      try {
        r.child.kill('SIGKILL');
      } catch {}
      rmSync(r.dir, { recursive: true, force: true });
    }
  });
}

/** Starts a registry and waits until GET /v2/ answers. Throws RigError REGISTRY_MISSING / REGISTRY_START. */
export async function startRegistry(kind: RegistryKind, opts: StartRegistryOptions = {}): Promise<RealRegistry> {
  const bin = opts.binary ?? registryBinary(kind);
  if (!bin) throw new RigError('REGISTRY_MISSING', registryMessage(kind));
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), `ocx-${kind}-`));
  const storageDir = join(dir, 'storage');
  await mkdir(storageDir);
  if (opts.htpasswd) {
    // Cost 5: the registry checks the hash on every request; the default cost would slow every test.
    const lines = Object.entries(opts.htpasswd).map(([user, password]) => `${user}:${bcrypt.hashSync(password, 5)}`);
    await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  let lastError: unknown;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = attempt === 0 && opts.port !== undefined ? opts.port : await freePort();
      try {
        return await launch(kind, bin, dir, storageDir, port, opts);
      } catch (e) {
        lastError = e;
        if (!(e instanceof PortTaken)) throw e;
      }
    }
    throw new RigError('REGISTRY_START', `${kind}: no free port after 5 attempts`, { cause: lastError });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

class PortTaken extends Error {}

async function launch(kind: RegistryKind, bin: string, dir: string, storageDir: string, port: number, opts: StartRegistryOptions): Promise<RealRegistry> {
  const config = join(dir, 'config.yml');
  await writeFile(config, configYaml(storageDir, port, { tls: opts.tls, htpasswdFile: opts.htpasswd ? join(dir, 'htpasswd') : undefined }));
  const child = spawn(bin, ['serve', config], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      // distribution v3 turns on OpenTelemetry by default and would retry exports to localhost:4318
      // (distribution/distribution#4270); the SDK switch and the exporter switch silence it.
      OTEL_SDK_DISABLED: 'true',
      OTEL_TRACES_EXPORTER: 'none',
    },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderr = (stderr + s).slice(-65536);
  });
  const entry = { child, dir };
  live.add(entry);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await stopProcess(child);
      live.delete(entry);
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    await waitReady(url, exited, opts.readyTimeoutMs ?? 20_000, () => stderr);
  } catch (e) {
    await stopProcess(child);
    live.delete(entry);
    if (/address already in use/i.test(stderr)) throw new PortTaken(stderr);
    throw e;
  }
  return { kind, url, host: `127.0.0.1:${port}`, port, pid: child.pid!, storageDir, logs: () => stderr, stop };
}

async function waitReady(url: string, exited: Promise<void>, timeoutMs: number, logs: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new RigError('REGISTRY_START', `registry exited before answering ${url}/v2/:\n${logs()}`);
    // 200, or 401 behind htpasswd: the registry answers. The probe does not check the test certificate.
    const status = await probe(`${url}/v2/`);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new RigError('REGISTRY_START', `registry did not answer ${url}/v2/ within ${timeoutMs} ms:\n${logs()}`);
}

function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
