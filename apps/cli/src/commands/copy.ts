import { copy, referenceTarget } from '@ocx/oci';
import type { Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';
import { bindCopyCredentials, COPY_CREDENTIAL_OPTIONS, type CopyCredentialValues } from './copy-credentials.ts';

export const COPY_OPTIONS = {
  'no-referrers': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  ...COPY_CREDENTIAL_OPTIONS,
} as const;

export const COPY_HELP = `Usage: ocx copy <src> <dst> [--no-referrers]

Copies an artifact (an image manifest, or an index with all its platforms) and its blobs between any
two of registry and OCI layout (oci-layout:PATH[:TAG]), with its whole referrer graph by default.
Where the destination has no referrers API, the tag-schema index is written.

Credentials (each bound to its own registry; --username/OCX_USERNAME is refused when both sides are registries):
  --from-username U --from-password-stdin   source registry (or OCX_FROM_USERNAME/OCX_FROM_PASSWORD)
  --to-username U --to-password-stdin       destination registry (or OCX_TO_USERNAME/OCX_TO_PASSWORD)
  Only one side may read stdin; a side without flags uses its docker-config entry.
`;

export async function runCopy(ctx: Context, positionals: string[], values: { 'no-referrers'?: boolean; concurrency?: string } & CopyCredentialValues): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('copy takes a source and a destination reference');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency must be between 1 and 64');
  const srcRef = ctx.parse(positionals[0]!);
  const dstRef = ctx.parse(positionals[1]!);
  await bindCopyCredentials(ctx, values, srcRef, dstRef);
  const src = ctx.open(srcRef);
  const dst = ctx.open(dstRef);
  const root = await src.resolve(referenceTarget(srcRef));
  const tag = dstRef.digest ? undefined : (dstRef.tag ?? (srcRef.digest ? undefined : srcRef.tag));
  const result = await copy(src, dst, root, { referrers: !values['no-referrers'], tag, concurrency });
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ source: positionals[0], destination: positionals[1], digest: root.digest, mediaType: root.mediaType, size: root.size, manifests: result.manifests, blobs: result.blobs, skippedBlobs: result.skippedBlobs, referrers: result.referrers }, null, 2)}\n`);
  } else {
    ctx.io.stdout(`Copied ${sanitize(positionals[0]!)} → ${sanitize(positionals[1]!)}\n  digest     ${root.digest}\n  manifests  ${result.manifests}\n  blobs      ${result.blobs} copied, ${result.skippedBlobs} already present\n  referrers  ${result.referrers}\n`);
  }
  return 0;
}
