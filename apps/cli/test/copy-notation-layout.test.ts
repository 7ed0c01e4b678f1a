import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, fixturePath, registryOrSkip, startRegistry, type RealRegistry, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';

// The notation e2e layout `e2e-valid-multiple-signatures` carries two signatures, but its own
// tag-schema index lists only one: copy must find both from the manifests' subject fields.

const layout = () => fixturePath('notation/test/e2e/testdata/registry/oci_layout/e2e-valid-multiple-signatures');

interface Target {
  name: string;
  available: boolean;
  start(): Promise<{ host: string; stop(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'emulator',
    available: true,
    async start() {
      const s: RunningRegistry = await createEmulator().listen();
      return { host: s.host, stop: () => s.close() };
    },
  },
  {
    name: 'docker-registry 2.8',
    available: registryOrSkip('distribution2') !== undefined,
    async start() {
      const r: RealRegistry = await startRegistry('distribution2');
      return { host: r.host, stop: () => r.stop() };
    },
  },
];

for (const target of targets) {
  describe.skipIf(!target.available)(`ocx copy of the notation e2e layout into ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    beforeAll(async () => {
      reg = await target.start();
    });
    afterAll(async () => reg?.stop());

    it('finds both notation signatures', async () => {
      const cp = await ocx(['copy', `oci-layout:${layout()}:v1`, `${reg.host}/e2e:v1`, '--format', 'json', '--no-cache']);
      expect(cp.stderr).toBe('');
      expect(cp.code).toBe(0);
      expect(JSON.parse(cp.stdout)).toMatchObject({ referrers: 2 });
      const d = await ocx(['discover', `${reg.host}/e2e:v1`, '--format', 'json', '--no-cache']);
      expect(d.code).toBe(0);
      const doc = JSON.parse(d.stdout);
      expect(doc.digest).toBe('sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9');
      expect(doc.mode).toBe(target.name === 'emulator' ? 'referrers-api' : 'tag-schema');
      const sigs = doc.referrers.filter((r: { kind?: { kind: string } }) => r.kind?.kind === 'notation-signature');
      expect(sigs).toHaveLength(2);
      expect(sigs.every((r: { artifactType: string }) => r.artifactType === 'application/vnd.cncf.notary.signature')).toBe(true);
      const text = await ocx(['discover', `${reg.host}/e2e:v1`, '--no-cache']);
      expect(text.stdout.match(/notation signature/g)).toHaveLength(2);
    });
  });
}
