// The pkijs view of a parsed certificate, for the CMS (RFC 3161), OCSP and CRL code that needs pkijs
// structures (SubjectPublicKeyInfo, serial INTEGER, AIA). Only those modules import this file, so a
// verification that needs none of them never loads pkijs (issue 12: it is most of the notation code).
import * as pkijs from 'pkijs';
import { NotationError } from '../errors.ts';
import type { ParsedCertificate } from './cert.ts';

const views = new WeakMap<ParsedCertificate, pkijs.Certificate>();

export function pkijsCertificate(cert: ParsedCertificate): pkijs.Certificate {
  let v = views.get(cert);
  if (!v) {
    try {
      v = pkijs.Certificate.fromBER(cert.der);
    } catch (cause) {
      throw new NotationError('CERT_INVALID', `cannot parse certificate with subject "${cert.subject}"`, { cause });
    }
    views.set(cert, v);
  }
  return v;
}
