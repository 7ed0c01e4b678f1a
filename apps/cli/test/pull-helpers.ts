// Packages for the `ocx pull` tests: tar+gzip layers (@ocx/testkit's tarGz), pushed as image
// manifests (and an index of two platforms) through @ocx/oci.
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, type Descriptor, type RemoteRepository } from '@ocx/oci';
import { blob, pushManifest, rawHeader, tarGz } from '@ocx/testkit';

export const TGZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface LayerSpec {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly annotations?: Record<string, string>;
}

/** An image manifest (config + layers), optionally tagged. */
export async function pushLayers(repo: RemoteRepository, layers: readonly LayerSpec[], tag?: string, arch = 'amd64'): Promise<{ manifest: Descriptor; layers: Descriptor[] }> {
  const config = blob(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }), MEDIA_TYPE_OCI_CONFIG);
  await repo.push(config.desc, config.bytes);
  const descs: Descriptor[] = [];
  for (const l of layers) {
    const b = blob(l.bytes, l.mediaType);
    await repo.push(b.desc, b.bytes);
    descs.push({ ...b.desc, ...(l.annotations ? { annotations: l.annotations } : {}) });
  }
  const manifest = await pushManifest(repo, { config: config.desc, layers: descs });
  if (tag) await repo.tag(manifest, tag);
  return { manifest, layers: descs };
}

/** linux/amd64 + linux/arm64 whose single layers hold `arch.txt` saying which one they are. */
export async function pushTwoPlatforms(repo: RemoteRepository, tag: string): Promise<{ index: Descriptor; amd64: Descriptor; arm64: Descriptor }> {
  const amd64 = (await pushLayers(repo, [{ bytes: await tarGz([{ name: 'arch.txt', content: 'amd64' }]), mediaType: TGZ }], undefined, 'amd64')).manifest;
  const arm64 = (await pushLayers(repo, [{ bytes: await tarGz([{ name: 'arch.txt', content: 'arm64' }]), mediaType: TGZ }], undefined, 'arm64')).manifest;
  const index = await pushManifest(
    repo,
    {
      manifests: [
        { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    },
    MEDIA_TYPE_OCI_INDEX,
  );
  await repo.tag(index, tag);
  return { index, amd64, arm64 };
}

/** `count` copies of one directory entry, gzipped as it is generated (a small blob, many entries). */
export async function manyEntriesGz(count: number): Promise<Uint8Array> {
  const header = rawHeader('d/', 0, '5', 0o755);
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < count; i += 1024) yield Buffer.concat(new Array(Math.min(1024, count - i)).fill(header));
    })(),
  );
  const out: Buffer[] = [];
  for await (const chunk of source.pipe(createGzip())) out.push(chunk as Buffer);
  return Buffer.concat(out);
}
