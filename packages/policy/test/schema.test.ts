// The shipped JSON Schema is the zod schema's own output; regenerate it with
// `pnpm --filter @ocx/policy schema` when this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema, policyJsonSchemaText } from '../src/json-schema.ts';

const shipped = new URL('../schema/policy.schema.json', import.meta.url);

describe('schema/policy.schema.json', () => {
  it('is exactly what the zod schema generates (no drift)', () => {
    expect(readFileSync(shipped, 'utf8')).toBe(policyJsonSchemaText());
  });

  it('is strict: unknown keys are not allowed, at the top and in a rule', () => {
    const s = policyJsonSchema() as { additionalProperties: unknown; properties: { rules: { items: { additionalProperties: unknown; required: string[] } } } };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.rules.items.additionalProperties).toBe(false);
    expect(s.properties.rules.items.required).toEqual(['name', 'scope']);
  });
});
