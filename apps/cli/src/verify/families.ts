import { cosignFamily } from './cosign.ts';
import { notationFamily } from './notation.ts';
import type { VerifierFamily } from './types.ts';

/** The signature families `ocx verify` knows, in report order. */
export const FAMILIES: readonly VerifierFamily[] = [cosignFamily, notationFamily];
