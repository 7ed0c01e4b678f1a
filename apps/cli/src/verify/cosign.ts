import type { VerifierFamily } from './types.ts';

/** cosign signatures and attestations (filled in by the cosign integration). */
export const cosignFamily: VerifierFamily = {
  name: 'cosign',
  applies: (flags) => Boolean(flags.key || flags['certificate-identity'] || flags['certificate-identity-regexp'] || flags['trusted-root']),
  prepare: async () => ({
    verify: async () => ({ family: 'cosign', candidates: [], warnings: ['cosign verification is not available in this build'] }),
  }),
};
