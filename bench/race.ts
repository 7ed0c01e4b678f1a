import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { collectReferrers, RegistryClient, RemoteRepository } from '@ocx/oci';
import { pushImage, registryBinary, repoRoot, startRegistry } from '@ocx/testkit';
import { printTable } from './table.ts';

// 20 ocx processes attach to one subject on docker-registry 2.8, which ignores If-Match: how many
// entries survive in the tag-schema index (issue 10 item 9; target ≥ 19/20, median of runs).

const N = 20;

function attach(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

export async function raceBench(runs = Number(process.env.OCX_BENCH_RACE_RUNS ?? 5)): Promise<void> {
  if (!registryBinary('distribution2')) {
    console.log('\nconcurrent attach on docker-registry 2.8: n/a (docker-registry not installed)');
    return;
  }
  const reg = await startRegistry('distribution2');
  const client = new RegistryClient({});
  const script = join(repoRoot, 'packages/oci/test/scripts/attach-one.ts');
  const survived: number[] = [];
  let failed = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: `race/run${run}` });
      const subject = await pushImage(repo, `race-${run}`, 'v1');
      const results = await Promise.all(Array.from({ length: N }, (_, i) => attach([script, reg.host, `race/run${run}`, subject.digest, String(subject.size), subject.mediaType, String(i)])));
      for (const f of results.filter((r) => r.code !== 0).slice(0, 2)) console.log(`attach failed: ${f.stderr.trim().slice(0, 600)}`);
      failed += results.filter((r) => r.code !== 0).length;
      const listed = await collectReferrers(repo.referrers(subject));
      survived.push(new Set(listed.map((d) => d.annotations?.['com.example.seed'])).size);
    }
  } finally {
    await client.close();
    await reg.stop();
  }
  const sorted = [...survived].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  printTable(`${N} ocx processes attaching to one subject on docker-registry 2.8 (ignores If-Match), ${runs} runs`, ['processes', 'runs', 'failed attaches', 'entries kept (median)', 'min–max'], [
    [String(N), String(runs), String(failed), `${median}/${N}`, `${sorted[0]}–${sorted.at(-1)}`],
  ]);
  console.log(`target: ≥ ${N - 1}/${N} entries kept (median)`);
}
