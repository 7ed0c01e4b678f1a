import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { attestationFixtureRef, FIXTURE, keyFiles, type KeyFiles } from './cosign-helpers.ts';

// A keyless signer's github: keys through `ocx verify --policy`: the fixture is cosign's real
// keyless attestation (public-good Fulcio, a GitHub *login* identity, not an Actions run), so its
// certificate carries no GitHub Actions claims — a policy asking for one blocks with exit 81 and the
// why-tree names the missing Fulcio extension; without the github: keys the same signer passes.
// (Matching claims that ARE present: packages/policy/test/github-claims.test.ts, on a real Actions certificate.)

describe('ocx verify --policy: keyless github: keys read from the Fulcio certificate', () => {
  let server: RunningRegistry;
  let dir: string;
  let ref: string;
  let key: KeyFiles;
  beforeAll(async () => {
    server = await createEmulator().listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-github-policy-'));
    ref = await attestationFixtureRef(server.host);
    // The rule's signatures requirement (enforce mode needs one) is met by a key; the attestation
    // requirement names the keyless signer under test.
    key = await keyFiles();
    const signed = await ocx(['package', 'sign', ref, '--key', key.priv, '--tlog-upload=false', '--no-cache']);
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
  });
  afterAll(async () => {
    await key?.cleanup();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function verifyWith(name: string, github?: object) {
    const policy = join(dir, `${name}.json`);
    await writeFile(
      policy,
      JSON.stringify({
        version: 1,
        signers: { dev: { keyless: { issuer: FIXTURE.issuer, identity: FIXTURE.identity, ...(github ? { github } : {}) } }, k: { key: key.pub, tlog: 'optional' } },
        trust: { sigstore: { trustedRoot: FIXTURE.trustedRoot } },
        rules: [{ name: 'fixture', scope: `${server.host}/fixture/empty`, signatures: { threshold: 1, of: ['k'] }, attestations: [{ type: 'custom', signers: ['dev'] }] }],
      }),
    );
    return ocx(['verify', ref, '--policy', policy, '--format', 'json', '--no-cache']);
  }

  it('no github: keys → allowed; github.runner the certificate lacks → 81, expected vs found', async () => {
    const ok = await verifyWith('plain');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const blocked = await verifyWith('runner', { runner: 'github-hosted', repository: 'acme/tool' });
    expect(blocked.code, blocked.stdout + blocked.stderr).toBe(81);
    const why = JSON.stringify(JSON.parse(blocked.stdout).results[0].targets[0].decision.why);
    expect(why).toContain('github runner: expected \\"github-hosted\\", found none (the certificate has no Runner Environment 1.3.6.1.4.1.57264.1.11)');
    expect(why).toContain('github repository: expected \\"acme/tool\\", found none');
    // cosign's workflow flags belong to flag mode: under a policy the github: keys say it.
    const flag = await ocx(['verify', ref, '--policy', join(dir, 'plain.json'), '--certificate-github-workflow-ref', 'refs/heads/main', '--no-cache']);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toMatch(/--certificate-github-workflow-ref: this flag goes with trust named on the command line.*github: keys/);
  });
});

describe('ocx verify --certificate-github-workflow-* (cosign flags)', () => {
  let server: RunningRegistry;
  let ref: string;
  beforeAll(async () => {
    server = await createEmulator().listen();
    ref = await attestationFixtureRef(server.host);
  });
  afterAll(async () => {
    await server?.close();
  });
  const keyless = ['--attestation', '--type', 'https://cosign.sigstore.dev/attestation/v1', '--certificate-identity', FIXTURE.identity, '--certificate-oidc-issuer', FIXTURE.issuer, '--trusted-root', FIXTURE.trustedRoot, '--no-cache'];

  it('a certificate without the GitHub claim fails (exit 65), naming the extension; with --key the flag is a usage error', async () => {
    const ok = await ocx(['verify', ref, ...keyless]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const r = await ocx(['verify', ref, ...keyless, '--certificate-github-workflow-repository', 'acme/tool']);
    expect(r.code, r.stdout + r.stderr).toBe(65); // as any other identity mismatch
    expect(r.stdout + r.stderr).toContain('GitHub Workflow Repository (1.3.6.1.4.1.57264.1.5): expected "acme/tool", found none');
    const withKey = await ocx(['verify', ref, '--key', FIXTURE.trustedRoot, '--certificate-github-workflow-ref', 'refs/heads/main', '--no-cache']);
    expect(withKey.code, withKey.stdout + withKey.stderr).toBe(64);
    expect(withKey.stderr).toMatch(/--certificate-github-workflow-\* checks the claims of a keyless certificate/);
  });
});

