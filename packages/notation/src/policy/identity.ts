// trustedIdentities matching (notary trust-store-trust-policy.md "Trusted Identities
// Constraints"; notation-go verifier verifyX509TrustedIdentities): `*` trusts any subject;
// otherwise an `x509.subject:` entry matches when each of its attributes has the same value
// in the leaf certificate's subject (a subset-of-RDNs match, order-insensitive).
import type { ParsedCertificate } from '../x509/cert.ts';
import { DnSyntaxError, isSubsetDn, parseNotationDn } from './dn.ts';
import { leafSubjectDn } from './leaf-subject.ts';
import { WILDCARD_IDENTITY, X509_SUBJECT_PREFIX } from './statement.ts';

export type IdentityMatch =
  | { readonly matched: true; readonly identity: string }
  | { readonly matched: false; readonly reason: string };

/**
 * Match the leaf against a statement's trustedIdentities. Pass the parsed leaf certificate for
 * notation's exact behaviour (leaf-subject.ts), or its subject as an RFC 4514 string.
 * As in notation, the leaf subject itself must satisfy the DN rules (C, ST and O present, no
 * multi-valued RDN), and entries with other prefixes (plugin identities) never match here.
 */
export function matchTrustedIdentity(identities: readonly string[], leaf: string | ParsedCertificate): IdentityMatch {
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
    leafDn = typeof leaf === 'string' ? parseNotationDn(leafSubjectDN) : leafSubjectDn(leaf);
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
