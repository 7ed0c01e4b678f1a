import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey } from 'node:crypto';
import { RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
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

    it('an image index: the index and each platform manifest get a notation signature that notation verify <tag> and ocx --all-platforms verify', async () => {
      const client = new RegistryClient({});
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: 'pkg-multi' });
      const put = async (mediaType: string, value: unknown): Promise<Descriptor> => {
        const b = new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
        const d = { mediaType, digest: `sha256:${createHash('sha256').update(b).digest('hex')}`, size: b.length };
        await repo.push(d, b);
        return d;
      };
      try {
        const cfg = await put('application/vnd.oci.empty.v1+json', '{}');
        const platforms: Descriptor[] = [];
        for (const arch of ['amd64', 'arm64']) {
          const layer = await put('application/vnd.oci.image.layer.v1.tar', `layer for ${arch}\n`);
          const m = await put('application/vnd.oci.image.manifest.v1+json', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] });
          platforms.push({ ...m, platform: { os: 'linux', architecture: arch } });
        }
        const index = await put('application/vnd.oci.image.index.v1+json', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: platforms });
        await repo.tag(index, 'v1');
        const keys = join(sandbox.notationConfigDir, 'localkeys');
        const s = await ocx(['package', 'sign', `${reg.host}/pkg-multi:v1`, '--notation', '--key', join(keys, 'ocx-pkg.key'), '--cert', join(keys, 'ocx-pkg.crt'), '--format', 'json', '--no-cache']);
        expect(s.code, s.stdout + s.stderr).toBe(0);
        const signed = JSON.parse(s.stdout).signed as { digest: string; platform?: string }[];
        // The index the tag names and each platform under it (cosign sign --recursive's targets).
        expect(signed.map((x) => x.platform ?? x.digest)).toEqual([index.digest, 'linux/amd64', 'linux/arm64']);
        const byTag = await notation(['verify', '--insecure-registry', `${reg.host}/pkg-multi:v1`]);
        expect(byTag.code, byTag.stdout + byTag.stderr).toBe(0);
        for (const p of platforms) {
          const n = await notation(['verify', '--insecure-registry', `${reg.host}/pkg-multi@${p.digest}`]);
          expect(n.code, n.stdout + n.stderr).toBe(0);
        }
        const o = await ocx(['verify', `${reg.host}/pkg-multi:v1`, '--all-platforms', '--notation-config', sandbox.notationConfigDir, '--no-cache']);
        expect(o.code, o.stdout).toBe(0);
      } finally {
        await client.close();
      }
    });

    it('a package signed with cosign (ocx package sign --key) and notation shows both families', async () => {
      await copyLayout('e2e', reg.host, 'pkg-both');
      const keys = join(sandbox.notationConfigDir, 'localkeys');
      const ref = `${reg.host}/pkg-both:v1`;
      const n = await ocx(['package', 'sign', ref, '--notation', '--key', join(keys, 'ocx-pkg.key'), '--cert', join(keys, 'ocx-pkg.crt'), '--no-cache']);
      expect(n.code, n.stderr).toBe(0);
      const c = await ocx(['package', 'sign', ref, '--key', join(keys, 'ocx-pkg.key'), '--tlog-upload=false', '--no-cache']);
      expect(c.code, c.stderr).toBe(0);
      const pub = join(sandbox.dir, 'ocx-pkg.pub');
      await writeFile(pub, createPublicKey(await readFile(join(keys, 'ocx-pkg.crt'))).export({ type: 'spki', format: 'pem' }));
      const v = await ocx(['verify', ref, '--key', pub, '--insecure-ignore-tlog', '--notation-config', sandbox.notationConfigDir, '--format', 'json', '--no-cache']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const sigs = JSON.parse(v.stdout).results[0].targets[0].signatures as { family: string; ok: boolean }[];
      expect(sigs.filter((x) => x.ok).map((x) => x.family).sort()).toEqual(['cosign', 'notation']);
    });

    it('usage errors: missing --cert, bad format, bad expiry, timestamp URL without its root', async () => {
      const ref = `${reg.host}/pkg-jws:v1`;
      const keys = join(sandbox.notationConfigDir, 'localkeys');
      const base = ['package', 'sign', ref, '--notation', '--key', join(keys, 'ocx-pkg.key')];
      expect((await ocx(base)).code).toBe(64);
      expect((await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--signature-format', 'pgp'])).code).toBe(64);
      expect((await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--expiry', 'tomorrow'])).code).toBe(64);
      const ts = await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--timestamp-url', 'http://127.0.0.1:9/tsa']);
      expect(ts.code).toBe(78);
      expect(ts.stderr).toMatch(/--timestamp-root-cert/);
      // Nothing listens on port 9: the TSA is unavailable (69), not a configuration error.
      const down = await ocx([...base, '--cert', join(keys, 'ocx-pkg.crt'), '--timestamp-url', 'http://127.0.0.1:9/tsa', '--timestamp-root-cert', join(keys, 'ocx-pkg.crt')]);
      expect(down.code, down.stderr).toBe(69);
      expect(down.stderr).toMatch(/cannot reach the TSA/);
    });
  });
}
