import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEmulator, createPeerSandbox, peerPath } from '@ocx/testkit';
import { measuredSteps, peerStep as peer, type MeasuredSteps as Measured, type Step } from './measure.ts';
import { printTable, profileFlags } from './table.ts';

// `pnpm bench push`: publishing a signed package — `ocx package push --sign --key K` vs `tar -czf` +
// `oras push` + `cosign sign --key K` of the same 64 MiB file of random bytes, one run each, the
// emulator adding 25 ms per request (issue 11 acceptance: ocx ≤ 0.7× the trio's wall time, requests
// counted). Both sides gzip the same bytes (random data: the deflate work is all search, no gain),
// upload one layer, a manifest and a signature; neither writes to a transparency log. Each side
// pushes into its own repository so no blob is skipped as already present. The key is cosign's own
// encrypted format (`cosign generate-key-pair`), read by both with COSIGN_PASSWORD.

const LATENCY_MS = 25;
const PAYLOAD_BYTES = 64 * 1024 * 1024;

export async function pushBench(cli: string): Promise<void> {
  const cosign3 = peerPath('cosign3');
  const oras = peerPath('oras');
  if (!cosign3 || !oras) {
    console.log(`\nocx package push --sign vs tar + oras push + cosign sign: n/a (${[!cosign3 && 'cosign3', !oras && 'oras'].filter(Boolean).join(' and ')} not built; run pnpm peers)`);
    return;
  }
  const emu = createEmulator();
  const server = await emu.listen();
  const sandbox = await createPeerSandbox();
  const rows: string[][] = [];
  try {
    await writeFile(join(sandbox.dir, 'payload.bin'), randomBytes(PAYLOAD_BYTES));
    await peer(sandbox, 'cosign3', ['generate-key-pair'], { COSIGN_PASSWORD: '' });
    const key = join(sandbox.dir, 'cosign.key');

    const measure = (steps: Step[]) => measuredSteps(emu, LATENCY_MS, sandbox.dir, steps);
    const peerEnv = { ...process.env, ...sandbox.env, COSIGN_PASSWORD: '', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
    const ocxEnv = { ...process.env, OCX_HOME: join(sandbox.dir, 'ocx-home'), COSIGN_PASSWORD: '' };
    const trioRef = `${server.host}/bench/push-trio:v1`;
    const theirs = await measure([
      { cmd: 'tar', args: ['-czf', 'payload.tar.gz', 'payload.bin'], env: peerEnv },
      { cmd: oras, args: ['push', '--plain-http', trioRef, 'payload.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip'], env: peerEnv },
      { cmd: cosign3, args: ['sign', '--key', key, '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', trioRef], env: peerEnv },
    ]);
    // --plain-http as the peers get it: no TLS attempt before the loopback http fallback.
    const push = (repo: string) =>
      measure([{ cmd: process.execPath, args: [...profileFlags(), cli, 'package', 'push', 'payload.bin', `${server.host}/bench/${repo}:v1`, '--platform', 'linux/amd64', '--sign', '--key', key, '--tlog-upload=false', '--plain-http'], env: ocxEnv }]);
    const fmt = (m: Measured) => (m.code === 0 ? m.ms.toFixed(0) : `failed (${m.code})`);
    const row = (name: string, ours: Measured) => {
      if (ours.code !== 0) console.log(`ocx (${name}) failed: ${ours.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      rows.push([name, String(ours.requests), String(theirs.requests), fmt(ours), fmt(theirs), ours.code === 0 && theirs.code === 0 ? `${(ours.ms / theirs.ms).toFixed(2)}×` : 'n/a']);
    };
    if (theirs.code !== 0) console.log(`tar + oras + cosign failed: ${theirs.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    // First run: an empty ocx home (no compiled-code cache), as the peers start.
    row('64 MiB random file, cosign key, first run', await push('push-ocx'));
    // Into another repository: code cache warm, every blob uploaded again.
    row('same file, another repository', await push('push-ocx-again'));
  } finally {
    await server.close();
    await sandbox.cleanup();
  }
  printTable(`ocx package push --sign vs tar -czf + oras push + cosign sign (emulator, ${LATENCY_MS} ms per request, one run)`, ['package', 'ocx req', 'trio req', 'ocx ms', 'trio ms', 'ocx/trio time'], rows);
  console.log('target: ocx ≤ 0.7× the trio\'s wall time');
}
