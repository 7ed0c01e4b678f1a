// Caps applied to everything a registry sends; every one is an option with these defaults.
export interface Limits {
  /** Largest manifest or index accepted (distribution-spec: clients SHOULD support at least 4 MB). */
  readonly maxManifestBytes: number;
  /** Largest blob fetched into memory by `fetchBytes` (streams use their descriptor size). */
  readonly maxBlobBytes: number;
  /** Largest referrers page or tag-schema index. */
  readonly maxReferrersBytes: number;
  /** Pages followed through `Link` before giving up. */
  readonly maxReferrersPages: number;
  /** Referrers returned for one subject before giving up. */
  readonly maxReferrers: number;
  /** Requests in flight per registry client. */
  readonly concurrency: number;
  /** Per-request timeout for headers, in milliseconds. */
  readonly timeoutMs: number;
  /** Bytes of manifests a client keeps in memory for re-reads within a run (least recently used go first). */
  readonly maxManifestCacheBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 64 * 1024 * 1024,
  maxReferrersBytes: 4 * 1024 * 1024,
  maxReferrersPages: 64,
  maxReferrers: 10_000,
  concurrency: 16,
  timeoutMs: 30_000,
  maxManifestCacheBytes: 64 * 1024 * 1024,
};

export function resolveLimits(partial?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...partial };
}
