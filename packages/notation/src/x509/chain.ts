// Certificate chain validation for notation (signature-specification.md "Certificate Requirements"):
// the envelope carries leaf→root, it must end in a self-signed root (a single self-signed leaf is
// allowed), each certificate is issued by the next, and every certificate matches the profile.
import { NotationError } from '../errors.ts';
import { bytesEqual, isIssuedBy, isSelfSigned, parseCertificate, type CertificateInput, type ParsedCertificate } from './cert.ts';
import {
  checkCaCertificate,
  checkCodeSigningLeaf,
  checkSignatureAlgorithm,
  checkTimestampingLeaf,
} from './profile.ts';

export type ChainPurpose = 'codeSigning' | 'timestamping';

const MAX_CHAIN = 10;

function chainError(msg: string): never {
  throw new NotationError('CHAIN_INVALID', msg);
}

/**
 * Validate an ordered chain (leaf first, root last) for `purpose`. Time validity is NOT checked here:
 * notation evaluates it under authenticTimestamp, against the timestamp or the verification time.
 */
export function validateCertChain(chainInput: readonly CertificateInput[], purpose: ChainPurpose): ParsedCertificate[] {
  if (chainInput.length < 1) chainError('certificate chain must contain at least one certificate');
  if (chainInput.length > MAX_CHAIN) chainError(`certificate chain is longer than ${MAX_CHAIN}`);
  const chain = chainInput.map((c) => parseCertificate(c));
  const checkLeaf = purpose === 'codeSigning' ? checkCodeSigningLeaf : checkTimestampingLeaf;
  for (const c of chain) checkSignatureAlgorithm(c);
  if (chain.length === 1) {
    const cert = chain[0] as ParsedCertificate;
    if (!isSelfSigned(cert)) chainError(`invalid self-signed certificate. subject: "${cert.subject}"`);
    checkLeaf(cert);
    return chain;
  }
  chain.forEach((cert, i) => {
    if (i === chain.length - 1) {
      if (!isSelfSigned(cert)) {
        chainError(`root certificate with subject "${cert.subject}" is not self-signed. Certificate chain must end with a valid self-signed root certificate`);
      }
    } else {
      if (isSelfSigned(cert)) {
        chainError(`${i === 0 ? 'leaf' : 'intermediate'} certificate with subject "${cert.subject}" is self-signed`);
      }
      const parent = chain[i + 1] as ParsedCertificate;
      if (!isIssuedBy(cert, parent)) chainError(`certificate with subject "${cert.subject}" is not issued by "${parent.subject}"`);
    }
    if (i === 0) checkLeaf(cert);
    else checkCaCertificate(cert, i - 1, { kuCritical: purpose === 'codeSigning' });
  });
  return chain;
}

/** First certificate that is outside its validity window at `time`, or undefined. */
export function invalidAt(chain: readonly ParsedCertificate[], time: Date): { cert: ParsedCertificate; when: 'before' | 'after' } | undefined {
  for (const cert of chain) {
    if (time.getTime() < cert.notBefore.getTime()) return { cert, when: 'before' };
    if (time.getTime() > cert.notAfter.getTime()) return { cert, when: 'after' };
  }
  return undefined;
}

/**
 * notation-core-go `VerifyAuthenticity`: the envelope's chain is trusted when any of its
 * certificates is byte-identical to a trust-store certificate. Returns the matched anchor.
 */
export function findTrustAnchor(chain: readonly ParsedCertificate[], anchors: readonly CertificateInput[]): ParsedCertificate | undefined {
  const parsed = anchors.map((a) => parseCertificate(a));
  for (const anchor of parsed) {
    for (const cert of chain) if (bytesEqual(anchor.der, cert.der)) return anchor;
  }
  return undefined;
}

/**
 * Build a path from `leaf` to one of `roots` using `pool` as intermediates (Go x509.Verify style, used for
 * TSA chains inside timestamp tokens). Each certificate must be valid at `time`. Returns leaf→anchor.
 */
export function buildChain(
  leaf: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  roots: readonly ParsedCertificate[],
  time: Date,
): ParsedCertificate[] {
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const bad = invalidAt([current], time);
    if (bad) chainError(`certificate "${current.subject}" is not valid at ${time.toISOString()}`);
    if (roots.some((r) => bytesEqual(r.der, current.der))) return path;
    const root = roots.find((r) => isIssuedBy(current, r));
    if (root) {
      if (invalidAt([root], time)) chainError(`trusted root "${root.subject}" is not valid at ${time.toISOString()}`);
      path.push(root);
      return path;
    }
    const next = pool.find((c) => !path.includes(c) && !bytesEqual(c.der, current.der) && isIssuedBy(current, c));
    if (!next) chainError(`certificate signed by unknown authority (no path from "${leaf.subject}" to a trusted root)`);
    path.push(next);
    current = next;
  }
  return chainError('certificate chain too long');
}
