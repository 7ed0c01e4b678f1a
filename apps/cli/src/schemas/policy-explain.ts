// The shape of `ocx policy explain <ref> --format json` (and with --verify, the verification it
// ran, shaped as `ocx verify` under a policy). Shipped as apps/cli/schema/policy-explain.schema.json
// through index.ts (COMMAND_SCHEMAS).
import { z } from 'zod';
import { policySourceSchema, policyVerifyReportSchema } from './verify.ts';

export const explanationSchema = z.strictObject({
  target: z.string().describe('registry/repository'),
  source: z.string().describe('the policy file'),
  rule: z.strictObject({ name: z.string(), index: z.int(), scope: z.string(), specificity: z.string() }).optional(),
  mode: z.enum(['enforce', 'audit', 'skip', 'unmatched']),
  unmatched: z.enum(['deny', 'warn', 'allow']).optional(),
  rules: z.array(z.strictObject({ name: z.string(), index: z.int(), scope: z.string(), status: z.enum(['winner', 'out-of-scope', 'excluded', 'less-specific']), reason: z.string() })).describe('every rule, in order of precedence'),
  enforced: z.array(z.string()),
  needsTuf: z.boolean(),
});

export const policyExplainOutputSchema = z
  .strictObject({
    policy: policySourceSchema,
    reference: z.string(),
    explanation: explanationSchema,
    verification: policyVerifyReportSchema.optional().describe('with --verify'),
  })
  .meta({ title: 'ocx policy explain --format json' });
