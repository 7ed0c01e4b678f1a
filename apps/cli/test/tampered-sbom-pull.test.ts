import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectReferrers, type Descriptor } from '@ocx/oci';
import { attach, cannedFaults, createEmulator, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// As verify-tampered.test.ts, for `ocx sbom --require-signed` and `ocx pull` under a policy: a
// signature whose manifest fails its digest (tag schema: left out while listing, with a warning) is
// tampered content, never "unsigned". sbom exits 65, not 79; pull stays blocked (81) but says why.

describe('a tampered signature manifest (tag schema): sbom --require-signed and pull', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let keys: KeyFiles;
  let dir: string;
  let policy: string;
  let n = 0;
  beforeAll(async () => {
    emu = createEmulator({ referrersApi: false });
    server = await emu.listen();
    keys = await keyFiles();
    dir = await mkdtemp(join(tmpdir(), 'ocx-tampered-sbom-pull-'));
    policy = join(dir, 'policy.yaml');
    await writeFile(policy, JSON.stringify({ version: 1, signers: { a: { key: keys.pub, tlog: 'optional' } }, rules: [{ name: 'app', scope: `${server.host}/tampered/**`, signatures: { threshold: 1, of: ['a'] } }] }));
  });
  afterAll(async () => {
    await server?.close();
    await keys?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** The registry serves `sig`'s manifest with one byte changed. */
  function tamper(sig: Descriptor): void {
    emu.setFaults(cannedFaults.wrongDigest((req) => new URL(req.url).pathname.endsWith(`/manifests/${sig.digest}`)));
  }

  const sign = async (ref: string) => {
    const s = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--no-cache']);
    expect(s.code, s.stderr).toBe(0);
  };

  /** A package whose linux/amd64 manifest carries an SPDX referrer, signed `signatures` times. */
  async function sbomSigned(signatures: number): Promise<{ ref: string; sigs: Descriptor[] }> {
    const repository = `tampered/s${++n}`;
    const { repo, client } = repoAt(server.host, repository);
    const { amd64 } = await pushPackage(repo, `tampered-sbom-${n}`, 'v1');
    const spdx = JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'app', dataLicense: 'CC0-1.0', documentNamespace: `https://x/${n}`, creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: t'] }, packages: [] });
    const sbom = await attach(repo, amd64, { content: spdx, mediaType: 'application/spdx+json' }, { artifactType: 'application/spdx+json' });
    for (let i = 0; i < signatures; i++) await sign(`${server.host}/${repository}@${sbom.digest}`);
    const sigs = await collectReferrers(repo.referrers(sbom));
    await client.close();
    expect(sigs).toHaveLength(signatures);
    return { ref: `${server.host}/${repository}@${amd64.digest}`, sigs };
  }

  for (const how of [
    { name: '--key', args: () => ['--key', keys.pub, '--insecure-ignore-tlog'] },
    { name: 'a policy', args: () => ['--policy', policy] },
  ]) {
    it(`sbom --require-signed (${how.name}): the only signature tampered → 65 naming it, not 79`, async () => {
      const { ref, sigs } = await sbomSigned(1);
      tamper(sigs[0]!);
      try {
        const r = await ocx(['sbom', ref, '--require-signed', ...how.args(), '--no-cache', '--format', 'json']);
        expect(r.code, r.stdout + r.stderr).toBe(65);
        expect(r.stderr + r.stdout).toContain(sigs[0]!.digest);
        expect(r.stderr + r.stdout).toMatch(/digest mismatch/i);
      } finally {
        emu.setFaults(undefined);
      }
    }, 60_000);

    it(`sbom --require-signed (${how.name}): one of two tampered, the other verifies → 0`, async () => {
      const { ref, sigs } = await sbomSigned(2);
      tamper(sigs[0]!);
      try {
        const r = await ocx(['sbom', ref, '--require-signed', ...how.args(), '--no-cache']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stderr).toContain(sigs[0]!.digest);
      } finally {
        emu.setFaults(undefined);
      }
    }, 60_000);
  }

  it('pull under a policy: the only signature tampered → blocked (81), the why-tree and JSON say it failed its digest', async () => {
    const repository = `tampered/p${++n}`;
    const { repo, client } = repoAt(server.host, repository);
    const { amd64 } = await pushPackage(repo, `tampered-pull-${n}`, 'v1');
    const ref = `${server.host}/${repository}:v1`;
    await sign(`${server.host}/${repository}@${amd64.digest}`);
    const [sig] = await collectReferrers(repo.referrers(amd64));
    await client.close();
    tamper(sig!);
    try {
      const r = await ocx(['pull', ref, '-o', join(dir, `out${n}`), '--policy', policy, '--platform', 'linux/amd64', '--no-cache', '--format', 'json'], { OCX_NO_VERIFY: '' });
      expect(r.code, r.stdout + r.stderr).toBe(81);
      const why = r.stderr.slice(r.stderr.indexOf('blocked by policy'));
      expect(why).toContain(sig!.digest);
      expect(why).toMatch(/digest mismatch/i);
      expect(why).not.toMatch(/no signature found/);
      const doc = JSON.parse(r.stdout);
      expect(JSON.stringify(doc.verification.decision.failures)).toMatch(/digest mismatch/i);
    } finally {
      emu.setFaults(undefined);
    }
  }, 60_000);
});
