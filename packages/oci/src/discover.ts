import { OciError } from './errors.ts';
import { collectReferrers, mapLimit } from './referrer.ts';
import type { CallOptions, Fetcher, ReferrerLister, ReferrersMode } from './roles.ts';
import type { Descriptor } from './types.ts';

export interface DiscoverNode<K = unknown> {
  readonly descriptor: Descriptor;
  /** What the classifier said about this referrer (undefined for the root). */
  kind?: K;
  readonly referrers: DiscoverNode<K>[];
}

export interface DiscoverOptions<K> extends CallOptions {
  /** Keep only referrers of these artifact types, at every level (as `oras discover`). */
  readonly artifactTypes?: readonly string[];
  /** Levels below the root; 0 or undefined = all levels up to `maxDepth`. */
  readonly depth?: number;
  readonly maxDepth?: number;
  readonly maxNodes?: number;
  readonly concurrency?: number;
  /** Classifies a referrer; may fetch its manifest through `fetcher` when the descriptor does not tell. */
  readonly classify?: (desc: Descriptor, subject: Descriptor, fetcher: Fetcher) => Promise<K> | K;
}

export interface DiscoverResult<K> {
  readonly root: DiscoverNode<K>;
  readonly mode?: ReferrersMode;
  readonly nodes: number;
}

/**
 * Referrers of referrers, breadth-first: every node of one level is listed concurrently (bounded),
 * a visited set guards against cycles (GHSA-298f-872v-2rcx), and depth and node count are capped.
 */
export async function discover<K>(target: ReferrerLister & Fetcher, root: Descriptor, options: DiscoverOptions<K> = {}): Promise<DiscoverResult<K>> {
  const maxDepth = options.maxDepth ?? 16;
  const depth = options.depth && options.depth > 0 ? Math.min(options.depth, maxDepth) : maxDepth;
  const maxNodes = options.maxNodes ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const types = options.artifactTypes?.length ? new Set(options.artifactTypes) : undefined;
  const artifactType = options.artifactTypes?.length === 1 ? options.artifactTypes[0] : undefined;
  const rootNode: DiscoverNode<K> = { descriptor: root, referrers: [] };
  const visited = new Set<string>([root.digest]);
  let level: DiscoverNode<K>[] = [rootNode];
  let nodes = 1;
  for (let d = 0; d < depth && level.length > 0; d++) {
    const next: DiscoverNode<K>[] = [];
    await mapLimit(level, concurrency, async (node) => {
      const listed = await collectReferrers(target.referrers(node.descriptor, { artifactType, signal: options.signal }));
      const fresh = listed.filter((r) => (!types || (r.artifactType !== undefined && types.has(r.artifactType))) && !visited.has(r.digest));
      for (const r of fresh) visited.add(r.digest);
      nodes += fresh.length;
      if (nodes > maxNodes) throw new OciError('TOO_MANY', `more than ${maxNodes} referrers below ${root.digest}; narrow with --artifact-type or --depth`);
      const children = await mapLimit(fresh, concurrency, async (r) => {
        const child: DiscoverNode<K> = { descriptor: r, referrers: [] };
        if (options.classify) child.kind = await options.classify(r, node.descriptor, target);
        return child;
      });
      node.referrers.push(...children);
      next.push(...children);
    });
    level = next;
  }
  return { root: rootNode, mode: target.referrersMode, nodes };
}
