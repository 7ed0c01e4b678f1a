import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPeerSandbox, type PeerName, peerNames, peerOrSkip, peerPath, peersBinDir, requirePeer, runPeer } from './peers.ts';
import { isCI, RigError } from './proc.ts';
import { startRegistry } from './registries.ts';

describe('peer lookup and the run helper (fake peers)', () => {
  let bin: string;
  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'ocx-fake-peers-'));
    // A stand-in "oras" that reports what it sees: env, cwd, args and stdin.
    await writeFile(
      join(bin, 'oras'),
      '#!/bin/sh\necho "HOME=$HOME"\necho "DOCKER_CONFIG=$DOCKER_CONFIG"\necho "XDG_CONFIG_HOME=$XDG_CONFIG_HOME"\n' +
        'echo "HTTPS_PROXY=$HTTPS_PROXY"\necho "LEAK=$OCX_TEST_LEAK"\necho "EXTRA=$EXTRA"\necho "PWD=$(pwd)"\n' +
        'echo "ARGS=$*"\necho "IN=$(cat)"\necho oops >&2\nexit 3\n',
    );
    await chmod(join(bin, 'oras'), 0o755);
    await writeFile(join(bin, 'cosign2'), '#!/bin/sh\nsleep 10\n');
    await chmod(join(bin, 'cosign2'), 0o755);
    await writeFile(join(bin, 'notation'), 'not executable');
    vi.stubEnv('OCX_PEERS_BIN', bin);
    vi.stubEnv('OCX_TEST_LEAK', 'secret');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(bin, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.stubEnv('CI', process.env.CI ?? '');
  });

  it('finds executables in OCX_PEERS_BIN only', () => {
    expect(peersBinDir()).toBe(bin);
    expect(peerPath('oras')).toBe(join(bin, 'oras'));
    expect(peerPath('notation')).toBeUndefined(); // present but not executable
    expect(peerPath('cosign3')).toBeUndefined();
  });

  it('runs without a shell in an isolated sandbox and reports code, stdout, stderr', async () => {
    const r = await runPeer('oras', ['push', 'a b', '$HOME'], { input: 'from stdin', env: { EXTRA: 'x' } });
    expect(r.code).toBe(3);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('oops\n');
    const seen = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(seen.ARGS).toBe('push a b $HOME');
    expect(seen.IN).toBe('from stdin');
    expect(seen.EXTRA).toBe('x');
    expect(seen.LEAK).toBe(''); // the caller's environment is not inherited
    expect(seen.HOME).not.toBe(homedir());
    expect(seen.HOME).toMatch(/ocx-peer-/);
    expect(seen.DOCKER_CONFIG).toBe(`${seen.HOME}/.docker`);
    expect(seen.XDG_CONFIG_HOME).toBe(`${seen.HOME}/.config`);
    expect(seen.HTTPS_PROXY).toBe('http://127.0.0.1:9');
    expect(seen.PWD.startsWith(seen.HOME.replace(/\/home$/, ''))).toBe(true);
  });

  it('reuses a caller-owned sandbox and can go online', async () => {
    const sb = await createPeerSandbox();
    try {
      const r = await runPeer('oras', [], { sandbox: sb, offline: false });
      expect(r.stdout).toContain(`HOME=${sb.home}\n`);
      expect(r.stdout).toContain('HTTPS_PROXY=\n');
      expect(sb.notationConfigDir).toBe(join(sb.home, '.config', 'notation'));
    } finally {
      await sb.cleanup();
    }
  });

  it('kills a peer that exceeds its timeout', async () => {
    const t0 = Date.now();
    const r = await runPeer('cosign2', [], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('missing peer: runPeer throws PEER_MISSING', async () => {
    await expect(runPeer('cosign3', ['version'])).rejects.toMatchObject({ code: 'PEER_MISSING' });
  });

  it('missing peer: skips locally with one line, fails under CI', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(peerOrSkip('cosign3')).toBeUndefined();
    expect(peerOrSkip('cosign3')).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^skipped: peer cosign3 missing — run pnpm peers/);
    warn.mockRestore();

    const notes: string[] = [];
    const ctx = { skip: (note?: string) => void notes.push(note ?? '') };
    expect(() => requirePeer('cosign3', ctx)).toThrow(RigError);
    expect(notes).toHaveLength(1);

    vi.stubEnv('CI', 'true');
    expect(isCI()).toBe(true);
    expect(() => peerOrSkip('cosign3')).toThrow(/required under CI: peer cosign3/);
    expect(() => requirePeer('cosign3', ctx)).toThrow(/required under CI/);
    expect(notes).toHaveLength(1); // no skip under CI
    expect(peerOrSkip('oras')).toBe(join(bin, 'oras'));
  });
});

// The real peers built by `pnpm peers`: each one runs. Per-test requirePeer, so under CI a missing peer
// fails exactly its own test.
const versionArgs: Record<PeerName, string[]> = {
  oras: ['version'],
  cosign2: ['version'],
  cosign3: ['version'],
  notation: ['version'],
  registry3: ['--version'],
  fulcio: ['version'],
  'timestamp-server': ['version'],
};
const expectedVersion: Record<PeerName, string> = {
  oras: '1.3.6',
  cosign2: 'v2.6.5',
  cosign3: 'v3.1.3',
  notation: '1.3.2',
  registry3: 'v3.1.2',
  fulcio: 'v1.8.8',
  'timestamp-server': 'v1.2.9',
};

describe('real peers (.peers/bin)', () => {
  for (const name of peerNames) {
    it(`${name} runs and is the pinned version`, async (ctx) => {
      requirePeer(name, ctx);
      const r = await runPeer(name, versionArgs[name], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain(expectedVersion[name]);
    });
  }
});

describe('real peers against a real registry, offline, in a sandbox', () => {
  it('oras pushes, cosign v3 signs with a key (no tlog) and verifies; the signature lands under the tag schema', async (ctx) => {
    for (const p of ['oras', 'cosign3', 'registry3'] as const) requirePeer(p, ctx);
    const reg = await startRegistry('distribution3');
    const sb = await createPeerSandbox();
    try {
      await writeFile(join(sb.dir, 'a.txt'), 'hello');
      const push = await runPeer('oras', ['push', '--plain-http', `${reg.host}/demo:v1`, 'a.txt'], { sandbox: sb });
      expect(push.code, push.stderr).toBe(0);
      const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
      expect(digest).toBeDefined();
      const ref = `${reg.host}/demo@${digest}`;
      const env = { COSIGN_PASSWORD: '' };
      expect((await runPeer('cosign3', ['generate-key-pair'], { sandbox: sb, env })).code).toBe(0);
      const sign = await runPeer(
        'cosign3',
        ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', ref],
        { sandbox: sb, env },
      );
      expect(sign.code, sign.stderr).toBe(0);
      const verify = await runPeer(
        'cosign3',
        ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--allow-insecure-registry', ref],
        { sandbox: sb, env },
      );
      expect(verify.code, verify.stderr).toBe(0);
      // No referrers API on distribution v3.1.2, so cosign keeps the index under `sha256-<hex>`.
      const tag = digest!.replace(':', '-');
      const idx = await fetch(`${reg.url}/v2/demo/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
      expect(idx.status).toBe(200);
      const body = (await idx.json()) as { manifests: unknown[] };
      expect(body.manifests.length).toBe(1);
    } finally {
      await sb.cleanup();
      await reg.stop();
    }
  });
});
