// trustedIdentities matching (notary trust-store-trust-policy.md "Trusted Identities
// Constraints"; notation-go verifier verifyX509TrustedIdentities): `*` trusts any subject;
// otherwise an `x509.subject:` entry matches when each of its attributes has the same value
// in the leaf certificate's subject (a subset-of-RDNs match, order-insensitive).
import { DnSyntaxError, isSubsetDn, parseNotationDn } from './dn.ts';
import { WILDCARD_IDENTITY, X509_SUBJECT_PREFIX } from './statement.ts';

export type IdentityMatch =
  | { readonly matched: true; readonly identity: string }
  | { readonly matched: false; readonly reason: string };

/**
 * Match the leaf subject (an RFC 4514 DN string, or a parsed certificate carrying one) against
 * a statement's trustedIdentities.
 * As in notation, the leaf subject itself must satisfy the DN rules (C, ST and O present, no
 * multi-valued RDN), and entries with other prefixes (plugin identities) never match here.
 */
export function matchTrustedIdentity(identities: readonly string[], leaf: string | { readonly subject: string }): IdentityMatch {
  // A ParsedCertificate's `subject` is already the RFC 4514 string (Go pkix.Name.String() style).
  const leafSubjectDN = typeof leaf === 'string' ? leaf : leaf.subject;
  if (identities.includes(WILDCARD_IDENTITY)) return { matched: true, identity: WILDCARD_IDENTITY };
  const trusted: { identity: string; dn: ReadonlyMap<string, string> }[] = [];
  for (const identity of identities) {
    const colon = identity.indexOf(':');
    if (colon < 0 || identity.slice(0, colon) !== X509_SUBJECT_PREFIX) continue;
    try {
      trusted.push({ identity, dn: parseNotationDn(identity.slice(colon + 1)) });
    } catch (err) {
      if (!(err instanceof DnSyntaxError)) throw err;
      return { matched: false, reason: `trusted identity ${JSON.stringify(identity)} is invalid: ${err.message}` };
    }
  }
  if (trusted.length === 0) return { matched: false, reason: 'the policy has no x509.subject trusted identities' };
  let leafDn: ReadonlyMap<string, string>;
  try {
    leafDn = parseNotationDn(leafSubjectDN);
  } catch (err) {
    if (!(err instanceof DnSyntaxError)) throw err;
    return { matched: false, reason: `the signing certificate subject cannot be matched: ${err.message}` };
  }
  const hit = trusted.find((t) => isSubsetDn(t.dn, leafDn));
  if (hit !== undefined) return { matched: true, identity: hit.identity };
  return {
    matched: false,
    reason: `signing certificate subject ${JSON.stringify(leafSubjectDN)} matches none of the trusted identities ${trusted.map((t) => JSON.stringify(t.identity)).join(', ')}`,
  };
}
