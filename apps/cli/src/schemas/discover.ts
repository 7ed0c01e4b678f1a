import { z } from 'zod';

// `ocx discover --format json`: the shape of `oras discover --format json` (reference, mediaType,
// digest, size, artifactType, annotations, referrers) plus ocx's `kind` per referrer, cosign legacy
// tags (`attachedBy`/`tag`) and the discovery `mode` at the root.

const digest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/);

/** What a referrer is (apps/cli/src/classify.ts ReferrerKind). */
export const referrerKindSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cosign-signature'), format: z.enum(['bundle', 'legacy']) }),
  z.strictObject({ kind: z.literal('cosign-attestation'), predicateType: z.string().optional(), format: z.enum(['bundle', 'legacy']) }),
  z.strictObject({ kind: z.literal('notation-signature'), envelope: z.string().optional() }),
  z.strictObject({ kind: z.literal('sbom'), format: z.string() }),
  z.strictObject({ kind: z.literal('attestation'), predicateType: z.string().optional() }),
  z.strictObject({ kind: z.literal('other') }),
]);

const descriptorFields = {
  /** `registry/repository@digest`, or `oci-layout:PATH@digest`. */
  reference: z.string(),
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
};

/** A referrer and, recursively, its own referrers. */
export const discoverNodeSchema = z.strictObject({
  reference: descriptorFields.reference,
  mediaType: descriptorFields.mediaType,
  digest: descriptorFields.digest,
  size: descriptorFields.size,
  artifactType: descriptorFields.artifactType,
  annotations: descriptorFields.annotations,
  kind: referrerKindSchema.optional(),
  /** Attached by a tag naming the subject's digest (cosign's legacy `.sig`/`.att`/`.sbom`), not by `subject`. */
  attachedBy: z.literal('tag').optional(),
  tag: z.string().optional(),
  get referrers(): z.ZodArray<typeof discoverNodeSchema> {
    return z.array(discoverNodeSchema);
  },
});
// Named, so the recursion appears in the JSON Schema as #/$defs/DiscoverNode.
z.globalRegistry.add(discoverNodeSchema, { id: 'DiscoverNode' });

/** The document: the artifact itself (no `kind`) with its referrer tree and how they were found. */
export const discoverOutputSchema = z.strictObject({
  ...descriptorFields,
  referrers: z.array(discoverNodeSchema),
  mode: z.enum(['referrers-api', 'tag-schema', 'layout']),
  /** Referrers that could not be read or classified (the exit code then says so too). */
  warnings: z.array(z.string()),
}).meta({ title: 'ocx discover --format json' });

export type DiscoverNodeOutput = z.infer<typeof discoverNodeSchema>;
export type DiscoverOutput = z.infer<typeof discoverOutputSchema>;
