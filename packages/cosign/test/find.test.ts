import { describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository, type Descriptor, type Repository } from '@ocx/oci';
import { createEmulator, pushBundleReferrer, pushImage } from '@ocx/testkit';
import {
  ATTESTATION_FIND_LIMITS,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  DEFAULT_FIND_LIMITS,
  findCosign,
  isCosignError,
  legacyTag,
  parseBundle,
  verifyCandidates,
  verifyCosignAttestation,
  verifyCosignSignature,
  type FindLimits,
} from '../src/index.ts';
import { keyDsseBundle, legacySignatureAnnotation, newKey, simpleSigningPayload, statement } from './helpers.ts';
import { pushLegacySig } from './registry.ts';

function setup(referrersApi = true) {
  const emu = createEmulator({ referrersApi });
  const client = new RegistryClient({ fetch: emu.fetch as never });
  const repo = new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'app' });
  return { emu, repo };
}

const hex = (d: Descriptor) => d.digest.slice('sha256:'.length);
const SIGN = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE_TYPE };
const SPDX = { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://spdx.dev/Document' };

describe('findCosign', () => {
  it('names the legacy tags like cosign', () => {
    expect(legacyTag(`sha256:${'a'.repeat(64)}`, 'sig')).toBe(`sha256-${'a'.repeat(64)}.sig`);
    expect(legacyTag(`sha512:${'a'.repeat(128)}`, 'att')).toBeUndefined();
  });

  for (const api of [true, false]) {
    it(`finds bundle referrers and legacy tags, classifying from the listing (referrers API ${api})`, async () => {
      const { emu, repo } = setup(api);
      const key = newKey();
      const img = await pushImage(repo, 'a', 'v1');
      const sig = await pushBundleReferrer(repo, img, keyDsseBundle(key, statement(hex(img), COSIGN_SIGN_PREDICATE_TYPE)), SIGN);
      const att = await pushBundleReferrer(repo, img, keyDsseBundle(key, statement(hex(img), 'https://spdx.dev/Document')), SPDX);
      const payload = simpleSigningPayload(img.digest);
      const legacy = await pushLegacySig(repo, img, [{ payload, annotations: { [COSIGN_ANNOTATIONS.signature]: legacySignatureAnnotation(key, payload) } }]);

      emu.clearLog();
      const found = await findCosign(repo, img, { mode: 'signature' });
      expect(found.candidates.map((c) => [c.format, c.manifest.digest, c.kind])).toEqual([
        ['cosign-bundle', sig.digest, 'signature'],
        ['cosign-legacy', legacy.digest, 'signature'],
      ]);
      expect(found.skipped).toEqual([{ candidate: expect.objectContaining({ manifest: expect.objectContaining({ digest: att.digest }) }), reason: 'attestation https://spdx.dev/Document is not a signature' }]);
      // Nothing but the listing and the legacy tag before loading.
      expect(emu.log.filter((e) => e.path.includes('/blobs/'))).toEqual([]);

      const attFound = await findCosign(repo, img, { mode: 'attestation', predicateType: 'spdxjson' });
      expect(attFound.candidates.map((c) => c.manifest.digest)).toEqual([att.digest]);
      expect(attFound.skipped.map((s) => s.reason)).toEqual(['a signature is not an attestation']);

      const trust = createTrust({ keys: [key.pem] });
      const outcomes = await verifyCandidates(repo, img.digest, found.candidates, {
        limits: { concurrency: 1 },
        verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
        accept: (v) => v.ok,
      });
      // Stops at the first verified candidate: the legacy tag's payload is never fetched.
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]!.result!.reasons).toEqual([]);
      expect(outcomes[0]!.loaded!.referrer).toBe(sig.digest);
    });
  }

  it('verifies a legacy signature and reports a tampered one', async () => {
    const { repo } = setup();
    const key = newKey();
    const img = await pushImage(repo, 'b');
    const payload = simpleSigningPayload(img.digest);
    const good = legacySignatureAnnotation(key, payload);
    const other = simpleSigningPayload(`sha256:${'0'.repeat(64)}`);
    await pushLegacySig(repo, img, [
      { payload: other, annotations: { [COSIGN_ANNOTATIONS.signature]: good } },
      { payload, annotations: { [COSIGN_ANNOTATIONS.signature]: good } },
    ]);
    const found = await findCosign(repo, img, { mode: 'signature' });
    expect(found.candidates).toHaveLength(2);
    const trust = createTrust({ keys: [key.pem] });
    const outcomes = await verifyCandidates(repo, img.digest, found.candidates, {
      limits: { concurrency: 1 },
      verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
      accept: (v) => v.ok,
    });
    expect(outcomes.map((o) => o.result?.ok)).toEqual([false, true]);
    expect(outcomes[0]!.result!.reasons.join('\n')).toMatch(/bad signature/);
    expect(outcomes[1]!.loaded!.hasTlogEntry).toBe(false);
  });

  it('caps candidates and sizes before fetching, and checks the referrer subject', async () => {
    const { emu, repo } = setup();
    const key = newKey();
    const img = await pushImage(repo, 'c');
    const elsewhere = await pushImage(repo, 'd');
    const lie = await pushBundleReferrer(repo, elsewhere, keyDsseBundle(key, statement(hex(img), COSIGN_SIGN_PREDICATE_TYPE)), SIGN);
    const descs: Descriptor[] = [];
    for (let i = 0; i < 9; i++) descs.push(await pushBundleReferrer(repo, img, keyDsseBundle(key, statement(hex(img), COSIGN_SIGN_PREDICATE_TYPE)), { ...SIGN, n: String(i) }));
    const huge = { ...descs[0]!, digest: `sha256:${'e'.repeat(64)}`, size: 10 * 1024 * 1024 };
    // A listing that lies: a referrer of another subject, and a 10 MiB "manifest".
    const lying: Repository = Object.create(repo, {
      referrers: {
        value: async function* () {
          yield [lie, huge, ...descs];
        },
      },
    });
    const found = await findCosign(lying, img, { mode: 'signature' });
    expect(found.candidates).toHaveLength(8);
    expect(found.skipped.map((s) => s.reason)).toEqual(Array(3).fill('not loaded: over the cap of 8 candidates per subject'));
    emu.clearLog();
    const trust = createTrust({ keys: [key.pem] });
    const outcomes = await verifyCandidates(repo, img.digest, found.candidates.slice(0, 2), {
      verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
      accept: () => false,
    });
    expect(outcomes[0]!.error!.message).toMatch(/names subject .*, not sha256:/);
    expect(isCosignError(outcomes[1]!.error!.cause, 'TOO_LARGE')).toBe(true);
    expect(emu.log.some((e) => e.path.includes('e'.repeat(64)))).toBe(false);
  });
});

describe('loading hostile candidates', () => {
  it('reports each malformed candidate and still verifies the good one', async () => {
    const { repo } = setup();
    const key = newKey();
    const img = await pushImage(repo, 'hostile');
    const { blob, manifest } = await import('@ocx/testkit');
    const { EMPTY_DESCRIPTOR } = await import('@ocx/oci');
    const BT = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    const subject = { mediaType: img.mediaType, digest: img.digest, size: img.size };
    await repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'));
    const push = async (layers: { content: string; mediaType: string; size?: number }[]) => {
      const descs = [];
      for (const l of layers) {
        const b = blob(l.content, l.mediaType);
        await repo.push(b.desc, b.bytes);
        descs.push(l.size === undefined ? b.desc : { ...b.desc, size: l.size });
      }
      const m = manifest({ artifactType: BT, config: EMPTY_DESCRIPTOR, layers: descs, subject, annotations: SIGN });
      await repo.push(m.desc, m.bytes);
    };
    await push([{ content: 'not json', mediaType: BT }]);
    await push([{ content: '{}', mediaType: BT }, { content: '[]', mediaType: BT }]);
    await push([{ content: '{}', mediaType: 'text/plain' }]);
    await push([{ content: 'x', mediaType: BT, size: 1024 * 1024 }]);
    await pushBundleReferrer(repo, img, keyDsseBundle(key, statement(hex(img), COSIGN_SIGN_PREDICATE_TYPE)), SIGN);
    const found = await findCosign(repo, img, { mode: 'signature' });
    expect(found.candidates).toHaveLength(5);
    const trust = createTrust({ keys: [key.pem] });
    const outcomes = await verifyCandidates(repo, img.digest, found.candidates, {
      verify: (l) => verifyCosignSignature(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true }),
      accept: () => false, // load all of them
    });
    const lines = outcomes.map((o) => (o.error ? o.error.message : o.result!.ok ? 'ok' : o.result!.reasons[0]!));
    expect(lines).toEqual(
      expect.arrayContaining([
        'ok',
        expect.stringMatching(/bundle is not valid JSON/),
        expect.stringMatching(/has 2 layers, not 1/),
        expect.stringMatching(/has a text\/plain layer, not a Sigstore bundle/),
        expect.stringMatching(/declares 1048576 bytes, over the 524288-byte cap/),
      ]),
    );
  });

  it('a legacy layer with a malformed signature annotation is reported, not thrown', async () => {
    const { repo } = setup();
    const img = await pushImage(repo, 'bad-legacy');
    await pushLegacySig(repo, img, [{ payload: simpleSigningPayload(img.digest), annotations: { [COSIGN_ANNOTATIONS.signature]: '!!!' } }]);
    const found = await findCosign(repo, img, { mode: 'signature' });
    const outcomes = await verifyCandidates(repo, img.digest, found.candidates, {
      verify: () => {
        throw new Error('not reached');
      },
      accept: () => true,
    });
    expect(outcomes[0]!.error!.message).toMatch(/not base64/);
  });
});

describe('loadPublicGoodRoot', () => {
  it('wraps TUF failures in a CosignError (unknown mirror: fails before any request)', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadPublicGoodRoot } = await import('../src/index.ts');
    const dir = await mkdtemp(join(tmpdir(), 'ocx-tuf-'));
    try {
      const err = await loadPublicGoodRoot({ cachePath: dir, mirrorURL: 'http://127.0.0.1:59999' }).catch((e: unknown) => e);
      expect(isCosignError(err, 'INVALID_TRUSTED_ROOT')).toBe(true);
      expect((err as Error).message).toMatch(/public-good trusted root through TUF/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('attestation limits', () => {
  it('an SBOM attestation over the default 512 KiB loads and verifies only with ATTESTATION_FIND_LIMITS', async () => {
    const { repo } = setup();
    const key = newKey();
    const img = await pushImage(repo, 'big', 'v1');
    const predicate = { packages: Array.from({ length: 20_000 }, (_, i) => ({ name: `p${i}`, versionInfo: '1.0.0' })) };
    await pushBundleReferrer(repo, img, keyDsseBundle(key, statement(hex(img), 'https://spdx.dev/Document', predicate)), SPDX);
    const found = await findCosign(repo, img, { mode: 'attestation', predicateType: 'https://spdx.dev/Document' });
    expect(found.candidates).toHaveLength(1);
    const trust = createTrust({ keys: [key.pem] });
    const run = (limits: Partial<FindLimits>) =>
      verifyCandidates(repo, img.digest, found.candidates, {
        limits,
        verify: (l) => verifyCosignAttestation(l.evidence, { trust, subjectDigest: img.digest, insecureIgnoreTlog: true, predicateType: 'spdxjson', maxBundleBytes: limits.maxBundleBytes ?? DEFAULT_FIND_LIMITS.maxBundleBytes }),
        accept: (v) => v.ok,
      });
    const small = await run({});
    expect(isCosignError(small[0]!.error?.cause, 'TOO_LARGE')).toBe(true);
    const big = await run(ATTESTATION_FIND_LIMITS);
    expect(big[0]!.result?.ok, JSON.stringify(big[0]!.result?.reasons)).toBe(true);
    // The total cap counts every candidate's bytes.
    const tight = await run({ ...ATTESTATION_FIND_LIMITS, maxTotalBytes: 1024 });
    expect(tight[0]!.error?.message).toMatch(/total cap/);
  });

  it('parseBundle caps input at maxBytes (default MAX_BUNDLE_BYTES)', () => {
    const key = newKey();
    const bytes = Buffer.from(JSON.stringify(keyDsseBundle(key, statement('a'.repeat(64), 'https://spdx.dev/Document', { pad: 'x'.repeat(4096) }))));
    expect(parseBundle(bytes).kind).toBe('dsse');
    let err: unknown;
    try {
      parseBundle(bytes, { maxBytes: 1024 });
    } catch (e) {
      err = e;
    }
    expect(isCosignError(err, 'TOO_LARGE')).toBe(true);
  });
});
