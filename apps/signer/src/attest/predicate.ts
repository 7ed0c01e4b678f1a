// What `ocx package attest --type T --predicate FILE` signs: cosign's `--type` alias table (reused
// from @ocx/cosign), the predicate embedded as cosign embeds it, and what OCX refuses to attest
// (ocx-upstream-design.md §1.2, §2.1, §4 "Unsigned provenance").
import { COSIGN_PREDICATE_TYPES, isCosignError, resolvePredicateType } from '@ocx/cosign';
import { encodeJson } from '@ocx/oci';
import { detectSbomFormat, isSbomPredicateType, type SbomDetection } from '@ocx/sbom';
import { SignerError } from '../errors.ts';

/**
 * Largest predicate file attested: OCX's cap (15 MiB). ocx verify reads attestation payloads up to
 * 16 MiB and envelopes up to 32 MiB (@ocx/cosign ATTESTATION_FIND_LIMITS), so whatever ocx writes it
 * can read back, base64 and statement wrapper included.
 */
export const MAX_PREDICATE_BYTES = 15 * 1024 * 1024;

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

/** The custom predicate cosign wraps raw bytes in (cosign pkg/cosign/attestation CosignPredicate). */
const COSIGN_CUSTOM = COSIGN_PREDICATE_TYPES.custom;
/** SLSA provenance v0.2: OCX refuses to attach it (provenance_version_unsupported); verify still reads it. */
const SLSA_V02 = COSIGN_PREDICATE_TYPES.slsaprovenance02;

export interface ResolvedPredicate {
  readonly predicateType: string;
  /** The value embedded as the statement's `predicate`. */
  readonly predicate: unknown;
  /** Set when the predicate is an SBOM (by type), with what its bytes are. */
  readonly sbom?: SbomDetection;
}

/** Resolves `--type` (alias or URI), refusing SLSA v0.2 with the reason, as OCX does. */
export function predicateTypeOf(type: string): string {
  let uri: string;
  try {
    uri = resolvePredicateType(type);
  } catch (e) {
    if (isCosignError(e)) throw new SignerError('REFUSED', `--type ${JSON.stringify(type)}: not a cosign alias (${Object.keys(COSIGN_PREDICATE_TYPES).join(', ')}) nor an absolute URI`, { cause: e });
    throw e;
  }
  if (uri === SLSA_V02) {
    throw new SignerError('REFUSED', `--type ${type}: SLSA provenance v0.2 is not attested (as OCX refuses it: superseded by SLSA v1); attest --type slsaprovenance1 with a v1 predicate`);
  }
  return uri;
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new SignerError('PREDICATE_INVALID', `${what} is not JSON (UTF-8): ${(cause as Error).message}`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SignerError('PREDICATE_INVALID', `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * The statement's predicate for `type` over the file's bytes, as cosign builds it
 * (pkg/cosign/attestation GenerateStatement): `custom` wraps the raw bytes in `{Data, Timestamp}`,
 * `spdx` (tag-value) embeds the text as a string, everything else must be a JSON object. An SBOM
 * type whose bytes are another SBOM format is refused (the predicate type would lie).
 */
export function resolvePredicate(type: string, bytes: Uint8Array, now: Date): ResolvedPredicate {
  if (bytes.byteLength > MAX_PREDICATE_BYTES) {
    throw new SignerError('PREDICATE_INVALID', `predicate is ${bytes.byteLength} bytes, over the ${MAX_PREDICATE_BYTES}-byte (15 MiB) cap`);
  }
  const predicateType = predicateTypeOf(type);
  if (predicateType === COSIGN_CUSTOM) {
    let data: string;
    try {
      data = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new SignerError('PREDICATE_INVALID', 'a custom predicate must be UTF-8 text', { cause });
    }
    return { predicateType, predicate: { Data: data, Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  }
  if (!isSbomPredicateType(predicateType)) return { predicateType, predicate: parseJsonObject(bytes, 'the predicate') };
  const sbom = detectSbomFormat(bytes, { predicateType }, { limits: { maxBytes: MAX_PREDICATE_BYTES } });
  if (sbom.hintMismatch) throw new SignerError('PREDICATE_INVALID', `--type ${type} names ${predicateType} but the predicate is a ${sbom.format} SBOM`);
  if (sbom.format === 'unknown') throw new SignerError('PREDICATE_INVALID', `--type ${type} names an SBOM but the predicate is not one ocx recognises (SPDX or CycloneDX)`);
  if (sbom.encoding === 'tag-value') {
    if (type === 'spdxjson') throw new SignerError('PREDICATE_INVALID', '--type spdxjson names SPDX JSON but the predicate is SPDX tag-value; use --type spdx');
    // cosign --type spdx embeds the document as a string; tag-value cannot be anything else.
    return { predicateType, predicate: new TextDecoder().decode(bytes), sbom };
  }
  if (sbom.encoding === 'xml') throw new SignerError('PREDICATE_INVALID', 'a CycloneDX XML SBOM cannot be an in-toto predicate (JSON only); attach it with --unsigned or convert it to JSON');
  return { predicateType, predicate: parseJsonObject(bytes, 'the SBOM'), sbom };
}

/** The in-toto Statement v1 over one manifest digest (in-toto attestation spec v1 statement.md). */
export function attestationStatement(repositoryName: string, digest: string, resolved: Pick<ResolvedPredicate, 'predicateType' | 'predicate'>): Uint8Array {
  const [alg, hex] = digest.split(':');
  return encodeJson({
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: repositoryName, digest: { [alg!]: hex } }],
    predicateType: resolved.predicateType,
    predicate: resolved.predicate,
  });
}
