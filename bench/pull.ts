import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEmulator, createPeerSandbox, peerPath } from '@ocx/testkit';
import { measuredSteps, peerStep as peer, type MeasuredSteps as Measured, type Step } from './measure.ts';
import { printTable, profileFlags } from './table.ts';

// `pnpm bench pull`: installing a cosign-signed package — `ocx pull` under a policy requiring the
// signing key vs `cosign verify` + `oras pull` (+ the unpack) — one run each, the emulator adding
// 25 ms per request (issue 9 acceptance: ocx ≤ 0.7× the trio's wall time, requests counted).
//
// The package is what `oras push ref pkg` writes for a directory: one tar+gzip layer titled `pkg`
// with io.deis.oras.content.unpack=true, holding 64 MiB of random bytes. `oras pull` writes only
// titled layers, and unpacks such a layer itself (oras-go content/file), so both sides download,
// verify, gunzip and untar the same bytes; `tar -xzf` would have nothing left to do. An untitled
// image layer would be skipped by `oras pull`, and a titled `.tar.gz` file would be written, not
// unpacked, by both tools.

const LATENCY_MS = 25;
const PAYLOAD_BYTES = 64 * 1024 * 1024;

export async function pullBench(cli: string): Promise<void> {
  const cosign3 = peerPath('cosign3');
  const oras = peerPath('oras');
  if (!cosign3 || !oras) {
    console.log(`\nocx pull vs cosign verify + oras pull: n/a (${[!cosign3 && 'cosign3', !oras && 'oras'].filter(Boolean).join(' and ')} not built; run pnpm peers)`);
    return;
  }
  const emu = createEmulator();
  const server = await emu.listen();
  const sandbox = await createPeerSandbox();
  const rows: string[][] = [];
  try {
    const ref = `${server.host}/bench/pull:v1`;
    await mkdir(join(sandbox.dir, 'pkg'));
    await writeFile(join(sandbox.dir, 'pkg', 'payload.bin'), randomBytes(PAYLOAD_BYTES));
    await peer(sandbox, 'oras', ['push', '--plain-http', ref, 'pkg']);
    await peer(sandbox, 'cosign3', ['generate-key-pair'], { COSIGN_PASSWORD: '' });
    await peer(sandbox, 'cosign3', ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', ref], { COSIGN_PASSWORD: '' });
    const pub = join(sandbox.dir, 'cosign.pub');
    const policy = join(sandbox.dir, 'policy.yaml');
    await writeFile(
      policy,
      `version: 1\nsigners:\n  bench-key: { key: ${pub}, tlog: optional }\nrules:\n  - name: bench\n    scope: ${server.host}/bench/pull\n    signatures: { threshold: 1, of: [bench-key] }\n`,
    );

    // On a shared, loaded machine wall time mostly measures the scheduler: CPU time is reported next to it.
    const measure = (steps: Step[]) => measuredSteps(emu, LATENCY_MS, sandbox.dir, steps);
    const peerEnv = { ...process.env, ...sandbox.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
    const ocxEnv = { ...process.env, OCX_HOME: join(sandbox.dir, 'ocx-home'), OCX_POLICY: '', OCX_NO_VERIFY: '' };
    const theirs = await measure([
      { cmd: cosign3, args: ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-insecure-registry', ref], env: peerEnv },
      { cmd: oras, args: ['pull', '--plain-http', '-o', join(sandbox.dir, 'by-oras'), ref], env: peerEnv },
    ]);
    // --plain-http as the peers get it: no TLS attempt before the loopback http fallback.
    const pull = (to: string) => measure([{ cmd: process.execPath, args: [...profileFlags(), cli, 'pull', ref, '-o', join(sandbox.dir, to), '--policy', policy, '--plain-http'], env: ocxEnv }]);
    const fmt = (m: Measured) => (m.code === 0 ? m.ms.toFixed(0) : `failed (${m.code})`);
    const cpu = (m: Measured) => (m.code === 0 && Number.isFinite(m.cpuMs) ? (m.cpuMs / 1000).toFixed(2) : 'n/a');
    const row = (name: string, ours: Measured) => {
      if (ours.code !== 0) console.log(`ocx (${name}) failed: ${ours.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      rows.push([name, String(ours.requests), String(theirs.requests), fmt(ours), fmt(theirs), cpu(ours), cpu(theirs), ours.code === 0 && theirs.code === 0 ? `${(ours.ms / theirs.ms).toFixed(2)}×` : 'n/a']);
    };
    if (theirs.code !== 0) console.log(`cosign + oras failed: ${theirs.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    // First run: an empty ocx home (no compiled-code cache, nothing cached by digest), as the peers start.
    row('64 MiB tar+gzip, cosign key signer, first run', await pull('by-ocx'));
    // Again into another directory: code cache warm, the signature read from the digest cache.
    row('same package again', await pull('by-ocx-again'));
  } finally {
    await server.close();
    await sandbox.cleanup();
  }
  printTable(`ocx pull (policy) vs cosign verify + oras pull (unpacks) (emulator, ${LATENCY_MS} ms per request, one run)`, ['package', 'ocx req', 'trio req', 'ocx ms', 'trio ms', 'ocx CPU s', 'trio CPU s', 'ocx/trio time'], rows);
  console.log('target: ocx ≤ 0.7× the trio\'s wall time');
}
