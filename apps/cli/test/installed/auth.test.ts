import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { dockerConfig } from './docker-config.ts';
import { tlsSetup } from './tls.ts';
import { installedOcx, runInstalled, sandbox } from './harness.ts';
import { installedScenario } from './scenario.ts';

// The installed ocx against the emulator's authentication modes: anonymous tokens and Basic on plain
// http (loopback falls back to http when the server does not speak TLS), tokens behind docker-config
// credentials over TLS with a test CA.

const USER = 'alice';
const PASSWORD = 'installed-secret';

describe('installed ocx: emulator with anonymous bearer tokens', () => {
  let reg: RunningRegistry;
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = createEmulator({ auth: { mode: 'anonymous-token' } });
    reg = await emulator.listen();
  });
  afterAll(() => reg?.close());
  installedScenario(() => ({ host: reg.host }), 'anonymous-token');
  it('used bearer tokens, never Basic', () => {
    const schemes = new Set(emulator.log.map((r) => r.auth.scheme?.toLowerCase()));
    expect(schemes.has('bearer')).toBe(true);
    expect(schemes.has('basic')).toBe(false);
  });
});

describe('installed ocx: emulator over TLS with bearer tokens behind Basic credentials from the docker config', () => {
  let tls: Awaited<ReturnType<typeof tlsSetup>>;
  let reg: RunningRegistry;
  let dir: string;
  beforeAll(async () => {
    tls = await tlsSetup();
    reg = await createEmulator({ auth: { mode: 'token', users: { [USER]: PASSWORD } } }).listen({ tls: { key: tls.key, cert: tls.certPem } });
    dir = await mkdtemp(join(tmpdir(), 'ocx-installed-docker-'));
    await dockerConfig(join(dir, 'docker'), { [reg.host]: { username: USER, password: PASSWORD } });
  });
  afterAll(async () => {
    await reg?.close();
    await tls?.cert.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  installedScenario(() => ({ host: reg.host, args: ['--ca-file', tls.cert.caFile], env: { DOCKER_CONFIG: join(dir, 'docker') } }), 'token-docker-config');

  it('without credentials: authentication failed (80), no stack', async () => {
    const { bin } = await installedOcx();
    const box = await sandbox();
    try {
      const r = await runInstalled(bin, ['discover', `${reg.host}/token-docker-config/app:v1`, '--ca-file', tls.cert.caFile], { env: box.env });
      expect(r.code, r.stderr).toBe(80);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await box.cleanup();
    }
  });
});

describe('installed ocx: emulator with Basic auth (--username --password-stdin)', () => {
  let reg: RunningRegistry;
  let dir: string;
  beforeAll(async () => {
    reg = await createEmulator({ auth: { mode: 'basic', users: { [USER]: PASSWORD } } }).listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-installed-docker-'));
    await dockerConfig(join(dir, 'docker'), { [reg.host]: { username: USER, password: PASSWORD } });
  });
  afterAll(async () => {
    await reg?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  installedScenario(
    () => ({ host: reg.host, env: { DOCKER_CONFIG: join(dir, 'docker') }, login: { args: ['--username', USER, '--password-stdin'], stdin: `${PASSWORD}\n` } }),
    'basic',
  );
});
