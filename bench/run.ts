import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, peerPath, scriptArgs, pushImage, pushReferrer, repoRoot } from '@ocx/testkit';
import { pullBench } from './pull.ts';
import { sbomBench } from './sbom.ts';
import { raceBench } from './race.ts';
import { printTable, profileFlags } from './table.ts';
import { issueTable, nodeBaseline } from './verify.ts';

// `pnpm bench`: ratios against the peers measured in the same run (never absolute targets). The
// emulator adds 25 ms (and 100 ms) per request, so request counts dominate wall time as on a real
// WAN registry. `pnpm bench table` prints issue 12's table (verify, discover, https, batch, sbom);
// `pnpm bench discover` the detailed discover sweep (1, 10, 100 referrers); `race`, `sbom` alone.
// OCX_BENCH_RUNS, OCX_BENCH_BATCH, OCX_BENCH_REFERRERS, OCX_BENCH_SBOM_MIB shrink a smoke run;
// OCX_BENCH_PROFILE=DIR adds a CPU-profile breakdown per row.

const LATENCY_MS = 25;
const RUNS = Number(process.env.OCX_BENCH_RUNS ?? 3);
// OCX_BENCH_CLI measures another build of the CLI (e.g. an experiment) against the same peers.
const cli = process.env.OCX_BENCH_CLI ?? join(repoRoot, 'apps/cli/dist/bin/ocx.cjs');

function ensureCli(): void {
  if (existsSync(cli) && !process.env.OCX_BENCH_REBUILD) return;
  const r = spawnSync('npx', ['tsdown'], { cwd: join(repoRoot, 'apps/cli'), stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the ocx CLI failed');
}

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code: code ?? 1, stderr }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function discoverBench(): Promise<void> {
  const oras = peerPath('oras');
  const emu = createEmulator({ latencyMs: 0 });
  const server = await emu.listen();
  const client = new RegistryClient({});
  const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'bench/app' });
  const rows: string[][] = [];
  for (const n of [1, 10, 100]) {
    const subject = await pushImage(repo, `bench-${n}`, `n${n}`);
    const level1 = await Promise.all(Array.from({ length: n }, (_, i) => pushReferrer(repo, subject, `application/vnd.bench.t${i % 3}`, { i: String(i) }, `r${n}-${i}`)));
    await Promise.all(level1.map((r, i) => pushReferrer(repo, r, 'application/vnd.bench.child', { i: String(i) }, `c${n}-${i}`)));
    emu.setLatencyMs(LATENCY_MS);
    for (const depth of [1, 2]) {
      const ref = `${server.host}/bench/app:n${n}`;
      const measure = async (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const times: number[] = [];
        let requests = 0;
        for (let i = 0; i < RUNS; i++) {
          emu.clearLog();
          const r = await time(cmd, args, env);
          if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
          times.push(r.ms);
          requests = emu.log.length;
        }
        return { ms: median(times), requests };
      };
      const ours = await measure(process.execPath, [...profileFlags(), cli, 'discover', ref, '--depth', String(depth), '--format', 'json', '--no-cache']);
      const theirs = oras ? await measure(oras, ['discover', '--plain-http', '--depth', String(depth), '--format', 'json', ref], { HOME: '/tmp', DOCKER_CONFIG: '/tmp/ocx-bench-docker' }) : undefined;
      rows.push([
        String(n),
        String(depth),
        `${ours.requests}`,
        theirs ? `${theirs.requests}` : 'n/a',
        `${ours.ms.toFixed(0)}`,
        theirs ? `${theirs.ms.toFixed(0)}` : 'n/a',
        theirs ? `${(theirs.ms / ours.ms).toFixed(2)}×` : 'n/a',
      ]);
    }
    emu.setLatencyMs(0);
  }
  await client.close();
  await server.close();
  printTable(`ocx discover vs oras discover (emulator, ${LATENCY_MS} ms per request, median of ${RUNS})`, ['referrers', 'depth', 'ocx req', 'oras req', 'ocx ms', 'oras ms', 'speed-up'], rows);
  console.log('target: ocx requests ≤ oras requests; speed-up ≥ 2× at depth 2');
}

// `pnpm bench [table|discover|race|sbom|pull]` runs only the named parts (default: table, race, pull; verify = table).
const only = new Set(scriptArgs({ name: 'bench', usage: 'pnpm bench [-- ] [table|discover|race|verify|sbom|pull]...', positionals: ['table', 'discover', 'race', 'verify', 'sbom', 'pull'] }).positionals);

// Node reads NODE_EXTRA_CA_CERTS eagerly at every start (~70 ms for a full CA bundle, which some
// machines set globally); Go peers read CA files lazily, and every registry here is plain-HTTP
// loopback. Measure ocx as it starts on a machine without that setting.
if (process.env.NODE_EXTRA_CA_CERTS) {
  console.log(`note: NODE_EXTRA_CA_CERTS (${process.env.NODE_EXTRA_CA_CERTS}) is unset for the measured processes`);
  delete process.env.NODE_EXTRA_CA_CERTS;
}

const want = (name: string) => only.size === 0 || only.has(name);
ensureCli();
if (only.has('discover')) await discoverBench();
if (want('race')) await raceBench();
if (want('table') || only.has('verify')) {
  const node = await nodeBaseline();
  const sbom = only.size === 0 || only.has('sbom') ? () => sbomBench(cli).catch((e: Error) => `failed: ${e.message.split('\n')[0]}`) : undefined;
  await issueTable({ cli, node, ...(sbom ? { sbom } : {}) });
} else if (only.has('sbom')) await sbomBench(cli);
if (want('pull')) await pullBench(cli);
