// `ocx package sign --notation`: a notation signature for an index and each platform manifest under
// it (or only the one `platform` selects), else for the manifest itself — the same targets the
// cosign path signs.
import { formatPlatform, isIndex, parseManifest, platformEntries, selectPlatform, type Descriptor, type PlatformSpec, type Repository } from '@ocx/oci';
import { signNotation, type SignNotationOptions } from './sign.ts';

export interface SignNotationPackageOptions extends Omit<SignNotationOptions, 'repo' | 'subject'> {
  readonly platform?: PlatformSpec;
}

export interface NotationSigned {
  /** The manifest that was signed. */
  readonly digest: string;
  readonly platform?: string;
  /** The signature manifest's digest. */
  readonly signature: string;
  readonly format: 'notation-jws' | 'notation-cose';
  readonly referrers?: 'api' | 'tag-schema' | 'none';
}

export interface SignNotationPackageResult {
  readonly root: Descriptor;
  readonly signed: readonly NotationSigned[];
}

export async function signNotationPackage(repo: Repository, reference: string, options: SignNotationPackageOptions): Promise<SignNotationPackageResult> {
  const call = options.signal ? { signal: options.signal } : {};
  const root = await repo.resolve(reference, call);
  const { manifest } = parseManifest(await repo.fetch(root, call), root.mediaType);
  // The index itself too (what `notation verify <tag>` looks for), unless --platform picks one.
  const targets: { desc: Descriptor; platform?: string }[] = isIndex(manifest)
    ? [
        ...(options.platform ? [] : [{ desc: root }]),
        ...(options.platform ? [selectPlatform(manifest, options.platform)] : platformEntries(manifest)).map((d) => ({ desc: d, ...(d.platform ? { platform: formatPlatform(d.platform) } : {}) })),
      ]
    : [{ desc: root }];
  const { platform: _platform, ...signOptions } = options;
  const signed: NotationSigned[] = [];
  for (const t of targets) {
    const subject = { mediaType: t.desc.mediaType, digest: t.desc.digest, size: t.desc.size };
    const r = await signNotation({ ...signOptions, repo, subject });
    signed.push({
      digest: subject.digest,
      ...(t.platform ? { platform: t.platform } : {}),
      signature: r.descriptor.digest,
      format: options.format === 'cose' ? 'notation-cose' : 'notation-jws',
      ...(r.referrers ? { referrers: r.referrers } : {}),
    });
  }
  return { root, signed };
}
