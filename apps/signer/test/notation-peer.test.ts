import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, createPeerSandbox, peerOrSkip, pushImage, registryOrSkip, runPeer, startRegistry, type PeerSandbox } from '@ocx/testkit';
import { createRevocationChecker, loadStatementAnchors, loadTrustPolicy, selectPolicy, verifyNotationArtifact } from '@ocx/notation';
import { signNotation } from '@ocx/signer';
import { makePki, P256 } from '@ocx/testkit/pki';
import { startTsa, type TestTsa } from './notation-tsa.ts';

// What signNotation writes (JWS and COSE) passes real `notation verify`, with notation's own
// `cert generate-test` key (self-signed) and with a root → leaf chain of ours.

const hasNotation = peerOrSkip('notation') !== undefined;

const targets = [
  { name: 'emulator', available: true, start: async () => { const s = await createEmulator().listen(); return { host: s.host, stop: () => s.close() }; } },
  { name: 'docker-registry 2.8', available: registryOrSkip('distribution2') !== undefined, start: async () => { const r = await startRegistry('distribution2'); return { host: r.host, stop: () => r.stop() }; } },
];

for (const target of targets) {
  describe.skipIf(!target.available || !hasNotation)(`signNotation → real notation verify on ${target.name}`, () => {
    let reg: { host: string; stop(): Promise<void> };
    let sandbox: PeerSandbox;
    let client: RegistryClient;
    let tsa: TestTsa;
    const notation = (args: string[]) => runPeer('notation', args, { sandbox });

    beforeAll(async () => {
      reg = await target.start();
      client = new RegistryClient({});
      sandbox = await createPeerSandbox();
      const gen = await notation(['cert', 'generate-test', 'ocx-test']);
      expect(gen.code, gen.stderr).toBe(0);
      const pki = await makePki(P256, 'ocx-chain');
      const store = join(sandbox.notationConfigDir, 'truststore', 'x509', 'ca', 'ocx-pki');
      await mkdir(store, { recursive: true });
      await writeFile(join(store, 'root.pem'), pki.rootPem);
      await writeFile(join(sandbox.notationConfigDir, 'pki.json'), JSON.stringify(pki));
      tsa = await startTsa();
      const tsaStore = join(sandbox.notationConfigDir, 'truststore', 'x509', 'tsa', 'ocx-tsa');
      await mkdir(tsaStore, { recursive: true });
      await writeFile(join(tsaStore, 'tsa-root.pem'), tsa.rootPem);
      await writeFile(
        join(sandbox.notationConfigDir, 'trustpolicy.json'),
        JSON.stringify({
          version: '1.0',
          trustPolicies: [
            { name: 'ocx-signer', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-test', 'ca:ocx-pki'], trustedIdentities: ['*'] },
            // With a tsa store notation requires and verifies the RFC 3161 countersignature.
            {
              name: 'ocx-timestamped',
              registryScopes: [`${reg.host}/signed/ts-jws`, `${reg.host}/signed/ts-cose`],
              signatureVerification: { level: 'strict', verifyTimestamp: 'always' },
              trustStores: ['ca:ocx-pki', 'tsa:ocx-tsa'],
              trustedIdentities: ['*'],
            },
          ],
        }),
      );
    }, 120_000);
    afterAll(async () => {
      await tsa?.close();
      await client?.close();
      await reg?.stop();
      await sandbox?.cleanup();
    });

    const keys = async (which: 'generate-test' | 'chain') => {
      if (which === 'generate-test') {
        const dir = join(sandbox.notationConfigDir, 'localkeys');
        return { key: await readFile(join(dir, 'ocx-test.key'), 'utf8'), certChain: await readFile(join(dir, 'ocx-test.crt'), 'utf8') };
      }
      const pki = JSON.parse(await readFile(join(sandbox.notationConfigDir, 'pki.json'), 'utf8')) as { keyPem: string; chainPem: string };
      return { key: pki.keyPem, certChain: pki.chainPem };
    };

    it.each([
      ['generate-test', 'jws'],
      ['generate-test', 'cose'],
      ['chain', 'jws'],
      ['chain', 'cose'],
    ] as const)('%s key, %s envelope: notation verify passes', async (which, format) => {
      const repoName = `signed/${which}-${format}`;
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: repoName });
      const subject = await pushImage(repo, `${which} ${format}\n`);
      await signNotation({ repo, subject, ...(await keys(which)), format, expiry: new Date(Date.now() + 3600_000), userMetadata: { by: 'ocx' } });
      const ref = `${reg.host}/${repoName}@${subject.digest}`;
      const v = await notation(['verify', '--insecure-registry', '--user-metadata', 'by=ocx', ref]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const i = await notation(['inspect', '--insecure-registry', '--output', 'json', ref]);
      expect(i.code, i.stderr).toBe(0);
      // notation 1.3 spells the key `Signatures`.
      const doc = JSON.parse(i.stdout) as { Signatures: { mediaType: string; signedAttributes: Record<string, string>; userDefinedAttributes?: Record<string, string> }[] };
      expect(doc.Signatures).toHaveLength(1);
      expect(doc.Signatures[0]!.mediaType).toBe(format === 'jws' ? 'application/jose+json' : 'application/cose');
      expect(doc.Signatures[0]!.signedAttributes.signingScheme).toBe('notary.x509');
      expect(doc.Signatures[0]!.userDefinedAttributes).toEqual({ by: 'ocx' });
    });

    it.each(['jws', 'cose'] as const)('timestamped %s (RFC 3161, our TSA): notation verify checks the countersignature and passes', async (format) => {
      const repoName = `signed/ts-${format}`;
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: repoName });
      const subject = await pushImage(repo, `timestamped ${format}\n`);
      const before = tsa.requests;
      await signNotation({ repo, subject, ...(await keys('chain')), format, timestampUrl: tsa.url, timestampRootCert: tsa.rootPem });
      expect(tsa.requests).toBe(before + 1);
      const ref = `${reg.host}/${repoName}@${subject.digest}`;
      const v = await notation(['verify', '--insecure-registry', '--verbose', ref]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const i = await notation(['inspect', '--insecure-registry', '--output', 'json', ref]);
      const doc = JSON.parse(i.stdout) as { Signatures: { unsignedAttributes: { timestampSignature?: { timestamp?: string } } }[] };
      expect(doc.Signatures[0]!.unsignedAttributes.timestampSignature).toBeDefined();
      // ocx's own path over the same config dir (what `ocx verify --notation-config` runs).
      const { document } = await loadTrustPolicy(sandbox.notationConfigDir);
      const statement = selectPolicy(document, `${reg.host}/${repoName}`);
      expect(statement.name).toBe('ocx-timestamped');
      const r = await verifyNotationArtifact(repo, subject, { statement, trustAnchors: await loadStatementAnchors(sandbox.notationConfigDir, statement), now: new Date(), revocationChecker: createRevocationChecker({ offline: true, now: new Date() }) });
      expect(r.verified, JSON.stringify(r.signatures[0]?.enforcedFailures)).toBe(true);
      expect(r.signatures[0]!.checks.find((c) => c.type === 'authenticTimestamp')).toMatchObject({ status: 'ok', action: 'enforce' });
    });

    it('a signature without a countersignature fails where the policy names a tsa store (notation agrees)', async () => {
      const repoName = 'signed/ts-jws';
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: repoName });
      const subject = await pushImage(repo, 'not timestamped\n');
      await signNotation({ repo, subject, ...(await keys('chain')), format: 'jws' });
      const v = await notation(['verify', '--insecure-registry', '--verbose', `${reg.host}/${repoName}@${subject.digest}`]);
      expect(v.code).not.toBe(0);
      expect(v.stderr + v.stdout).toMatch(/timestamp/i);
    });
  });
}
