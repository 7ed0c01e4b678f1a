// Revocation without network access. notation-go (verifier/revocation) treats a chain whose
// certificates carry neither an OCSP responder (AIA, RFC 5280 §4.2.2.1) nor CRL distribution points
// (§4.2.1.13) as "non-revokable", which passes; when it can reach neither it reports the status as
// unknown, which the policy level then enforces or logs. ocx verifies offline, so any revocation
// endpoint in the chain yields "revocation unavailable" for the level to handle.
import type { RevocationChecker } from '../verify/verify.ts';
import type { ParsedCertificate } from '../x509/cert.ts';

const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';

function hasRevocationEndpoint(cert: ParsedCertificate): boolean {
  return (cert.pkijs.extensions ?? []).some((e) => e.extnID === OID_AUTHORITY_INFO_ACCESS || e.extnID === OID_CRL_DISTRIBUTION_POINTS);
}

/** A RevocationChecker that never touches the network (see file comment). */
export const offlineRevocationChecker: RevocationChecker = async (chain) => {
  // The root (last) is trusted by configuration; notation checks the certificates it issued.
  const checked = chain.length > 1 ? chain.slice(0, -1) : chain;
  const endpoint = checked.find(hasRevocationEndpoint);
  if (endpoint === undefined) return { status: 'good', reason: 'no certificate in the chain names an OCSP responder or CRL (non-revokable)' };
  return { status: 'unknown', reason: `revocation unavailable: certificate "${endpoint.subject}" names a revocation endpoint and ocx verifies offline` };
};
