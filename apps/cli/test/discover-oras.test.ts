import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, createPeerSandbox, peerOrSkip, registryOrSkip, runPeer, startRegistry, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';

// Artifacts attached with real `oras attach` are listed by `ocx discover --format json` with the same
// digests and artifactTypes as `oras discover --format json`.

interface Node {
  digest: string;
  artifactType?: string;
  referrers?: Node[];
}

function flatten(n: Node, parent = 'root', out: string[] = []): string[] {
  for (const r of n.referrers ?? []) {
    out.push(`${parent} <- ${r.digest} ${r.artifactType}`);
    flatten(r, r.digest, out);
  }
  return out.sort();
}

const oras = peerOrSkip('oras');
const targets = [
  { name: 'emulator', available: true, start: async () => { const s = await createEmulator().listen(); return { host: s.host, stop: () => s.close() }; } },
  { name: 'docker-registry 2.8', available: registryOrSkip('distribution2') !== undefined, start: async () => { const r = await startRegistry('distribution2'); return { host: r.host, stop: () => r.stop() }; } },
];

for (const target of targets) {
  describe.skipIf(!oras || !target.available)(`ocx discover vs oras discover on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sandbox: PeerSandbox;
    beforeAll(async () => {
      reg = await target.start();
      sandbox = await createPeerSandbox();
    });
    afterAll(async () => {
      await reg?.stop();
      await sandbox?.cleanup();
    });

    it('lists the same digests and artifactTypes', async () => {
      const ref = `${reg.host}/interop/app:v1`;
      const file = join(sandbox.dir, 'hello.txt');
      await writeFile(file, 'hello');
      const run = async (args: string[]) => {
        const r = await runPeer('oras', args, { sandbox, cwd: sandbox.dir });
        expect(r.code, `oras ${args.join(' ')}: ${r.stderr}`).toBe(0);
        return r.stdout;
      };
      await run(['push', '--plain-http', ref, 'hello.txt:text/plain']);
      await writeFile(join(sandbox.dir, 'sbom.json'), '{"spdxVersion":"SPDX-2.3"}');
      await writeFile(join(sandbox.dir, 'sig.txt'), 'signature');
      await run(['attach', '--plain-http', '--artifact-type', 'application/spdx+json', '--annotation', 'com.example=1', ref, 'sbom.json:application/spdx+json']);
      const attached = JSON.parse(await run(['attach', '--plain-http', '--format', 'json', '--artifact-type', 'application/vnd.example.sig', ref, 'sig.txt:text/plain']));
      const sigRef = `${reg.host}/interop/app@${attached.digest}`;
      await run(['attach', '--plain-http', '--artifact-type', 'application/vnd.example.countersig', sigRef, 'sig.txt:text/plain']);
      const orasDoc = JSON.parse(await run(['discover', '--plain-http', '--format', 'json', ref]));
      const ours = await ocx(['discover', ref, '--format', 'json', '--no-cache']);
      expect(ours.code, ours.stderr).toBe(0);
      const ocxDoc = JSON.parse(ours.stdout);
      expect(ocxDoc.digest).toBe(orasDoc.digest);
      expect(flatten(ocxDoc)).toEqual(flatten(orasDoc));
      expect(flatten(ocxDoc)).toHaveLength(3);
      const sbom = ocxDoc.referrers.find((r: Node) => r.artifactType === 'application/spdx+json');
      expect(sbom.kind).toEqual({ kind: 'sbom', format: 'spdx' });
      expect(sbom.annotations['com.example']).toBe('1');
      const filtered = await ocx(['discover', ref, '--format', 'json', '--artifact-type', 'application/vnd.example.sig', '--no-cache']);
      expect(JSON.parse(filtered.stdout).referrers.map((r: Node) => r.digest)).toEqual([attached.digest]);
    });
  });
}
