import { afterAll, beforeAll, describe } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { installedScenario } from './scenario.ts';
import { tlsSetup } from './tls.ts';

// The installed ocx against the emulator over TLS with a test CA the system does not trust: trusted
// once through --ca-file, once through NODE_EXTRA_CA_CERTS (what Node itself reads).

const tls = await tlsSetup();
afterAll(() => tls.cert.cleanup());

describe.skipIf(!tls.ready)('installed ocx: emulator over TLS', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await createEmulator().listen({ tls: { key: tls.key, cert: tls.certPem } });
  });
  afterAll(() => reg?.close());

  describe('trusted with --ca-file', () => {
    installedScenario(() => ({ host: reg.host, args: ['--ca-file', tls.cert.caFile] }), 'tls-ca-file');
  });
  describe('trusted with NODE_EXTRA_CA_CERTS', () => {
    installedScenario(() => ({ host: reg.host, env: { NODE_EXTRA_CA_CERTS: tls.cert.caFile } }), 'tls-node-extra-ca-certs');
  });
});
