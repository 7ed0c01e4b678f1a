// The shape of `ocx verify --format json` (trust flags: mode signature|attestation; under a
// policy: mode policy with the decision and its why-tree). Shipped as apps/cli/schema/
// verify.schema.json through index.ts (COMMAND_SCHEMAS); test/schema-verify-policy.test.ts validates
// real output against the shipped file.
import { z } from 'zod';

const check = z.strictObject({
  name: z.string(),
  outcome: z.enum(['pass', 'fail', 'skipped']),
  action: z.enum(['enforce', 'log', 'skip']).optional(),
  skippedBecause: z.literal('offline').optional(),
  detail: z.string().optional(),
});

/** One signature or attestation found for a target, and what became of it. */
export const candidateSchema = z.strictObject({
  family: z.string().describe('cosign, notation, or an extension family'),
  level: z.enum(['manifest', 'index']).describe('the platform manifest itself, or the image index above it'),
  format: z.string().describe('cosign-bundle, cosign-oci11, cosign-legacy, notation-jws, notation-cose, …'),
  referrer: z.string().describe('digest of the referrer manifest (or the legacy tag it came from)'),
  kind: z.enum(['signature', 'attestation']),
  ok: z.boolean(),
  reasons: z.array(z.string()),
  identity: z.string().optional(),
  issuer: z.string().optional(),
  keyId: z.string().optional(),
  tlogIndex: z.string().optional(),
  signingTime: z.string().optional(),
  signingTimeSource: z.string().optional(),
  predicateType: z.string().optional(),
  policy: z.string().optional().describe('notation: the trust-policy statement (or policy signer) that applied'),
  checks: z.array(check),
  payload: z.unknown().optional().describe('cosign, verified only: the signed document (simple-signing claim or in-toto statement)'),
});

export const errorReportSchema = z.strictObject({ kind: z.string(), exitCode: z.int(), message: z.string() });

export interface WhyNodeShape {
  kind: 'rule' | 'requirement' | 'signer' | 'candidate';
  label: string;
  outcome: 'pass' | 'fail' | 'warn' | 'skip' | 'info';
  expected?: string;
  found?: string;
  children?: WhyNodeShape[];
}

/** rule → requirement → signer → candidate, each with expected vs found. */
export const whyNodeSchema: z.ZodType<WhyNodeShape> = z.lazy(() =>
  z.strictObject({
    kind: z.enum(['rule', 'requirement', 'signer', 'candidate']),
    label: z.string(),
    outcome: z.enum(['pass', 'fail', 'warn', 'skip', 'info']),
    expected: z.string().optional(),
    found: z.string().optional(),
    children: z.array(whyNodeSchema).optional(),
  }),
);

export const decisionSchema = z.strictObject({
  allowed: z.boolean(),
  mode: z.enum(['enforce', 'audit', 'skip', 'unmatched']),
  rule: z.strictObject({ name: z.string(), index: z.int(), scope: z.string() }).optional(),
  target: z.string().describe('registry/repository'),
  digest: z.string(),
  exitCode: z.union([z.literal(0), z.literal(81)]),
  signers: z.array(z.string()).describe('distinct named signers counted toward the threshold'),
  failures: z.array(z.string()),
  warnings: z.array(z.string()),
  why: whyNodeSchema,
});

export const policySourceSchema = z.strictObject({
  source: z.enum(['--policy', 'OCX_POLICY', 'OCX_HOME']).describe('which named the policy: --policy FILE, OCX_POLICY, or $OCX_HOME/policy.yaml'),
  path: z.string(),
});

const flagTarget = z.strictObject({
  digest: z.string(),
  platform: z.string().optional(),
  verified: z.boolean(),
  signedAt: z.enum(['manifest', 'index']).optional(),
  signatures: z.array(candidateSchema),
  warnings: z.array(z.string()),
});

const policyTarget = z.strictObject({
  digest: z.string(),
  platform: z.string().optional(),
  verified: z.boolean(),
  decision: decisionSchema,
  signatures: z.array(candidateSchema),
  warnings: z.array(z.string()),
});

const refResult = <T extends z.ZodType>(target: T) =>
  z.strictObject({
    reference: z.string(),
    digest: z.string().optional(),
    verified: z.boolean(),
    exitCode: z.int(),
    targets: z.array(target),
    error: errorReportSchema.optional(),
  });

export const policyVerifyReportSchema = z.strictObject({
  verified: z.boolean(),
  mode: z.literal('policy'),
  policy: policySourceSchema,
  results: z.array(refResult(policyTarget)),
});

export const verifyOutputSchema = z
  .union([
    z.strictObject({ verified: z.boolean(), mode: z.enum(['signature', 'attestation']), results: z.array(refResult(flagTarget)) }).describe('trust named by flags (ANY-of)'),
    policyVerifyReportSchema.describe('under a policy'),
  ])
  .meta({ title: 'ocx verify --format json' });
