// Regenerates schema/policy.schema.json from the zod schema: `pnpm --filter @ocx/policy schema`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyJsonSchemaText } from '../src/json-schema.ts';

const out = fileURLToPath(new URL('../schema/policy.schema.json', import.meta.url));
writeFileSync(out, policyJsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
