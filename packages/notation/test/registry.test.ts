import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectReferrers, LayoutRepository, type Descriptor, type Fetcher, type ReferrerLister } from '@ocx/oci';
import { fixturePath } from '@ocx/testkit';
import {
  isNotationError,
  listNotationSignatures,
  loadNotationSignature,
  createRevocationChecker,
  parseCertificates,
  parseThumbprints,
  verifyNotationArtifact,
  type TrustPolicyStatement,
} from '@ocx/notation';

// Finding and loading notation signatures (notary signature-specification.md "Storage") and
// verifying an artifact under a statement, over notation's e2e layouts and hand-made hostile repos.

const SIG = 'application/vnd.cncf.notary.signature';
const E2E = 'notation/test/e2e/testdata';
const SUBJECT_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const NOW = new Date('2025-06-01T00:00:00Z');
// The checker `ocx verify --offline` uses: never a request, endpoints ⇒ "revocation unavailable".
const offline = createRevocationChecker({ offline: true, now: NOW });
const layout = (name: string) => new LayoutRepository(fixturePath(E2E, 'registry/oci_layout', name), { create: false });
const cert = (f: string) => parseCertificates(new Uint8Array(readFileSync(fixturePath(E2E, 'config/localkeys', f))));
const E2E_THUMB = 'e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9';

function statement(level: 'strict' | 'permissive' | 'audit' | 'skip', identities: string[] = ['*']): TrustPolicyStatement {
  return { name: 'unit', registryScopes: ['*'], signatureVerification: { level, override: {}, verifyTimestamp: 'always' }, trustStores: [{ type: 'ca', name: 'e2e' }], trustedIdentities: identities };
}

/** An in-memory repository: blobs by digest and a fixed referrers listing (what a hostile registry may claim). */
class FakeRepo implements Fetcher, ReferrerLister {
  readonly blobs = new Map<string, Uint8Array>();
  listing: Descriptor[] = [];
  fetches: string[] = [];
  listed = 0;
  add(bytes: Uint8Array | string, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const d = { mediaType, digest: `sha256:${createHash('sha256').update(b).digest('hex')}`, size: b.length, ...extra };
    this.blobs.set(d.digest, b);
    return d;
  }
  async fetch(d: Descriptor): Promise<Uint8Array> {
    this.fetches.push(d.digest);
    const b = this.blobs.get(d.digest);
    if (!b) throw new Error(`no blob ${d.digest}`);
    return b;
  }
  async *referrers(): AsyncIterable<Descriptor[]> {
    this.listed++;
    yield this.listing;
  }
}

const subject: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: SUBJECT_DIGEST, size: 517 };

function sigManifest(repo: FakeRepo, opts: { layers?: Descriptor[]; subjectDigest?: string; artifactType?: string | null; config?: string; annotations?: Record<string, string> }): Descriptor {
  const envelope = repo.add('{"not":"a jws"}', 'application/jose+json');
  const cfg = repo.add('{}', opts.config ?? 'application/vnd.oci.empty.v1+json');
  const m = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...(opts.artifactType === null ? {} : { artifactType: opts.artifactType ?? SIG }),
    config: cfg,
    layers: opts.layers ?? [envelope],
    subject: { ...subject, digest: opts.subjectDigest ?? SUBJECT_DIGEST },
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  return repo.add(JSON.stringify(m), 'application/vnd.oci.image.manifest.v1+json', { artifactType: SIG, ...(opts.annotations ? { annotations: opts.annotations } : {}) });
}

describe('listNotationSignatures / loadNotationSignature', () => {
  it('finds the OCI 1.0 form (config.mediaType) in notation e2e layouts and loads its JWS envelope', async () => {
    const repo = layout('e2e-valid-signature');
    const refs = await listNotationSignatures(repo, subject);
    expect(refs).toHaveLength(1);
    const loaded = await loadNotationSignature(repo, refs[0]!, SUBJECT_DIGEST);
    expect(loaded.manifest.artifactType).toBeUndefined();
    expect(loaded.manifest.config.mediaType).toBe(SIG);
    expect(loaded.envelopeMediaType).toBe('application/jose+json');
    expect(loaded.envelope.length).toBe(loaded.envelopeDescriptor.size);
  });

  it('tries first the signatures whose thumbprint annotation names a trusted certificate (case-insensitive)', async () => {
    const repo = layout('e2e-valid-multiple-signatures');
    const all = await collectReferrers(repo.referrers(subject, { artifactType: SIG }));
    expect(all).toHaveLength(2);
    const trusted = new Set(['a10293ee855ac897fc6ffefadb0b72d4bd8042029f5108f404d7ca9b4324ca97']);
    const refs = await listNotationSignatures(repo, subject, { trustedThumbprints: trusted });
    expect(refs[0]!.preferred).toBe(true);
    expect(refs[0]!.referrer.digest).toBe('sha256:c3ebe4a20b6832328fc5078a7795ddc1114b896e13fca2add38109c3866b5fbf');
    expect(parseThumbprints({ 'io.cncf.notary.x509chain.thumbprint#S256': `["${E2E_THUMB.toUpperCase()}"]` })).toEqual([E2E_THUMB]);
    expect(parseThumbprints({ 'io.cncf.notary.x509chain.thumbprint#S256': 'not json' })).toEqual([]);
  });

  it('refuses a referrer naming another subject, several layers, a non-envelope layer, and oversized content before fetching it', async () => {
    const repo = new FakeRepo();
    const load = async (d: Descriptor, opts = {}) => loadNotationSignature(repo, { referrer: d, thumbprints: [], preferred: false }, SUBJECT_DIGEST, opts).catch((e: unknown) => e);
    const other = await load(sigManifest(repo, { subjectDigest: `sha256:${'0'.repeat(64)}` }));
    expect(isNotationError(other, 'ENVELOPE_INVALID')).toBe(true);
    const a = repo.add('a', 'application/jose+json');
    const two = await load(sigManifest(repo, { layers: [a, a] }));
    expect(isNotationError(two, 'ENVELOPE_INVALID') && two.message).toMatch(/2 layers/);
    const tar = await load(sigManifest(repo, { layers: [repo.add('invalid signature\n', 'application/vnd.oci.image.layer.v1.tar')] }));
    expect(isNotationError(tar, 'UNSUPPORTED_ENVELOPE')).toBe(true);
    const notSig = await load(sigManifest(repo, { artifactType: 'application/vnd.example' }));
    expect(isNotationError(notSig, 'ENVELOPE_INVALID')).toBe(true);
    const oci10 = await load(sigManifest(repo, { artifactType: null, config: SIG }));
    expect(isNotationError(oci10)).toBe(false);

    repo.fetches = [];
    const huge = await load({ ...sigManifest(repo, {}), size: 5 * 1024 * 1024 });
    expect(isNotationError(huge, 'ENVELOPE_INVALID') && huge.message).toMatch(/4194304-byte limit/);
    expect(repo.fetches).toEqual([]);
    const bigEnvelope = { mediaType: 'application/jose+json', digest: `sha256:${'1'.repeat(64)}`, size: 33 * 1024 * 1024 };
    const big = await load(sigManifest(repo, { layers: [bigEnvelope] }));
    expect(isNotationError(big, 'ENVELOPE_INVALID') && big.message).toMatch(/33554432-byte limit/);
    expect(repo.fetches).not.toContain(bigEnvelope.digest);
  });

  it('drops listing entries that are not notation signatures even if the registry ignores the filter', async () => {
    const repo = new FakeRepo();
    const good = sigManifest(repo, {});
    repo.listing = [{ ...good }, { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'2'.repeat(64)}`, size: 10, artifactType: 'application/spdx+json' }];
    expect((await listNotationSignatures(repo, subject)).map((r) => r.referrer.digest)).toEqual([good.digest]);
  });
});

describe('verifyNotationArtifact', () => {
  const anchors = { ca: cert('e2e.crt') };

  it('passes the e2e valid signature and names the identity that matched', async () => {
    const r = await verifyNotationArtifact(layout('e2e-valid-signature'), subject, {
      statement: statement('strict', ['x509.subject: C=US, ST=WA, O=Notary']),
      trustAnchors: anchors,
      now: NOW,
      revocationChecker: offline,
    });
    expect(r.verified).toBe(true);
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures[0]!.identity).toBe('x509.subject: C=US, ST=WA, O=Notary');
    expect(r.signatures[0]!.checks.map((c) => [c.type, c.status, c.action])).toEqual([
      ['integrity', 'ok', 'enforce'],
      ['authenticity', 'ok', 'enforce'],
      ['authenticTimestamp', 'ok', 'enforce'],
      ['expiry', 'ok', 'enforce'],
      ['revocation', 'ok', 'enforce'],
    ]);
  });

  it('matches trusted identities with notation DN rules: another CN fails authenticity', async () => {
    const r = await verifyNotationArtifact(layout('e2e-valid-signature'), subject, { statement: statement('strict', ['x509.subject: C=US, ST=WA, O=Notary, CN=other']), trustAnchors: anchors, now: NOW });
    expect(r.verified).toBe(false);
    expect(r.signatures[0]!.enforcedFailures.map((f) => f.type)).toEqual(['authenticity']);
  });

  it('stops at the first signature that passes; caps how many are examined', async () => {
    const multi = await verifyNotationArtifact(layout('e2e-valid-multiple-signatures'), subject, { statement: statement('strict'), trustAnchors: anchors, now: NOW });
    expect(multi.verified).toBe(true);
    expect(multi.found).toBe(2);
    expect(multi.signatures.at(-1)!.verdict).toBe('pass');

    const repo = new FakeRepo();
    repo.listing = [sigManifest(repo, { annotations: { n: '1' } }), sigManifest(repo, { annotations: { n: '2' } }), sigManifest(repo, { annotations: { n: '3' } })];
    const capped = await verifyNotationArtifact(repo, subject, { statement: statement('strict'), trustAnchors: anchors, now: NOW, limits: { maxSignatures: 2 } });
    expect(capped.verified).toBe(false);
    expect(capped.signatures).toHaveLength(2);
    expect(capped.notExamined).toBe(1);
    expect(capped.signatures[0]!.enforcedFailures[0]!.type).toBe('integrity');
  });

  it('level skip fetches nothing', async () => {
    const repo = new FakeRepo();
    const r = await verifyNotationArtifact(repo, subject, { statement: statement('skip'), trustAnchors: {}, now: NOW });
    expect(r).toMatchObject({ skipped: true, verified: true, signatures: [] });
    expect(repo.listed).toBe(0);
    expect(repo.fetches).toEqual([]);
  });

  it('offline revocation: chains without OCSP/CRL endpoints are non-revokable', async () => {
    expect((await offline(cert('e2e.crt'), { purpose: 'codeSigning' })).status).toBe('good');
  });

  it('offline revocation: a chain naming a CRL is "revocation unavailable", which strict enforces and permissive logs', async () => {
    const withCrl = parseCertificates(new Uint8Array(readFileSync(fixturePath('notation-core-go/revocation/crl/testdata/certificateWithDeltaCRL.cer'))));
    const r = await offline([...withCrl, ...cert('e2e.crt')], { purpose: 'codeSigning' });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/revocation unavailable/);
    const failing = async () => ({ status: 'unknown' as const, reason: 'revocation unavailable: offline' });
    const strict = await verifyNotationArtifact(layout('e2e-valid-signature'), subject, { statement: statement('strict'), trustAnchors: anchors, now: NOW, revocationChecker: failing });
    expect(strict.verified).toBe(false);
    expect(strict.signatures[0]!.enforcedFailures.map((f) => f.type)).toEqual(['revocation']);
    const permissive = await verifyNotationArtifact(layout('e2e-valid-signature'), subject, { statement: statement('permissive'), trustAnchors: anchors, now: NOW, revocationChecker: failing });
    expect(permissive.verified).toBe(true);
    expect(permissive.signatures[0]!.loggedFailures.map((f) => f.type)).toEqual(['revocation']);
  });
});
