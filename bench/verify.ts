import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEmulator, createPeerSandbox, peerPath, pushImage, runPeer, type PeerSandbox } from '@ocx/testkit';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { profileFlags } from './table.ts';

// `pnpm bench verify`: ocx verify against cosign verify (v3) and notation verify on the same signed
// tag, the emulator adding 25 ms per request; wall time and requests of one run each.

const LATENCY_MS = 25;

interface Measured {
  readonly ms: number;
  readonly requests: number;
  readonly code: number;
  readonly stderr: string;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code: code ?? 1, stderr }));
  });
}

async function peer(sandbox: PeerSandbox, name: Parameters<typeof runPeer>[0], args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await runPeer(name, args, { sandbox, env, cwd: sandbox.dir, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${r.stderr}`);
}

export async function verifyBench(cli: string, printTable: (title: string, head: string[], rows: string[][]) => void): Promise<void> {
  const emu = createEmulator();
  const server = await emu.listen();
  const sandbox = await createPeerSandbox();
  const client = new RegistryClient({});
  const rows: string[][] = [];
  const measure = async (cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> => {
    emu.setLatencyMs(LATENCY_MS);
    emu.clearLog();
    const prof = cmd === process.execPath ? profileFlags() : [];
    const r = await timed(cmd, [...prof, ...args], env);
    const requests = emu.log.length;
    emu.setLatencyMs(0);
    return { ...r, requests };
  };
  const peerEnv = { ...process.env, ...sandbox.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
  const ocxEnv = { ...process.env, OCX_HOME: join(sandbox.dir, 'ocx-home') };
  const row = (name: string, ours: Measured, theirs: Measured | undefined) => {
    const fmt = (m: Measured) => (m.code === 0 ? `${m.ms.toFixed(0)}` : `failed (${m.code})`);
    rows.push([name, String(ours.requests), theirs ? String(theirs.requests) : 'n/a', fmt(ours), theirs ? fmt(theirs) : 'n/a', theirs && ours.code === 0 && theirs.code === 0 ? `${(ours.ms / theirs.ms).toFixed(2)}×` : 'n/a']);
    if (ours.code !== 0) console.log(`ocx (${name}) failed: ${ours.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  };
  try {
    const cosign3 = peerPath('cosign3');
    if (cosign3) {
      const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'bench/cosign' });
      await pushImage(repo, 'cosign', 'v1');
      await pushImage(repo, 'cosign 2', 'v2');
      const ref = `${server.host}/bench/cosign:v1`;
      const ref2 = `${server.host}/bench/cosign:v2`;
      await peer(sandbox, 'cosign3', ['generate-key-pair'], { COSIGN_PASSWORD: '' });
      await peer(sandbox, 'cosign3', ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', ref, ref2], { COSIGN_PASSWORD: '' });
      const pub = join(sandbox.dir, 'cosign.pub');
      const theirs = await measure(cosign3, ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-insecure-registry', ref], peerEnv);
      const args = (r: string) => [cli, 'verify', r, '--key', pub, '--insecure-ignore-tlog'];
      row('cosign v3 (key, no tlog), first run', await measure(process.execPath, args(ref), ocxEnv), theirs);
      // Signatures are immutable content: a second run reads them from ocx's digest cache, and lists
      // them while it resolves the tag (the tag's last digest is a guess, checked before use).
      row('cosign v3, same tag again', await measure(process.execPath, args(ref), ocxEnv), theirs);
      // Another artifact, ocx used before (code cache and registry capability known, nothing of v2).
      row('cosign v3, another tag', await measure(process.execPath, args(ref2), ocxEnv), theirs);
      // Batch: cosign verifies the references of one call one after the other; ocx concurrently.
      const batch: string[] = [];
      for (let i = 0; i < 10; i++) {
        await pushImage(repo, `cosign-batch-${i}`, `b${i}`);
        batch.push(`${server.host}/bench/cosign:b${i}`);
      }
      await peer(sandbox, 'cosign3', ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--use-signing-config=false', '--allow-insecure-registry', '-y', ...batch], { COSIGN_PASSWORD: '' });
      const theirsBatch = await measure(cosign3, ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-insecure-registry', ...batch], peerEnv);
      const coldHome = { ...ocxEnv, OCX_HOME: join(sandbox.dir, 'ocx-home-batch') };
      row('cosign v3, 10 refs in one call, cold', await measure(process.execPath, [cli, 'verify', ...batch, '--key', pub, '--insecure-ignore-tlog'], coldHome), theirsBatch);
    }
    const notation = peerPath('notation');
    if (notation) {
      const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'bench/notation' });
      await pushImage(repo, 'notation', 'v1');
      await pushImage(repo, 'notation 2', 'v2');
      const ref = `${server.host}/bench/notation:v1`;
      const ref2 = `${server.host}/bench/notation:v2`;
      await peer(sandbox, 'notation', ['cert', 'generate-test', '--default', 'bench.io']);
      await peer(sandbox, 'notation', ['sign', '--insecure-registry', ref]);
      await peer(sandbox, 'notation', ['sign', '--insecure-registry', ref2]);
      await writeFile(
        join(sandbox.notationConfigDir, 'trustpolicy.json'),
        JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'bench', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:bench.io'], trustedIdentities: ['*'] }] }),
      );
      const theirs = await measure(notation, ['verify', '--insecure-registry', ref], peerEnv);
      const args = (r: string) => [cli, 'verify', r, '--notation-config', sandbox.notationConfigDir];
      const home = { ...ocxEnv, OCX_HOME: join(sandbox.dir, 'ocx-home-notation') };
      row('notation (JWS, strict), first run', await measure(process.execPath, args(ref), home), theirs);
      row('notation, same tag again', await measure(process.execPath, args(ref), home), theirs);
      row('notation, another tag', await measure(process.execPath, args(ref2), home), theirs);
    }
  } finally {
    await client.close();
    await server.close();
    await sandbox.cleanup();
  }
  printTable(`ocx verify vs the peers' verify (emulator, ${LATENCY_MS} ms per request, one run)`, ['signature', 'ocx req', 'peer req', 'ocx ms', 'peer ms', 'ocx/peer time'], rows);
  console.log('targets: cosign — ocx ≤ 0.5× cosign time and ≤ 5 requests; notation — ≤ 0.6× notation time, no more requests');
}
