import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createTrust, findCosign, verifyCandidates, verifyCosignSignature } from '@ocx/cosign';
import { createEmulator, pushImage, pushMultiPlatform } from '@ocx/testkit';
import { loadSigningKey, signPackage, signStatement, simpleSigningPayload } from '../src/index.ts';

function setup() {
  const emu = createEmulator({ referrersApi: false });
  const client = new RegistryClient({ fetch: emu.fetch as never });
  return { emu, repo: new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'app' }) };
}

describe('signPackage', () => {
  it('an index: signs the index and every platform manifest under it (cosign --recursive); --platform only that one', async () => {
    const { repo } = setup();
    const { index, children } = await pushMultiPlatform(repo, 'recursive', 'v1');
    const key = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const now = new Date('2026-05-01T12:00:00Z');
    for (const legacy of [false, true]) {
      const all = await signPackage(repo, 'v1', { key, repositoryName: 'registry.test/app', legacyTag: legacy, now });
      expect(all.signed.map((s) => [s.digest, s.platform])).toEqual([
        [index.digest, undefined],
        [children[0]!.digest, 'linux/amd64'],
        [children[1]!.digest, 'linux/arm64/v8'],
      ]);
      for (const d of [index, ...children]) expect((await findCosign(repo, d, { mode: 'signature' })).candidates.length).toBeGreaterThan(0);
    }
    const one = await signPackage(repo, 'v1', { key, repositoryName: 'registry.test/app', now, platform: { os: 'linux', architecture: 'arm64' } });
    expect(one.signed.map((s) => s.digest)).toEqual([children[1]!.digest]);
  });

  for (const [name, pair] of [
    ['P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['Ed25519', generateKeyPairSync('ed25519')],
  ] as const) {
    for (const legacy of [false, true]) {
      it(`${legacy ? 'legacy .sig tag' : 'bundle referrer'} with a ${name} key verifies with @ocx/cosign (tag-schema registry)`, async () => {
        const { repo } = setup();
        const img = await pushImage(repo, `${name}-${legacy}`, 'v1');
        const key = loadSigningKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
        const now = new Date('2026-05-01T12:00:00.123Z');
        const result = await signPackage(repo, 'v1', { key, repositoryName: 'registry.test/app', legacyTag: legacy, now });
        expect(result.signed).toEqual([expect.objectContaining({ digest: img.digest, format: legacy ? 'cosign-legacy' : 'cosign-bundle' })]);
        if (!legacy) expect(result.signed[0]!.referrers).toBe('tag-schema');

        const found = await findCosign(repo, img, { mode: 'signature' });
        expect(found.candidates).toHaveLength(1);
        if (!legacy) {
          expect(found.candidates[0]!.manifest.annotations).toEqual({
            'dev.sigstore.bundle.content': 'dsse-envelope',
            'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
            'org.opencontainers.image.created': '2026-05-01T12:00:00Z',
          });
        }
        const trust = createTrust({ keys: [key.publicKeyPem] });
        const [outcome] = await verifyCandidates(repo, img.digest, found.candidates, {
          verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
          accept: (v) => v.ok,
        });
        expect(outcome!.result!.reasons).toEqual([]);
        expect(outcome!.result!.ok).toBe(true);
        expect(outcome!.result!.tlog).toBeUndefined();
      });
    }
  }

  it('appends to an existing .sig tag instead of replacing it', async () => {
    const { repo } = setup();
    const img = await pushImage(repo, 'append', 'v1');
    const a = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const b = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const now = new Date('2026-05-01T12:00:00Z');
    await signPackage(repo, img.digest, { key: a, repositoryName: 'registry.test/app', legacyTag: true, now });
    await signPackage(repo, img.digest, { key: b, repositoryName: 'registry.test/app', legacyTag: true, now });
    const found = await findCosign(repo, img, { mode: 'signature' });
    // Same payload, two signatures: one layer each, as cosign keeps them.
    expect(found.candidates).toHaveLength(2);
    for (const key of [a, b]) {
      const trust = createTrust({ keys: [key.publicKeyPem] });
      const outcomes = await verifyCandidates(repo, img.digest, found.candidates, {
        verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
        accept: (v) => v.ok,
      });
      expect(outcomes.some((o) => o.result?.ok)).toBe(true);
    }
  });

  for (const legacy of [false, true]) {
    it(`${legacy ? 'legacy .sig tag' : 'bundle referrer'}: -a annotations are signed where cosign puts them, and only the signed value passes`, async () => {
      const { repo } = setup();
      const img = await pushImage(repo, `annotated-${legacy}`, 'v1');
      const key = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
      await signPackage(repo, 'v1', { key, repositoryName: 'registry.test/app', legacyTag: legacy, annotations: { env: 'prod' }, now: new Date('2026-05-01T12:00:00Z') });
      const found = await findCosign(repo, img, { mode: 'signature' });
      const trust = createTrust({ keys: [key.publicKeyPem] });
      const check = async (annotations: Record<string, string>) =>
        (await verifyCandidates(repo, img.digest, found.candidates, { verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true, annotations }), accept: (v) => v.ok }))[0]!.result!;
      expect((await check({ env: 'prod' })).reasons).toEqual([]);
      expect((await check({ env: 'dev' })).reasons).toEqual([`annotation env: expected dev, found prod (in ${legacy ? 'the simple-signing payload' : 'the signed statement subject'})`]);
    });
  }

  it('writes annotations into the statement subject (cosign v3) and the simple-signing optional map (cosign v2)', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const st = JSON.parse(new TextDecoder().decode(signStatement(digest, { env: 'prod' })));
    expect(st.subject).toEqual([{ digest: { sha256: 'ab'.repeat(32) }, annotations: { env: 'prod' } }]);
    expect(JSON.parse(new TextDecoder().decode(signStatement(digest))).subject).toEqual([{ digest: { sha256: 'ab'.repeat(32) } }]);
    expect(JSON.parse(new TextDecoder().decode(simpleSigningPayload('registry.test/app', digest, { env: 'prod' }))).optional).toEqual({ env: 'prod' });
    expect(JSON.parse(new TextDecoder().decode(simpleSigningPayload('registry.test/app', digest))).optional).toBeNull();
  });
});
