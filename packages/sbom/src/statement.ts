// in-toto Statements (in-toto/attestation spec/v1/statement.md; v0.1 has the same fields). For an SBOM
// attestation the predicate *is* the SBOM: `cosign attest --type spdxjson|cyclonedx` puts the document
// there, and `cosign download attestation | jq .predicate` is what users already run to get it back.
import { z } from 'zod';
import { SbomError } from './errors.ts';
import { assertSize, decodeUtf8, isRecord, parseJson } from './input.ts';
import { resolveSbomLimits } from './limits.ts';
import type { SbomLimits } from './limits.ts';
import { isSbomPredicateType } from './media-types.ts';

export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';

const StatementSchema = z.looseObject({
  _type: z.enum([STATEMENT_TYPE_V01, STATEMENT_TYPE_V1]),
  subject: z
    .array(z.looseObject({ name: z.string().optional(), digest: z.record(z.string(), z.string()) }))
    .min(1),
  predicateType: z.string().min(1),
  predicate: z.unknown(),
});

export interface StatementSubject {
  readonly name?: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface ExtractedPredicate {
  readonly statementType: typeof STATEMENT_TYPE_V01 | typeof STATEMENT_TYPE_V1;
  readonly predicateType: string;
  /** Unverified here: callers bind these to the digest they resolved themselves. */
  readonly subjects: readonly StatementSubject[];
  /**
   * `predicate` serialised again as compact JSON. Not the producer's bytes: whitespace and key
   * escapes are normalised, and integers beyond 2^53 lose precision (JSON.parse reads numbers as
   * doubles), which SBOM documents do not use for anything but counts.
   */
  readonly predicateBytes: Uint8Array;
  /**
   * The SBOM document the predicate carries: `predicateBytes`, except for two older cosign shapes
   * of SBOM predicates, which are unwrapped: a JSON string (tag-value SPDX, cosign 2.x
   * `LegacyPredicate`) becomes its text, and `{"Data": …}` (cosign ≤ 1.x `CosignPredicate`)
   * becomes its `Data`.
   */
  readonly documentBytes: Uint8Array;
}

export interface ExtractOptions {
  readonly limits?: Partial<Pick<SbomLimits, 'maxBytes'>>;
}

const enc = new TextEncoder();

export function extractPredicate(statementBytes: Uint8Array, options: ExtractOptions = {}): ExtractedPredicate {
  const limits = resolveSbomLimits(options.limits);
  assertSize(statementBytes, limits.maxBytes);
  let raw: unknown;
  try {
    raw = parseJson(decodeUtf8(statementBytes), 'in-toto Statement');
  } catch (cause) {
    throw new SbomError('INVALID_STATEMENT', 'in-toto Statement is not valid UTF-8 JSON', { cause });
  }
  const r = StatementSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SbomError(
      'INVALID_STATEMENT',
      `not an in-toto Statement v0.1/v1: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
      { cause: r.error },
    );
  }
  const statement = r.data;
  if (!isRecord(raw) || !('predicate' in raw) || statement.predicate === null) {
    throw new SbomError('INVALID_STATEMENT', 'in-toto Statement has no predicate');
  }
  const predicateBytes = enc.encode(compactJson(statement.predicate));
  return {
    statementType: statement._type,
    predicateType: statement.predicateType,
    subjects: statement.subject.map((s) => (s.name === undefined ? { digest: s.digest } : { name: s.name, digest: s.digest })),
    predicateBytes,
    documentBytes: isSbomPredicateType(statement.predicateType) ? unwrapCosign(statement.predicate, predicateBytes) : predicateBytes,
  };
}

function unwrapCosign(predicate: unknown, predicateBytes: Uint8Array): Uint8Array {
  if (typeof predicate === 'string') return enc.encode(predicate);
  if (isRecord(predicate) && 'Data' in predicate && Object.keys(predicate).every((k) => k === 'Data' || k === 'Timestamp')) {
    const data = predicate.Data;
    return typeof data === 'string' ? enc.encode(data) : enc.encode(compactJson(data));
  }
  return predicateBytes;
}

// JSON.stringify recurses; a predicate nested deeper than the stack allows is refused, not crashed on.
function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (cause) {
    throw new SbomError('INVALID_STATEMENT', 'in-toto predicate nests too deeply to re-serialise', { cause });
  }
}
