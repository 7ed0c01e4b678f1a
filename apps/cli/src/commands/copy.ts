import { copy, isIndex, parseManifest, referenceTarget, selectPlatform, type Descriptor, type PlatformSpec, type Repository } from '@ocx/oci';
import type { Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';

export const COPY_OPTIONS = {
  'no-referrers': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
} as const;

export const COPY_HELP = `Usage: ocx copy <src> <dst> [--no-referrers] [--platform os/arch[/variant]] [--concurrency N]

Copies an artifact (an image manifest, or an index with all its platforms) and its blobs between any
two of registry and OCI layout (oci-layout:PATH[:TAG]), with its whole referrer graph by default.
Where the destination has no referrers API, the tag-schema index is written.

--platform P   copy only that platform's manifest (an index is copied as its P manifest, with the
               referrers of that manifest), as oras copy --platform; a single manifest is copied
               only if its config names P
`;

/** Configs larger than this are not read to check --platform (image configs are a few KiB). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * --platform: the platform manifest an index names for P; a single manifest only if its config
 * says P (as oras copy --platform). Anything else is PLATFORM_NOT_FOUND (exit 79).
 */
async function platformRoot(src: Repository, root: Descriptor, want: PlatformSpec): Promise<Descriptor> {
  const { manifest } = parseManifest(await src.fetch(root), root.mediaType);
  if (isIndex(manifest)) {
    const d = selectPlatform(manifest, want);
    return { mediaType: d.mediaType, digest: d.digest, size: d.size };
  }
  const config = manifest.config;
  let platform: { os?: unknown; architecture?: unknown; variant?: unknown } = {};
  if (config.size <= MAX_CONFIG_BYTES) {
    try {
      platform = JSON.parse(new TextDecoder().decode(await src.fetch(config)));
    } catch {
      platform = {};
    }
  }
  const os = typeof platform.os === 'string' ? platform.os : '';
  const architecture = typeof platform.architecture === 'string' ? platform.architecture : '';
  const variant = typeof platform.variant === 'string' ? platform.variant : undefined;
  // One-entry index: the same matching rules and error as an index.
  selectPlatform({ schemaVersion: 2, manifests: [{ ...root, platform: { os, architecture, ...(variant ? { variant } : {}) } }] } as never, want);
  return root;
}

export async function runCopy(ctx: Context, positionals: string[], values: { 'no-referrers'?: boolean; concurrency?: string }): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('copy takes a source and a destination reference');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency must be between 1 and 64');
  const srcRef = ctx.parse(positionals[0]!);
  const dstRef = ctx.parse(positionals[1]!);
  const src = ctx.open(srcRef);
  const dst = ctx.open(dstRef);
  const resolved = await src.resolve(referenceTarget(srcRef));
  const root = ctx.platform ? await platformRoot(src, resolved, ctx.platform) : resolved;
  const tag = dstRef.digest ? undefined : (dstRef.tag ?? (srcRef.digest ? undefined : srcRef.tag));
  const result = await copy(src, dst, root, { referrers: !values['no-referrers'], tag, concurrency });
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ source: positionals[0], destination: positionals[1], digest: root.digest, mediaType: root.mediaType, size: root.size, manifests: result.manifests, blobs: result.blobs, skippedBlobs: result.skippedBlobs, referrers: result.referrers }, null, 2)}\n`);
  } else {
    ctx.io.stdout(`Copied ${sanitize(positionals[0]!)} → ${sanitize(positionals[1]!)}\n  digest     ${root.digest}\n  manifests  ${result.manifests}\n  blobs      ${result.blobs} copied, ${result.skippedBlobs} already present\n  referrers  ${result.referrers}\n`);
  }
  return 0;
}
