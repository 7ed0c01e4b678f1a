// createRevocationChecker: notation's revocation check (see online.ts for the whole behaviour). The
// OCSP and CRL code needs pkijs, most of the notation code by size; a chain whose certificates name no
// OCSP responder and no CRL, checked without --crl files, is non-revokable and answered here, so a
// verification of such a chain (notation's test certificates, many private PKIs) never loads it.
import type { RevocationChecker } from '../verify/options.ts';
import { OID_AIA, OID_CRL_DISTRIBUTION_POINTS } from '../x509/oids.ts';
import type { RevocationCheckerOptions } from './types.ts';

export const DEFAULT_OCSP_TIMEOUT_MS = 2000;
export const DEFAULT_CRL_TIMEOUT_MS = 5000;
export const NON_REVOKABLE = 'no certificate in the chain names an OCSP responder or CRL (non-revokable)';

export function createRevocationChecker(options: RevocationCheckerOptions): RevocationChecker {
  let online: Promise<RevocationChecker> | undefined;
  return async (chain, context) => {
    // The root (last) is never checked; the others are non-revokable without AIA and CRL DP extensions.
    const namesNothing = chain.length > 0 && chain.slice(0, -1).every((c) => !c.extensions.some((e) => e.oid === OID_AIA || e.oid === OID_CRL_DISTRIBUTION_POINTS));
    if (namesNothing && !options.crls?.length) return { status: 'good', reason: NON_REVOKABLE };
    online ??= import('./online.ts').then((m) => m.createOnlineRevocationChecker(options));
    return (await online)(chain, context);
  };
}
