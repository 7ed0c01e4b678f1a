// The notation payload (signature-specification.md "Payload"): the signed descriptor of the target.
import { z } from 'zod';
import { NotationError } from '../errors.ts';

const digest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'invalid digest');

export const targetArtifactSchema = z.object({
  mediaType: z.string().min(1),
  digest,
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
});

export const payloadSchema = z.object({ targetArtifact: targetArtifactSchema });

export type TargetArtifact = z.infer<typeof targetArtifactSchema>;
export type NotationPayload = z.infer<typeof payloadSchema>;

export function parsePayload(bytes: Uint8Array): NotationPayload {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new NotationError('ENVELOPE_INVALID', 'payload is not valid JSON', { cause });
  }
  const r = payloadSchema.safeParse(json);
  if (!r.success) throw new NotationError('ENVELOPE_INVALID', `invalid notation payload: ${z.prettifyError(r.error)}`, { cause: r.error });
  return r.data;
}
