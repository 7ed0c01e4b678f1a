import type { Context } from '../context.ts';
import { cosignApplies, notationApplies } from './applies.ts';
import type { FlagFamily, VerifyFlags } from './types.ts';

// The signature families `ocx verify` knows, in report order. Whether a family applies is decided
// from flags and files alone; its verifier (sigstore-js, or pkijs + jose + cbor2) is imported only
// when it does, so a cosign run never loads notation's stack and the other way round.

function lazy(name: string, applies: (flags: VerifyFlags, ctx: Context) => boolean, load: () => Promise<FlagFamily>): FlagFamily {
  return { name, applies, prepare: async (flags, ctx, now) => (await load()).prepare(flags, ctx, now) };
}

export const FAMILIES: readonly FlagFamily[] = [
  lazy('cosign', cosignApplies, async () => (await import('./cosign.ts')).cosignFamily),
  lazy('notation', notationApplies, async () => (await import('./notation.ts')).notationFamily),
];
