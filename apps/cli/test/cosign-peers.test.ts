import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf, encodeJson, isIndex, parseManifest } from '@ocx/oci';
import { peerOrSkip, runPeer } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { COSIGN_HTTP, COSIGN_KEY_PASSWORD, COSIGN_PEER_TARGETS, COSIGN_V3_OFFLINE, cosignPeerRig, freshPackage, repoAt } from './cosign-helpers.ts';
import { spdxDocument } from './documents.ts';

// Acceptance against real cosign v2 and v3 (issue 3): what cosign writes, ocx verifies, and what
// `ocx package sign` writes, cosign verifies; on the emulator and on docker-registry 2.8 (no referrers
// API). cosign runs offline (dead proxy) with no transparency log.

const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');

for (const target of COSIGN_PEER_TARGETS) {
  describe.skipIf(!cosign2 || !cosign3 || !target.available)(`cosign v2/v3 and ocx agree on ${target.name}`, () => {
    const rig = cosignPeerRig(target);
    let n = 0;
    const { key, pub, run: cosign, ok: cosignOk } = rig;
    /** A fresh package; returns the amd64 manifest reference by digest. */
    const fresh = () => freshPackage(rig.host, `cosign/p${++n}`, `${target.name}-${n}`);

    it('cosign v2 sign --key (legacy tag, no tlog) verifies with --insecure-ignore-tlog; a tampered payload fails', async () => {
      const { ref, repository, digest } = await fresh();
      await cosignOk('cosign2', ['sign', '--key', key(), '--tlog-upload=false', ...COSIGN_HTTP, '-y', ref]);
      const ok = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--format', 'json']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-legacy', ok: true, kind: 'signature' });

      // Tamper: same signature annotation over a payload naming the same digest, one byte changed.
      const { repo, client } = repoAt(rig.host, repository);
      const tag = `sha256-${digest.digest.slice(7)}.sig`;
      const sigDesc = await repo.resolve(tag);
      const { manifest } = parseManifest(await repo.fetch(sigDesc), sigDesc.mediaType);
      if (isIndex(manifest)) throw new Error('unexpected index');
      const layer = manifest.layers[0]!;
      const payload = Buffer.from(await repo.fetch(layer)).toString('utf8').replace('"optional":null', '"optional":{"tampered":"yes"}');
      const bytes = new TextEncoder().encode(payload.includes('tampered') ? payload : `${payload} `);
      const newLayer = { ...layer, digest: digestOf(bytes), size: bytes.byteLength };
      await repo.push(newLayer, bytes);
      const m = encodeJson({ ...manifest, layers: [newLayer] });
      const mDesc = { mediaType: sigDesc.mediaType, digest: digestOf(m), size: m.byteLength };
      await repo.push(mDesc, m);
      await repo.tag(mDesc, tag);
      await client.close();

      const bad = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog']);
      expect(bad.code).toBe(65);
      expect(bad.stdout).toMatch(/bad signature/);
      const theirs = await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, ref]);
      expect(theirs.code).not.toBe(0);
    }, 120_000);

    it('cosign v3 sign --key verifies; cosign v3 attest is named but is not a signature', async () => {
      const { ref } = await fresh();
      await cosignOk('cosign3', ['sign', '--key', key(), ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', ref]);
      const ok = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--format', 'json']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-bundle', ok: true, kind: 'signature', predicateType: 'https://sigstore.dev/cosign/sign/v1' });

      const attested = await fresh();
      const sbom = join(rig.sandbox.dir, 'sbom.spdx.json');
      await writeFile(sbom, JSON.stringify(spdxDocument('app', [])));
      await cosignOk('cosign3', ['attest', '--key', key(), '--type', 'spdxjson', '--predicate', sbom, ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', attested.ref]);
      const asSig = await ocx(['verify', attested.ref, '--key', pub(), '--insecure-ignore-tlog']);
      expect(asSig.code).toBe(79);
      expect(asSig.stdout).toContain('attestation https://spdx.dev/Document is not a signature');
      const asAtt = await ocx(['verify', attested.ref, '--key', pub(), '--insecure-ignore-tlog', '--attestation', '--type', 'spdxjson']);
      expect(asAtt.code, asAtt.stdout).toBe(0);
      const theirs = await cosign('cosign3', ['verify-attestation', '--type', 'spdxjson', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, attested.ref]);
      expect(theirs.code, theirs.stderr).toBe(0);
    }, 180_000);

    it('cosign v2 experimental OCI 1.1 referrers and legacy .att attestations', async () => {
      const { ref } = await fresh();
      const r = await runPeer('cosign2', ['sign', '--key', key(), '--tlog-upload=false', '--registry-referrers-mode=oci-1-1', ...COSIGN_HTTP, '-y', ref], { sandbox: rig.sandbox, env: { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD, COSIGN_EXPERIMENTAL: '1' } });
      expect(r.code, r.stderr).toBe(0);
      const sbom = join(rig.sandbox.dir, 'sbom-v2.spdx.json');
      await writeFile(sbom, JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', packages: [] }));
      await cosignOk('cosign2', ['attest', '--key', key(), '--type', 'spdxjson', '--predicate', sbom, '--tlog-upload=false', ...COSIGN_HTTP, '-y', ref]);
      const sig = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--format', 'json']);
      expect(sig.code, sig.stdout).toBe(0);
      expect(JSON.parse(sig.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-oci11', ok: true });
      const att = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--attestation', '--type', 'spdxjson', '--format', 'json']);
      expect(att.code, att.stdout).toBe(0);
      expect(JSON.parse(att.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-legacy', ok: true, kind: 'attestation' });
      const other = await ocx(['verify', ref, '--key', pub(), '--insecure-ignore-tlog', '--attestation', '--type', 'slsaprovenance1']);
      expect(other.code).not.toBe(0);
    }, 180_000);

    it('a cosign v3 signature on the image index counts for its platforms, and the report says so', async () => {
      const { tagRef, repository } = await fresh();
      const { repo, client } = repoAt(rig.host, repository);
      const index = await repo.resolve('v1');
      await client.close();
      await cosignOk('cosign3', ['sign', '--key', key(), ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', `${rig.host}/${repository}@${index.digest}`]);
      const r = await ocx(['verify', tagRef, '--key', pub(), '--insecure-ignore-tlog', '--platform', 'linux/arm64', '--format', 'json']);
      expect(r.code, r.stdout).toBe(0);
      const t = JSON.parse(r.stdout).results[0].targets[0];
      expect(t).toMatchObject({ platform: 'linux/arm64', verified: true, signedAt: 'index' });
    }, 120_000);

    it('what ocx package sign --key writes, cosign v3 verifies (bundle) and cosign v2 verifies (--legacy-tag)', async () => {
      const bundled = await fresh();
      const s1 = await ocx(['package', 'sign', bundled.tagRef, '--key', key(), '--tlog-upload=false'], { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD });
      expect(s1.code, s1.stderr).toBe(0);
      const v3 = await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, bundled.ref]);
      expect(v3.code, v3.stderr).toBe(0);
      expect(v3.stdout).toContain(bundled.digest.digest);
      // The tag names an index: ocx signed it too (cosign sign --recursive), so cosign verify <tag> passes.
      const byTag = await cosign('cosign3', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, bundled.tagRef]);
      expect(byTag.code, byTag.stderr).toBe(0);
      const ours = await ocx(['verify', bundled.tagRef, '--key', pub(), '--insecure-ignore-tlog', '--all-platforms']);
      expect(ours.code, ours.stdout).toBe(0);

      const legacy = await fresh();
      const s2 = await ocx(['package', 'sign', legacy.tagRef, '--key', key(), '--legacy-tag', '--platform', 'linux/amd64', '--tlog-upload=false'], { COSIGN_PASSWORD: COSIGN_KEY_PASSWORD });
      expect(s2.code, s2.stderr).toBe(0);
      const v2 = await cosign('cosign2', ['verify', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, legacy.ref]);
      expect(v2.code, v2.stderr).toBe(0);
      const wrongPassword = await ocx(['package', 'sign', legacy.tagRef, '--key', key(), '--tlog-upload=false'], { COSIGN_PASSWORD: 'nope' });
      expect(wrongPassword.code).toBe(80);
    }, 180_000);
  });
}
