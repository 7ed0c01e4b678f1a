import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, createPeerSandbox, peerOrSkip, registryOrSkip, requirePeer, startRegistry, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { spdxDocument } from './documents.ts';
import { peerRunner } from './sbom-helpers.ts';

// Issue 5 acceptance: SBOMs attached by the real tools — `oras attach` (SPDX JSON, CycloneDX JSON),
// cosign v2 `attest` (legacy .att) and cosign v3 `attest` (bundle referrer) — are all found by
// `ocx sbom`, written byte-exact, and `--require-signed` accepts the oras-attached SBOM only after a
// real `cosign sign` / `notation sign` on the SBOM's own manifest.

const SPDX = `${JSON.stringify(
  spdxDocument(
    'peer-app',
    [
      { SPDXID: 'SPDXRef-a', name: 'left-pad', versionInfo: '1.3.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'MIT' },
      { SPDXID: 'SPDXRef-b', name: 'zod', versionInfo: '4.6.7', downloadLocation: 'NOASSERTION', licenseConcluded: 'MIT' },
    ],
    { creator: 'Tool: hand' },
  ),
  null,
  2,
)}\n`;
const CDX = `${JSON.stringify(
  {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    components: [
      { type: 'library', name: 'left-pad', version: '1.3.0' },
      { type: 'library', name: 'zod', version: '4.6.7' },
      { type: 'library', name: 'undici', version: '7.0.0' },
    ],
  },
  null,
  2,
)}\n`;

// cosign marshals the predicate from a Go map (keys sorted); ocx hands back the predicate as it is in
// the statement, compact: so the expected bytes are the file's JSON with sorted keys.
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sortKeys(x)])) : v;
const predicateBytes = (s: string) => JSON.stringify(sortKeys(JSON.parse(s)));
const targets = [
  { name: 'emulator', available: true, start: async () => { const s = await createEmulator().listen(); return { host: s.host, stop: () => s.close() }; } },
  { name: 'docker-registry 2.8', available: registryOrSkip('distribution2') !== undefined, start: async () => { const r = await startRegistry('distribution2'); return { host: r.host, stop: () => r.stop() }; } },
];

interface Sbom {
  source: string;
  format: string;
  digest: string;
  referrer: string;
  layer: string;
  predicateType?: string;
  selector: string;
  signed: boolean;
  trust: { reasons: string[] };
}

for (const target of targets) {
  describe.skipIf(!peerOrSkip('oras') || !target.available)(`ocx sbom with SBOMs attached by real tools on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sb: PeerSandbox;
    let ref: string;
    let subject: string;
    const peer = peerRunner(() => sb);
    const list = async (extra: string[] = []) => {
      const r = await ocx(['sbom', ref, '--format', 'json', '--no-cache', ...extra]);
      return { ...r, doc: r.stdout ? (JSON.parse(r.stdout) as { sboms: Sbom[] }) : { sboms: [] } };
    };

    beforeAll(async () => {
      reg = await target.start();
      sb = await createPeerSandbox();
      await writeFile(join(sb.dir, 'app.txt'), `app for ${target.name}`);
      await writeFile(join(sb.dir, 'sbom.spdx.json'), SPDX);
      await writeFile(join(sb.dir, 'bom.cdx.json'), CDX);
      const pushed = await peer('oras', ['push', '--plain-http', `${reg.host}/sbom/app:v1`, 'app.txt:text/plain']);
      subject = /Digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1]!;
      ref = `${reg.host}/sbom/app:v1`;
      await peer('oras', ['attach', '--plain-http', '--artifact-type', 'application/spdx+json', ref, 'sbom.spdx.json:application/spdx+json']);
      await peer('oras', ['attach', '--plain-http', '--artifact-type', 'application/vnd.cyclonedx+json', ref, 'bom.cdx.json:application/vnd.cyclonedx+json']);
    });
    afterAll(async () => {
      await sb?.cleanup();
      await reg?.stop();
    });

    it('finds the oras-attached SPDX and CycloneDX SBOMs and writes them byte-exact', async () => {
      const r = await list();
      expect(r.code, r.stderr).toBe(0);
      const raw = r.doc.sboms.filter((s) => s.source === 'referrer');
      expect(raw.map((s) => s.format).sort()).toEqual(['cyclonedx', 'spdx']);
      for (const [s, file, text] of [[raw.find((x) => x.format === 'spdx')!, 'out.spdx.json', SPDX], [raw.find((x) => x.format === 'cyclonedx')!, 'out.cdx.json', CDX]] as const) {
        const w = await ocx(['sbom', ref, '--digest', s.digest, '--output', join(sb.dir, file), '--no-cache']);
        expect(w.code, w.stderr).toBe(0);
        expect(await readFile(join(sb.dir, file), 'utf8')).toBe(text);
      }
      const sum = await ocx(['sbom', ref, '--summary', '--no-cache']);
      expect(sum.stdout).toContain('"peer-app": 2 packages');
      expect(sum.stdout).toContain('cyclonedx 1.5 (json) urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79: 3 packages');
    });

    it('finds cosign v2 legacy .att and cosign v3 bundle SBOM attestations (spdxjson, cyclonedx); --output is the predicate', async (ctx) => {
      requirePeer('cosign2', ctx);
      requirePeer('cosign3', ctx);
      await peer('cosign2', ['generate-key-pair']);
      const at = `${reg.host}/sbom/app@${subject}`;
      for (const [type, file] of [['spdxjson', 'sbom.spdx.json'], ['cyclonedx', 'bom.cdx.json']]) {
        await peer('cosign2', ['attest', '--key', 'cosign.key', '--type', type!, '--predicate', file!, '--tlog-upload=false', '--allow-insecure-registry', '-y', at]);
        await peer('cosign3', ['attest', '--key', 'cosign.key', '--type', type!, '--predicate', file!, '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', at]);
      }
      const r = await list();
      expect(r.code, r.stderr).toBe(0);
      const seen = r.doc.sboms.map((s) => `${s.source}/${s.format}`).sort();
      expect(seen).toEqual(['bundle-attestation/cyclonedx', 'bundle-attestation/spdx', 'legacy-att/cyclonedx', 'legacy-att/spdx', 'referrer/cyclonedx', 'referrer/spdx']);
      for (const s of r.doc.sboms.filter((x) => x.source !== 'referrer')) {
        const out = join(sb.dir, `pred-${s.source}-${s.format}.json`);
        const w = await ocx(['sbom', ref, '--digest', s.selector, '--output', out, '--no-cache']);
        expect(w.code, w.stderr).toBe(0);
        const text = await readFile(out, 'utf8');
        expect(JSON.parse(text)).toEqual(JSON.parse(s.format === 'spdx' ? SPDX : CDX));
        expect(text).toBe(predicateBytes(s.format === 'spdx' ? SPDX : CDX));
      }
      // With the key, every attestation SBOM is proven; the oras-attached ones are not signed yet.
      const t = await list(['--key', join(sb.dir, 'cosign.pub'), '--insecure-ignore-tlog', '--offline']);
      expect(t.code, t.stderr).toBe(0);
      const signed = t.doc.sboms.filter((s) => s.signed).map((s) => `${s.source}/${s.format}`).sort();
      expect(signed, JSON.stringify(t.doc.sboms.map((s) => [s.source, s.format, s.trust.reasons]), null, 1)).toEqual(['bundle-attestation/cyclonedx', 'bundle-attestation/spdx', 'legacy-att/cyclonedx', 'legacy-att/spdx']);
    });

    it('--require-signed refuses the oras-attached SBOM until cosign signs its manifest', async (ctx) => {
      requirePeer('cosign3', ctx);
      await peer('cosign3', ['generate-key-pair', '--output-key-prefix', 'signer']);
      const spdx = (await list()).doc.sboms.find((s) => s.source === 'referrer' && s.format === 'spdx')!;
      const out = join(sb.dir, 'signed.spdx.json');
      const args = ['sbom', ref, '--digest', spdx.digest, '--require-signed', '--key', join(sb.dir, 'signer.pub'), '--insecure-ignore-tlog', '--offline', '--output', out, '--no-cache'];
      const before = await ocx(args);
      expect(before.code, before.stdout + before.stderr).toBe(79);
      await expect(readFile(out)).rejects.toThrow();
      await peer('cosign3', ['sign', '--key', 'signer.key', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', `${reg.host}/sbom/app@${spdx.referrer}`]);
      const after = await ocx(args);
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(await readFile(out, 'utf8')).toBe(SPDX);
    });

    it('--require-signed accepts the oras-attached CycloneDX SBOM once notation signs its manifest', async (ctx) => {
      requirePeer('notation', ctx);
      const cdx = (await list()).doc.sboms.find((s) => s.source === 'referrer' && s.format === 'cyclonedx')!;
      await peer('notation', ['cert', 'generate-test', '--default', 'ocx-sbom-test']);
      await writeFile(
        join(sb.notationConfigDir, 'trustpolicy.json'),
        JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-sbom-test'], trustedIdentities: ['*'] }] }),
      );
      const out = join(sb.dir, 'signed.cdx.json');
      const args = ['sbom', ref, '--digest', cdx.digest, '--require-signed', '--notation-config', sb.notationConfigDir, '--output', out, '--no-cache'];
      const before = await ocx(args);
      expect(before.code, before.stdout + before.stderr).toBe(79);
      await peer('notation', ['sign', '--insecure-registry', `${reg.host}/sbom/app@${cdx.referrer}`]);
      const after = await ocx(args);
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(await readFile(out, 'utf8')).toBe(CDX);
    });
  });
}
