// Packages for the `ocx pull` tests: tar+gzip layers built with tar-stream's packer, pushed as image
// manifests (and an index of two platforms) through @ocx/oci.
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_INDEX, type Descriptor, type RemoteRepository } from '@ocx/oci';
import { blob, pushManifest } from '@ocx/testkit';
import { pack, type Headers } from 'tar-stream';

export const TGZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface FileEntry extends Omit<Headers, 'name'> {
  readonly name: string;
  readonly content?: string;
}

export async function tarGz(entries: readonly FileEntry[]): Promise<Uint8Array> {
  const p = pack();
  const out: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of p) out.push(chunk);
  })();
  for (const { content, ...header } of entries) {
    const body = Buffer.from(content ?? '');
    await new Promise<void>((res, rej) => p.entry({ type: 'file', mode: 0o644, ...header, size: body.length }, body, (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  await collecting;
  return gzipSync(Buffer.concat(out));
}

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
