import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { registryOrSkip, startRegistry, type RealRegistry } from '@ocx/testkit';
import { dockerConfig } from './docker-config.ts';
import { installedScenario } from './scenario.ts';
import { tlsSetup } from './tls.ts';

// The installed ocx against docker-registry 2.8 (no referrers API: the tag schema) over TLS
// (http.tls) with htpasswd Basic auth, credentials from the docker config.

const USER = 'alice';
const PASSWORD = 'installed-htpasswd';
const haveD2 = registryOrSkip('distribution2') !== undefined;

describe.skipIf(!haveD2)('installed ocx: docker-registry 2.8 over TLS with htpasswd', () => {
  let tls: Awaited<ReturnType<typeof tlsSetup>>;
  let reg: RealRegistry;
  let dir: string;
  beforeAll(async () => {
    tls = await tlsSetup();
    reg = await startRegistry('distribution2', { tls: { certFile: tls.cert.certFile, keyFile: tls.cert.keyFile }, htpasswd: { [USER]: PASSWORD } });
    dir = await mkdtemp(join(tmpdir(), 'ocx-installed-d2-'));
    await dockerConfig(join(dir, 'docker'), { [reg.host]: { username: USER, password: PASSWORD } });
  });
  afterAll(async () => {
    await reg?.stop();
    await tls?.cert.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  installedScenario(() => ({ host: reg.host, args: ['--ca-file', tls.cert.caFile], env: { DOCKER_CONFIG: join(dir, 'docker') } }), 'distribution2');
});
