import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectReferrers, type Descriptor } from '@ocx/oci';
import { cannedFaults, createEmulator, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// A signature whose manifest fails its digest is tampered content, not "no signature": `ocx verify`
// exits 65 naming it (exit 79 would tell a script the image was merely unsigned) — unless another
// signature verified, which passes with the warning. Both referrers modes: the tag schema (entries
// are checked, and left out, while listing) and the referrers API (the family loads the manifest).

for (const mode of [
  { name: 'tag schema', referrersApi: false },
  { name: 'referrers API', referrersApi: true },
]) {
  describe(`ocx verify: a tampered signature manifest (${mode.name})`, () => {
    let emu: Emulator;
    let server: RunningRegistry;
    let keys: KeyFiles;
    let n = 0;
    beforeAll(async () => {
      emu = createEmulator({ referrersApi: mode.referrersApi });
      server = await emu.listen();
      keys = await keyFiles();
    });
    afterAll(async () => {
      await server?.close();
      await keys?.cleanup();
    });

    /** A signed package (`signatures` signatures on linux/amd64); returns its ref and the signature manifests. */
    async function signed(signatures: number): Promise<{ ref: string; sigs: Descriptor[] }> {
      const repository = `tampered/a${++n}`;
      const { repo, client } = repoAt(server.host, repository);
      const { amd64 } = await pushPackage(repo, `tampered-${mode.name}-${n}`, 'v1');
      const ref = `${server.host}/${repository}:v1`;
      for (let i = 0; i < signatures; i++) {
        const s = await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64', '--no-cache']);
        expect(s.code, s.stderr).toBe(0);
      }
      const sigs = await collectReferrers(repo.referrers(amd64));
      await client.close();
      expect(sigs).toHaveLength(signatures);
      return { ref, sigs };
    }

    /** The registry serves `sig`'s manifest with one byte changed. */
    function tamper(sig: Descriptor): void {
      emu.setFaults(cannedFaults.wrongDigest((req) => new URL(req.url).pathname.endsWith(`/manifests/${sig.digest}`)));
    }

    const verify = (ref: string) => ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--no-cache', '--format', 'json']);

    it('the only signature tampered: exit 65, the warning names it — never 79 "no signature"', async () => {
      const { ref, sigs } = await signed(1);
      tamper(sigs[0]!);
      try {
        const r = await verify(ref);
        expect(r.code, r.stdout + r.stderr).toBe(65);
        // Named: a warning (tag schema: left out while listing) or the candidate's reason (API).
        expect(r.stderr + r.stdout).toContain(sigs[0]!.digest);
        expect(r.stderr + r.stdout).toMatch(/digest mismatch/i);
        expect(JSON.parse(r.stdout).verified).toBe(false);
      } finally {
        emu.setFaults(undefined);
      }
    }, 60_000);

    it('one of two signatures tampered: the other verifies, exit 0 with the warning', async () => {
      const { ref, sigs } = await signed(2);
      tamper(sigs[0]!);
      try {
        const r = await verify(ref);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stderr + r.stdout).toContain(sigs[0]!.digest);
      } finally {
        emu.setFaults(undefined);
      }
    }, 60_000);
  });
}

describe('ocx verify: a tampered signature manifest in an OCI layout', () => {
  it('the only signature tampered on disk: exit 65 naming it, not 79', async () => {
    const server = await createEmulator().listen();
    const keys = await keyFiles();
    const dir = await mkdtemp(join(tmpdir(), 'ocx-tampered-layout-'));
    try {
      const { repo, client } = repoAt(server.host, 'tampered/layout');
      const { amd64 } = await pushPackage(repo, 'tampered-layout', 'v1');
      const ref = `${server.host}/tampered/layout:v1`;
      expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false', '--platform', 'linux/amd64', '--no-cache'])).code).toBe(0);
      const [sig] = await collectReferrers(repo.referrers(amd64));
      await client.close();
      const copied = await ocx(['copy', ref, `oci-layout:${dir}:v1`, '--no-cache']);
      expect(copied.code, copied.stderr).toBe(0);
      const file = join(dir, 'blobs', 'sha256', sig!.digest.slice('sha256:'.length));
      const bytes = await readFile(file);
      bytes[bytes.byteLength - 2] = bytes[bytes.byteLength - 2]! ^ 0x01;
      await writeFile(file, bytes);
      const r = await ocx(['verify', `oci-layout:${dir}:v1`, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--no-cache']);
      expect(r.code, r.stdout + r.stderr).toBe(65);
      expect(r.stderr).toContain(sig!.digest);
    } finally {
      await server.close();
      await keys.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
