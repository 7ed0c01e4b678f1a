import { z } from 'zod';
import { copyOutputSchema } from './copy.ts';
import { discoverOutputSchema } from './discover.ts';
import { errorOutputSchema } from './error.ts';
import { policyExplainOutputSchema } from './policy-explain.ts';
import { pullOutputSchema } from './pull.ts';
import { sbomOutputSchema } from './sbom.ts';
import { verifyOutputSchema } from './verify.ts';

// The zod schemas of every `--format json` output, and their JSON Schemas (zod 4's toJSONSchema,
// draft 2020-12) shipped as apps/cli/schema/<command>.schema.json. A command's stdout is either its
// report or the top-level error document, so each file is `anyOf [report, error]`.
// `pnpm --filter ocx schema` rewrites the files; test/json-schemas.test.ts fails when they drift and
// validates each command's real output against them. A new command: one line in COMMAND_SCHEMAS.
// The renderers type their documents with the inferred types (`import type`, so the CLI does not
// build these schemas at start-up).

export const SCHEMA_BASE = 'https://ocx.sh/schema/';

export const COMMAND_SCHEMAS = {
  discover: discoverOutputSchema,
  copy: copyOutputSchema,
  sbom: sbomOutputSchema,
  pull: pullOutputSchema,
  verify: verifyOutputSchema,
  'policy-explain': policyExplainOutputSchema,
} as const satisfies Record<string, z.ZodType>;

export type SchemaCommand = keyof typeof COMMAND_SCHEMAS;

/** What `ocx <command> --format json` prints on stdout: the report or `{"error": …}`. */
export function commandOutputSchema(command: SchemaCommand): z.ZodType {
  return z.union([COMMAND_SCHEMAS[command], errorOutputSchema]);
}

function toJsonSchema(schema: z.ZodType, name: string, title: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: `${SCHEMA_BASE}${name}.schema.json`, title, ...rest };
}

/** Every shipped schema file: name (without .schema.json) → JSON Schema. */
export function jsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const command of Object.keys(COMMAND_SCHEMAS) as SchemaCommand[]) {
    out[command] = toJsonSchema(commandOutputSchema(command), command, `ocx ${command.replace('-', ' ')} --format json`);
  }
  out.error = toJsonSchema(errorOutputSchema, 'error', 'ocx error (--format json)');
  return out;
}

/** The exact text of a shipped file. */
export function jsonSchemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export { copyOutputSchema, discoverOutputSchema, errorOutputSchema, pullOutputSchema, sbomOutputSchema };
export type { CopyOutput } from './copy.ts';
export type { DiscoverNodeOutput, DiscoverOutput } from './discover.ts';
export type { ErrorObject, ErrorOutput } from './error.ts';
export type { PullOutput, PullVerificationOutput } from './pull.ts';
export type { SbomEntryOutput, SbomOutput, SbomTrustOutput } from './sbom.ts';
