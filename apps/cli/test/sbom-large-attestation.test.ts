import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, createPeerSandbox, peerOrSkip, requirePeer, type PeerSandbox } from '@ocx/testkit';
import { ocx } from './cli.ts';
import { spdxDocument } from './documents.ts';
import { peerRunner } from './sbom-helpers.ts';

// An SBOM attestation above the default 512 KiB bundle cap (real SBOMs of large images are MiBs):
// cosign v3 `attest` makes a ~1.5 MiB bundle, and `ocx sbom --require-signed` must still prove it —
// attestation mode loads envelopes up to 32 MiB.

function bigSpdx(): string {
  const packages = Array.from({ length: 6000 }, (_, i) => ({
    SPDXID: `SPDXRef-p${i}`,
    name: `package-${i}`,
    versionInfo: `1.${i}.0`,
    downloadLocation: 'NOASSERTION',
    licenseConcluded: 'MIT',
    description: `filler so the document is large: ${'x'.repeat(64)}`,
  }));
  return `${JSON.stringify(spdxDocument('big-app', packages, { creator: 'Tool: hand' }))}\n`;
}

describe.skipIf(!peerOrSkip('oras'))('ocx sbom with a cosign v3 SBOM attestation over 1 MiB', () => {
  let server: { host: string; close(): Promise<void> };
  let sb: PeerSandbox;
  let ref: string;
  let subject: string;
  const peer = peerRunner(() => sb);

  beforeAll(async () => {
    server = await createEmulator().listen();
    sb = await createPeerSandbox();
    await writeFile(join(sb.dir, 'app.txt'), 'big app');
    const pushed = await peer('oras', ['push', '--plain-http', `${server.host}/sbom/big:v1`, 'app.txt:text/plain']);
    subject = /Digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1]!;
    ref = `${server.host}/sbom/big:v1`;
  });
  afterAll(async () => {
    await sb?.cleanup();
    await server?.close();
  });

  it('--require-signed --key accepts it and writes the predicate', async (ctx) => {
    requirePeer('cosign3', ctx);
    const spdx = bigSpdx();
    expect(spdx.length).toBeGreaterThan(1024 * 1024);
    await writeFile(join(sb.dir, 'big.spdx.json'), spdx);
    await peer('cosign3', ['generate-key-pair']);
    await peer('cosign3', ['attest', '--key', 'cosign.key', '--type', 'spdxjson', '--predicate', 'big.spdx.json', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', `${server.host}/sbom/big@${subject}`]);
    const out = join(sb.dir, 'out.spdx.json');
    const r = await ocx(['sbom', ref, '--type', 'spdx', '--require-signed', '--key', join(sb.dir, 'cosign.pub'), '--insecure-ignore-tlog', '--offline', '--output', out, '--no-cache']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(spdx));
  }, 180_000);
});
