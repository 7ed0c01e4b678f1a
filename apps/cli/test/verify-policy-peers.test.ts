import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerSandbox, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { COSIGN_HTTP, COSIGN_PEER_TARGETS, COSIGN_V3_OFFLINE, cosignRunner, freshPackage } from './cosign-helpers.ts';

// Signatures written by REAL cosign v2, cosign v3 and notation satisfy an ocx policy (issue 9
// acceptance), on the emulator and on docker-registry 2.8 (tag schema only): key signers with
// tlog optional, a notation signer from notation's own test certificate, 2-of-2 across cosign and
// notation, and a cosign v3 SLSA attestation whose builder id the rule checks. Peers missing:
// skipped locally, failed under CI=true (peerOrSkip).

const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');
const notationPeer = peerOrSkip('notation');
const BUILDER = 'https://github.com/actions/runner';

for (const target of COSIGN_PEER_TARGETS) {
  describe.skipIf(!cosign2 || !cosign3 || !notationPeer || !target.available)(`real cosign v2/v3 and notation signatures satisfy a policy on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sandbox: PeerSandbox;
    let policy: string;
    let n = 0;
    const { ok: cosignOk } = cosignRunner(() => sandbox);
    const notation = (args: string[]) => runPeer('notation', args, { sandbox, timeoutMs: 120_000 });
    const fresh = (area: string) => freshPackage(reg.host, `${area}/p${++n}`, `${target.name}-${area}-${n}`);
    const verify = (ref: string) => ocx(['verify', ref, '--policy', policy, '--no-cache', '--format', 'json']);

    beforeAll(async () => {
      reg = await target.start();
      sandbox = await createPeerSandbox();
      await cosignOk('cosign2', ['generate-key-pair']);
      const gen = await notation(['cert', 'generate-test', '--default', 'ocx-policy']);
      expect(gen.code, gen.stderr).toBe(0);
      const h = reg.host;
      policy = join(sandbox.dir, 'policy.yaml');
      await writeFile(
        policy,
        JSON.stringify({
          version: 1,
          signers: {
            release: { key: join(sandbox.dir, 'cosign.pub'), tlog: 'optional' },
            corp: { notation: { trustStore: 'ca:ocx-policy', identities: ['x509.subject: CN=ocx-policy, O=Notary, L=Seattle, ST=WA, C=US'] } },
          },
          trust: { notation: { config: sandbox.notationConfigDir } },
          rules: [
            { name: 'cosign', scope: `${h}/cosign/**`, signatures: { threshold: 1, of: ['release'] } },
            { name: 'notation', scope: `${h}/notation/**`, signatures: { threshold: 1, of: ['corp'] } },
            { name: 'both', scope: `${h}/both/**`, signatures: { threshold: 2, of: ['release', 'corp'] } },
            { name: 'slsa', scope: `${h}/slsa/**`, signatures: { threshold: 1, of: ['release'] }, attestations: [{ type: 'slsaprovenance1', signers: ['release'], builderId: BUILDER }] },
          ],
        }),
      );
    }, 120_000);
    afterAll(async () => {
      await reg?.stop();
      await sandbox?.cleanup();
    });

    it('cosign v2 (legacy .sig) and cosign v3 (bundle) key signatures → 0; unsigned → 81', async () => {
      const v2 = await fresh('cosign');
      await cosignOk('cosign2', ['sign', '--key', join(sandbox.dir, 'cosign.key'), '--tlog-upload=false', ...COSIGN_HTTP, '-y', v2.ref]);
      const r2 = await verify(v2.ref);
      expect(r2.code, r2.stdout + r2.stderr).toBe(0);
      const v3 = await fresh('cosign');
      await cosignOk('cosign3', ['sign', '--key', join(sandbox.dir, 'cosign.key'), ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', v3.ref]);
      const r3 = await verify(v3.ref);
      expect(r3.code, r3.stdout + r3.stderr).toBe(0);
      expect((await verify((await fresh('cosign')).ref)).code).toBe(81);
    }, 180_000);

    it('notation sign → 0; 2-of-2 across cosign v3 and notation → 0, one of them → 81', async () => {
      const only = await fresh('notation');
      const s = await notation(['sign', '--insecure-registry', only.ref]);
      expect(s.code, s.stderr).toBe(0);
      const r = await verify(only.ref);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const both = await fresh('both');
      await cosignOk('cosign3', ['sign', '--key', join(sandbox.dir, 'cosign.key'), ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', both.ref]);
      const half = await verify(both.ref);
      expect(half.code, half.stdout).toBe(81);
      expect((await notation(['sign', '--insecure-registry', both.ref])).code).toBe(0);
      const full = await verify(both.ref);
      expect(full.code, full.stdout + full.stderr).toBe(0);
      expect(JSON.parse(full.stdout).results[0].targets[0].decision.signers.sort()).toEqual(['corp', 'release']);
    }, 180_000);

    it('cosign v3 attest slsaprovenance1: the rule checks its builder id', async () => {
      for (const [builder, code] of [[BUILDER, 0], ['https://evil.example/builder', 81]] as const) {
        const p = await fresh('slsa');
        await cosignOk('cosign3', ['sign', '--key', join(sandbox.dir, 'cosign.key'), ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', p.ref]);
        const predicate = join(sandbox.dir, `provenance-${n}.json`);
        await writeFile(predicate, JSON.stringify({ buildDefinition: { buildType: 'https://example.com/build', externalParameters: {} }, runDetails: { builder: { id: builder } } }));
        await cosignOk('cosign3', ['attest', '--key', join(sandbox.dir, 'cosign.key'), '--type', 'slsaprovenance1', '--predicate', predicate, ...COSIGN_V3_OFFLINE, ...COSIGN_HTTP, '-y', p.ref]);
        const r = await verify(p.ref);
        expect(r.code, r.stdout + r.stderr).toBe(code);
      }
    }, 180_000);
  });
}
