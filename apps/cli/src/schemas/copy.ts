import { z } from 'zod';

// `ocx copy --format json`: what was copied (the root as resolved, after --platform) and the counts.

export const copyOutputSchema = z.strictObject({
  /** The references as given on the command line. */
  source: z.string(),
  destination: z.string(),
  digest: z.string(),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  manifests: z.number().int().nonnegative(),
  blobs: z.number().int().nonnegative(),
  /** Blobs the destination already had. */
  skippedBlobs: z.number().int().nonnegative(),
  referrers: z.number().int().nonnegative(),
}).meta({ title: 'ocx copy --format json' });

export type CopyOutput = z.infer<typeof copyOutputSchema>;
