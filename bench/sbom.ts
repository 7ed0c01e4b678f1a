import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { EMPTY_DESCRIPTOR, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { peerPath, pushImage, pushManifest, registryBinary, repoRoot, startRegistry } from '@ocx/testkit';
import { printTable, profileFlags } from './table.ts';

// `pnpm bench sbom`: a generated 256 MiB CycloneDX SBOM attached on docker-registry 2.8, fetched once
// with `ocx sbom --output FILE`, once with `oras blob fetch` of the same blob by digest (oras checks
// the digest too) and once with curl from the blob URL. Targets (issue 12): ≤ 1.2× oras's wall time,
// peak RSS of the ocx process ≤ 150 MiB (bounded-memory streaming). OCX_BENCH_SBOM_MIB shrinks it for
// a smoke run.

const SIZE = Number(process.env.OCX_BENCH_SBOM_MIB ?? 256) * 1024 * 1024;
const MiB = 1024 * 1024;
const defaultCli = join(repoRoot, 'apps/cli/dist/bin/ocx.cjs');

/** Writes a valid CycloneDX document of exactly `size` bytes in 1 MiB writes, hashing as it goes. */
async function generateSbom(path: string, size: number): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const head = '{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[';
  const tail = ']}\n';
  let written = 0;
  const write = async (s: string) => {
    const b = Buffer.from(s);
    hash.update(b);
    written += b.byteLength;
    if (!out.write(b)) await once(out, 'drain');
  };
  await write(head);
  let i = 0;
  let batch = '';
  for (;;) {
    const c = `${i ? ',' : ''}{"type":"library","name":"pkg-${i}","version":"1.${i % 100}.0","purl":"pkg:npm/pkg-${i}@1.${i % 100}.0","licenses":[{"license":{"id":"MIT"}}]}`;
    if (written + batch.length + c.length + tail.length + 1 > size) break;
    batch += c;
    i++;
    if (batch.length >= MiB) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch);
  // JSON allows trailing whitespace: pad to the exact size.
  await write(' '.repeat(size - written - tail.length) + tail);
  out.end();
  await once(out, 'close');
  return { digest: `sha256:${hash.digest('hex')}`, size: written };
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const c of createReadStream(path, { highWaterMark: MiB })) yield c as Buffer;
}

interface Measured {
  readonly ms: number;
  readonly code: number;
  readonly stderr: string;
  readonly maxRssKiB?: number;
  /** user + system CPU ms (GNU time), NaN when unknown. */
  readonly cpuMs: number;
}

export interface SbomResult {
  readonly mib: number;
  readonly ocx: Measured;
  readonly oras?: Measured;
  readonly curl: Measured;
  readonly ocxRequests?: number;
  /** `ocx pull` of an image whose one layer is the same blob, against `oras pull` of it. */
  readonly pull?: { readonly ocx: Measured; readonly oras?: Measured };
}

/** Runs a command under `/usr/bin/time -v` when present (peak RSS), else polls /proc VmHWM. */
function measure(cmd: string, args: string[]): Promise<Measured> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = timeBin ? spawn(timeBin, ['-v', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let hwm = 0;
    const poll = timeBin
      ? undefined
      : setInterval(() => {
          readFile(`/proc/${child.pid}/status`, 'utf8')
            .then((s) => (hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
            .catch(() => undefined);
        }, 20);
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const rss = timeBin ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN) : hwm;
      const cpuMs = (Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN)) * 1000;
      resolve({ ms: performance.now() - start, code: code ?? 1, stderr, cpuMs, ...(Number.isFinite(rss) && rss > 0 ? { maxRssKiB: rss } : {}) });
    });
  });
}

export async function sbomBench(cli: string = defaultCli): Promise<SbomResult | string> {
  if (!registryBinary('distribution2')) {
    console.log('\nocx sbom --output vs curl: n/a (docker-registry 2.8 not installed)');
    return 'docker-registry 2.8 not installed';
  }
  const dir = await mkdtemp(join(tmpdir(), 'ocx-bench-sbom-'));
  const reg = await startRegistry('distribution2');
  const client = new RegistryClient({});
  try {
    const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: 'bench/sbom' });
    const src = join(dir, 'bom.cdx.json');
    const gen = await generateSbom(src, SIZE);
    const layer: Descriptor = { mediaType: 'application/vnd.cyclonedx+json', digest: gen.digest, size: gen.size };
    await repo.pushStream(layer, fileChunks(src));
    const subject = await pushImage(repo, 'sbom-bench', 'v1');
    // The layer is already pushed (streamed): only the referrer manifest around it is built here.
    await repo.push({ ...EMPTY_DESCRIPTOR }, new TextEncoder().encode('{}'));
    await pushManifest(repo, {
      artifactType: 'application/vnd.cyclonedx+json',
      config: EMPTY_DESCRIPTOR,
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    });

    // The same blob as the one (non-tar) layer of an image: `ocx pull` writes it as a file, as oras does.
    const image = await pushManifest(repo, { config: EMPTY_DESCRIPTOR, layers: [{ ...layer, annotations: { 'org.opencontainers.image.title': 'bom.json' } }] });
    await repo.tag(image, 'layer');

    const ocxOut = join(dir, 'ocx.json');
    const curlOut = join(dir, 'curl.json');
    const ours = await measure(process.execPath, [...profileFlags(), cli, 'sbom', `${reg.host}/bench/sbom:v1`, '--output', ocxOut, '--no-cache', '--plain-http']);
    if (ours.code !== 0) throw new Error(`ocx sbom failed: ${ours.stderr.slice(0, 2000)}`);
    // The fixed cost (Node start-up, resolve, referrers listing, legacy-tag probes) on its own.
    const listing = await measure(process.execPath, [cli, 'sbom', `${reg.host}/bench/sbom:v1`, '--no-cache', '--plain-http']);
    const theirs = await measure('curl', ['-sSfL', '-o', curlOut, `${reg.url}/v2/bench/sbom/blobs/${gen.digest}`]);
    if (theirs.code !== 0) throw new Error(`curl failed: ${theirs.stderr.slice(0, 2000)}`);
    const orasBin = peerPath('oras');
    const orasOut = join(dir, 'oras.json');
    const oras = orasBin ? await measure(orasBin, ['blob', 'fetch', '--plain-http', '--output', orasOut, `${reg.host}/bench/sbom@${gen.digest}`]) : undefined;
    if (oras && oras.code !== 0) throw new Error(`oras blob fetch failed: ${oras.stderr.slice(0, 2000)}`);
    for (const f of [ocxOut, curlOut, ...(oras ? [orasOut] : [])]) if ((await stat(f)).size !== gen.size) throw new Error(`${f} is not ${gen.size} bytes`);

    const pullOcx = await measure(process.execPath, [cli, 'pull', `${reg.host}/bench/sbom:layer`, '-o', join(dir, 'pull-ocx'), '--no-verify', '--no-cache', '--plain-http']);
    if (pullOcx.code !== 0) throw new Error(`ocx pull failed: ${pullOcx.stderr.slice(0, 2000)}`);
    const pullOras = orasBin ? await measure(orasBin, ['pull', '--plain-http', '-o', join(dir, 'pull-oras'), `${reg.host}/bench/sbom:layer`]) : undefined;
    if (pullOras && pullOras.code !== 0) throw new Error(`oras pull failed: ${pullOras.stderr.slice(0, 2000)}`);

    const mibs = (m: Measured) => gen.size / MiB / (m.ms / 1000);
    const ratio = mibs(ours) / mibs(theirs);
    const rss = (m: Measured) => (m.maxRssKiB ? `${(m.maxRssKiB / 1024).toFixed(0)}` : 'n/a');
    printTable(`ocx sbom --output vs curl: one ${(gen.size / MiB).toFixed(0)} MiB SBOM blob on docker-registry 2.8, one run each`, ['tool', 'wall ms', 'MiB/s', 'peak RSS MiB'], [
      ['ocx sbom', ours.ms.toFixed(0), mibs(ours).toFixed(0), rss(ours)],
      ['ocx sbom (list only)', listing.ms.toFixed(0), '', rss(listing)],
      ...(oras ? [['oras blob fetch', oras.ms.toFixed(0), mibs(oras).toFixed(0), rss(oras)]] : []),
      ['curl', theirs.ms.toFixed(0), mibs(theirs).toFixed(0), rss(theirs)],
      ['ocx pull (layer)', pullOcx.ms.toFixed(0), mibs(pullOcx).toFixed(0), rss(pullOcx)],
      ...(pullOras ? [['oras pull (layer)', pullOras.ms.toFixed(0), mibs(pullOras).toFixed(0), rss(pullOras)]] : []),
    ]);
    const transfer = gen.size / MiB / (Math.max(1, ours.ms - listing.ms) / 1000);
    console.log(`ocx transfer alone (output minus list-only run): ~${transfer.toFixed(0)} MiB/s, ${((transfer / mibs(theirs)) * 100).toFixed(0)}% of curl`);
    const rssOk = ours.maxRssKiB !== undefined && ours.maxRssKiB / 1024 <= 150;
    console.log(`throughput: ocx ${(ratio * 100).toFixed(0)}% of curl; ${oras ? `wall ${(ours.ms / oras.ms).toFixed(2)}× oras (target ≤ 1.2×: ${ours.ms / oras.ms <= 1.2 ? 'met' : 'MISSED'})` : 'oras: n/a'}; ocx peak RSS ${rss(ours)} MiB (target ≤ 150: ${rssOk ? 'met' : 'MISSED'})`);
    return { mib: Math.round(gen.size / MiB), ocx: ours, ...(oras ? { oras } : {}), curl: theirs, pull: { ocx: pullOcx, ...(pullOras ? { oras: pullOras } : {}) } };
  } finally {
    await client.close();
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// Run alone: `node --conditions=@ocx/source --import tsx bench/sbom.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await sbomBench();
