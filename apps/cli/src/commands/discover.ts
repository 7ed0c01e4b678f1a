import { discover, referenceTarget, selectPlatform, isIndex, isOciError, parseManifest, type Descriptor, type DiscoverNode } from '@ocx/oci';
import { classifyReferrer, describeKind, type ReferrerKind } from '../classify.ts';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, exitCodeFor, UsageError } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import type { DiscoverNodeOutput, DiscoverOutput } from '../schemas/index.ts';

export const DISCOVER_OPTIONS = {
  'artifact-type': { type: 'string', multiple: true },
  depth: { type: 'string' },
} as const;

export const DISCOVER_HELP = `Usage: ocx discover <ref> [--artifact-type T]... [--depth N] [--platform P] [--format tree|json]

Lists the referrers of an artifact (signatures, SBOMs, attestations) and their referrers, breadth-first.
JSON keeps the shape of \`oras discover --format json\` plus \`kind\` per node and the discovery \`mode\`.
cosign's legacy tags (sha256-<hex>.sig/.att/.sbom) show as nodes with \`"attachedBy": "tag"\` and \`tag\`.

Flags:
  --artifact-type T   only referrers of this artifactType, repeatable (default: every type)
  --depth N           levels of referrers of referrers, 0 = every level up to 16 (default: 0)
  --platform P        discover below this platform of an index (default: the index itself)
  --format tree|json  (default: tree)

Examples:
  ocx discover ghcr.io/org/app:1.0
  ocx discover ghcr.io/org/app:1.0 --artifact-type application/vnd.cncf.notary.signature --format json
  ocx discover oci-layout:./layout:v1 --depth 1
`;

/** The JSON shapes are the zod schemas' own types (src/schemas/discover.ts), so they cannot diverge. */
type JsonNode = DiscoverNodeOutput;

/** cosign's legacy tags for a subject (cosign pkg/oci/remote: sha256-<hex>.sig, .att, .sbom). */
function cosignLegacyTags(digest: string): string[] {
  const base = digest.replace(':', '-');
  // A tag is at most 128 characters (distribution-spec): a sha512 subject has no legacy tags.
  return [`${base}.sig`, `${base}.att`, `${base}.sbom`].filter((t) => /^[\w][\w.-]{0,127}$/.test(t));
}

/** A tag-attached node whose manifest did not tell what it is: its suffix does. */
function tagKind(n: DiscoverNode<ReferrerKind>): ReferrerKind | undefined {
  if (!n.attachedBy || (n.kind && n.kind.kind !== 'other')) return n.kind;
  const suffix = n.attachedBy.tag.slice(n.attachedBy.tag.lastIndexOf('.') + 1);
  if (suffix === 'sig') return { kind: 'cosign-signature', format: 'legacy' };
  if (suffix === 'att') return { kind: 'cosign-attestation', format: 'legacy' };
  if (suffix === 'sbom') return { kind: 'sbom', format: 'unknown' };
  return n.kind;
}

export async function runDiscover(ctx: Context, positionals: string[], values: { 'artifact-type'?: string[]; depth?: string }): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('discover takes exactly one reference');
  const depth = values.depth === undefined ? 0 : Number(values.depth);
  if (!Number.isInteger(depth) || depth < 0) throw new UsageError(`--depth must be a whole number ≥ 0, not "${values.depth}"`);
  const ref = ctx.parse(positionals[0]!);
  const repo = ctx.open(ref);
  let root = await repo.resolve(referenceTarget(ref));
  if (ctx.platform) {
    const { manifest } = parseManifest(await repo.fetch(root), root.mediaType);
    if (isIndex(manifest)) {
      const d = selectPlatform(manifest, ctx.platform);
      root = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    }
  }
  const unread = new Map<string, string>();
  const result = await discover<ReferrerKind>(repo, root, {
    artifactTypes: values['artifact-type'],
    depth,
    classify: async (d, _subject, fetcher) => {
      try {
        return await classifyReferrer(d, fetcher);
      } catch (err) {
        // Listed, but its kind is not established: say why (issue 10 item 7), never hide it.
        if (!isOciError(err)) throw err;
        unread.set(d.digest, err.code.toLowerCase());
        ctx.warn(`referrer ${d.digest} could not be read to classify it: ${err.message}`, err);
        return { kind: 'other' };
      }
    },
    // cosign's legacy tags, as `cosign tree` shows them (an --artifact-type filter matches no tag).
    ...(values['artifact-type']?.length ? {} : { attachedTags: cosignLegacyTags(root.digest) }),
  });
  const repoName = ref.kind === 'registry' ? `${ref.registry}/${ref.repository}` : `oci-layout:${ref.path}`;
  const toJson = (n: DiscoverNode<ReferrerKind>): JsonNode => {
    const d: Descriptor = n.descriptor;
    // Key order follows `oras discover --format json`.
    const out: JsonNode = { reference: `${repoName}@${d.digest}`, mediaType: d.mediaType, digest: d.digest, size: d.size } as JsonNode;
    if (d.artifactType !== undefined) out.artifactType = d.artifactType;
    if (d.annotations) out.annotations = d.annotations;
    if (n.kind) out.kind = tagKind(n);
    if (n.attachedBy) {
      out.attachedBy = 'tag';
      out.tag = n.attachedBy.tag;
    }
    out.referrers = n.referrers.map(toJson);
    return out;
  };
  if (ctx.json) {
    const { kind: _kind, ...rootNode } = toJson(result.root);
    const doc: DiscoverOutput = { ...rootNode, mode: result.mode ?? 'layout', warnings: ctx.warnings };
    ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return failed(ctx);
  }
  const lines: string[] = [`${sanitize(repoName)}@${root.digest}`];
  const walk = (n: DiscoverNode<ReferrerKind>, prefix: string) => {
    n.referrers.forEach((c, i) => {
      const last = i === n.referrers.length - 1;
      const type = c.attachedBy ? `tag ${sanitize(c.attachedBy.tag)}` : c.descriptor.artifactType ? sanitize(c.descriptor.artifactType) : '(no artifactType)';
      const kind = describeKind(tagKind(c));
      const problem = unread.get(c.descriptor.digest);
      lines.push(`${prefix}${last ? '└── ' : '├── '}${ctx.verbose ? c.descriptor.digest : shortDigest(c.descriptor.digest)}  ${type}${problem ? `  [unread: ${problem}]` : kind ? `  [${sanitize(kind)}]` : ''}`);
      walk(c, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(result.root, '');
  if (result.root.referrers.length === 0) lines.push('(no referrers)');
  lines.push(`discovery: ${result.mode ?? 'layout'}`);
  for (const w of ctx.warnings) lines.push(`warning: ${sanitize(w)}`);
  ctx.io.stdout(`${lines.join('\n')}\n`);
  return failed(ctx);
}

/** After the report: content that failed its digest exits 65; a read that failed otherwise, its own code. */
function failed(ctx: Context): number {
  if (ctx.failures.length === 0) return ExitCode.OK;
  const first = ctx.failures.find((e) => exitCodeFor(e).exitCode === ExitCode.DATA) ?? ctx.failures[0]!;
  const { exitCode, kind } = exitCodeFor(first);
  throw new CommandFailure(exitCode, kind, `${ctx.failures.length === 1 ? 'a referrer' : `${ctx.failures.length} referrers`} could not be checked: ${first.message}`);
}
