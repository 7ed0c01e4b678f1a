// Attestation types: cosign's --type aliases or a predicate type URI.
import { COSIGN_PREDICATE_TYPES } from '@ocx/cosign';

const SLSA = new Set(['https://slsa.dev/provenance/v0.1', 'https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1']);

/** The predicate type URI for a cosign alias or URI, or undefined when it is neither. */
export function predicateTypeFor(type: string): string | undefined {
  if (Object.hasOwn(COSIGN_PREDICATE_TYPES, type)) return (COSIGN_PREDICATE_TYPES as Record<string, string>)[type];
  // A URI, not a bare word: a misspelt alias ("slsaprovenance3") must not pass as a "URI".
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(type) && URL.canParse(type)) return type;
  return undefined;
}

/** SLSA provenance, the predicate types whose builder id and source ocx can check. */
export function isSlsaPredicate(predicateType: string): boolean {
  return SLSA.has(predicateType);
}
