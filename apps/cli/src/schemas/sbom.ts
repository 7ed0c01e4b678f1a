import { SbomSummarySchema } from '@ocx/sbom';
import { z } from 'zod';

// `ocx sbom --format json`: every SBOM found for the subject (after --type/--digest), whether each is
// signed (when trust flags are given), its summary (--summary), what was left out, and what was
// written (--output). On exit 79/65/… after the search, this same report is what stdout carries.

const source = z.enum(['referrer', 'bundle-attestation', 'legacy-att', 'legacy-sbom-tag']);

export const sbomTrustSchema = z.strictObject({
  /** False when no trust flags were given: `signed` is then false and means "not checked". */
  checked: z.boolean(),
  signed: z.boolean(),
  signedBy: z.array(z.strictObject({
    family: z.string(),
    kind: z.string(),
    format: z.string(),
    referrer: z.string(),
    identity: z.string().optional(),
    issuer: z.string().optional(),
    keyId: z.string().optional(),
  })),
  reasons: z.array(z.string()),
  /** Signatures (or attestations) examined: 0 means unsigned, not failed. */
  candidates: z.number().int().nonnegative(),
});

export const sbomEntrySchema = z.strictObject({
  source,
  /** The family the media type / predicate type names. */
  format: z.enum(['spdx', 'cyclonedx', 'syft', 'unknown']),
  mediaType: z.string(),
  predicateType: z.string().optional(),
  artifactType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  /** The shortest digest that picks exactly this SBOM with --digest. */
  selector: z.string(),
  referrer: z.string(),
  layer: z.string(),
  tag: z.string().optional(),
  signed: z.boolean(),
  trust: sbomTrustSchema,
  summary: SbomSummarySchema.optional(),
  summaryError: z.string().optional(),
});

export const sbomOutputSchema = z.strictObject({
  reference: z.string(),
  /** What the reference resolved to. */
  digest: z.string(),
  /** The manifest the SBOMs belong to: the platform manifest of an index, else `digest`. */
  subject: z.string(),
  platform: z.string().optional(),
  sboms: z.array(sbomEntrySchema),
  skipped: z.array(z.strictObject({ source, referrer: z.string(), reason: z.string() })),
  written: z.strictObject({ path: z.string(), bytes: z.number().int().nonnegative(), digest: z.string() }).optional(),
}).meta({ title: 'ocx sbom --format json' });

export type SbomTrustOutput = z.infer<typeof sbomTrustSchema>;
export type SbomEntryOutput = z.infer<typeof sbomEntrySchema>;
export type SbomOutput = z.infer<typeof sbomOutputSchema>;
