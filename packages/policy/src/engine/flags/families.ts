import { cosignApplies, notationApplies } from './applies.ts';
import type { FlagFamily, FlagHost, TrustFlags } from './types.ts';

// The families trust flags can name, in report order. Whether a family applies is decided from
// flags and files alone; its verifier (sigstore-js, or pkijs + jose + cbor2) is imported only when
// it does, so a cosign run never loads notation's stack and the other way round.

function lazy(name: string, applies: (flags: TrustFlags, host: Pick<FlagHost, 'io'>) => boolean, load: () => Promise<FlagFamily>): FlagFamily {
  return { name, applies, prepare: async (flags, host, now) => (await load()).prepare(flags, host, now) };
}

export const FLAG_FAMILIES: readonly FlagFamily[] = [
  lazy('cosign', cosignApplies, async () => (await import('./cosign.ts')).cosignFamily),
  lazy('notation', notationApplies, async () => (await import('./notation.ts')).notationFamily),
];
