// notation's certificate profile (notary signature-specification.md "Certificate Requirements";
// behaviour cross-checked with notation-core-go x509 validations). Each check throws a
// NotationError('CERT_INVALID') naming the subject and the broken rule.
import { NotationError } from '../errors.ts';
import { certExtensions, KeyUsage, type ParsedCertificate } from './cert.ts';
import { ACCEPTED_CERT_SIGNATURE_OIDS, EKU_NAMES, OID } from './oids.ts';

const KU = KeyUsage;

function fail(cert: ParsedCertificate, msg: string): never {
  throw new NotationError('CERT_INVALID', `certificate with subject "${cert.subject}": ${msg}`);
}

/** RSA 2048/3072/4096 or EC P-256/384/521 ("Certificate Requirements": key lengths). */
export function checkKey(cert: ParsedCertificate): void {
  const { type, bits } = cert.key;
  if (type === 'rsa' && ![2048, 3072, 4096].includes(bits)) fail(cert, `rsa key size ${bits} bits is not supported`);
  if (type === 'ec' && ![256, 384, 521].includes(bits)) fail(cert, `ecdsa key size ${bits || 'unknown'} bits is not supported`);
  if (type === 'other') fail(cert, 'unsupported public key type');
}

/** SHA-1 (and other weak) certificate signatures are refused. */
export function checkSignatureAlgorithm(cert: ParsedCertificate): void {
  if (!ACCEPTED_CERT_SIGNATURE_OIDS.has(cert.signatureAlgorithmOid)) {
    fail(cert, `signature algorithm ${cert.signatureAlgorithmOid} is not allowed`);
  }
}

/** CA: basicConstraints critical with cA=true, pathLen honoured; keyUsage critical with keyCertSign. */
export function checkCaCertificate(cert: ParsedCertificate, expectedPathLen: number, opts: { kuCritical: boolean }): void {
  const ext = certExtensions(cert);
  const bc = ext.basicConstraints;
  if (!bc || !bc.ca || !bc.critical) fail(cert, 'ca field in basic constraints must be present, critical, and set to true');
  if (bc.pathLength !== undefined && bc.pathLength < expectedPathLen) {
    fail(cert, `expected path length of ${expectedPathLen} but certificate has path length ${bc.pathLength} instead`);
  }
  const ku = ext.keyUsage;
  if (!ku) fail(cert, 'key usage extension must be present');
  if (opts.kuCritical && !ku.critical) fail(cert, 'key usage extension must be marked critical');
  if ((ku.usages & KU.keyCertSign) === 0) fail(cert, 'key usage must have the bit positions for key cert sign set');
}

function checkLeafBasics(cert: ParsedCertificate, kuCritical: boolean): void {
  const ext = certExtensions(cert);
  if (ext.basicConstraints?.ca) fail(cert, 'if the basic constraints extension is present, the ca field must be set to false');
  const ku = ext.keyUsage;
  if (!ku) fail(cert, 'key usage extension must be present');
  if (kuCritical && !ku.critical) fail(cert, 'key usage extension must be marked critical');
  if ((ku.usages & KU.digitalSignature) === 0) fail(cert, 'the key usage must have the bit positions for "Digital Signature" set');
  const bad: [number, string][] = [
    [KU.keyEncipherment, 'KeyEncipherment'],
    [KU.dataEncipherment, 'DataEncipherment'],
    [KU.keyAgreement, 'KeyAgreement'],
    [KU.keyCertSign, 'CertSign'],
    [KU.cRLSign, 'CRLSign'],
    [KU.encipherOnly, 'EncipherOnly'],
    [KU.decipherOnly, 'DecipherOnly'],
  ];
  const found = bad.filter(([bit]) => (ku.usages & bit) !== 0).map(([, n]) => n);
  if (found.length > 0) fail(cert, `the key usage must be "Digital Signature" only, but found ${found.join(', ')}`);
}

/** Code-signing leaf: digitalSignature-only critical keyUsage; EKU absent or without forbidden purposes. */
export function checkCodeSigningLeaf(cert: ParsedCertificate): void {
  checkLeafBasics(cert, true);
  const eku = certExtensions(cert).extKeyUsage;
  if (eku) {
    const forbidden = [OID.ekuAny, OID.ekuServerAuth, OID.ekuClientAuth, OID.ekuEmailProtection, OID.ekuTimeStamping, OID.ekuOcspSigning];
    for (const u of eku.usages) {
      if ((forbidden as readonly string[]).includes(u)) fail(cert, `extended key usage must not contain ${EKU_NAMES.get(u) ?? u} eku`);
    }
  }
  checkKey(cert);
}

/** TSA leaf (RFC 3161 §2.3): exactly one EKU, timeStamping, in a critical extension. */
export function checkTimestampingLeaf(cert: ParsedCertificate): void {
  checkLeafBasics(cert, false);
  checkTimestampingEku(cert);
  checkKey(cert);
}

export function checkTimestampingEku(cert: ParsedCertificate): void {
  const eku = certExtensions(cert).extKeyUsage;
  if (!eku || eku.usages.length !== 1 || eku.usages[0] !== OID.ekuTimeStamping) {
    fail(cert, 'timestamp signing certificate must have and only have Timestamping as extended key usage');
  }
  if (!eku.critical) fail(cert, 'timestamp signing certificate must have extended key usage extension marked as critical');
}
