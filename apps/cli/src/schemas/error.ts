import { z } from 'zod';

// The top-level error document every command prints on stdout under --format json when it fails
// before (or instead of) its report: run.ts writes it; verify's per-result `error` is the same object.

/** One error: the condition (`kind`), the exit code it maps to (README "Exit codes"), the message. */
export const errorObjectSchema = z.strictObject({
  /** `usage`, `internal`, a condition (`not_found`, `unsigned`, …) or a package error code, lowercased. */
  kind: z.string().regex(/^[a-z][a-z0-9_]*$/),
  exitCode: z.number().int().min(1).max(125),
  message: z.string(),
  // Registry failures (OciError) also say what was asked and what the registry answered.
  status: z.number().int().optional(),
  method: z.string().optional(),
  url: z.string().optional(),
  /** The registry's own `errors[]` body (distribution-spec "Error Codes"). */
  errors: z.array(z.strictObject({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() })).optional(),
});

export const errorOutputSchema = z.strictObject({ error: errorObjectSchema }).meta({ title: 'ocx error' });

export type ErrorObject = z.infer<typeof errorObjectSchema>;
export type ErrorOutput = z.infer<typeof errorOutputSchema>;
