import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmulator, type Emulator } from '@ocx/testkit';
import { DEFAULT_TIMEOUTS } from '@ocx/oci';
import type { Context } from '../src/context.ts';
import { ocxWithFetch } from './cli.ts';
import { createCosignFamily } from '../src/verify/cosign.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { refuseSockets } from './no-sockets.ts';

// Issue 3: with --trusted-root or --offline, no socket is opened other than the registry's. The
// registry here is the emulator behind an injected fetch, so the registry needs no socket at all and
// ANY connection attempt (TUF, Rekor, OCSP, a stray fetch) is a failure.

const attempts = refuseSockets('an offline test');

const ocxOffline = (emu: Emulator, args: string[], env: NodeJS.ProcessEnv = {}) => ocxWithFetch(emu.fetch, args, env);

describe('no socket with --trusted-root or --offline', () => {
  const emu = createEmulator();
  let keys: KeyFiles;
  let fixtureRef: string;
  const host = 'registry.test';

  beforeAll(async () => {
    keys = await keyFiles();
    fixtureRef = await attestationFixtureRef(host, emu.fetch as typeof fetch);
    const pkg = repoAt(host, 'pkg/app', emu.fetch as typeof fetch);
    await pushPackage(pkg.repo, 'offline', 'v1');
    await pkg.client.close();
    return () => keys.cleanup();
  });

  it('the guard sees a connection attempt', async () => {
    // (not port 9: fetch refuses the bad ports without connecting)
    await fetch('http://127.0.0.1:59999/').catch(() => undefined);
    expect(attempts()).not.toEqual([]);
  });

  it('keyless attestation with --trusted-root', async () => {
    const r = await ocxOffline(emu, ['verify', fixtureRef, '--attestation', '--type', 'custom', '--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', FIXTURE.trustedRoot]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(attempts()).toEqual([]);
  });

  it('keyless with --offline and no trusted root is a configuration error, not a TUF fetch', async () => {
    const r = await ocxOffline(emu, ['verify', fixtureRef, '--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', FIXTURE.issuer, '--offline']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/--offline keyless verification needs --trusted-root/);
    expect(attempts()).toEqual([]);
  });

  it('ocx package sign, then verify --key --offline (with and without --insecure-ignore-tlog)', async () => {
    const ref = `${host}/pkg/app:v1`;
    const s = await ocxOffline(emu, ['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false']);
    expect(s.code, s.stderr).toBe(0);
    const ok = await ocxOffline(emu, ['verify', ref, '--key', keys.pub, '--offline', '--insecure-ignore-tlog', '--all-platforms']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const strict = await ocxOffline(emu, ['verify', ref, '--key', keys.pub, '--offline', '--all-platforms']);
    expect(strict.code).toBe(65);
    expect(attempts()).toEqual([]);
  });
});

describe('the public-good root (TUF) is loaded only when needed', () => {
  const httpFetch = vi.fn();
  function fakeContext(): Context {
    return { io: { env: { OCX_HOME: '/tmp/ocx-home-test' }, stdout: () => {}, stderr: () => {}, cwd: '/' }, warn: () => {}, httpFetch, timeouts: DEFAULT_TIMEOUTS } as unknown as Context;
  }
  const now = new Date('2026-01-01T00:00:00Z');
  const keyless = { 'certificate-identity': FIXTURE.identity, 'certificate-oidc-issuer': FIXTURE.issuer };

  it('keyless without --trusted-root or --offline asks TUF, with its cache under the ocx home', async () => {
    const { readFile } = await import('node:fs/promises');
    const { loadTrustedRoot } = await import('@ocx/cosign');
    const root = loadTrustedRoot(await readFile(FIXTURE.trustedRoot));
    const load = vi.fn(async () => root);
    await createCosignFamily({ loadPublicGoodRoot: load }).prepare(keyless, fakeContext(), now);
    // TUF goes through the run's HTTP client (proxies, deadlines), bounded per exchange.
    expect(load).toHaveBeenCalledWith({ cachePath: '/tmp/ocx-home-test/sigstore-tuf', fetch: httpFetch, timeoutMs: DEFAULT_TIMEOUTS.exchangeMs });
  });

  it('does not ask TUF with --trusted-root, --offline, or a key with --insecure-ignore-tlog', async () => {
    const keys = await keyFiles();
    try {
      const load = vi.fn(async () => {
        throw new Error('TUF must not be used');
      });
      const family = createCosignFamily({ loadPublicGoodRoot: load });
      await family.prepare({ ...keyless, 'trusted-root': FIXTURE.trustedRoot }, fakeContext(), now);
      await family.prepare({ key: keys.pub, offline: true }, fakeContext(), now);
      await family.prepare({ key: keys.pub, 'insecure-ignore-tlog': true }, fakeContext(), now);
      expect(load).not.toHaveBeenCalled();
    } finally {
      await keys.cleanup();
    }
  });

  it('a TUF failure is a temporary failure naming the ways around it', async () => {
    const family = createCosignFamily({ loadPublicGoodRoot: async () => Promise.reject(new Error('mirror unreachable')) });
    await expect(family.prepare(keyless, fakeContext(), now)).rejects.toMatchObject({ exitCode: 75, message: expect.stringMatching(/mirror unreachable.*pass --trusted-root FILE to verify without TUF\)$/) });
  });
});
