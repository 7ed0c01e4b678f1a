// What notation accepts inside a trust store (notation-go verifier/truststore GetCertificates and
// ValidateCertificates): every certificate must be a CA (basicConstraints cA=true) or verify its
// own signature (a self-signed signing certificate); a `tsa` store holds root CAs only, which
// Go checks with CheckSignatureFrom(self) (CA-capable, keyCertSign if keyUsage is present, no
// SHA-1 signature) plus subject == issuer, byte for byte. Pure.
import { bytesEqual, certExtensions, KeyUsage, type ParsedCertificate } from '../x509/cert.ts';
import type { TrustStoreType } from './types.ts';

// Signature algorithms Go refuses in CheckSignatureFrom (crypto.SHA1 / MD5 with allowSHA1=false).
const INSECURE_SIGNATURE_OIDS = new Set([
  '1.2.840.113549.1.1.4', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.3.14.3.2.29', // sha1WithRSA (OIW)
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3', // dsa-with-sha1
]);

function signsItself(cert: ParsedCertificate): boolean {
  try {
    return cert.node.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Why `cert` may not sit in a store of `type`, or undefined when it may. */
export function trustStoreCertificateProblem(cert: ParsedCertificate, type: TrustStoreType): string | undefined {
  const ext = certExtensions(cert);
  const isCA = ext.basicConstraints?.ca === true;
  const subject = JSON.stringify(cert.subject);
  if (!isCA && !signsItself(cert)) return `certificate ${subject} is neither a CA certificate nor a self-signed signing certificate`;
  if (type !== 'tsa') return undefined;
  const v3 = cert.version >= 2;
  if ((v3 && ext.basicConstraints === undefined) || (ext.basicConstraints !== undefined && !isCA)) {
    return `certificate ${subject} in a tsa store is not a root CA: it is not a CA certificate`;
  }
  if (ext.keyUsage !== undefined && ext.keyUsage.usages !== 0 && (ext.keyUsage.usages & KeyUsage.keyCertSign) === 0) {
    return `certificate ${subject} in a tsa store is not a root CA: its keyUsage lacks keyCertSign`;
  }
  if (INSECURE_SIGNATURE_OIDS.has(cert.signatureAlgorithmOid)) {
    return `certificate ${subject} in a tsa store is not a root CA notation accepts: it is signed with an insecure algorithm (${cert.signatureAlgorithmOid})`;
  }
  if (!signsItself(cert)) return `certificate ${subject} in a tsa store is not a root CA: it is not self-signed`;
  if (!bytesEqual(cert.rawSubject, cert.rawIssuer)) {
    return `certificate ${subject} in a tsa store is not a root CA: its issuer ${JSON.stringify(cert.issuer)} differs from its subject`;
  }
  return undefined;
}
