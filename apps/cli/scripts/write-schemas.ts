// Regenerates apps/cli/schema/<command>.schema.json from the zod schemas: `pnpm --filter ocx schema`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, jsonSchemaText } from '../src/schemas/index.ts';

const dir = fileURLToPath(new URL('../schema/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(`${dir}${name}.schema.json`, jsonSchemaText(schema));
  process.stdout.write(`wrote ${dir}${name}.schema.json\n`);
}
