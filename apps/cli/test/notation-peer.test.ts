import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectReferrers, encodeJson, fetchReferrer, isIndex, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { createPeerSandbox, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { copyLayout, registryTargets } from './notation-helpers.ts';

// Real notation signs; `ocx verify` with notation's own config dir agrees with `notation verify`.

const SUBJECT = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SIG = 'application/vnd.cncf.notary.signature';
const hasNotation = peerOrSkip('notation') !== undefined;

function policy(identity: string): object {
  return {
    version: '1.0',
    trustPolicies: [{ name: 'ocx-peer', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-test'], trustedIdentities: [identity] }],
  };
}
const GOOD_ID = 'x509.subject: CN=ocx-test, O=Notary, L=Seattle, ST=WA, C=US';
const WRONG_ID = 'x509.subject: CN=someone-else, O=Notary, L=Seattle, ST=WA, C=US';

/** Re-push a notation signature of `from` into `to` with one signature character changed. */
async function pushTampered(host: string, from: string, to: string): Promise<void> {
  const client = new RegistryClient({});
  try {
    const src = new RemoteRepository(client, { host, registry: host, repository: from });
    const dst = new RemoteRepository(client, { host, registry: host, repository: to });
    const subject: Descriptor = await src.resolve(SUBJECT);
    const [ref] = await collectReferrers(src.referrers(subject, { artifactType: SIG }));
    if (!ref) throw new Error('no signature to tamper with');
    const { manifest } = await fetchReferrer(src, ref, SUBJECT);
    if (isIndex(manifest)) throw new Error('not a manifest');
    const layer = manifest.layers[0]!;
    const jws = JSON.parse(new TextDecoder().decode(await src.fetch(layer))) as { signature: string };
    const i = 20;
    jws.signature = jws.signature.slice(0, i) + (jws.signature[i] === 'A' ? 'B' : 'A') + jws.signature.slice(i + 1);
    const env = encodeJson(jws);
    const { createHash } = await import('node:crypto');
    const envDesc = { mediaType: layer.mediaType, digest: `sha256:${createHash('sha256').update(env).digest('hex')}`, size: env.length };
    await dst.push(envDesc, env);
    await dst.push(manifest.config, await src.fetch(manifest.config));
    const bytes = encodeJson({ ...manifest, layers: [envDesc] });
    await dst.push({ mediaType: ref.mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length }, bytes);
  } finally {
    await client.close();
  }
}

for (const target of registryTargets) {
  describe.skipIf(!target.available || !hasNotation)(`real notation on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sandbox: PeerSandbox;
    const notation = async (args: string[]) => runPeer('notation', args, { sandbox });
    const setPolicy = (identity: string) => writeFile(join(sandbox.notationConfigDir, 'trustpolicy.json'), JSON.stringify(policy(identity)));
    const both = async (repo: string, extra: string[] = []) => {
      const ref = `${reg.host}/${repo}@${SUBJECT}`;
      const n = await notation(['verify', '--insecure-registry', ref, ...extra]);
      const o = await ocx(['verify', ref, '--notation-config', sandbox.notationConfigDir, '--no-cache', ...extra]);
      return { notation: n, ocx: o };
    };

    beforeAll(async () => {
      reg = await target.start();
      sandbox = await createPeerSandbox();
      const gen = await notation(['cert', 'generate-test', '--default', 'ocx-test']);
      expect(gen.code, gen.stderr).toBe(0);
      await setPolicy(GOOD_ID);
      for (const repo of ['jws', 'cose', 'unsigned', 'tampered']) await copyLayout('e2e', reg.host, repo);
      const s1 = await notation(['sign', '--insecure-registry', `${reg.host}/jws@${SUBJECT}`]);
      expect(s1.code, s1.stderr).toBe(0);
      const s2 = await notation(['sign', '--insecure-registry', '--signature-format', 'cose', '--user-metadata', 'team=ocx', `${reg.host}/cose@${SUBJECT}`]);
      expect(s2.code, s2.stderr).toBe(0);
      await pushTampered(reg.host, 'jws', 'tampered');
    }, 120_000);
    afterAll(async () => {
      await reg?.stop();
      await sandbox?.cleanup();
    });

    it('JWS signed by notation: both pass', async () => {
      const r = await both('jws');
      expect(r.notation.code, r.notation.stderr).toBe(0);
      expect(r.ocx.code, r.ocx.stdout).toBe(0);
      expect(r.ocx.stdout).toMatch(/✓ notation signature .*notation-jws/);
    });

    it('COSE signed by notation with user metadata: both pass, also when the metadata is required', async () => {
      const r = await both('cose', ['--user-metadata', 'team=ocx']);
      expect(r.notation.code, r.notation.stderr).toBe(0);
      expect(r.ocx.code, r.ocx.stdout).toBe(0);
      expect(r.ocx.stdout).toMatch(/notation-cose/);
      const w = await both('cose', ['--user-metadata', 'team=other']);
      expect(w.notation.code).not.toBe(0);
      expect(w.ocx.code).toBe(65);
    });

    it('unsigned: both fail', async () => {
      const r = await both('unsigned');
      expect(r.notation.code).not.toBe(0);
      expect(r.ocx.code).toBe(79);
    });

    it('tampered signature: both fail', async () => {
      const r = await both('tampered');
      expect(r.notation.code).not.toBe(0);
      expect(r.ocx.code, r.ocx.stdout).toBe(65);
      expect(r.ocx.stdout).toMatch(/integrity validation failed/);
    });

    it('wrong trusted identity: both fail', async () => {
      await setPolicy(WRONG_ID);
      try {
        const r = await both('jws');
        expect(r.notation.code).not.toBe(0);
        expect(r.ocx.code, r.ocx.stdout).toBe(65);
        expect(r.ocx.stdout).toMatch(/authenticity validation failed/);
      } finally {
        await setPolicy(GOOD_ID);
      }
    });

    it('notation config dir found through NOTATION_CONFIG without flags', async () => {
      const o = await ocx(['verify', `${reg.host}/jws@${SUBJECT}`, '--no-cache'], { NOTATION_CONFIG: sandbox.notationConfigDir });
      expect(o.code, o.stdout + o.stderr).toBe(0);
      expect(await readFile(join(sandbox.notationConfigDir, 'trustpolicy.json'), 'utf8')).toContain('ocx-test');
    });
  });
}
