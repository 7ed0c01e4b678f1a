// The shipped JSON Schema is the zod schema's own output; regenerate it with
// `pnpm --filter @ocx/policy schema` when this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema, policyJsonSchemaText } from '../src/json-schema.ts';
import { SCOPE_PATTERN } from '../src/schema.ts';
import { parseScope } from '../src/scope.ts';

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

describe('the scope pattern editors see agrees with the loader', () => {
  const pattern = new RegExp(SCOPE_PATTERN);
  it.each([
    ['*', true],
    ['*.example.com', true],
    ['*.com', false],
    ['registry.example', true],
    ['localhost:5000', true],
    ['Registry.Example/acme', true],
    ['registry.example/acme/tool', true],
    ['registry.example/acme/tool/**', true],
    ['localhost:5000/test-repo', true],
    ['registry.example/**', false],
    ['registry.example/acme*', false],
    ['registry.example/a*/b', false],
    ['registry.example/acme/*', false],
    ['registry.example/acme/**/x', false],
    ['registry.example/Acme', false],
    ['registry.example/acme:tag', false],
    ['*.example.com/acme', false],
    ['https://registry.example/acme', false],
    ['registry.example/acme@sha256:abc', false],
  ])('%s → %s', (scope, ok) => {
    expect(pattern.test(scope)).toBe(ok);
    expect(parseScope(scope).scope !== undefined).toBe(ok);
  });
});
