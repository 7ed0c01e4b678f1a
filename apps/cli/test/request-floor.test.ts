import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, fixturePath, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { copyLayout, E2E, makeNotationConfig } from './notation-helpers.ts';

// Request counts at their floor (issue 12), against a registry that demands anonymous bearer tokens
// as public registries do. A repeat `ocx verify` of a tag needs two requests — resolve the tag and
// list its referrers — everything else is immutable, cached by digest, and the anonymous pull
// token is kept on disk until it expires.

const key = (f: string) => fixturePath(E2E, 'config/localkeys', f);
const TIME = ['--verification-time', '2025-06-01T00:00:00Z'];

describe('request floor with anonymous bearer tokens', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let home: string;
  let config: string;
  let ref: string;
  const paths = () => emu.log.map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`);
  const tokenRequests = () => emu.log.filter((e) => e.path.startsWith('/token'));

  beforeAll(async () => {
    emu = createEmulator({ auth: { mode: 'anonymous-token' } });
    server = await emu.listen();
    await copyLayout('e2e-valid-signature', server.host, 'floor/notation');
    config = await makeNotationConfig('trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
    home = await mkdtemp(join(tmpdir(), 'ocx-floor-home-'));
    ref = `${server.host}/floor/notation:v1`;
  });
  afterAll(async () => {
    await server?.close();
    await rm(home, { recursive: true, force: true });
    await rm(config, { recursive: true, force: true });
  });
  const verify = (extra: string[] = [], env: NodeJS.ProcessEnv = {}) => ocx(['verify', ref, '--notation-config', config, ...TIME, ...extra], { OCX_HOME: home, ...env });

  it('first run: one token request for the pull scope; a repeat run: resolve + one listing, no token, no 401', async () => {
    emu.clearLog();
    const first = await verify();
    expect(first.code, first.stderr).toBe(0);
    expect(tokenRequests().length).toBe(1);
    emu.clearLog();
    const second = await verify();
    expect(second.code, second.stderr).toBe(0);
    const log = paths();
    expect(log).toHaveLength(2);
    expect(log.filter((p) => /^(GET|HEAD) \/v2\/floor\/notation\/manifests\/v1 200$/.test(p))).toHaveLength(1);
    expect(log.filter((p) => /^GET \/v2\/floor\/notation\/referrers\/sha256:[0-9a-f]{64} 200$/.test(p))).toHaveLength(1);
    // Every request carried the stored token.
    expect(emu.log.every((e) => e.auth.scheme === 'Bearer')).toBe(true);
  });

  it('cached immutable content is never fetched again (no manifest or blob by digest on a repeat)', async () => {
    emu.clearLog();
    expect((await verify()).code).toBe(0);
    expect(emu.log.filter((e) => /\/(manifests|blobs)\/sha256:/.test(e.path))).toEqual([]);
  });

  it('the token file is private: 0600 in a 0700 directory, holding only the pull token', async () => {
    const dir = join(home, 'tokens');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual(['anonymous.json']);
    expect((await stat(join(dir, 'anonymous.json'))).mode & 0o777).toBe(0o600);
  });

  it('discover --depth 1 (repeat): resolve, one listing, and cosign\'s three legacy tag probes beside it', async () => {
    const run = () => ocx(['discover', ref, '--depth', '1', '--format', 'json'], { OCX_HOME: home });
    expect((await run()).code).toBe(0);
    emu.clearLog();
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    const log = paths();
    // The probes (sha256-<hex>.sig/.att/.sbom, as cosign tree looks them up) go out with the listing,
    // so they cost requests but no round trip; everything else is at the floor of oras discover.
    expect(log.filter((p) => /\/manifests\/sha256-[0-9a-f]{64}\.(sig|att|sbom) 404$/.test(p))).toHaveLength(3);
    expect(log.filter((p) => p.includes('/referrers/'))).toHaveLength(1);
    expect(log.filter((p) => /\/manifests\/v1 200$/.test(p))).toHaveLength(1);
    expect(log).toHaveLength(5);
    expect(tokenRequests()).toEqual([]);
  });

  it('--no-cache: a token round trip again, nothing written', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'ocx-floor-nocache-'));
    try {
      emu.clearLog();
      const r = await ocx(['verify', ref, '--notation-config', config, ...TIME, '--no-cache'], { OCX_HOME: fresh });
      expect(r.code, r.stderr).toBe(0);
      expect(tokenRequests().length).toBe(1);
      expect(await readdir(fresh)).toEqual([]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});

describe('tokens obtained with credentials never reach the disk', () => {
  it('a token registry with a user: the run authenticates, and no token file is written', async () => {
    const emu = createEmulator({ auth: { mode: 'token', users: { alice: 'alice-pw' } } });
    const server = await emu.listen();
    const home = await mkdtemp(join(tmpdir(), 'ocx-floor-creds-'));
    try {
      const creds = { OCX_USERNAME: 'alice', OCX_PASSWORD: 'alice-pw', OCX_HOME: home };
      // An upload and a listing: push and pull scopes, both obtained with Basic credentials.
      const pushed = await ocx(['copy', `oci-layout:${fixturePath(E2E, 'registry/oci_layout', 'e2e-valid-signature')}:v1`, `${server.host}/creds/app:v1`], creds);
      expect(pushed.code, pushed.stderr).toBe(0);
      const listed = await ocx(['discover', `${server.host}/creds/app:v1`], creds);
      expect(listed.code, listed.stderr).toBe(0);
      const tokens = emu.log.filter((e) => e.path.startsWith('/token'));
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.every((e) => e.auth.scheme === 'Basic')).toBe(true);
      const files = await readdir(join(home, 'tokens')).catch(() => [] as string[]);
      expect(files).toEqual([]);
    } finally {
      await server.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
