import { OciError } from './errors.ts';
import { collectReferrers, mapLimit } from './referrer.ts';
import type { CallOptions, Fetcher, ReferrerLister, ReferrersMode, Resolver } from './roles.ts';
import type { Descriptor } from './types.ts';

export interface DiscoverNode<K = unknown> {
  readonly descriptor: Descriptor;
  /** What the classifier said about this referrer (undefined for the root). */
  kind?: K;
  /**
   * Set when the node is attached to its parent by a tag naming the parent's digest (cosign's legacy
   * `sha256-<hex>.sig`/`.att`/`.sbom`), not by a `subject` field or a referrers listing.
   */
  readonly attachedBy?: { readonly tag: string };
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
  /**
   * Tags that attach artifacts to the root by name alone (cosign's legacy tags). Each is resolved
   * once, alongside the root's listing; a tag that does not exist is no node, any other registry
   * error fails the discovery. Found nodes are children of the root, marked `attachedBy`, and are not
   * descended into. At most MAX_ATTACHED_TAGS; needs a target that can resolve tags.
   */
  readonly attachedTags?: readonly string[];
}

/** Legacy tags are a fixed handful per subject (cosign: .sig, .att, .sbom). */
export const MAX_ATTACHED_TAGS = 8;

export interface DiscoverResult<K> {
  readonly root: DiscoverNode<K>;
  readonly mode?: ReferrersMode;
  readonly nodes: number;
}

/**
 * Referrers of referrers, breadth-first: every node of one level is listed concurrently (bounded),
 * a visited set guards against cycles (GHSA-298f-872v-2rcx), and depth and node count are capped.
 */
export async function discover<K>(target: ReferrerLister & Fetcher & Partial<Resolver>, root: Descriptor, options: DiscoverOptions<K> = {}): Promise<DiscoverResult<K>> {
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
  const tagged = resolveAttachedTags(target, root, options);
  tagged.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
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
  // After the listing, so a digest both listed and tagged appears once (as the listed referrer).
  for (const child of await tagged) {
    if (visited.has(child.descriptor.digest)) continue;
    visited.add(child.descriptor.digest);
    if (++nodes > maxNodes) throw new OciError('TOO_MANY', `more than ${maxNodes} referrers below ${root.digest}; narrow with --artifact-type or --depth`);
    if (options.classify) child.kind = await options.classify(child.descriptor, root, target);
    rootNode.referrers.push(child);
  }
  return { root: rootNode, mode: target.referrersMode, nodes };
}

async function resolveAttachedTags<K>(target: Partial<Resolver>, root: Descriptor, options: DiscoverOptions<K>): Promise<DiscoverNode<K>[]> {
  const tags = [...new Set(options.attachedTags ?? [])];
  if (tags.length === 0 || target.resolve === undefined) return [];
  if (tags.length > MAX_ATTACHED_TAGS) throw new OciError('TOO_MANY', `more than ${MAX_ATTACHED_TAGS} attached tags to probe`);
  const resolve = target.resolve.bind(target);
  const found = await Promise.all(
    tags.map(async (tag): Promise<DiscoverNode<K> | undefined> => {
      let descriptor: Descriptor;
      try {
        // The repository checks the answer: digest of the bytes it read, size cap, manifest media type.
        descriptor = await resolve(tag, options.signal ? { signal: options.signal } : {});
      } catch (err) {
        if (err instanceof OciError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
      // A registry answering a tag with the subject itself attaches nothing.
      if (descriptor.digest === root.digest) return undefined;
      return { descriptor, attachedBy: { tag }, referrers: [] };
    }),
  );
  return found.filter((n): n is DiscoverNode<K> => n !== undefined);
}
