import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peerOrSkip, runPeer } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { COSIGN_HTTP, COSIGN_KEY_PASSWORD, COSIGN_PEER_TARGETS, cosignPeerRig } from './cosign-helpers.ts';
import { spdxDocument, TEST_PROVENANCE } from './documents.ts';

// `ocx package push` (issue 11) judged by the real peers: `oras manifest fetch` shows the OCX
// artifactType, `oras discover` lists the SBOM attestation, the signature and the provenance
// attestation, `cosign verify`/`verify-attestation` (v3) and `notation verify` pass; two platform
// pushes make one index. On the emulator (referrers API) and docker-registry 2.8 (tag schema).

const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');
const oras = peerOrSkip('oras');
const notationPeer = peerOrSkip('notation');

const SPDX = spdxDocument('tool', [{ SPDXID: 'SPDXRef-tool', name: 'tool', versionInfo: '1.0', downloadLocation: 'NOASSERTION' }]);

interface PushReport {
  platform: string;
  manifest: { digest: string };
  index: { digest: string };
  replaced?: string;
  written: { step: string; what: string; digest: string; skipped?: boolean; predicateType?: string }[];
  failed?: { step: string; exitCode: number };
}

for (const target of COSIGN_PEER_TARGETS) {
  describe.skipIf(!cosign2 || !cosign3 || !oras || !target.available)(`ocx package push, judged by oras and cosign, on ${target.name}`, () => {
    const rig = cosignPeerRig(target, async ({ file }) => {
      await mkdir(file('pkg/bin'), { recursive: true });
      await writeFile(file('pkg/bin/tool'), '#!/bin/sh\necho tool\n');
      await chmod(file('pkg/bin/tool'), 0o700);
      await writeFile(file('pkg/README'), 'the tool\n');
      await writeFile(file('sbom.spdx.json'), JSON.stringify(SPDX));
      await writeFile(file('provenance.json'), JSON.stringify(TEST_PROVENANCE));
    });
    const { key, pub, file, ok: cosignOk } = rig;
    const env = { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD };
    const orasOk = async (args: string[]) => {
      const r = await runPeer('oras', args, { sandbox: rig.sandbox, cwd: rig.sandbox.dir });
      expect(r.code, `oras ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };

    it('push --sbom --sign --attest: oras sees the artifactType and every referrer; cosign v3 verifies signature and attestations; a second platform joins the index', async () => {
      const ref = `${rig.host}/tools/tool:1.0`;
      const push = async (platform: string, ...extra: string[]) => {
        const r = await ocx(['package', 'push', file('pkg'), ref, '--platform', platform, '--format', 'json', '--no-cache', ...extra], env);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        return JSON.parse(r.stdout) as PushReport;
      };
      const amd = await push('linux/amd64', '--sbom', file('sbom.spdx.json'), '--sign', '--key', key(), '--tlog-upload=false', '--attest', `slsaprovenance1=${file('provenance.json')}`);
      expect(amd.written.map((w) => `${w.step}:${w.what}`)).toEqual(['push:layer', 'push:config', 'push:manifest', 'push:index', 'sbom:attestation', 'sign:signature', 'attest:attestation']);
      const byDigest = `${rig.host}/tools/tool@${amd.manifest.digest}`;

      const manifest = JSON.parse(await orasOk(['manifest', 'fetch', '--plain-http', byDigest]));
      expect(manifest.artifactType).toBe('application/vnd.sh.ocx.package.v1');
      expect(manifest.config.mediaType).toBe('application/vnd.sh.ocx.package.v1+json');
      expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip']);
      const config = JSON.parse(await orasOk(['blob', 'fetch', '--plain-http', '--output', '-', `${rig.host}/tools/tool@${manifest.config.digest}`]));
      expect(config).toEqual({ platform: { os: 'linux', architecture: 'amd64' }, name: 'tools/tool', version: '1.0' });

      const discovered = JSON.parse(await orasOk(['discover', '--plain-http', '--format', 'json', byDigest]));
      const referrers = (discovered.referrers ?? discovered.manifests ?? []) as { digest: string; artifactType: string; annotations?: Record<string, string> }[];
      const written = amd.written.filter((w) => w.step !== 'push').map((w) => w.digest).sort();
      expect(referrers.map((r) => r.digest).sort()).toEqual(written);
      expect(referrers.map((r) => r.annotations?.['dev.sigstore.bundle.predicateType']).sort()).toEqual(['https://sigstore.dev/cosign/sign/v1', 'https://slsa.dev/provenance/v1', 'https://spdx.dev/Document']);

      await cosignOk('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, byDigest]);
      await cosignOk('cosign3', ['verify-attestation', '--type', 'spdxjson', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, byDigest]);
      await cosignOk('cosign3', ['verify-attestation', '--type', 'slsaprovenance1', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, byDigest]);
      const sbom = await ocx(['sbom', ref, '--platform', 'linux/amd64', '--require-signed', '--key', pub(), '--insecure-ignore-tlog', '--no-cache']);
      expect(sbom.code, sbom.stdout + sbom.stderr).toBe(0);

      const arm = await push('linux/arm64');
      expect(arm.written.find((w) => w.what === 'layer')?.skipped).toBe(true); // same content, same layer
      const index = JSON.parse(await orasOk(['manifest', 'fetch', '--plain-http', ref]));
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(index.manifests.map((d: { platform: { architecture: string }; artifactType: string; digest: string }) => [d.platform.architecture, d.artifactType, d.digest])).toEqual([
        ['amd64', 'application/vnd.sh.ocx.package.v1', amd.manifest.digest],
        ['arm64', 'application/vnd.sh.ocx.package.v1', arm.manifest.digest],
      ]);

      // Pushing a platform again replaces its entry; the other stays.
      await writeFile(file('pkg/README'), 'the tool, v2\n');
      const amd2 = await push('linux/amd64');
      expect(amd2.replaced).toBe(amd.manifest.digest);
      const index2 = JSON.parse(await orasOk(['manifest', 'fetch', '--plain-http', ref]));
      expect(index2.manifests.map((d: { digest: string }) => d.digest)).toEqual([amd2.manifest.digest, arm.manifest.digest]);
      await writeFile(file('pkg/README'), 'the tool\n');
    }, 240_000);

    it('concurrent pushes of four platforms to one tag all land in its index (If-Match or read-back)', async () => {
      const ref = `${rig.host}/tools/race:1.0`;
      const archs = ['amd64', 'arm64', 'riscv64', 's390x'];
      const results = await Promise.all(archs.map((a) => ocx(['package', 'push', file('pkg'), ref, '--platform', `linux/${a}`, '--format', 'json', '--no-cache'])));
      for (const r of results) expect(r.code, r.stdout + r.stderr).toBe(0);
      const index = JSON.parse(await orasOk(['manifest', 'fetch', '--plain-http', ref]));
      expect(index.manifests.map((d: { platform: { architecture: string } }) => d.platform.architecture).sort()).toEqual([...archs].sort());
    }, 120_000);

    it.skipIf(!notationPeer)('push --sign --notation: notation verify passes on the platform manifest', async () => {
      const notation = (args: string[]) => runPeer('notation', args, { sandbox: rig.sandbox });
      const gen = await notation(['cert', 'generate-test', 'ocx-push']);
      expect(gen.code, gen.stderr).toBe(0);
      await writeFile(
        join(rig.sandbox.notationConfigDir, 'trustpolicy.json'),
        JSON.stringify({
          version: '1.0',
          trustPolicies: [{ name: 'push', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-push'], trustedIdentities: ['*'] }],
        }),
      );
      const keys = join(rig.sandbox.notationConfigDir, 'localkeys');
      const ref = `${rig.host}/tools/noted:1.0`;
      const r = await ocx(['package', 'push', file('pkg'), ref, '--platform', 'linux/amd64', '--sbom', file('sbom.spdx.json'), '--sign', '--notation', '--key', join(keys, 'ocx-push.key'), '--cert', join(keys, 'ocx-push.crt'), '--format', 'json', '--no-cache']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as PushReport;
      expect(report.written.map((w) => `${w.step}:${w.what}`)).toEqual(['push:layer', 'push:config', 'push:manifest', 'push:index', 'sbom:sbom', 'sbom:signature', 'sign:signature']);
      const n = await notation(['verify', '--insecure-registry', `${rig.host}/tools/noted@${report.manifest.digest}`]);
      expect(n.code, n.stdout + n.stderr).toBe(0);
      const o = await ocx(['verify', ref, '--platform', 'linux/amd64', '--notation-config', rig.sandbox.notationConfigDir, '--no-cache']);
      expect(o.code, o.stdout + o.stderr).toBe(0);
      // The raw SBOM referrer is notation-signed too, so it counts as signed.
      const s = await ocx(['sbom', ref, '--platform', 'linux/amd64', '--require-signed', '--notation-config', rig.sandbox.notationConfigDir, '--no-cache']);
      expect(s.code, s.stdout + s.stderr).toBe(0);
    }, 180_000);
  });
}
