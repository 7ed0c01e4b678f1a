import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFamily, unregisterFamily } from '@ocx/policy';
import { attach, createEmulator, tarGz, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ARTIFACT_TYPE, ed25519DetachedFamily, FAMILY, LAYER_TYPE } from '../../../packages/policy/test/example-family/family.ts';
import { ocx } from './cli.ts';
import { repoAt } from './cosign-helpers.ts';
import { pushLayers, TGZ } from './pull-helpers.ts';

// `ocx pull`'s gate through the verify engine: an SBOM requirement and an extension family's
// signers (the example ed25519 family, registered by "another package") decide before any layer.

describe('ocx pull gated through the engine', () => {
  let emulator: Emulator;
  let server: RunningRegistry;
  let dir: string;
  const vendor = generateKeyPairSync('ed25519');
  beforeAll(async () => {
    emulator = createEmulator();
    server = await emulator.listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-pull-engine-'));
    registerFamily(ed25519DetachedFamily);
  });
  afterAll(async () => {
    unregisterFamily(FAMILY);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function app(repository: string) {
    const { repo, client } = repoAt(server.host, repository);
    try {
      const pushed = await pushLayers(repo, [{ bytes: await tarGz([{ name: 'bin/app', content: repository }]), mediaType: TGZ }], 'v1');
      return { repo, client, pushed };
    } catch (e) {
      await client.close();
      throw e;
    }
  }
  const layerGets = (digests: readonly string[]) => emulator.log.filter((e) => e.method === 'GET' && digests.some((d) => e.path.endsWith(`/blobs/${d}`)));

  it('an extension signer and a required SBOM: blocked (81, no layer fetched) until both are there', async () => {
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      JSON.stringify({
        version: 1,
        signers: { vendor: { extension: { family: FAMILY, config: { publicKey: vendor.publicKey.export({ format: 'pem', type: 'spki' }).toString() } } } },
        rules: [{ name: 'vendor', scope: `${server.host}/vendor/app`, signatures: { threshold: 1, of: ['vendor'] }, sbom: { required: true } }],
      }),
    );
    const { repo, client, pushed } = await app('vendor/app');
    const pull = (out: string) => ocx(['pull', `${server.host}/vendor/app:v1`, '-o', join(dir, out), '--policy', policy, '--no-cache'], { OCX_NO_VERIFY: '' });
    try {
      const unsigned = await pull('a');
      expect(unsigned.code, unsigned.stderr).toBe(81);
      await attach(repo, pushed.manifest, { content: sign(null, Buffer.from(pushed.manifest.digest), vendor.privateKey), mediaType: LAYER_TYPE }, { artifactType: ARTIFACT_TYPE });
      const noSbom = await pull('b');
      expect(noSbom.code, noSbom.stderr).toBe(81);
      expect(noSbom.stderr).toMatch(/no SBOM found/);
      expect(layerGets(pushed.layers.map((l) => l.digest))).toEqual([]);
      await attach(repo, pushed.manifest, { content: JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', dataLicense: 'CC0-1.0', documentNamespace: 'https://x/1', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: t'] }, packages: [] }), mediaType: 'application/spdx+json' }, { artifactType: 'application/spdx+json' });
      const ok = await pull('c');
      expect(ok.code, ok.stderr).toBe(0);
      expect(await readFile(join(dir, 'c', 'bin', 'app'), 'utf8')).toBe('vendor/app');
    } finally {
      await client.close();
    }
  });
});
