// Caps for documents that came from a registry: every one is an option with these defaults.
export interface SbomLimits {
  /**
   * Largest document decoded and parsed. V8 strings top out near 512 Mi UTF-16 units and JSON.parse
   * needs several times the input in heap, so 256 MiB is the most a CLI process handles comfortably.
   */
  readonly maxBytes: number;
  /** Packages/components counted before the document is refused as hostile. */
  readonly maxPackages: number;
}

export const DEFAULT_SBOM_LIMITS: SbomLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxPackages: 1_000_000,
};

export function resolveSbomLimits(partial?: Partial<SbomLimits>): SbomLimits {
  return {
    maxBytes: partial?.maxBytes ?? DEFAULT_SBOM_LIMITS.maxBytes,
    maxPackages: partial?.maxPackages ?? DEFAULT_SBOM_LIMITS.maxPackages,
  };
}
