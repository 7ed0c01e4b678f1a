import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectReferrers, fetchReferrer, isIndex, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { parseCertificates, parseSignatureEnvelope, verifyNotationSignature } from '@ocx/notation';
import { createEmulator, pushImage, type RunningRegistry } from '@ocx/testkit';
import { isSignerError, signNotation } from '@ocx/signer';
import { makePki, P256, P384, RSA3072, type TestPki } from '@ocx/testkit/pki';
import { startTsa, type TestTsa } from './notation-tsa.ts';

// What signNotation writes: the envelope verifies with @ocx/notation, the manifest follows the
// notary storage rules. Real `notation verify` over it is in notation-peer.test.ts.

const SIG = 'application/vnd.cncf.notary.signature';

describe('signNotation', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  let repo: RemoteRepository;
  let subject: Descriptor;
  const pkis: Record<string, TestPki> = {};

  beforeAll(async () => {
    server = await createEmulator().listen();
    client = new RegistryClient({});
    repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'signer/notation' });
    subject = await pushImage(repo, 'hello notation', 'v1');
    pkis.rsa = await makePki(RSA3072);
    pkis.p256 = await makePki(P256);
    pkis.p384 = await makePki(P384);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it.each([
    ['rsa', 'jws', 'PS384'],
    ['rsa', 'cose', 'PS384'],
    ['p256', 'jws', 'ES256'],
    ['p384', 'cose', 'ES384'],
  ] as const)('%s %s: a referrer that @ocx/notation verifies (%s)', async (pkiName, format, alg) => {
    const pki = pkis[pkiName]!;
    const now = new Date();
    const expiry = new Date(now.getTime() + 3600_000);
    const res = await signNotation({ repo, subject, key: pki.keyPem, certChain: pki.chainPem, format, expiry, now, userMetadata: { team: 'ocx' } });
    const listed = await collectReferrers(repo.referrers(subject, { artifactType: SIG }));
    const ref = listed.find((d) => d.digest === res.descriptor.digest);
    expect(ref).toBeDefined();
    const { manifest } = await fetchReferrer(repo, ref!, subject.digest);
    if (isIndex(manifest)) throw new Error('index');
    expect(manifest.artifactType).toBe(SIG);
    expect(manifest.config).toEqual({ mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]!.mediaType).toBe(format === 'jws' ? 'application/jose+json' : 'application/cose');
    const chain = parseCertificates(pki.chainPem);
    expect(JSON.parse(manifest.annotations!['io.cncf.notary.x509chain.thumbprint#S256']!)).toEqual(chain.map((c) => c.sha256));
    expect(manifest.annotations!['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const envelope = await repo.fetch(manifest.layers[0]!);
    const parsed = parseSignatureEnvelope(envelope, manifest.layers[0]!.mediaType);
    expect(parsed.signatureAlgorithm).toBe(alg);
    expect(parsed.signedAttributes.signingScheme).toBe('notary.x509');
    expect(parsed.signedAttributes.expiry?.getTime()).toBe(Math.floor(expiry.getTime() / 1000) * 1000);
    expect(parsed.certificateChain).toHaveLength(2);
    const r = await verifyNotationSignature(envelope, manifest.layers[0]!.mediaType, {
      subject,
      trustAnchors: { ca: parseCertificates(pki.rootPem) },
      userMetadata: { team: 'ocx' },
      now,
    });
    expect(r.results.filter((c) => c.status === 'failed')).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('refuses a key that is not the leaf certificate key, and a TSA URL without its root', async () => {
    const err1 = await signNotation({ repo, subject, key: pkis.p256!.keyPem, certChain: pkis.rsa!.chainPem }).catch((e) => e);
    expect(isSignerError(err1, 'INVALID_KEY')).toBe(true);
    const err2 = await signNotation({ repo, subject, key: pkis.rsa!.keyPem, certChain: pkis.rsa!.chainPem, timestampUrl: 'http://127.0.0.1:9/tsa' }).catch((e) => e);
    expect(isSignerError(err2, 'INVALID_OPTIONS')).toBe(true);
  });

  describe('RFC 3161 timestamp', () => {
    let tsa: TestTsa;
    beforeAll(async () => {
      tsa = await startTsa();
    }, 30_000);
    afterAll(async () => tsa?.close());

    it.each(['jws', 'cose'] as const)('%s: the countersignature verifies against the tsa store', async (format) => {
      tsa.mode = 'grant';
      const pki = pkis.p256!;
      const now = new Date();
      const res = await signNotation({ repo, subject, key: pki.keyPem, certChain: pki.chainPem, format, now, timestampUrl: tsa.url, timestampRootCert: tsa.rootPem });
      const { manifest } = await fetchReferrer(repo, res.descriptor, subject.digest);
      if (isIndex(manifest)) throw new Error('index');
      const envelope = await repo.fetch(manifest.layers[0]!);
      const parsed = parseSignatureEnvelope(envelope, manifest.layers[0]!.mediaType);
      expect(parsed.unsignedAttributes.timestampSignature?.length).toBeGreaterThan(100);
      const r = await verifyNotationSignature(envelope, manifest.layers[0]!.mediaType, {
        subject,
        trustAnchors: { ca: parseCertificates(pki.rootPem), tsa: parseCertificates(tsa.rootPem) },
        now,
      });
      expect(r.checks.authenticTimestamp).toMatchObject({ status: 'ok' });
      expect(Math.abs(r.timestamp!.genTime.getTime() - now.getTime())).toBeLessThan(5000);
    });

    it.each(['reject', 'garbage', 'wrong-nonce'] as const)('a TSA answer that is %s fails signing with a reason', async (mode) => {
      tsa.mode = mode;
      const pki = pkis.p256!;
      const err = await signNotation({ repo, subject, key: pki.keyPem, certChain: pki.chainPem, timestampUrl: tsa.url, timestampRootCert: tsa.rootPem }).catch((e) => e);
      expect(isSignerError(err, 'TIMESTAMP_FAILED'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(mode === 'reject' ? /refused.*bad request/ : mode === 'garbage' ? /not a TimeStampResp/ : /nonce/);
      tsa.mode = 'grant';
    });

    it('a token that does not chain to the given root fails signing', async () => {
      const other = await makePki(P256, 'not-a-tsa');
      const pki = pkis.p256!;
      const err = await signNotation({ repo, subject, key: pki.keyPem, certChain: pki.chainPem, timestampUrl: tsa.url, timestampRootCert: other.rootPem }).catch((e) => e);
      expect(isSignerError(err, 'TIMESTAMP_FAILED') && err.message).toMatch(/does not verify against the TSA root/);
    });
  });
});
