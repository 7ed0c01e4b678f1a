import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { CosignError } from '../errors.ts';

export interface PublicGoodOptions {
  /** Directory for the TUF metadata and target cache (e.g. `<ocx home>/sigstore-tuf`). */
  readonly cachePath: string;
  /** Use the cached trusted root without contacting the TUF mirror (fails when nothing is cached). */
  readonly forceCache?: boolean;
  /** Defaults to the public-good mirror https://tuf-repo-cdn.sigstore.dev. */
  readonly mirrorURL?: string;
}

/**
 * The Sigstore public-good trusted root through TUF (@sigstore/tuf, embedded root of trust). This is
 * the only network access in @ocx/cosign outside the registry: callers skip it whenever the user
 * passes --trusted-root or --offline.
 */
export async function loadPublicGoodRoot(opts: PublicGoodOptions): Promise<TrustedRoot> {
  // Loaded on demand: @sigstore/tuf brings an HTTP stack that key and --trusted-root runs never need.
  const { getTrustedRoot } = await import('@sigstore/tuf');
  try {
    return await getTrustedRoot({
      cachePath: opts.cachePath,
      ...(opts.mirrorURL ? { mirrorURL: opts.mirrorURL } : {}),
      ...(opts.forceCache ? { forceCache: true } : {}),
    });
  } catch (cause) {
    throw new CosignError('INVALID_TRUSTED_ROOT', `cannot load the Sigstore public-good trusted root through TUF: ${(cause as Error).message}`, { cause });
  }
}
