// Which manifests a `package sign|attest` run writes to: shared by the key, keyless and attest paths.
import { formatPlatform, isIndex, parseManifest, platformEntries, selectPlatform, type CallOptions, type Descriptor, type Fetcher, type PlatformSpec, type Resolver } from '@ocx/oci';

export interface PackageTarget {
  readonly desc: Descriptor;
  readonly platform?: string;
}

/**
 * Each platform manifest of an index (or the one `platform` selects), else the manifest itself.
 * `withIndex`: the index too, ahead of its platforms, unless `platform` picks one — as
 * `cosign sign --recursive` does, so `cosign verify <tag>` finds a signature on what the tag names.
 */
export async function resolveTargets(
  repo: Resolver & Fetcher,
  reference: string,
  platform: PlatformSpec | undefined,
  withIndex: boolean,
  call: CallOptions,
): Promise<{ root: Descriptor; targets: PackageTarget[] }> {
  const root = await repo.resolve(reference, call);
  const { manifest } = parseManifest(await repo.fetch(root, call), root.mediaType);
  if (!isIndex(manifest)) return { root, targets: [{ desc: root }] };
  const targets: PackageTarget[] = withIndex && !platform ? [{ desc: { mediaType: root.mediaType, digest: root.digest, size: root.size } }] : [];
  for (const d of platform ? [selectPlatform(manifest, platform)] : platformEntries(manifest)) {
    targets.push({ desc: { mediaType: d.mediaType, digest: d.digest, size: d.size }, ...(d.platform ? { platform: formatPlatform(d.platform) } : {}) });
  }
  return { root, targets };
}
