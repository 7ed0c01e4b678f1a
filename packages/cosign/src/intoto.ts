import { z } from 'zod';
import { CosignError } from './errors.ts';

/** DSSE payloadType of an in-toto statement (in-toto attestation spec, "Envelope"). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const MAX_SUBJECTS = 1024;

const statementSchema = z.looseObject({
  // v0.1 statements are still written by cosign ≤v2 and npm; v1 by cosign v3.
  _type: z.enum(['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1']),
  subject: z
    .array(
      z.looseObject({
        name: z.string().max(4096).optional(),
        digest: z.record(z.string().max(64), z.string().max(512)),
        annotations: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .min(1)
    .max(MAX_SUBJECTS),
  predicateType: z.string().min(1).max(2048),
  predicate: z.unknown().optional(),
});

export interface StatementSubject {
  readonly name?: string;
  readonly digest: Readonly<Record<string, string>>;
  /** ResourceDescriptor annotations; `cosign sign -a k=v` (v3) writes its pairs here. */
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface InTotoStatement {
  readonly type: string;
  readonly predicateType: string;
  readonly subjects: readonly StatementSubject[];
  readonly predicate: unknown;
}

/** Parses an in-toto Statement (v0.1 or v1) from a DSSE payload. */
export function parseStatement(payload: Uint8Array): InTotoStatement {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw new CosignError('INVALID_STATEMENT', 'in-toto statement is not valid JSON', { cause });
  }
  const parsed = statementSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CosignError('INVALID_STATEMENT', `invalid in-toto statement at ${issue?.path.join('.') || '<root>'}: ${issue?.message}`, {
      cause: parsed.error,
    });
  }
  const s = parsed.data;
  return {
    type: s._type,
    predicateType: s.predicateType,
    subjects: s.subject.map((x) => ({ ...(x.name === undefined ? {} : { name: x.name }), digest: x.digest, ...(x.annotations === undefined ? {} : { annotations: x.annotations }) })),
    predicate: s.predicate,
  };
}

/** True if some subject carries `hex` under `algorithm` (in-toto DigestSet keys are lower-case names). */
export function statementHasDigest(statement: InTotoStatement, algorithm: string, hex: string): boolean {
  const want = hex.toLowerCase();
  return statement.subjects.some((s) => s.digest[algorithm]?.toLowerCase() === want);
}

export function describeSubjects(statement: InTotoStatement): string {
  return statement.subjects
    .map((s) => Object.entries(s.digest).map(([a, h]) => `${a}:${h}`).join('/'))
    .slice(0, 5)
    .join(', ');
}
