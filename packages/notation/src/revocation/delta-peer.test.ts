// notation v1.3.2 and ocx agree on delta CRLs: for each case a fresh test CA whose leaf names a
// loopback CRL distribution point signs with real notation (local key), `notation verify` (strict)
// runs against the CRLs, and ocx's checker judges the same chain against the same CRLs.
import { createHash, webcrypto } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { createEmulator, createPeerSandbox, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../x509/cert.ts';
import { createRevocationChecker } from './checker.ts';
import { makeCrl, makeTestCa, startServer, type CrlSpec } from './testpki.ts';

const hasNotation = peerOrSkip('notation') !== undefined;
const pem = (label: string, der: Uint8Array | ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der as Uint8Array).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
const HOLD = 6;
const REMOVE = 8;

interface Case {
  readonly name: string;
  readonly certFreshest?: boolean;
  readonly base: Partial<CrlSpec>;
  /** Delta CRL served at /<case>/delta; undefined serves none. */
  readonly delta?: Partial<CrlSpec>;
  /** freshestCRL of the base, as paths under /<case>/ (default ['delta']). */
  readonly deltaPaths?: string[];
  readonly expected: 'good' | 'revoked' | 'unknown';
}

describe.skipIf(!hasNotation)('notation v1.3.2 and ocx on delta CRLs', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let reg: { host: string; close(): Promise<void> };
  let sandbox: PeerSandbox;

  /** One small image per case, so each subject carries only that case's signature. */
  async function pushImage(repository: string): Promise<string> {
    const client = new RegistryClient({});
    try {
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository });
      const put = async (mediaType: string, value: string): Promise<Descriptor> => {
        const b = new TextEncoder().encode(value);
        const d = { mediaType, digest: `sha256:${createHash('sha256').update(b).digest('hex')}`, size: b.length };
        await repo.push(d, b);
        return d;
      };
      const cfg = await put('application/vnd.oci.empty.v1+json', '{}');
      const layer = await put('application/vnd.oci.image.layer.v1.tar', `delta CRL test layer ${repository}\n`);
      const m = await put('application/vnd.oci.image.manifest.v1+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] }));
      return `${reg.host}/${repository}@${m.digest}`;
    } finally {
      await client.close();
    }
  }
  const routes = new Map<string, Uint8Array>();

  beforeAll(async () => {
    srv = await startServer((req, _b, res) => {
      const body = routes.get(req.url ?? '');
      if (body) res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
      else res.writeHead(404).end();
    });
    const s = await createEmulator().listen();
    reg = { host: s.host, close: () => s.close() };
    sandbox = await createPeerSandbox();
  }, 60_000);
  afterAll(async () => {
    await reg?.close();
    await srv?.close();
    await sandbox?.cleanup();
  });

  // Whole seconds: RFC 5280 §4.1.2.5.2 GeneralizedTime has no fractions, and Go refuses them.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const hour = 3600_000;
  const fresh = { thisUpdate: new Date(now - hour), nextUpdate: new Date(now + hour) };
  const past = (h: number) => new Date(now - h * hour);
  const cases: Case[] = [
    { name: 'delta-revokes', base: {}, delta: { revoked: [{ serial: 2, date: past(2) }] }, expected: 'revoked' },
    { name: 'delta-releases-hold', base: { revoked: [{ serial: 2, date: past(5), reason: HOLD }] }, delta: { revoked: [{ serial: 2, date: past(2), reason: REMOVE }] }, expected: 'good' },
    { name: 'delta-holds', base: {}, delta: { revoked: [{ serial: 2, date: past(2), reason: HOLD }] }, expected: 'revoked' },
    { name: 'delta-number-not-greater', base: {}, delta: { number: 10 }, expected: 'unknown' },
    { name: 'delta-without-indicator', base: {}, delta: { deltaOf: undefined }, expected: 'unknown' },
    { name: 'indicator-above-base', base: {}, delta: { number: 12, deltaOf: 11 }, expected: 'unknown' },
    { name: 'second-delta-url', base: {}, deltaPaths: ['missing', 'delta'], delta: { revoked: [{ serial: 2, date: past(2) }] }, expected: 'revoked' },
    { name: 'cert-only-freshest', certFreshest: true, base: { freshest: undefined }, expected: 'unknown' },
    { name: 'empty-delta', base: {}, delta: {}, expected: 'good' },
    { name: 'delta-expired', base: {}, delta: { thisUpdate: past(3), nextUpdate: past(2) }, expected: 'unknown' },
    { name: 'older-release-newer-hold', base: { revoked: [{ serial: 2, date: past(2), reason: HOLD }] }, delta: { revoked: [{ serial: 2, date: past(5), reason: REMOVE }] }, expected: 'revoked' },
    { name: 'no-delta-url-answers', base: {}, deltaPaths: ['missing', 'gone'], expected: 'unknown' },
  ];

  for (const c of cases) {
    it(`${c.name}: both say ${c.expected}`, async () => {
      const url = (p: string) => `${srv.url}/${c.name}/${p}`;
      const ca = await makeTestCa({ crl: url('base'), ...(c.certFreshest ? { freshest: url('delta') } : {}) });
      const crl = (spec: CrlSpec) => makeCrl(ca.root, ca.rootKey.privateKey, spec);
      routes.set(`/${c.name}/base`, await crl({ ...fresh, number: 10, freshest: (c.deltaPaths ?? ['delta']).map(url), ...c.base }));
      if (c.delta) routes.set(`/${c.name}/delta`, await crl({ ...fresh, number: 11, deltaOf: 10, ...c.delta }));

      // notation: local signing key, the test root as the only trust anchor, strict policy.
      const cfg = sandbox.notationConfigDir;
      const keys = join(sandbox.dir, c.name);
      await mkdir(keys, { recursive: true });
      await writeFile(join(keys, 'key.pem'), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', ca.leafKey.privateKey)), { mode: 0o600 });
      await writeFile(join(keys, 'chain.pem'), pem('CERTIFICATE', ca.leaf) + pem('CERTIFICATE', ca.root));
      await writeFile(join(cfg, 'signingkeys.json'), JSON.stringify({ default: c.name, keys: [{ name: c.name, keyPath: join(keys, 'key.pem'), certPath: join(keys, 'chain.pem') }] }));
      const store = join(cfg, 'truststore', 'x509', 'ca', 'delta');
      await rm(store, { recursive: true, force: true });
      await mkdir(store, { recursive: true });
      await writeFile(join(store, 'root.pem'), pem('CERTIFICATE', ca.root));
      await writeFile(
        join(cfg, 'trustpolicy.json'),
        JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'delta', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:delta'], trustedIdentities: ['*'] }] }),
      );
      const ref = await pushImage(c.name);
      const signed = await runPeer('notation', ['sign', '--insecure-registry', ref], { sandbox });
      expect(signed.code, signed.stderr).toBe(0);
      const verified = await runPeer('notation', ['verify', '--verbose', '--insecure-registry', ref], { sandbox });
      const out = verified.stderr + verified.stdout;
      // Only a revocation verdict counts: any other failure shows up as itself.
      const notation = verified.code === 0 ? 'good' : /revocation status is unknown/.test(out) ? 'unknown' : /is revoked/.test(out) ? 'revoked' : `failed otherwise`;

      const chain = ca.chain.map((d) => parseCertificate(d));
      const ours = await createRevocationChecker({ fetch, now: new Date() })(chain, { purpose: 'codeSigning' });
      expect({ notation, ocx: ours.status }, `notation: ${verified.stderr}\nocx: ${ours.reason}`).toEqual({ notation: c.expected, ocx: c.expected });
    }, 60_000);
  }
});
