// The trust anchors a policy statement names (trust-store-trust-policy.md "trustStores"): each
// `{type}:{name}` entry is the directory {CONFIG}/truststore/x509/{type}/{name}. A statement that
// names a `tsa` store turns timestamp verification on, so `tsa` is present only then.
import type { TrustPolicyStatement } from '../policy/types.ts';
import { loadTrustStores } from '../truststore/load.ts';
import type { TrustAnchors } from '../verify/verify.ts';
import type { ParsedCertificate } from '../x509/cert.ts';

/** Load the stores `statement` names from `configDir` and group their certificates by store type. */
export async function loadStatementAnchors(configDir: string, statement: TrustPolicyStatement): Promise<TrustAnchors> {
  const stores = await loadTrustStores(configDir, statement.trustStores);
  const of = (type: string): ParsedCertificate[] => stores.filter((s) => s.type === type).flatMap((s) => s.certificates.map((c) => c.certificate));
  const hasTsa = stores.some((s) => s.type === 'tsa');
  return { ca: of('ca'), signingAuthority: of('signingAuthority'), ...(hasTsa ? { tsa: of('tsa') } : {}) };
}
