import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReferrers, EMPTY_DESCRIPTOR, parseManifest, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_LAYER_TAR, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { attach, blob, createEmulator, pushManifest, scriptArgs } from '@ocx/testkit';
import { run } from 'ocx';
import { makePki, P256 } from '@ocx/testkit/pki';

// `pnpm demo`: the main job end to end on a local registry, with nothing installed beyond the repo.
// A spec-strict registry starts on 127.0.0.1, a multi-platform package and its SBOM are pushed,
// then ocx discovers the supply-chain graph and copies it, referrers and all, into an OCI layout;
// it is signed (cosign and notation) and verified, and a trust policy lets `ocx pull` install the
// signed package and block an unsigned one before any layer is downloaded. Last, a package is
// published the way a release pipeline would: `ocx package push --sbom --sign` (signed SBOM and
// signature in one step), SLSA provenance attested and verified, the graph discovered.

scriptArgs({ name: 'demo', usage: 'pnpm demo   (no arguments: the main job end to end on a local registry)' });

const say = (s: string) => process.stdout.write(`\n\x1b[1m▶ ${s}\x1b[0m\n`);

let surprises = 0;

/** Runs one ocx command as a user would and checks it ends with the exit code the step expects. */
async function ocx(expected: number, ...args: string[]): Promise<number> {
  process.stdout.write(`$ ocx ${args.join(' ')}\n`);
  const code = await run(args);
  process.stdout.write(`(exit ${code})\n`);
  if (code !== expected) {
    surprises++;
    process.stdout.write(`!! expected exit ${expected}\n`);
  }
  return code;
}

/** Regular files under `root`, as relative paths, sorted. */
async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

const emulator = createEmulator();
const server = await emulator.listen();
const work = await mkdtemp(join(tmpdir(), 'ocx-demo-'));
const client = new RegistryClient({});
try {
  const ref = `${server.host}/demo/hello`;
  say(`A local OCI registry (referrers API on) at ${server.url}`);
  const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'demo/hello' });

  say('Push a multi-platform package: linux/amd64 + linux/arm64 under one index, tag 1.0.0');
  const platforms: Descriptor[] = [];
  for (const [os, architecture] of [['linux', 'amd64'], ['linux', 'arm64']] as const) {
    const config = blob(JSON.stringify({ os, architecture, config: {} }), MEDIA_TYPE_OCI_CONFIG);
    // Files as `oras push` stores them: each a layer titled with its path (ocx pull writes it there).
    const layer = blob(`hello from ${os}/${architecture}\n`, MEDIA_TYPE_OCI_LAYER_TAR);
    const script = blob(`#!/bin/sh\necho "hello from ${os}/${architecture}"\n`, MEDIA_TYPE_OCI_LAYER_TAR);
    await repo.push(config.desc, config.bytes);
    await repo.push(layer.desc, layer.bytes);
    await repo.push(script.desc, script.bytes);
    const titled = (d: Descriptor, title: string): Descriptor => ({ ...d, annotations: { 'org.opencontainers.image.title': title } });
    const m = await pushManifest(repo, { config: config.desc, layers: [titled(layer.desc, 'hello.txt'), titled(script.desc, 'bin/hello')] });
    platforms.push({ ...m, platform: { os, architecture } });
  }
  const index = await pushManifest(repo, { manifests: platforms }, MEDIA_TYPE_OCI_INDEX);
  await repo.tag(index, '1.0.0');
  console.log(`index ${index.digest}`);

  say('Attach an SPDX SBOM to the linux/amd64 manifest (an OCI 1.1 referrer)');
  const spdx = JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'hello', dataLicense: 'CC0-1.0', documentNamespace: 'https://example.com/hello', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: ocx-demo'] }, packages: [{ name: 'hello', SPDXID: 'SPDXRef-hello', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'Apache-2.0' }] });
  await attach(repo, platforms[0]!, { content: spdx, mediaType: 'application/spdx+json' }, { artifactType: 'application/spdx+json', annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } });

  say('Discover what is attached (tree, then JSON in the shape of `oras discover --format json`)');
  await ocx(0, 'discover', `${ref}:1.0.0`, '--platform', 'linux/amd64', '--no-cache');
  await ocx(0, 'discover', `${ref}:1.0.0`, '--platform', 'linux/amd64', '--format', 'json', '--no-cache');

  say('The SBOM of the linux/amd64 package, summarised (format, packages, licenses)');
  await ocx(0, 'sbom', `${ref}:1.0.0`, '--platform', 'linux/amd64', '--summary', '--no-cache');

  say('Copy the package with its whole referrer graph into an OCI layout (air-gap style)');
  const layout = join(work, 'layout');
  await ocx(0, 'copy', `${ref}:1.0.0`, `oci-layout:${layout}:1.0.0`, '--no-cache');
  await ocx(0, 'discover', `oci-layout:${layout}:1.0.0`, '--platform', 'linux/amd64');

  say('Copy it on into a registry without the referrers API: ocx writes the tag-schema index');
  const legacy = createEmulator({ referrersApi: false });
  const legacyServer = await legacy.listen();
  await ocx(0, 'copy', `oci-layout:${layout}:1.0.0`, `${legacyServer.host}/demo/hello:1.0.0`, '--no-cache');
  await ocx(0, 'discover', `${legacyServer.host}/demo/hello:1.0.0`, '--platform', 'linux/amd64', '--no-cache');
  await legacyServer.close();

  say('Sign the package with a key generated on the spot (cosign v3 format: a Sigstore bundle referrer per platform)');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = join(work, 'demo.key');
  const pubFile = join(work, 'demo.pub');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  await ocx(0, 'package', 'sign', `${ref}:1.0.0`, '--key', keyFile, '--tlog-upload=false', '--no-cache');

  say('Verify it: every platform, bound to the digests ocx resolves itself (no transparency log in this demo)');
  await ocx(0, 'verify', `${ref}:1.0.0`, '--key', pubFile, '--insecure-ignore-tlog', '--all-platforms', '--no-cache');

  say('Sign it with notation too (JWS envelope, a certificate chain minted on the spot) and verify both families');
  const pki = await makePki(P256, 'ocx-demo');
  const notationKey = join(work, 'notation.key');
  const notationChain = join(work, 'notation.crt');
  await writeFile(notationKey, pki.keyPem, { mode: 0o600 });
  await writeFile(notationChain, pki.chainPem);
  await ocx(0, 'package', 'sign', `${ref}:1.0.0`, '--notation', '--key', notationKey, '--cert', notationChain, '--no-cache');
  // A notation configuration exactly as notation lays it out: trust store + trust policy.
  const notationConfig = join(work, 'notation');
  await mkdir(join(notationConfig, 'truststore/x509/ca/demo'), { recursive: true });
  await writeFile(join(notationConfig, 'truststore/x509/ca/demo/root.pem'), pki.rootPem);
  await writeFile(
    join(notationConfig, 'trustpolicy.oci.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'demo', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:demo'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=ocx test, CN=ocx-demo'] }] }, null, 2),
  );
  await ocx(0, 'verify', `${ref}:1.0.0`, '--notation-config', notationConfig, '--key', pubFile, '--insecure-ignore-tlog', '--platform', 'linux/arm64', '--no-cache');

  say('A trust policy, written once: the demo key must have signed every package under demo/');
  const policyFile = join(work, 'policy.yaml');
  await writeFile(
    policyFile,
    [
      'version: 1',
      'defaults: { mode: enforce, unmatched: deny }',
      'signers:',
      `  demo-key: { key: ${pubFile}, tlog: optional }   # tlog optional: this demo signs without Rekor`,
      'rules:',
      '  - name: demo',
      `    scope: ${server.host}/demo/**`,
      '    signatures: { threshold: 1, of: [demo-key] }',
      '',
    ].join('\n'),
  );
  process.stdout.write(`${policyFile}:\n${await readFile(policyFile, 'utf8')}`);

  say('ocx pull: resolve and pin the digest, decide by the policy, only then download and install');
  const installed = join(work, 'installed');
  await ocx(0, 'pull', `${ref}:1.0.0`, '--platform', 'linux/amd64', '-o', installed, '--policy', policyFile, '--no-cache');
  for (const file of await listFiles(installed)) process.stdout.write(`  ${file}: ${JSON.stringify(await readFile(join(installed, file), 'utf8'))}\n`);

  say('An unsigned package under the same rule is blocked before a single layer is downloaded (exit 81, with the why)');
  const unsigned = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'demo/unsigned' });
  const unsignedConfig = blob(JSON.stringify({ os: 'linux', architecture: 'amd64', config: {} }), MEDIA_TYPE_OCI_CONFIG);
  const unsignedLayer = blob('hello from nobody in particular\n', MEDIA_TYPE_OCI_LAYER_TAR);
  await unsigned.push(unsignedConfig.desc, unsignedConfig.bytes);
  await unsigned.push(unsignedLayer.desc, unsignedLayer.bytes);
  await unsigned.tag(await pushManifest(unsigned, { config: unsignedConfig.desc, layers: [{ ...unsignedLayer.desc, annotations: { 'org.opencontainers.image.title': 'hello.txt' } }] }), '1.0.0');
  emulator.clearLog();
  const blocked = join(work, 'blocked');
  await ocx(81, 'pull', `${server.host}/demo/unsigned:1.0.0`, '-o', blocked, '--policy', policyFile, '--no-cache');
  const layerGets = emulator.log.filter((e) => e.method === 'GET' && e.path.endsWith(`/blobs/${unsignedLayer.desc.digest}`)).length;
  process.stdout.write(`layer blobs requested: ${layerGets}; ${blocked} ${existsSync(blocked) ? 'exists' : 'was never created'}\n`);
  if (layerGets !== 0 || existsSync(blocked)) {
    surprises++;
    process.stdout.write('!! expected no layer download and no directory\n');
  }

  say('Why? ocx policy explain says which rule governs it and what it requires, without the network');
  await ocx(0, 'policy', 'explain', `${server.host}/demo/unsigned:1.0.0`, '--policy', policyFile);
  say('… and with --verify it also runs the check: blocked (exit 81), the why-tree says which requirement failed');
  await ocx(81, 'policy', 'explain', `${server.host}/demo/unsigned:1.0.0`, '--policy', policyFile, '--verify', '--no-cache');

  say('A tampered copy: same signature, moved onto a manifest with a changed layer — rejected (exit 65)');
  const tampered = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'demo/tampered' });
  const original = platforms[0]!;
  const origManifest = parseManifest(await repo.fetch(original)).manifest as { config: Descriptor; layers: Descriptor[] };
  const evil = blob('hello from a tampered build\n', MEDIA_TYPE_OCI_LAYER_TAR);
  await tampered.push(origManifest.config, await repo.fetch(origManifest.config));
  await tampered.push(evil.desc, evil.bytes);
  const evilManifest = await pushManifest(tampered, { config: origManifest.config, layers: [evil.desc] });
  await tampered.tag(evilManifest, '1.0.0');
  for (const sig of await collectReferrers(repo.referrers(original, { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }))) {
    const sigManifest = parseManifest(await repo.fetch(sig)).manifest as { layers: Descriptor[]; [k: string]: unknown };
    for (const d of [EMPTY_DESCRIPTOR, ...sigManifest.layers]) await tampered.push({ ...d }, d === EMPTY_DESCRIPTOR ? new TextEncoder().encode('{}') : await repo.fetch(d));
    await pushManifest(tampered, { ...sigManifest, subject: { mediaType: evilManifest.mediaType, digest: evilManifest.digest, size: evilManifest.size } });
  }
  await ocx(65, 'verify', `${server.host}/demo/tampered:1.0.0`, '--key', pubFile, '--insecure-ignore-tlog', '--no-cache');

  // ── Publishing: `ocx package push` with a signed SBOM, then SLSA provenance (issue 11) ─────────
  say('Publish a package in one step: ocx package push packs the directory, attaches the SBOM as a signed attestation, signs');
  const toolDir = join(work, 'tool');
  await mkdir(join(toolDir, 'bin'), { recursive: true });
  await writeFile(join(toolDir, 'bin/tool'), '#!/bin/sh\necho "tool 2.0.0"\n', { mode: 0o755 });
  await writeFile(join(toolDir, 'README'), 'tool: a small package published by the ocx demo\n');
  const toolSpdx = join(work, 'tool.spdx.json');
  await writeFile(toolSpdx, JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'tool', dataLicense: 'CC0-1.0', documentNamespace: 'https://example.com/tool-2.0.0', creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: ocx-demo'] }, packages: [{ name: 'tool', SPDXID: 'SPDXRef-tool', versionInfo: '2.0.0', downloadLocation: 'NOASSERTION', licenseConcluded: 'MIT' }] }, null, 2));
  const toolRef = `${server.host}/demo/tool:2.0.0`;
  await ocx(0, 'package', 'push', toolDir, toolRef, '--platform', 'linux/amd64', '--sbom', toolSpdx, '--sign', '--key', keyFile, '--tlog-upload=false', '--no-cache');

  say('Attest how it was built: a SLSA provenance v1 predicate, signed as an in-toto statement (cosign attest --type slsaprovenance1)');
  const provenance = join(work, 'provenance.json');
  await writeFile(provenance, `${JSON.stringify(slsaProvenance(), null, 2)}\n`);
  process.stdout.write(`${provenance}: buildType ${slsaProvenance().buildDefinition.buildType}, builder ${slsaProvenance().runDetails.builder.id}\n`);
  await ocx(0, 'package', 'attest', toolRef, '--predicate', provenance, '--type', 'slsaprovenance1', '--key', keyFile, '--tlog-upload=false', '--no-cache');

  say('Verify the provenance attestation: signature by the demo key, subject = the digest ocx resolves, predicate type');
  await ocx(0, 'verify', toolRef, '--attestation', '--type', 'slsaprovenance1', '--key', pubFile, '--insecure-ignore-tlog', '--no-cache');

  say('Discover the supply chain of the published package: SBOM attestation, signature, provenance attestation');
  await ocx(0, 'discover', toolRef, '--platform', 'linux/amd64', '--no-cache');
  // ──────────────────────────────────────────────────────────────────────────────────────────────

  say('A bad reference gets a clear message and the usage exit code (64)');
  await ocx(64, 'discover', `${server.host}/Demo/Hello:1.0.0`);
  if (surprises > 0) {
    process.stdout.write(`\n${surprises} step(s) did not end as expected\n`);
    process.exitCode = 1;
  } else process.stdout.write('\nDemo complete: every step ended as expected.\n');
} finally {
  await client.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}

/** A SLSA provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance) as a CI build would write it. */
function slsaProvenance() {
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/tags/v2.0.0', repository: 'https://github.com/example/tool', path: '.github/workflows/release.yml' } },
      internalParameters: { github: { event_name: 'push', repository_id: '123456789', repository_owner_id: '987654321' } },
      resolvedDependencies: [{ uri: 'git+https://github.com/example/tool@refs/tags/v2.0.0', digest: { gitCommit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' } }],
    },
    runDetails: {
      builder: { id: 'https://github.com/example/tool/.github/workflows/release.yml@refs/tags/v2.0.0' },
      metadata: { invocationId: 'https://github.com/example/tool/actions/runs/1234567890/attempts/1', startedOn: '2026-01-01T00:00:00Z', finishedOn: '2026-01-01T00:02:41Z' },
    },
  };
}
