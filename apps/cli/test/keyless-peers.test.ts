import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeTrustedRoot,
  createEmulator,
  createPeerSandbox,
  peerOrSkip,
  registryOrSkip,
  sigstoreServicesOrSkip,
  startRegistry,
  startFulcio,
  startOidcIssuer,
  startTimestampServer,
  type OidcIssuer,
  type PeerSandbox,
  type RunningRegistry,
  type SigstoreService,
} from '@ocx/testkit';
import { ocx } from './cli.ts';
import { COSIGN_HTTP, cosignRunner, freshPackage } from './cosign-helpers.ts';

// Keyless signing (issue 11) against real services: the OIDC issuer served here, Fulcio v1.8.8 with its
// ephemeral CA and no CT log, timestamp-authority v1.2.9. No Rekor runs here, so the signatures carry
// an RFC 3161 timestamp and no tlog entry (--tlog-upload=false --tsa-url). Judged by real cosign v3
// (bundle referrer) and v2 (--legacy-tag), and by ocx verify, each with the trusted root composed from
// those services.

const EMAIL = 'release-bot@example.com';
const have = sigstoreServicesOrSkip();
const cosign2 = peerOrSkip('cosign2');
const cosign3 = peerOrSkip('cosign3');

describe.skipIf(!have || !cosign2 || !cosign3)('keyless: ocx package sign → cosign verify and ocx verify', () => {
  let issuer: OidcIssuer;
  let fulcio: SigstoreService;
  let tsa: SigstoreService;
  let server: RunningRegistry;
  let sandbox: PeerSandbox;
  let trustedRoot: string;
  let tokenFile: string;
  let token: string;
  let n = 0;
  const { run: cosign } = cosignRunner(() => sandbox);
  const fresh = () => freshPackage(server.host, `keyless/p${++n}`, `keyless-${n}`);
  const services = () => ['--fulcio-url', fulcio.url, '--tsa-url', tsa.url, '--tlog-upload=false'];
  const identity = (email = EMAIL) => ['--certificate-identity', email, '--certificate-oidc-issuer', issuer.url];
  // No Rekor: the timestamp is the signing time, no tlog entry and no SCT are there to check.
  const cosignTrust = () => ['--trusted-root', trustedRoot, '--insecure-ignore-sct', '--insecure-ignore-tlog', '--use-signed-timestamps'];
  const rootWithoutTsa = async () => {
    const path = join(sandbox.dir, 'trusted_root_no_tsa.json');
    await writeFile(path, JSON.stringify(composeTrustedRoot({ fulcio })));
    return path;
  };
  const ocxTrust = () => ['--trusted-root', trustedRoot, '--insecure-ignore-sct', '--insecure-ignore-tlog'];

  beforeAll(async () => {
    issuer = await startOidcIssuer();
    [fulcio, tsa, server, sandbox] = await Promise.all([startFulcio({ issuer: issuer.url }), startTimestampServer(), createEmulator().listen(), createPeerSandbox()]);
    trustedRoot = join(sandbox.dir, 'trusted_root.json');
    await writeFile(trustedRoot, JSON.stringify(composeTrustedRoot({ fulcio, tsa }), null, 2));
    token = await issuer.mintToken({ email: EMAIL });
    tokenFile = join(sandbox.dir, 'id.jwt');
    await writeFile(tokenFile, `${token}\n`);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([fulcio?.stop(), tsa?.stop(), issuer?.stop(), server?.close(), sandbox?.cleanup()]);
  });

  it('bundle referrer: cosign v3 and ocx verify the identity; a wrong identity is refused by both; the token is never printed', async () => {
    const { ref } = await fresh();
    const signed = await ocx(['package', 'sign', ref, '--identity-token-file', tokenFile, ...services(), '-v', '--format', 'json']);
    expect(signed.code, signed.stderr).toBe(0);
    const doc = JSON.parse(signed.stdout);
    expect(doc.keyless).toEqual({ issuer: issuer.url, subject: EMAIL, transparencyLog: false, timestamped: true });
    expect(doc.signed[0]).toMatchObject({ format: 'cosign-bundle' });
    expect(signed.stderr).toMatch(/no transparency-log entry/);
    for (const part of [token, ...token.split('.')]) expect(signed.stdout + signed.stderr).not.toContain(part);

    const theirs = await cosign('cosign3', ['verify', ...cosignTrust(), ...identity(), ...COSIGN_HTTP, ref]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const ours = await ocx(['verify', ref, ...ocxTrust(), ...identity(), '--format', 'json']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(JSON.parse(ours.stdout).results[0].targets[0].signatures[0]).toMatchObject({ ok: true, identity: EMAIL, issuer: issuer.url, signingTimeSource: 'tsa' });

    // The timestamp is what makes the ten-minute certificate verifiable later: without the TSA in the
    // trusted root, cosign (--use-signed-timestamps) and ocx refuse.
    const theirsNoTsa = await cosign('cosign3', ['verify', '--trusted-root', await rootWithoutTsa(), '--insecure-ignore-sct', '--insecure-ignore-tlog', '--use-signed-timestamps', ...identity(), ...COSIGN_HTTP, ref]);
    expect(theirsNoTsa.code).not.toBe(0);
    expect(theirsNoTsa.stderr).toMatch(/signed timestamps/);
    const oursNoTsa = await ocx(['verify', ref, '--trusted-root', await rootWithoutTsa(), '--insecure-ignore-sct', '--insecure-ignore-tlog', ...identity()]);
    expect(oursNoTsa.code).toBe(65);
    expect(oursNoTsa.stdout).toMatch(/timestamp rejected/);

    const theirsWrong = await cosign('cosign3', ['verify', ...cosignTrust(), ...identity('someone@example.com'), ...COSIGN_HTTP, ref]);
    expect(theirsWrong.code).not.toBe(0);
    expect(theirsWrong.stderr).toMatch(/identit/i);
    const oursWrong = await ocx(['verify', ref, ...ocxTrust(), ...identity('someone@example.com')]);
    expect(oursWrong.code, oursWrong.stdout + oursWrong.stderr).toBe(65);
    expect(oursWrong.stdout).toMatch(/identity found: release-bot@example.com.*expected: subject someone@example.com/);
    const wrongIssuer = await ocx(['verify', ref, ...ocxTrust(), '--certificate-identity', EMAIL, '--certificate-oidc-issuer', 'https://accounts.example.com']);
    expect(wrongIssuer.code).toBe(65);
  });

  it('--legacy-tag: cosign v2 and ocx verify the .sig tag; a wrong identity is refused by both', async () => {
    const { ref } = await fresh();
    const signed = await ocx(['package', 'sign', ref, '--identity-token-file', tokenFile, ...services(), '--legacy-tag']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/tag sha256-[0-9a-f]{64}\.sig/);

    const theirs = await cosign('cosign2', ['verify', ...cosignTrust(), ...identity(), ...COSIGN_HTTP, ref]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const ours = await ocx(['verify', ref, ...ocxTrust(), ...identity(), '--format', 'json']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(JSON.parse(ours.stdout).results[0].targets[0].signatures[0]).toMatchObject({ format: 'cosign-legacy', ok: true, identity: EMAIL, signingTimeSource: 'tsa' });
    const theirsNoTsa = await cosign('cosign2', ['verify', '--trusted-root', await rootWithoutTsa(), ...cosignTrust().slice(2), ...identity(), ...COSIGN_HTTP, ref]);
    expect(theirsNoTsa.code).not.toBe(0);
    const oursNoTsa = await ocx(['verify', ref, '--trusted-root', await rootWithoutTsa(), '--insecure-ignore-sct', '--insecure-ignore-tlog', ...identity()]);
    expect(oursNoTsa.code).toBe(65);

    const theirsWrong = await cosign('cosign2', ['verify', ...cosignTrust(), ...identity('someone@example.com'), ...COSIGN_HTTP, ref]);
    expect(theirsWrong.code).not.toBe(0);
    expect(theirsWrong.stderr).toMatch(/identit/i);
    const oursWrong = await ocx(['verify', ref, ...ocxTrust(), ...identity('someone@example.com')]);
    expect(oursWrong.code).toBe(65);
    expect(oursWrong.stdout).toMatch(/expected: subject someone@example.com/);
  });

  it('docker-registry 2.8 (no referrers API): the bundle lands under the referrers tag schema; cosign v3 and ocx verify it', async (ctx) => {
    if (!registryOrSkip('distribution2')) return ctx.skip('docker-registry missing');
    const reg = await startRegistry('distribution2');
    try {
      const { ref } = await freshPackage(reg.host, 'keyless/d2', 'keyless-d2');
      const signed = await ocx(['package', 'sign', ref, '--identity-token-file', tokenFile, ...services(), '--format', 'json']);
      expect(signed.code, signed.stderr).toBe(0);
      expect(JSON.parse(signed.stdout).signed[0]).toMatchObject({ format: 'cosign-bundle', referrers: 'tag-schema' });
      const theirs = await cosign('cosign3', ['verify', ...cosignTrust(), ...identity(), ...COSIGN_HTTP, ref]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const ours = await ocx(['verify', ref, ...ocxTrust(), ...identity()]);
      expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    } finally {
      await reg.stop();
    }
  });

  it('token from stdin, SIGSTORE_ID_TOKEN and GitHub Actions ambient credentials; a signing config names the services; an index and its platforms', async () => {
    const { tagRef: ref } = await fresh();
    const viaStdin = await ocxWithStdin(['package', 'sign', ref, '--identity-token-stdin', ...services(), '-v', '--format', 'json'], `${token}\n`);
    expect(viaStdin.code, viaStdin.stderr).toBe(0);
    expect(JSON.parse(viaStdin.stdout).signed).toHaveLength(3); // the index and both platforms
    const viaEnv = await ocx(['package', 'sign', ref, ...services()], { SIGSTORE_ID_TOKEN: token });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);

    // GitHub Actions: the runner's token endpoint, asked with its request token for audience sigstore.
    const seen: { auth?: string; audience?: string | null }[] = [];
    const gha: Server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push({ auth: req.headers.authorization, audience: u.searchParams.get('audience') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
    });
    await new Promise<void>((r) => gha.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(gha.address() as AddressInfo).port}/token?api-version=2.0`;
      const config = join(sandbox.dir, 'signing-config.json');
      await writeFile(
        config,
        JSON.stringify({
          mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
          caUrls: [{ url: fulcio.url, majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z' } }],
          tsaUrls: [{ url: `${tsa.url}/api/v1/timestamp`, majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z' } }],
          tsaConfig: { selector: 'ANY' },
        }),
      );
      const viaGha = await ocx(['package', 'sign', ref, '--signing-config', config, '-v'], {
        SIGSTORE_ID_TOKEN: '',
        ACTIONS_ID_TOKEN_REQUEST_URL: url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token',
      });
      expect(viaGha.code, viaGha.stderr).toBe(0);
      expect(seen).toEqual([{ auth: 'Bearer runner-request-token', audience: 'sigstore' }]);
      for (const r of [viaStdin, viaEnv, viaGha]) for (const part of [token, ...token.split('.')]) expect(r.stdout + r.stderr).not.toContain(part);
    } finally {
      await new Promise<void>((r) => gha.close(() => r()));
    }
    const ours = await ocx(['verify', ref, ...ocxTrust(), ...identity(), '--all-platforms', '--format', 'json']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const theirs = await cosign('cosign3', ['verify', ...cosignTrust(), ...identity(), ...COSIGN_HTTP, ref]);
    expect(theirs.code, theirs.stderr).toBe(0);
  });

  it('refuses without a token, with an expired or unverified one, and Fulcio refuses a token from another issuer — none is printed', async () => {
    const { ref } = await fresh();
    const none = await ocx(['package', 'sign', ref, ...services()], { SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' });
    expect(none.code).toBe(80);
    expect(none.stderr).toMatch(/--identity-token-file FILE, --identity-token-stdin, SIGSTORE_ID_TOKEN/);

    const expired = await issuer.mintToken({ email: EMAIL, expiresInSeconds: -60 });
    const r1 = await ocx(['package', 'sign', ref, ...services()], { SIGSTORE_ID_TOKEN: expired });
    expect(r1.code).toBe(80);
    expect(r1.stderr).toMatch(/expired/);

    const unverified = await issuer.mintToken({ email: EMAIL, emailVerified: false });
    const r2 = await ocx(['package', 'sign', ref, ...services()], { SIGSTORE_ID_TOKEN: unverified });
    expect(r2.code).toBe(80);
    expect(r2.stderr).toMatch(/not verified/);

    const stranger = await startOidcIssuer();
    try {
      const foreign = await stranger.mintToken({ email: EMAIL });
      const r3 = await ocx(['package', 'sign', ref, ...services(), '-v'], { SIGSTORE_ID_TOKEN: foreign });
      expect(r3.code, r3.stderr).toBe(80);
      expect(r3.stderr).toMatch(/Fulcio .* refused the identity token/);
      for (const [r, t] of [[r1, expired], [r2, unverified], [r3, foreign]] as const) for (const part of [t, ...t.split('.')]) expect(r.stdout + r.stderr).not.toContain(part);
    } finally {
      await stranger.stop();
    }

    const noTime = await ocx(['package', 'sign', ref, '--fulcio-url', fulcio.url, '--tlog-upload=false'], { SIGSTORE_ID_TOKEN: token });
    expect(noTime.code).toBe(64);
    expect(noTime.stderr).toMatch(/needs a trusted time/);
  });
});

/** ocx with `input` on stdin. */
async function ocxWithStdin(args: string[], input: string) {
  const { run } = await import('../src/run.ts');
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...process.env }, cwd: process.cwd(), stdin: async () => input });
  return { code, stdout, stderr };
}
