import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// `OCX_BENCH_PROFILE=DIR pnpm bench`: every measured ocx process writes a V8 CPU profile; this sums
// their self time (idle excluded) into the buckets issue 12 asks for, so a missed target shows
// where its CPU went: Node's module loading, compiling (code cache), GC, crypto, I/O, and the bundle
// code by chunk (the chunk name says what it holds: schemas = zod, src-… = a package).

const BUCKETS: [string, (url: string, fn: string) => boolean][] = [
  ['GC', (_u, f) => f === '(garbage collector)'],
  ['compile/code cache', (u, f) => u === 'node:vm' || f === 'compileFunction' || f === '(program)'],
  ['node module load', (u, f) => u.startsWith('node:internal/modules') || f === 'compileForInternalLoader' || u === 'node:internal/bootstrap/realm'],
  ['crypto', (u) => u.includes('crypto') || u.startsWith('node:internal/webcrypto')],
  ['I/O (net, http, tls, fs)', (u, f) => /^node:(net|_http|https|tls|_tls|fs|internal\/(fs|net|http|tls|stream|streams))/.test(u) || /^(read|write|open|close|lstat|fstat|stat|realpath|readFileUtf8|openFileHandle|writeUtf8String|writeLatin1String|writeBuffer|chmod|rename|mkdir)/.test(f)],
];

function bucketOf(url: string, fn: string): string {
  for (const [name, test] of BUCKETS) if (test(url, fn)) return name;
  const chunk = /\/dist\/bin\/([^/]+?)(-[A-Za-z0-9_-]{8})?\.cjs$/.exec(url);
  if (chunk) return `ocx ${chunk[1]}`;
  return url.startsWith('node:') ? 'node other' : 'other';
}

/** Mean self time per bucket (ms) over the .cpuprofile files in `dir`, largest first. */
export async function profileBreakdown(dir: string): Promise<{ runs: number; totalMs: number; buckets: [string, number][] }> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const sums = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(await readFile(join(dir, f), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    for (let i = 0; i < p.samples.length; i++) {
      const cf = byId.get(p.samples[i]!);
      if (!cf || cf.functionName === '(idle)') continue;
      const us = p.timeDeltas[i] ?? 0;
      total += us;
      const b = bucketOf(cf.url, cf.functionName);
      sums.set(b, (sums.get(b) ?? 0) + us);
    }
  }
  const n = Math.max(1, files.length);
  return {
    runs: files.length,
    totalMs: total / 1000 / n,
    buckets: [...sums].map(([k, v]) => [k, v / 1000 / n] as [string, number]).sort((a, b) => b[1] - a[1]),
  };
}

export function formatBreakdown(b: { runs: number; totalMs: number; buckets: [string, number][] }): string {
  if (b.runs === 0) return 'no profile';
  return `${b.totalMs.toFixed(0)} ms CPU in profile (mean of ${b.runs}): ${b.buckets
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ')}`;
}
