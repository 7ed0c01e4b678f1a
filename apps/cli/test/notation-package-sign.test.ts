import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerSandbox, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { copyLayout, registryTargets } from './notation-helpers.ts';

// `ocx package sign --notation` (JWS and COSE) → real `notation verify` and `ocx verify` both pass.

const SUBJECT = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const hasNotation = peerOrSkip('notation') !== undefined;

for (const target of registryTargets) {
  describe.skipIf(!target.available || !hasNotation)(`ocx package sign --notation on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sandbox: PeerSandbox;
    const notation = (args: string[]) => runPeer('notation', args, { sandbox });

    beforeAll(async () => {
      reg = await target.start();
      sandbox = await createPeerSandbox();
      const gen = await notation(['cert', 'generate-test', 'ocx-pkg']);
      expect(gen.code, gen.stderr).toBe(0);
      await writeFile(
        join(sandbox.notationConfigDir, 'trustpolicy.json'),
        JSON.stringify({
          version: '1.0',
          trustPolicies: [{ name: 'pkg', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-pkg'], trustedIdentities: ['x509.subject: CN=ocx-pkg, O=Notary, L=Seattle, ST=WA, C=US'] }],
        }),
      );
      for (const f of ['jws', 'cose']) await copyLayout('e2e', reg.host, `pkg-${f}`);
    }, 120_000);
    afterAll(async () => {
      await reg?.stop();
      await sandbox?.cleanup();
    });

    it.each(['jws', 'cose'])('%s: notation verify and ocx verify pass', async (format) => {
      const keys = join(sandbox.notationConfigDir, 'localkeys');
      const ref = `${reg.host}/pkg-${format}:v1`;
      const s = await ocx(['package', 'sign', ref, '--notation', '--key', join(keys, 'ocx-pkg.key'), '--cert', join(keys, 'ocx-pkg.crt'), '--signature-format', format, '--expiry', '1h', '--user-metadata', 'ci=ocx', '--no-cache']);
      expect(s.code, s.stdout + s.stderr).toBe(0);
      expect(s.stdout).toMatch(new RegExp(`✓ signed sha256:b8479de3f88f: notation-${format} referrer sha256:`));
      const n = await notation(['verify', '--insecure-registry', '--user-metadata', 'ci=ocx', `${reg.host}/pkg-${format}@${SUBJECT}`]);
      expect(n.code, n.stdout + n.stderr).toBe(0);
      const o = await ocx(['verify', ref, '--notation-config', sandbox.notationConfigDir, '--user-metadata', 'ci=ocx', '--no-cache']);
      expect(o.code, o.stdout).toBe(0);
      expect(o.stdout).toMatch(new RegExp(`notation-${format}`));
    });

    it('usage errors: missing --cert, bad format, bad expiry, timestamp URL', async () => {
      const ref = `${reg.host}/pkg-jws:v1`;
      const keys = join(sandbox.notationConfigDir, 'localkeys');
      const base = ['package', 'sign', ref, '--notation', '--key', join(keys, 'ocx-pkg.key')];
      expect((await ocx(base)).code).toBe(64);
      expect((await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--signature-format', 'pgp'])).code).toBe(64);
      expect((await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--expiry', 'tomorrow'])).code).toBe(64);
      const ts = await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--timestamp-url', 'http://127.0.0.1:9/tsa']);
      expect(ts.code).toBe(78);
      expect(ts.stderr).toMatch(/timestamping/);
    });
  });
}
