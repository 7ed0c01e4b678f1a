import { symlink, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { peerOrSkip } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { COSIGN_HTTP, COSIGN_KEY_PASSWORD, COSIGN_PEER_TARGETS, cosignPeerRig, freshPackage } from './cosign-helpers.ts';
import { spdxDocument, TEST_PROVENANCE } from './documents.ts';

// `ocx package attest` (issue 11) judged by the real cosign: v3 `verify-attestation` on the v0.3
// bundle referrer, v2 on the legacy `.att` tag; `ocx sbom --require-signed` and `ocx verify
// --attestation` agree. On the emulator (referrers API) and docker-registry 2.8 (tag schema).

const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');

const SPDX = spdxDocument('app', [{ SPDXID: 'SPDXRef-app', name: 'app', versionInfo: '1.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'MIT' }]);

for (const target of COSIGN_PEER_TARGETS) {
  describe.skipIf(!cosign2 || !cosign3 || !target.available)(`ocx package attest, judged by cosign, on ${target.name}`, () => {
    const rig = cosignPeerRig(target, async ({ file }) => {
      await writeFile(file('sbom.spdx.json'), JSON.stringify(SPDX, null, 2));
      await writeFile(file('provenance.json'), JSON.stringify(TEST_PROVENANCE));
    });
    let n = 0;
    const { key, pub, file, ok: cosignOk, run: cosign } = rig;
    const fresh = () => freshPackage(rig.host, `attest/p${++n}`, `attest-${target.name}-${n}`);
    const env = () => ({ COSIGN_PASSWORD: COSIGN_KEY_PASSWORD });

    it('bundle form: cosign v3 verify-attestation --type spdxjson passes on every platform; ocx sbom --require-signed and ocx verify --attestation agree', async () => {
      const pkg = await fresh();
      const a = await ocx(['package', 'attest', pkg.tagRef, '--type', 'spdxjson', '--predicate', file('sbom.spdx.json'), '--key', key(), '--tlog-upload=false', '--format', 'json', '--no-cache'], env());
      expect(a.code, a.stdout + a.stderr).toBe(0);
      const attested = JSON.parse(a.stdout).attested as { digest: string; platform: string; format: string; predicateType: string }[];
      expect(attested.map((x) => x.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      expect(attested.every((x) => x.format === 'cosign-bundle' && x.predicateType === 'https://spdx.dev/Document')).toBe(true);
      for (const x of attested) {
        const ref = `${rig.host}/${pkg.repository}@${x.digest}`;
        await cosignOk('cosign3', ['verify-attestation', '--type', 'spdxjson', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, ref]);
        // The wrong type is not there: cosign refuses.
        expect((await cosign('cosign3', ['verify-attestation', '--type', 'cyclonedx', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, ref])).code).not.toBe(0);
      }
      const s = await ocx(['sbom', pkg.ref, '--require-signed', '--key', pub(), '--insecure-ignore-tlog', '--format', 'json', '--no-cache']);
      expect(s.code, s.stdout + s.stderr).toBe(0);
      expect(s.stdout).toMatch(/spdx/i);
      const v = await ocx(['verify', pkg.ref, '--attestation', '--type', 'spdxjson', '--key', pub(), '--insecure-ignore-tlog', '--no-cache']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const wrong = await ocx(['verify', pkg.ref, '--attestation', '--type', 'cyclonedx', '--key', pub(), '--insecure-ignore-tlog', '--no-cache']);
      expect(wrong.code).not.toBe(0);
    }, 180_000);

    it('--legacy-tag: cosign v2 verify-attestation --type slsaprovenance1 passes on the .att tag; ocx verify --attestation agrees', async () => {
      const pkg = await fresh();
      const a = await ocx(['package', 'attest', pkg.ref, '--type', 'slsaprovenance1', '--predicate', file('provenance.json'), '--key', key(), '--legacy-tag', '--tlog-upload=false', '--no-cache'], env());
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(a.stdout).toMatch(/tag sha256-[0-9a-f]{64}\.att/);
      await cosignOk('cosign2', ['verify-attestation', '--type', 'slsaprovenance1', '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, pkg.ref]);
      const v = await ocx(['verify', pkg.ref, '--attestation', '--type', 'slsaprovenance1', '--key', pub(), '--insecure-ignore-tlog', '--no-cache']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }, 180_000);

    it('--type custom and a predicate URI: cosign v3 verifies both', async () => {
      const pkg = await fresh();
      await writeFile(file('notes.txt'), 'built on a Tuesday\n');
      await writeFile(file('scan.json'), JSON.stringify({ scanner: 'ocx-test', findings: [] }));
      for (const [type, pred] of [['custom', 'notes.txt'], ['https://example.com/scan/v1', 'scan.json']] as const) {
        const a = await ocx(['package', 'attest', pkg.ref, '--type', type, '--predicate', file(pred), '--key', key(), '--tlog-upload=false', '--no-cache'], env());
        expect(a.code, a.stdout + a.stderr).toBe(0);
        await cosignOk('cosign3', ['verify-attestation', '--type', type, '--key', pub(), '--insecure-ignore-tlog', ...COSIGN_HTTP, pkg.ref]);
      }
    }, 180_000);

    it('--unsigned: a plain SBOM referrer that ocx sbom finds and --require-signed refuses', async () => {
      const pkg = await fresh();
      const a = await ocx(['package', 'attest', pkg.ref, '--unsigned', '--predicate', file('sbom.spdx.json'), '--format', 'json', '--no-cache']);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(JSON.parse(a.stdout).attested[0]).toMatchObject({ format: 'sbom-referrer' });
      const d = await ocx(['discover', pkg.ref, '--format', 'json', '--no-cache']);
      expect(JSON.parse(d.stdout).referrers[0].artifactType).toBe('application/spdx+json');
      const s = await ocx(['sbom', pkg.ref, '--format', 'json', '--no-cache']);
      expect(s.code, s.stdout + s.stderr).toBe(0);
      const signed = await ocx(['sbom', pkg.ref, '--require-signed', '--key', pub(), '--insecure-ignore-tlog', '--no-cache']);
      expect(signed.code).toBe(79); // unsigned: 79 in every command
    }, 120_000);

    it('refuses, with the reason and before writing: SLSA v0.2, oversize, non-JSON, symlinked predicates, unsigned provenance', async () => {
      const pkg = await fresh();
      const attest = (...args: string[]) => ocx(['package', 'attest', pkg.ref, '--key', key(), '--tlog-upload=false', '--no-cache', ...args], env());
      const v02 = await attest('--type', 'slsaprovenance', '--predicate', file('provenance.json'));
      expect(v02.code).toBe(64);
      expect(v02.stderr).toMatch(/SLSA provenance v0\.2/);
      await writeFile(file('big.json'), `{"pad":"${'x'.repeat(15 * 1024 * 1024)}"}`);
      const big = await attest('--type', 'https://example.com/x', '--predicate', file('big.json'));
      expect(big.code).toBe(65);
      expect(big.stderr).toMatch(/cap/);
      await writeFile(file('not.json'), 'hello');
      const notJson = await attest('--type', 'vuln', '--predicate', file('not.json'));
      expect(notJson.code).toBe(65);
      expect(notJson.stderr).toMatch(/not JSON/);
      await symlink(file('provenance.json'), file('link.json')).catch(() => undefined);
      const link = await attest('--type', 'slsaprovenance1', '--predicate', file('link.json'));
      expect(link.code).toBe(74);
      expect(link.stderr).toMatch(/symbolic link/);
      const unsigned = await ocx(['package', 'attest', pkg.ref, '--unsigned', '--type', 'slsaprovenance1', '--predicate', file('provenance.json'), '--no-cache']);
      expect(unsigned.code).toBe(64);
      expect(unsigned.stderr).toMatch(/SBOMs only/);
      const mismatch = await attest('--type', 'cyclonedx', '--predicate', file('sbom.spdx.json'));
      expect(mismatch.code).toBe(65);
      const d = await ocx(['discover', pkg.ref, '--format', 'json', '--no-cache']);
      expect(JSON.parse(d.stdout).referrers ?? []).toEqual([]);
    }, 120_000);
  });
}
