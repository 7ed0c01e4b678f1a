import { copy, isIndex, parseManifest, parseReference, referenceTarget, selectPlatform, type Descriptor, type PlatformSpec, type Repository } from '@ocx/oci';
import type { Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';
import type { CopyOutput } from '../schemas/index.ts';
import { bindCopyCredentials, COPY_CREDENTIAL_OPTIONS, type CopyCredentialValues } from './copy-credentials.ts';

export const COPY_OPTIONS = {
  'no-referrers': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  ...COPY_CREDENTIAL_OPTIONS,
} as const;

export const COPY_HELP = `Usage: ocx copy <src> <dst> [--no-referrers] [--platform os/arch[/variant]] [--concurrency N]

Copies an artifact (an image manifest, or an index with all its platforms) and its blobs between any
two of registry and OCI layout (oci-layout:PATH[:TAG]), with its whole referrer graph by default.
Where the destination has no referrers API, the tag-schema index is written.
With no tag in <dst>, the destination gets the source's tag (none when <src> names a digest): never
\`latest\`.

Flags:
  --no-referrers      copy the artifact only, not its signatures, SBOMs and attestations (default: false)
  --concurrency N     blobs and manifests copied at once, 1–64 (default: 6)
  --platform P        copy only that platform's manifest, as oras copy --platform: an index is copied
                      as its P manifest (with that manifest's referrers); a single manifest only if its
                      config names P

Credentials (each bound to its own registry; --username/OCX_USERNAME is refused when both sides are registries):
  --from-username U --from-password-stdin   source registry (or OCX_FROM_USERNAME/OCX_FROM_PASSWORD)
  --to-username U --to-password-stdin       destination registry (or OCX_TO_USERNAME/OCX_TO_PASSWORD)
  Only one side may read stdin; a side without flags uses its docker-config entry.

Defaults: --from-username, --to-username: none (the docker config); --from-password-stdin,
--to-password-stdin: false.

Examples:
  ocx copy ghcr.io/org/app:1.0 registry.internal/mirror/app
  ocx copy ghcr.io/org/app@sha256:… oci-layout:./backup:1.0
  ocx copy oci-layout:./layout:v1 localhost:5000/app:v1 --no-referrers
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

export async function runCopy(ctx: Context, positionals: string[], values: { 'no-referrers'?: boolean; concurrency?: string } & CopyCredentialValues): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('copy takes a source and a destination reference');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency must be between 1 and 64');
  const srcRef = ctx.parse(positionals[0]!);
  // No destination tag means the source's tag (untagged when the source was a digest), never
  // `latest`, which could overwrite a production tag.
  const dstRef = parseReference(positionals[1]!, { env: ctx.io.env, cwd: ctx.io.cwd, defaultTag: null });
  await bindCopyCredentials(ctx, values, srcRef, dstRef);
  const src = ctx.open(srcRef);
  const dst = ctx.open(dstRef);
  const resolved = await src.resolve(referenceTarget(srcRef));
  const root = ctx.platform ? await platformRoot(src, resolved, ctx.platform) : resolved;
  const tag = dstRef.digest ? undefined : (dstRef.tag ?? (srcRef.digest ? undefined : srcRef.tag));
  const result = await copy(src, dst, root, { referrers: !values['no-referrers'], tag, concurrency });
  if (ctx.json) {
    const doc: CopyOutput = { source: positionals[0]!, destination: positionals[1]!, digest: root.digest, mediaType: root.mediaType, size: root.size, manifests: result.manifests, blobs: result.blobs, skippedBlobs: result.skippedBlobs, referrers: result.referrers };
    ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    ctx.io.stdout(`Copied ${sanitize(positionals[0]!)} → ${sanitize(positionals[1]!)}\n  digest     ${root.digest}\n  manifests  ${result.manifests}\n  blobs      ${result.blobs} copied, ${result.skippedBlobs} already present\n  referrers  ${result.referrers}\n`);
  }
  return 0;
}
