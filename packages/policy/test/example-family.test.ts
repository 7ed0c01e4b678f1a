import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { attach, createEmulator, pushImage, type RunningRegistry } from '@ocx/testkit';
import { parsePolicy } from '../src/load.ts';
import { decideTarget, governingRules, policyFamilies, registerFamily, unregisterFamily } from '../src/engine/policy-run.ts';
import { verifyReference } from '../src/engine/run.ts';
import type { Policy } from '../src/types.ts';
import { ARTIFACT_TYPE, ed25519DetachedFamily, FAMILY, LAYER_TYPE } from './example-family/family.ts';

// The family seam is public API: a verifier family from outside the CLI and outside @ocx/cosign /
// @ocx/notation (test/example-family/, a toy "ed25519 detached signature" format) plugs into the
// engine, a policy names its signers as `extension` signers, and the decision works end to end
// against the emulator — through the engine's `families` option and through registerFamily.

describe('an extension verifier family (ed25519 detached signatures)', () => {
  let server: RunningRegistry;
  let client: RegistryClient;
  const vendor = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const pub = (k: typeof vendor) => k.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  let policy: Policy;

  const repoFor = (name: string) => new RemoteRepository(client, { host: server.host, registry: server.host, repository: name });
  async function image(name: string, signer?: typeof vendor): Promise<Descriptor> {
    const repo = repoFor(name);
    const subject = await pushImage(repo, name, 'v1');
    if (signer) await attach(repo, subject, { content: sign(null, Buffer.from(subject.digest), signer.privateKey), mediaType: LAYER_TYPE }, { artifactType: ARTIFACT_TYPE });
    return subject;
  }

  async function run(name: string, extra = true) {
    const reference = parseReference(`${server.host}/${name}:v1`, { env: {} });
    const target = { registry: server.host, repository: name };
    const families = policyFamilies({ policy, rules: governingRules(policy, [target]), now: new Date(), ...(extra ? { families: [ed25519DetachedFamily] } : {}) });
    const outcome = await verifyReference({ repo: repoFor(name), reference, repositoryName: `${server.host}/${name}`, families });
    return decideTarget(policy, target, outcome.targets[0]!);
  }

  beforeAll(async () => {
    server = await createEmulator().listen();
    client = new RegistryClient({});
    policy = parsePolicy(
      JSON.stringify({
        version: 1,
        signers: {
          vendor: { extension: { family: FAMILY, config: { publicKey: pub(vendor) } } },
          backup: { extension: { family: FAMILY, config: { publicKey: pub(generateKeyPairSync('ed25519')) } } },
        },
        rules: [{ name: 'vendor', scope: `${server.host}/vendor/**`, signatures: { threshold: 1, of: ['vendor', 'backup'] } }],
      }),
      { source: 'inline policy' },
    );
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('signed by the named extension signer → allowed, the signer counted', async () => {
    await image('vendor/signed', vendor);
    const d = await run('vendor/signed');
    expect(d.allowed).toBe(true);
    expect(d.signers).toEqual(['vendor']);
  });

  it('unsigned, or signed by a key the policy does not name → blocked (81) with the why', async () => {
    await image('vendor/unsigned');
    const unsigned = await run('vendor/unsigned');
    expect(unsigned).toMatchObject({ allowed: false, exitCode: 81 });
    expect(unsigned.failures.join('\n')).toMatch(/no signature found/);
    await image('vendor/stranger', stranger);
    const wrong = await run('vendor/stranger');
    expect(wrong).toMatchObject({ allowed: false, exitCode: 81 });
    expect(JSON.stringify(wrong.why)).toMatch(/signed by none of the configured keys/);
  });

  it('registerFamily makes it available to every policy run; an unregistered family is an error, never "unsigned"', async () => {
    await image('vendor/registered', vendor);
    await expect(run('vendor/registered', false)).rejects.toThrow(/no verifier family "ed25519-detached"/);
    registerFamily(ed25519DetachedFamily);
    try {
      expect((await run('vendor/registered', false)).allowed).toBe(true);
    } finally {
      unregisterFamily(FAMILY);
    }
    expect(() => registerFamily({ ...ed25519DetachedFamily, name: 'cosign' })).toThrow(/built-in/);
  });
});
