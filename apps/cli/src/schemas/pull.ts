import type { WhyNode } from '@ocx/policy';
import { z } from 'zod';

// `ocx pull --format json`: what was pinned and unpacked (or blocked: `pulled: false`, `dir: null`,
// exit 81 after this report), and how the gate decided (`verification`).

/** The policy core's why-tree (rule → requirement → signer → candidate, expected vs found). */
export const whyNodeSchema: z.ZodType<WhyNode> = z.strictObject({
  kind: z.enum(['rule', 'requirement', 'signer', 'candidate']),
  label: z.string(),
  outcome: z.enum(['pass', 'fail', 'warn', 'skip', 'info']),
  expected: z.string().optional(),
  found: z.string().optional(),
  get children() {
    return z.array(whyNodeSchema).optional();
  },
});
// Named, so the recursion appears in the JSON Schema as #/$defs/WhyNode.
z.globalRegistry.add(whyNodeSchema, { id: 'WhyNode' });

export const pullVerificationSchema = z.strictObject({
  /** policy: a policy decided; unverified: none configured; disabled: --no-verify / OCX_NO_VERIFY. */
  mode: z.enum(['policy', 'unverified', 'disabled']),
  allowed: z.boolean(),
  /** Which policy file, and which of --policy, OCX_POLICY, $OCX_HOME/policy.yaml named it. */
  policy: z.strictObject({ path: z.string(), from: z.enum(['--policy', 'OCX_POLICY', 'OCX_HOME']) }).optional(),
  decision: z.strictObject({
    mode: z.enum(['enforce', 'audit', 'skip', 'unmatched']),
    rule: z.strictObject({ name: z.string(), index: z.number().int().nonnegative(), scope: z.string() }).nullable(),
    digest: z.string(),
    /** Whether the decision is about the platform manifest or the index above it. */
    level: z.enum(['manifest', 'index']),
    signers: z.array(z.string()),
    failures: z.array(z.string()),
    why: whyNodeSchema,
  }).optional(),
  warnings: z.array(z.string()),
});

export const pullOutputSchema = z.strictObject({
  reference: z.string(),
  /** The pinned platform manifest the layers came from. */
  digest: z.string(),
  /** The index the reference named, when it named one. */
  index: z.string().optional(),
  platform: z.string().nullable(),
  pulled: z.boolean(),
  layers: z.array(z.strictObject({ digest: z.string(), size: z.number().int().nonnegative(), mediaType: z.string() })),
  /** Absolute path of the unpacked directory; null when blocked. */
  dir: z.string().nullable(),
  verification: pullVerificationSchema,
}).meta({ title: 'ocx pull --format json' });

export type PullVerificationOutput = z.infer<typeof pullVerificationSchema>;
export type PullOutput = z.infer<typeof pullOutputSchema>;
