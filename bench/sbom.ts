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

// `pnpm bench sbom`: a generated 256 MiB CycloneDX SBOM attached on docker-registry 2.8 (blobs served
// from disk, as real registries do; the emulator serves from memory and competes for the same cores).
// `ocx sbom <tag> --output FILE --plain-http` (resolve, referrers, download verified while streaming,
// file renamed into place after the digest matched) vs `oras blob fetch --plain-http -o FILE` of the
// SBOM by digest (oras verifies the digest too): equal work on the data path. curl of the same blob
// URL (no digest check) is printed as the raw-transfer reference. Issue 12 targets: ocx ≤ 1.2× oras'
// wall time, peak RSS of the ocx process ≤ 150 MiB (bounded-memory streaming).

const SIZE = 256 * 1024 * 1024;
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
  /** User + system CPU seconds (from /usr/bin/time), when known. */
  readonly cpuS?: number;
  readonly code: number;
  readonly stderr: string;
  readonly maxRssKiB?: number;
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
      const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ ms: performance.now() - start, code: code ?? 1, stderr, ...(Number.isFinite(rss) && rss > 0 ? { maxRssKiB: rss } : {}), ...(Number.isFinite(cpu) ? { cpuS: cpu } : {}) });
    });
  });
}

export async function sbomBench(cli: string = defaultCli): Promise<void> {
  if (!registryBinary('distribution2')) {
    console.log('\nocx sbom --output vs curl: n/a (docker-registry 2.8 not installed)');
    return;
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

    const ocxOut = join(dir, 'ocx.json');
    const orasOut = join(dir, 'oras.json');
    const curlOut = join(dir, 'curl.json');
    const ref = `${reg.host}/bench/sbom:v1`;
    // --plain-http as oras gets it: no TLS attempt before the loopback http fallback.
    const ours = await measure(process.execPath, [...profileFlags(), cli, 'sbom', ref, '--output', ocxOut, '--no-cache', '--plain-http']);
    if (ours.code !== 0) throw new Error(`ocx sbom failed: ${ours.stderr.slice(0, 2000)}`);
    // The fixed cost (Node start-up, resolve, referrers listing, legacy-tag probes) on its own.
    const listing = await measure(process.execPath, [cli, 'sbom', ref, '--no-cache', '--plain-http']);
    const oras = peerPath('oras');
    const theirs = oras ? await measure(oras, ['blob', 'fetch', '--plain-http', '-o', orasOut, `${reg.host}/bench/sbom@${gen.digest}`]) : undefined;
    if (theirs && theirs.code !== 0) throw new Error(`oras blob fetch failed: ${theirs.stderr.slice(0, 2000)}`);
    const raw = await measure('curl', ['-sSfL', '-o', curlOut, `${reg.url}/v2/bench/sbom/blobs/${gen.digest}`]);
    if (raw.code !== 0) throw new Error(`curl failed: ${raw.stderr.slice(0, 2000)}`);
    for (const f of [ocxOut, ...(theirs ? [orasOut] : []), curlOut]) if ((await stat(f)).size !== gen.size) throw new Error(`${f} is not ${gen.size} bytes`);

    const mibs = (m: Measured) => gen.size / MiB / (m.ms / 1000);
    const rss = (m: Measured) => (m.maxRssKiB ? `${(m.maxRssKiB / 1024).toFixed(0)}` : 'n/a');
    const cpu = (m: Measured) => (m.cpuS !== undefined ? m.cpuS.toFixed(2) : 'n/a');
    printTable(`ocx sbom --output vs oras blob fetch (both verify the digest): one ${(gen.size / MiB).toFixed(0)} MiB SBOM blob on docker-registry 2.8, one run each`, ['tool', 'wall ms', 'CPU s', 'MiB/s', 'peak RSS MiB'], [
      ['ocx sbom --output', ours.ms.toFixed(0), cpu(ours), mibs(ours).toFixed(0), rss(ours)],
      ['ocx sbom (list only)', listing.ms.toFixed(0), cpu(listing), '', rss(listing)],
      ...(theirs ? [['oras blob fetch', theirs.ms.toFixed(0), cpu(theirs), mibs(theirs).toFixed(0), rss(theirs)]] : []),
      ['curl (no digest check)', raw.ms.toFixed(0), cpu(raw), mibs(raw).toFixed(0), rss(raw)],
    ]);
    const rssOk = ours.maxRssKiB !== undefined && ours.maxRssKiB / 1024 <= 150;
    const peer = theirs ?? raw;
    const ratio = ours.ms / peer.ms;
    console.log(
      `wall: ocx ${ratio.toFixed(2)}× ${theirs ? 'oras' : 'curl (oras not built: run pnpm peers)'} (target ≤ 1.2×: ${ratio <= 1.2 ? 'met' : 'MISSED'}); ` +
        `ocx peak RSS ${rss(ours)} MiB (target ≤ 150: ${rssOk ? 'met' : 'MISSED'}); on a loaded machine compare the CPU column`,
    );
  } finally {
    await client.close();
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// Run alone: `node --conditions=@ocx/source --import tsx bench/sbom.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await sbomBench();
