// Distinguished-name handling for notation trusted identities (trust-store-trust-policy.md
// "Trusted Identities Constraints"): `x509.subject: C=US, ST=WA, O=acme` matches a leaf whose subject
// contains every listed attribute with the same value (a subset-of-RDNs match).
import { NotationError } from '../errors.ts';
import { nameAttributes, type ParsedCertificate } from './cert.ts';

export type DnMap = ReadonlyMap<string, string>;

const OID_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.17': 'POSTALCODE',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};

const ALIASES: Readonly<Record<string, string>> = { S: 'ST', EMAILADDRESS: 'E', POSTALCODE: 'POSTALCODE' };

function normType(t: string): string {
  const u = t.trim().toUpperCase();
  return ALIASES[u] ?? u;
}

/** Split on an unescaped separator character. */
function splitUnescaped(s: string, seps: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + (s[i + 1] as string);
      i++;
    } else if (seps.includes(ch)) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescapeValue(raw: string): string {
  // Trim unescaped surrounding spaces, then resolve RFC 4514 escapes (\, \; \\ \" \+ \< \> \= \# \<space>, \hh).
  let s = raw.replace(/^\s+/, '');
  while (s.endsWith(' ') && !s.endsWith('\\ ')) s = s.slice(0, -1);
  return s.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, g: string) => (g.length === 2 ? String.fromCharCode(parseInt(g, 16)) : g));
}

/** Parse an RFC 4514-style DN string into attribute→value (types upper-cased, S→ST). */
export function parseDn(dn: string): DnMap {
  const map = new Map<string, string>();
  for (const rdn of splitUnescaped(dn, ',;')) {
    if (rdn.trim() === '') throw new NotationError('POLICY_INVALID', `invalid distinguished name "${dn}": empty RDN`);
    for (const atv of splitUnescaped(rdn, '+')) {
      const eq = atv.indexOf('=');
      if (eq <= 0) throw new NotationError('POLICY_INVALID', `invalid distinguished name "${dn}": "${atv}" has no type=value`);
      const type = normType(atv.slice(0, eq));
      if (!/^[A-Z][A-Z0-9-]*$|^[0-9]+(\.[0-9]+)*$/.test(type)) {
        throw new NotationError('POLICY_INVALID', `invalid distinguished name "${dn}": bad attribute type "${type}"`);
      }
      if (map.has(type)) throw new NotationError('POLICY_INVALID', `invalid distinguished name "${dn}": duplicate attribute ${type}`);
      map.set(type, unescapeValue(atv.slice(eq + 1)));
    }
  }
  return map;
}

/** The subject of a certificate as attribute→value, built from the decoded Name (not its string form). */
export function subjectDn(cert: ParsedCertificate): DnMap {
  const map = new Map<string, string>();
  for (const { type, value } of nameAttributes(cert.pkijs.subject)) map.set(normType(OID_NAMES[type] ?? type), value);
  return map;
}

export function isSubsetDn(subset: DnMap, of: DnMap): boolean {
  for (const [k, v] of subset) if (of.get(k) !== v) return false;
  return true;
}

/**
 * Match the leaf certificate against trustedIdentities entries: `*` or `x509.subject: <DN>`.
 * Entries of other forms never match (they belong to plugins, which ocx does not run).
 */
export function matchTrustedIdentity(leaf: ParsedCertificate, trustedIdentities: readonly string[]): string | undefined {
  const leafDn = subjectDn(leaf);
  for (const entry of trustedIdentities) {
    if (entry.trim() === '*') return entry;
    const m = /^\s*x509\.subject\s*:(.*)$/s.exec(entry);
    if (!m) continue;
    if (isSubsetDn(parseDn(m[1] ?? ''), leafDn)) return entry;
  }
  return undefined;
}
