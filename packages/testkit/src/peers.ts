import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { repoRoot } from './fixtures.ts';
import { isCI, RigError, type RunOptions, type RunResult, runProcess } from './proc.ts';

/**
 * Real peer tools, built at pinned versions by `pnpm peers` (scripts/peers.sh) and linked from
 * <repoRoot>/.peers/bin (OCX_PEERS_BIN overrides). Interop tests run them against real registries.
 *
 * Missing peer policy: locally a test that needs one is skipped with one line saying how to build it;
 * under CI=true it fails, so a broken peer build can never silently drop coverage.
 *
 * Usage, per describe block (checked when the file is collected):
 *
 *   const oras = peerOrSkip('oras');            // path, or undefined (+ one "skipped: …" line); throws under CI
 *   describe.skipIf(!oras)('oras interop', () => {
 *     it('pushes', async () => { const r = await runPeer('oras', ['version']); expect(r.code).toBe(0); });
 *   });
 *
 * Usage, per test (vitest's test context supplies `skip`):
 *
 *   it('verifies with cosign v3', async (ctx) => { requirePeer('cosign3', ctx); … });
 */

export type PeerName = 'oras' | 'cosign2' | 'cosign3' | 'notation' | 'registry3' | 'fulcio' | 'timestamp-server';

export const peerNames: readonly PeerName[] = ['oras', 'cosign2', 'cosign3', 'notation', 'registry3', 'fulcio', 'timestamp-server'];

export function peersBinDir(): string {
  return process.env.OCX_PEERS_BIN ? resolve(process.env.OCX_PEERS_BIN) : join(repoRoot, '.peers', 'bin');
}

/** Absolute path of the peer's executable, or undefined when it is not built (or not executable). */
export function peerPath(name: PeerName): string | undefined {
  const p = join(peersBinDir(), name);
  return isExecutableFile(p) ? p : undefined;
}

export function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false; // follows the .peers/bin symlink into the cache
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The one line printed (or thrown under CI) for a missing tool. */
export function missingToolMessage(what: string, hint: string): string {
  return isCI()
    ? `required under CI: ${what} is missing — ${hint}`
    : `skipped: ${what} missing — ${hint}`;
}

function peerMessage(name: PeerName): string {
  return missingToolMessage(`peer ${name}`, `run pnpm peers (looked in ${peersBinDir()}; see .peers/unavailable)`);
}

const warned = new Set<string>();

/** Prints `line` once per process (several files or blocks needing the same tool say it once per worker). */
export function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  console.warn(line);
}

/**
 * For `describe.skipIf(!x)`: the peer's path, or undefined after printing one skip line.
 * Under CI a missing peer throws, which fails the test file at collection.
 */
export function peerOrSkip(name: PeerName): string | undefined {
  const p = peerPath(name);
  if (p) return p;
  const msg = peerMessage(name);
  if (isCI()) throw new RigError('PEER_MISSING', msg);
  warnOnce(msg);
  return undefined;
}

/** The part of vitest's TestContext used here (kept structural so testkit needs no vitest import). */
export interface SkipContext {
  skip: (note?: string) => void;
}

/** Inside a test: the peer's path; when missing, skips this test with a note (locally) or throws (CI). */
export function requirePeer(name: PeerName, ctx: SkipContext): string {
  const p = peerPath(name);
  if (p) return p;
  const msg = peerMessage(name);
  if (isCI()) throw new RigError('PEER_MISSING', msg);
  ctx.skip(msg);
  throw new RigError('PEER_MISSING', msg); // ctx.skip throws; this only satisfies the type checker
}

/**
 * A throwaway home for peers, so they never read or write the user's config, credentials or caches:
 * HOME (cosign's ~/.sigstore TUF cache), XDG_* (notation keeps config in $XDG_CONFIG_HOME/notation and
 * caches in $XDG_CACHE_HOME/notation), DOCKER_CONFIG (oras, cosign and notation credentials; starts as
 * an empty `{"auths":{}}` so no credential helper is consulted).
 */
export interface PeerSandbox {
  dir: string;
  home: string;
  dockerConfigDir: string;
  /** Where notation looks for trustpolicy.json, truststore/ and localkeys/. */
  notationConfigDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createPeerSandbox(): Promise<PeerSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'ocx-peer-'));
  const home = join(dir, 'home');
  const config = join(home, '.config');
  const dockerConfigDir = join(home, '.docker');
  const notationConfigDir = join(config, 'notation');
  await mkdir(notationConfigDir, { recursive: true });
  await mkdir(dockerConfigDir, { recursive: true });
  await writeFile(join(dockerConfigDir, 'config.json'), '{"auths":{}}\n');
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: config,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    DOCKER_CONFIG: dockerConfigDir,
    TMPDIR: dir,
  };
  return { dir, home, dockerConfigDir, notationConfigDir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface PeerRunOptions extends Omit<RunOptions, 'env'> {
  /** Sandbox whose env the peer gets; without one, a fresh sandbox is made for this call and removed after. */
  sandbox?: PeerSandbox;
  /** Extra variables on top of the sandbox env (e.g. COSIGN_PASSWORD). */
  env?: Record<string, string | undefined>;
  /**
   * Default true: HTTP(S)_PROXY point at a dead loopback port, so any request to the internet (TUF, Rekor,
   * Fulcio, OCSP) fails fast instead of hanging or leaking; Go never proxies loopback, so registries
   * started by registries.ts are still reached.
   */
  offline?: boolean;
}

/**
 * Runs a peer without a shell. The child sees only PATH (with .peers/bin first), LANG and the sandbox
 * env — never the caller's HOME, DOCKER_CONFIG, tokens or proxies. Flags such as `--plain-http`
 * are the caller's to pass. Throws RigError PEER_MISSING when the peer is not built.
 */
export async function runPeer(name: PeerName, args: readonly string[], opts: PeerRunOptions = {}): Promise<RunResult> {
  const exe = peerPath(name);
  if (!exe) throw new RigError('PEER_MISSING', peerMessage(name));
  const own = opts.sandbox ? undefined : await createPeerSandbox();
  const sandbox = opts.sandbox ?? own!;
  const offline = opts.offline ?? true;
  const dead = 'http://127.0.0.1:9';
  const env: Record<string, string | undefined> = {
    PATH: [peersBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    LANG: 'C.UTF-8',
    ...sandbox.env,
    ...(offline ? { HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead, NO_PROXY: '', no_proxy: '' } : {}),
    ...opts.env,
  };
  try {
    return await runProcess(exe, args, { ...opts, env, cwd: opts.cwd ?? sandbox.dir });
  } finally {
    await own?.cleanup();
  }
}
