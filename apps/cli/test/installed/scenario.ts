import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LayoutRepository } from '@ocx/oci';
import { attach, pushImage } from '@ocx/testkit';
import { makePki, P256 } from '@ocx/testkit/pki';
import { spdxDocument } from '../documents.ts';
import { installedOcx, runInstalled, sandbox, type RunResult } from './harness.ts';

// One scenario, run against each registry set-up by the installed-CLI suite: the artifact is prepared
// from source as an OCI layout (setup only); every ocx command under test is the installed bin.
// copy (layout → registry), package sign (cosign key, then notation with a test PKI), discover,
// verify (cosign, notation), sbom, and copy registry → registry with a verify at the destination.

export const SPDX = JSON.stringify(
  spdxDocument('installed-app', [{ SPDXID: 'SPDXRef-a', name: 'a', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'MIT' }], { namespace: 'https://ocx.test/installed-app' }),
);

export interface ScenarioTarget {
  /** `host:port` as used in references. */
  readonly host: string;
  /** Added to every command's environment: trust (NODE_EXTRA_CA_CERTS), credentials (DOCKER_CONFIG, OCX_USERNAME…). */
  readonly env?: NodeJS.ProcessEnv;
  /** Added to every registry command: `--ca-file`… */
  readonly args?: readonly string[];
  /**
   * `--username U --password-stdin` with its stdin, for every command but copy: copy between two
   * registries takes per-side flags (--from-/--to-username), so copies use the docker config in `env`.
   */
  readonly login?: { readonly args: readonly string[]; readonly stdin: string };
}

interface Material {
  layout: string;
  cosignKey: string;
  cosignPub: string;
  notationKey: string;
  notationChain: string;
  notationConfig: string;
}

async function prepare(dir: string, seed: string): Promise<Material> {
  const layout = join(dir, 'layout');
  const repo = new LayoutRepository(layout, { create: true });
  const subject = await pushImage(repo, seed, 'v1');
  await attach(repo, subject, { content: SPDX, mediaType: 'application/spdx+json' }, { artifactType: 'application/spdx+json' });

  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cosignKey = join(dir, 'cosign.key');
  const cosignPub = join(dir, 'cosign.pub');
  await writeFile(cosignKey, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(cosignPub, pair.publicKey.export({ format: 'pem', type: 'spki' }));

  const pki = await makePki(P256, 'ocx-installed');
  const notationKey = join(dir, 'notation.key');
  const notationChain = join(dir, 'notation-chain.pem');
  await writeFile(notationKey, pki.keyPem);
  await writeFile(notationChain, pki.chainPem);
  // notation's own layout: trustpolicy.json and truststore/x509/ca/<name>/.
  const notationConfig = join(dir, 'notation');
  await mkdir(join(notationConfig, 'truststore/x509/ca/ocx-installed'), { recursive: true });
  await writeFile(join(notationConfig, 'truststore/x509/ca/ocx-installed/root.pem'), pki.rootPem);
  await writeFile(
    join(notationConfig, 'trustpolicy.json'),
    JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'installed', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:ocx-installed'], trustedIdentities: [`x509.subject: ${pki.leafSubject}`] }],
    }),
  );
  return { layout, cosignKey, cosignPub, notationKey, notationChain, notationConfig };
}

/** A crash prints a stack; a handled failure never does. */
function noStack(r: RunResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|dynamic import callback/);
}

const ok = (r: RunResult, what: string): RunResult => {
  noStack(r);
  expect(r.code, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};

/** Registers the scenario's tests in the current describe(); `target()` is read once beforeAll ran. */
export function installedScenario(target: () => ScenarioTarget, seed: string): void {
  let bin: string;
  let box: Awaited<ReturnType<typeof sandbox>>;
  let m: Material;
  const ocx = (args: string[]) => {
    const t = target();
    const login = args[0] === 'copy' ? undefined : t.login;
    return runInstalled(bin, [...args, ...(t.args ?? []), ...(login?.args ?? [])], { env: { ...box.env, ...t.env }, stdin: login?.stdin });
  };
  // Repositories named by the seed: scenarios may share one registry.
  const ref = (repository: string) => `${target().host}/${seed}/${repository}:v1`;

  beforeAll(async () => {
    bin = (await installedOcx()).bin;
    box = await sandbox();
    m = await prepare(box.dir, seed);
  }, 300_000);
  afterAll(() => box?.cleanup());

  it('copy: OCI layout → registry, with the SBOM referrer', async () => {
    ok(await ocx(['copy', `oci-layout:${m.layout}:v1`, ref('app')]), 'copy layout → registry');
  });

  it('package sign: cosign (key) and notation (test PKI)', async () => {
    ok(await ocx(['package', 'sign', ref('app'), '--key', m.cosignKey, '--tlog-upload=false']), 'cosign sign');
    ok(await ocx(['package', 'sign', ref('app'), '--notation', '--key', m.notationKey, '--cert', m.notationChain]), 'notation sign');
  });

  it('discover: the SBOM, the cosign and the notation signature', async () => {
    const r = ok(await ocx(['discover', ref('app'), '--format', 'json']), 'discover');
    const kinds = (JSON.parse(r.stdout) as { referrers: { kind: { kind: string } }[] }).referrers.map((n) => n.kind.kind).sort();
    expect(kinds).toEqual(['cosign-signature', 'notation-signature', 'sbom']);
  });

  it('verify: cosign with the key, notation with the trust policy', async () => {
    const cosign = ok(await ocx(['verify', ref('app'), '--key', m.cosignPub, '--insecure-ignore-tlog', '--format', 'json']), 'cosign verify');
    expect(JSON.parse(cosign.stdout).verified).toBe(true);
    const notation = ok(await ocx(['verify', ref('app'), '--notation-config', m.notationConfig, '--format', 'json']), 'notation verify');
    expect(JSON.parse(notation.stdout).verified).toBe(true);
  });

  it('sbom: finds and summarises the SPDX document', async () => {
    const r = ok(await ocx(['sbom', ref('app'), '--summary']), 'sbom');
    expect(r.stdout).toMatch(/spdx 2\.3 \(json\) "installed-app": 1 packages/);
  });

  it('copy: registry → registry with the referrer graph; the copy verifies', async () => {
    ok(await ocx(['copy', ref('app'), ref('copied')]), 'copy registry → registry');
    const r = ok(await ocx(['verify', ref('copied'), '--key', m.cosignPub, '--insecure-ignore-tlog', '--format', 'json']), 'verify the copy');
    expect(JSON.parse(r.stdout).verified).toBe(true);
  });
}
