// The JSON Schema of the policy document, generated from the zod schema (zod 4 toJSONSchema) so
// the two never disagree; shipped as schema/policy.schema.json (test/schema.test.ts keeps the
// file in step; `pnpm --filter @ocx/policy schema` rewrites it). Cross-field rules (names that
// must exist, precedence, satisfiability) are beyond JSON Schema; the loader checks them.
import { z } from 'zod';
import { policyDocumentSchema } from './schema.ts';

export const POLICY_SCHEMA_ID = 'https://ocx.sh/schema/policy.schema.json';

export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policyDocumentSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: POLICY_SCHEMA_ID };
}

/** The shipped file's exact text. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
