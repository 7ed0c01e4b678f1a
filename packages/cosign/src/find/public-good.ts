import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { isOciError, type FetchLike } from '@ocx/oci';
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { CosignError } from '../errors.ts';
import { createTufFetcher } from './tuf-fetcher.ts';

export interface PublicGoodOptions {
  /** Directory for the TUF metadata and target cache (e.g. `<ocx home>/sigstore-tuf`). */
  readonly cachePath: string;
  /** Use the cached trusted root without contacting the TUF mirror (fails when nothing is cached). */
  readonly forceCache?: boolean;
  /** Defaults to the public-good mirror https://tuf-repo-cdn.sigstore.dev. */
  readonly mirrorURL?: string;
  /**
   * The HTTP client for the TUF mirror (the CLI's: proxies and deadlines as for every other request).
   * Without it, @sigstore/tuf's own client (make-fetch-happen) is used.
   */
  readonly fetch?: FetchLike;
  /** Whole exchange per TUF file with `fetch`, default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
const TRUSTED_ROOT = 'trusted_root.json';

/**
 * The Sigstore public-good trusted root through TUF (@sigstore/tuf, embedded root of trust). This is
 * the only network access in @ocx/cosign outside the registry: callers skip it whenever the user
 * passes --trusted-root or --offline.
 */
export async function loadPublicGoodRoot(opts: PublicGoodOptions): Promise<TrustedRoot> {
  try {
    if (opts.fetch) return await viaFetch(opts, opts.fetch);
    // Loaded on demand: @sigstore/tuf brings an HTTP stack that key and --trusted-root runs never need.
    const { getTrustedRoot } = await import('@sigstore/tuf');
    return await getTrustedRoot({
      cachePath: opts.cachePath,
      ...(opts.mirrorURL ? { mirrorURL: opts.mirrorURL } : {}),
      ...(opts.forceCache ? { forceCache: true } : {}),
    });
  } catch (cause) {
    // A deadline stays a TIMEOUT (temporary, exit 75) with its message naming the mirror.
    const timeout = findTimeout(cause);
    if (timeout) throw timeout;
    throw new CosignError('INVALID_TRUSTED_ROOT', `cannot load the Sigstore public-good trusted root through TUF: ${(cause as Error).message}${causeDetail(cause)}`, { cause });
  }
}

function findTimeout(err: unknown): Error | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isOciError(e, 'TIMEOUT')) return e;
  }
  return undefined;
}

function causeDetail(err: unknown): string {
  const inner = (err as { cause?: unknown }).cause;
  return inner instanceof Error && inner.message && !(err as Error).message.includes(inner.message) ? ` (${inner.message})` : '';
}

/**
 * The same TUF client @sigstore/tuf builds (same cache layout, same embedded seed), with ocx's
 * fetcher: tuf-js's Updater verifies every metadata file and the target against the root of trust.
 */
async function viaFetch(opts: PublicGoodOptions, fetch: FetchLike): Promise<TrustedRoot> {
  const [{ Updater }, { DownloadHTTPError }, { TrustedRoot: Root }] = await Promise.all([
    import('tuf-js'),
    import('tuf-js/dist/error.js') as Promise<{ DownloadHTTPError: new (message: string, statusCode: number) => Error }>,
    import('@sigstore/protobuf-specs'),
  ]);
  const mirror = (opts.mirrorURL ?? DEFAULT_MIRROR).replace(/\/$/, '');
  const url = new URL(mirror);
  const cachePath = join(opts.cachePath, encodeURIComponent(url.host + url.pathname.replace(/\/$/, '')));
  const targetDir = join(cachePath, 'targets');
  await mkdir(targetDir, { recursive: true });
  const rootPath = join(cachePath, 'root.json');
  if (!existsSync(rootPath)) {
    // The embedded root of trust @sigstore/tuf ships for its mirrors.
    const seed = (seeds as Record<string, { 'root.json': string; targets: Record<string, string> }>)[mirror];
    if (!seed) throw new CosignError('INVALID_TRUSTED_ROOT', `no embedded TUF root for the mirror ${mirror}`);
    await writeFile(rootPath, Buffer.from(seed['root.json'], 'base64'));
    for (const [name, body] of Object.entries(seed.targets)) await writeFile(join(targetDir, name), Buffer.from(body, 'base64'));
  }
  const fetcher = createTufFetcher({ fetch, httpError: DownloadHTTPError, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  const updater = new Updater({ metadataBaseUrl: mirror, targetBaseUrl: `${mirror}/targets`, metadataDir: cachePath, targetDir, forceCache: opts.forceCache ?? false, fetcher });
  const info = await updater.getTargetInfo(TRUSTED_ROOT);
  if (!info) throw new CosignError('INVALID_TRUSTED_ROOT', `the TUF repository has no target ${TRUSTED_ROOT}`);
  const path = (await updater.findCachedTarget(info)) || (await updater.downloadTarget(info));
  return Root.fromJSON(JSON.parse(await readFile(path, 'utf8')));
}
