// The leaf subject exactly as notation sees it. notation-go parses Go's pkix.Name.String() of
// the leaf with its DN rules. That string groups all values of one attribute type into one
// (multi-valued) RDN and prints attributes outside Go's named set as `oid=#hex`, which notation
// then refuses; so a leaf with a repeated attribute (two OUs) or an extra attribute (emailAddress)
// never matches an x509.subject identity. We apply the same rules to the decoded Name.
import { GO_NAMED_ATTRIBUTES, nameAttributes, type ParsedCertificate } from '../x509/cert.ts';
import { DnSyntaxError, MANDATORY_RDNS } from './dn.ts';

/** The leaf subject as a type → value map, or DnSyntaxError when notation could not match it. */
export function leafSubjectDn(cert: ParsedCertificate): ReadonlyMap<string, string> {
  const subject = JSON.stringify(cert.subject);
  const map = new Map<string, string>();
  for (const { type, value } of nameAttributes(cert.subjectAttributes)) {
    const name = GO_NAMED_ATTRIBUTES[type];
    if (name === undefined) {
      throw new DnSyntaxError(`subject ${subject} has attribute ${type}, which notation renders as a BER value (=#) and cannot match`);
    }
    if (map.has(name)) throw new DnSyntaxError(`subject ${subject} has several ${name} values, a multi-valued RDN notation cannot match`);
    map.set(name, value);
  }
  const missing = MANDATORY_RDNS.filter((t) => (map.get(t) ?? '') === '');
  if (missing.length > 0) throw new DnSyntaxError(`subject ${subject} lacks the mandatory attribute${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return map;
}
