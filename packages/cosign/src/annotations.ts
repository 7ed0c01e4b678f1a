import { CosignError } from './errors.ts';
import type { VerdictCheck } from './verdict.ts';

/**
 * `cosign verify -a key=value`: every pair must be among the signature's SIGNED annotations — the
 * simple-signing payload's `optional` map (legacy `.sig` tags and cosign v2 OCI 1.1 referrers), or the
 * matching subject's `annotations` in the cosign sign statement of a v3 bundle. Never the unsigned
 * OCI manifest or layer annotations.
 */
export type RequiredAnnotations = Readonly<Record<string, string>>;

/** Longest found value quoted back in a reason (the value is registry content, so capped). */
const MAX_SHOWN = 120;

export function assertRequiredAnnotations(wanted: RequiredAnnotations): void {
  for (const [k, v] of Object.entries(wanted)) {
    if (k === '') throw new CosignError('INVALID_OPTIONS', 'annotation keys must not be empty');
    if (typeof v !== 'string') throw new CosignError('INVALID_OPTIONS', `annotation ${k}: the required value must be a string`);
  }
}

export function hasRequiredAnnotations(wanted: RequiredAnnotations | undefined): wanted is RequiredAnnotations {
  return wanted !== undefined && Object.keys(wanted).length > 0;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : `${JSON.stringify(value) ?? String(value)} (not a string)`;
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/**
 * Compares the required pairs with what was signed. As cosign's correctAnnotations (pkg/cosign/verify.go)
 * does, a value matches only when it is the same string: a signed number or boolean never equals the
 * text given on the command line. Extra signed annotations do not matter.
 */
export function annotationsCheck(wanted: RequiredAnnotations, signed: Readonly<Record<string, unknown>> | null | undefined, where: string): VerdictCheck {
  const problems: string[] = [];
  const have = signed ?? {};
  for (const [k, v] of Object.entries(wanted)) {
    if (!Object.hasOwn(have, k)) problems.push(`annotation ${k} missing`);
    else if (have[k] !== v) problems.push(`annotation ${k}: expected ${v}, found ${show(have[k])}`);
  }
  if (problems.length > 0) {
    const none = signed === null || signed === undefined || Object.keys(signed).length === 0 ? ` (${where} holds no annotations)` : ` (in ${where})`;
    return { name: 'annotations', ok: false, detail: `${problems.join('; ')}${none}` };
  }
  const pairs = Object.entries(wanted).map(([k, v]) => `${k}=${v}`);
  return { name: 'annotations', ok: true, detail: `signed annotations ${pairs.join(', ')} (${where})` };
}

/** The check for a signature that has nowhere to carry signed annotations. */
export function noAnnotationsCheck(wanted: RequiredAnnotations, why: string): VerdictCheck {
  const keys = Object.keys(wanted);
  return { name: 'annotations', ok: false, detail: `${keys.map((k) => `annotation ${k} missing`).join('; ')} (${why})` };
}
