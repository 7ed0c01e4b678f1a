import { beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '@ocx/testkit';
import type { Context } from '../src/context.ts';
import { ocxWithFetch } from './cli.ts';
import { createCosignFamily } from '../src/verify/cosign.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';
import { refuseSockets } from './no-sockets.ts';

// Issue 8 §4: every hint names the flag that fixes it. (1) identity regexps: ocx anchors them and
// reads them as JavaScript, cosign does neither; (5) an unlogged key-signed bundle is decided from
// the bundle (no TUF at all) and the answer is --insecure-ignore-tlog; a private --key says so.
// The registry is the emulator behind an injected fetch, so ANY socket is a failure.

const attempts = refuseSockets('a registry-only test');

const ocxAt = (emu: Emulator, args: string[]) => ocxWithFetch(emu.fetch, args);

const host = 'registry.test';
const emu = createEmulator();
let keys: KeyFiles;
let fixtureRef: string;
const pkgRef = `${host}/pkg/hints:v1`;

beforeAll(async () => {
  keys = await keyFiles();
  fixtureRef = await attestationFixtureRef(host, emu.fetch as typeof fetch);
  const pkg = repoAt(host, 'pkg/hints', emu.fetch as typeof fetch);
  await pushPackage(pkg.repo, 'hints', 'v1');
  await pkg.client.close();
  const s = await ocxAt(emu, ['package', 'sign', pkgRef, '--key', keys.priv, '--tlog-upload=false']);
  expect(s.code, s.stderr).toBe(0);
  return () => keys.cleanup();
});

describe('--key with a bundle that has no transparency-log entry', () => {
  it('fails from the bundle alone, without TUF or any other socket, naming --insecure-ignore-tlog only', async () => {
    const r = await ocxAt(emu, ['verify', pkgRef, '--key', keys.pub, '--all-platforms']);
    expect(r.code, r.stdout + r.stderr).toBe(65);
    expect(r.stdout).toMatch(/no transparency log entry: a key-signed signature without one verifies only with --insecure-ignore-tlog/);
    expect(r.stdout + r.stderr).not.toMatch(/--trusted-root|--offline/);
    expect(attempts()).toEqual([]);
    const ok = await ocxAt(emu, ['verify', pkgRef, '--key', keys.pub, '--all-platforms', '--insecure-ignore-tlog']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(attempts()).toEqual([]);
  });

  it('preparing --key alone does not ask TUF; a later TUF failure names --trusted-root and --insecure-ignore-tlog', async () => {
    const ctx = { io: { env: { OCX_HOME: '/tmp/ocx-home-test' }, stdout: () => {}, stderr: () => {}, cwd: '/' }, warn: () => {} } as unknown as Context;
    let asked = 0;
    const family = createCosignFamily({
      loadPublicGoodRoot: async () => {
        asked++;
        throw new Error('mirror unreachable');
      },
    });
    await family.prepare({ key: keys.pub }, ctx, new Date());
    expect(asked).toBe(0);
    await expect(createCosignFamily({ loadPublicGoodRoot: async () => Promise.reject(new Error('mirror unreachable')) }).prepare({ 'certificate-identity': 'a', 'certificate-oidc-issuer': 'b' }, ctx, new Date())).rejects.toMatchObject({
      exitCode: 75,
      message: expect.not.stringMatching(/--offline/),
    });
  });

  it('with --key, TUF is asked only for a bundle that carries a log entry, once, and its failure names --trusted-root and --insecure-ignore-tlog', async () => {
    const ctx = { io: { env: { OCX_HOME: '/tmp/ocx-home-test' }, stdout: () => {}, stderr: () => {}, cwd: '/' }, warn: () => {} } as unknown as Context;
    const { repo, client } = repoAt(host, 'fixture/empty', emu.fetch as typeof fetch);
    const subject = await repo.resolve(fixtureRef.slice(fixtureRef.indexOf('@') + 1));
    const target = { repo, reference: { kind: 'registry', registry: host, host, repository: 'fixture/empty', digest: subject.digest }, repositoryName: `${host}/fixture/empty`, subject, level: 'manifest' } as const;
    try {
      const { loadTrustedRoot } = await import('@ocx/cosign');
      const { readFile } = await import('node:fs/promises');
      const root = loadTrustedRoot(await readFile(FIXTURE.trustedRoot));
      let asked = 0;
      const family = await createCosignFamily({ loadPublicGoodRoot: async () => (asked++, root) }).prepare({ key: keys.pub, attestation: true, type: 'custom' }, ctx, new Date());
      // The fixture bundle is logged (Rekor entry): the root is needed, fetched once for both targets.
      await Promise.all([family.verify(target), family.verify(target)]);
      expect(asked).toBe(1);
      const failing = await createCosignFamily({ loadPublicGoodRoot: async () => Promise.reject(new Error('mirror unreachable')) }).prepare({ key: keys.pub, attestation: true, type: 'custom' }, ctx, new Date());
      await expect(failing.verify(target)).rejects.toMatchObject({
        exitCode: 75,
        message: expect.stringMatching(/mirror unreachable \(.*pass --trusted-root FILE, or --insecure-ignore-tlog to accept the signature without checking its log entry\)$/),
      });
    } finally {
      await client.close();
    }
  });

  it('a private key passed as --key says so and how to derive the public key', async () => {
    const r = await ocxAt(emu, ['verify', pkgRef, '--key', keys.priv]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`--key ${keys.priv} holds a private key (PRIVATE KEY); verification takes the public key: derive it with \`openssl pkey -in ${keys.priv} -pubout -out cosign.pub\``);
    expect(attempts()).toEqual([]);
  });
});

describe('identity regexps: anchored, read as JavaScript', () => {
  const keyless = (identityRegexp: string) => ['verify', fixtureRef, '--attestation', '--type', 'custom', '--certificate-identity-regexp', identityRegexp, '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', FIXTURE.trustedRoot];

  it('a pattern cosign would accept as a partial match fails with the anchored reading and the .*pattern.* form', async () => {
    const r = await ocxAt(emu, keyless('soyland'));
    expect(r.code, r.stdout + r.stderr).toBe(65);
    expect(r.stdout).toContain('ocx anchors --certificate-identity-regexp: the pattern must match the whole certificate identity, while cosign matches it unanchored (RE2)');
    expect(r.stdout).toContain('To match anywhere write ".*soyland.*"');
    expect((await ocxAt(emu, keyless('.*soyland.*'))).code).toBe(0);
  });

  it('a leading (?i) is read as the JavaScript i flag', async () => {
    const r = await ocxAt(emu, keyless('(?i)CODY@SOYLAND\\.COM'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('RE2-only syntax is a usage error naming the construct and the replacement', async () => {
    const r = await ocxAt(emu, keyless('cody@soyland\\.com\\z'));
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--certificate-identity-regexp "cody@soyland\\\\.com\\\\z" uses RE2 syntax .*\\z \(RE2 end of text\) does not exist in JavaScript; ocx anchors the pattern already, so drop it/);
    const posix = await ocxAt(emu, ['verify', fixtureRef, '--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer-regexp', 'https://[[:alpha:]]+\\.com/.*', '--trusted-root', FIXTURE.trustedRoot]);
    expect(posix.code).toBe(64);
    expect(posix.stderr).toMatch(/--certificate-oidc-issuer-regexp .*\[\[:alpha:\]\] → \[A-Za-z\]/);
    const bad = await ocxAt(emu, keyless('(cody'));
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/is not a valid JavaScript regular expression .*not as cosign's Go RE2/);
  });
});
