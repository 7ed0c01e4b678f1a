import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { installedOcx, runInstalled, sandbox } from './harness.ts';
import { installedScenario } from './scenario.ts';
import { tlsSetup } from './tls.ts';

// The installed ocx against the emulator over TLS with a test CA the system does not trust: trusted
// once through --ca-file, once through NODE_EXTRA_CA_CERTS (what Node itself reads). Loopback hosts
// get https first, so 127.0.0.1 needs no flag beyond the trust.

describe('installed ocx: emulator over TLS', () => {
  let tls: Awaited<ReturnType<typeof tlsSetup>>;
  let reg: RunningRegistry;
  beforeAll(async () => {
    tls = await tlsSetup();
    reg = await createEmulator().listen({ tls: { key: tls.key, cert: tls.certPem } });
  });
  afterAll(async () => {
    await reg?.close();
    await tls?.cert.cleanup();
  });

  describe('trusted with --ca-file', () => {
    installedScenario(() => ({ host: reg.host, args: ['--ca-file', tls.cert.caFile] }), 'tls-ca-file');
  });
  describe('trusted with NODE_EXTRA_CA_CERTS', () => {
    installedScenario(() => ({ host: reg.host, env: { NODE_EXTRA_CA_CERTS: tls.cert.caFile } }), 'tls-node-extra-ca-certs');
  });

  it('not trusted: a configuration error (78, not a retryable 75) naming --ca-file and NODE_EXTRA_CA_CERTS', async () => {
    const { bin } = await installedOcx();
    const box = await sandbox();
    try {
      const r = await runInstalled(bin, ['discover', `${reg.host}/tls-ca-file/app:v1`], { env: box.env });
      expect(r.code, r.stderr).toBe(78);
      expect(r.stderr).toMatch(/--ca-file/);
      expect(r.stderr).toMatch(/NODE_EXTRA_CA_CERTS/);
      expect(r.stderr).not.toMatch(/\n\s+at |dynamic import/);
    } finally {
      await box.cleanup();
    }
  });
});
