import type { VerifierFamily } from './types.ts';

/** notation signatures (filled in by the notation integration). */
export const notationFamily: VerifierFamily = {
  name: 'notation',
  applies: (flags) => Boolean(flags['notation-config'] || flags['trust-policy']),
  prepare: async () => ({
    verify: async () => ({ family: 'notation', candidates: [], warnings: ['notation verification is not available in this build'] }),
  }),
};
