import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerSandbox, fixturePath, peerOrSkip, runPeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { E2E, layoutDir, makeNotationConfig, policyFile } from './notation-helpers.ts';

// Issue 8 §4: `ocx verify oci-layout:…` with notation trust picks its trust-policy statement by
// --scope, as `notation verify --oci-layout --scope` does. notation's e2e layout, read in place.

const key = (f: string) => fixturePath(E2E, 'config/localkeys', f);
const TIME = ['--verification-time', '2025-06-01T00:00:00Z'];
const layoutRef = () => `oci-layout:${layoutDir('e2e-valid-signature')}:v1`;
// registry_scope_trustpolicy.json scopes its only statement to localhost:5000/test-repo.
const SCOPED = 'registry_scope_trustpolicy.json';

describe('ocx verify oci-layout: --scope', () => {
  let scoped: string;
  let global: string;
  beforeAll(async () => {
    scoped = await makeNotationConfig(SCOPED, { 'ca:e2e': [key('e2e.crt')] });
    global = await makeNotationConfig('trustpolicy.json', { 'ca:e2e': [key('e2e.crt')] });
  });

  it('--scope naming a registryScope of the policy selects its statement and verifies', async () => {
    const r = await ocx(['verify', layoutRef(), '--notation-config', scoped, '--scope', 'localhost:5000/test-repo', '--no-cache', ...TIME]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ notation signature/);
    expect(r.stdout).toContain('policy: e2e (level strict)');
  });

  it('a scope the policy does not cover fails as configuration, naming the scope', async () => {
    const r = await ocx(['verify', layoutRef(), '--notation-config', scoped, '--scope', 'localhost:5000/other', '--no-cache', ...TIME]);
    expect(r.code, r.stdout + r.stderr).toBe(78);
    expect(r.stdout).toContain('no trust policy applies to "localhost:5000/other"');
  });

  it('the global "*" statement covers any scope', async () => {
    const r = await ocx(['verify', layoutRef(), '--notation-config', global, '--scope', 'example.com/any/repo', '--no-cache', ...TIME]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('without --scope, the error says to pass it', async () => {
    const r = await ocx(['verify', layoutRef(), '--notation-config', scoped, '--no-cache', ...TIME]);
    expect(r.code, r.stdout + r.stderr).toBe(78);
    expect(r.stdout).toMatch(/pass --scope REGISTRY\/REPOSITORY naming one of its registryScopes \(as notation verify --oci-layout --scope\)/);
  });

  it('--scope is a usage error for registry references and when it is not a registry/repository', async () => {
    const reg = await ocx(['verify', 'registry.example/app:v1', '--notation-config', scoped, '--scope', 'localhost:5000/test-repo']);
    expect(reg.code).toBe(64);
    expect(reg.stderr).toMatch(/--scope sets the trust-policy scope of oci-layout: references/);
    const bad = await ocx(['verify', layoutRef(), '--notation-config', scoped, '--scope', 'https://localhost:5000/test-repo:v1', ...TIME]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--scope "https:\/\/localhost:5000\/test-repo:v1": not a fully qualified repository/);
  });
});

const hasNotation = peerOrSkip('notation') !== undefined;
describe.skipIf(!hasNotation)('notation verify --oci-layout --scope agrees', () => {
  let sandbox: PeerSandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await createPeerSandbox();
    dir = join(await mkdtemp(join(tmpdir(), 'ocx-scope-layout-')), 'layout');
    await cp(layoutDir('e2e-valid-signature'), dir, { recursive: true });
    await cp(join(await makeNotationConfig(SCOPED, { 'ca:e2e': [key('e2e.crt')] }), 'truststore'), join(sandbox.notationConfigDir, 'truststore'), { recursive: true });
    await writeFile(join(sandbox.notationConfigDir, 'trustpolicy.json'), await readFile(policyFile(SCOPED), 'utf8'));
  });
  afterAll(async () => sandbox?.cleanup());

  it.each([
    ['localhost:5000/test-repo', true],
    ['localhost:5000/other', false],
  ])('--scope %s → verified: %s, for both', async (scope, verified) => {
    const n = await runPeer('notation', ['verify', '--oci-layout', '--scope', scope, `${dir}:v1`], { sandbox, env: { NOTATION_EXPERIMENTAL: '1' } });
    const o = await ocx(['verify', `oci-layout:${dir}:v1`, '--notation-config', sandbox.notationConfigDir, '--scope', scope, '--no-cache']);
    expect(n.code === 0, `notation: ${n.stdout}${n.stderr}`).toBe(verified);
    expect(o.code === 0, o.stdout + o.stderr).toBe(verified);
  });
});
