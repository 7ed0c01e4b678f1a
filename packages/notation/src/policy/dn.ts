// Distinguished names as notation reads them in `x509.subject:` trusted identities
// (notary trust-store-trust-policy.md "Trusted Identities Constraints").
//
// notation parses DNs with go-ldap's RFC 4514 parser and then applies its own rules; we
// reproduce that behaviour so a policy means the same thing here as in notation:
// - RDN separators are unescaped `,` `;` and `+` (the last makes a multi-valued RDN);
// - types and values are trimmed of ASCII spaces, except a trailing space escaped as `\ `;
// - `\` escapes one of ` "#+,;<=>\` or introduces two hex digits (one UTF-8 byte);
// - attribute types are case-sensitive (`st=WA` is not `ST=WA`), `S` is an alias of `ST`;
// - `=#` (BER-encoded values) and multi-valued RDNs are refused;
// - an attribute type may appear once; C, ST and O are mandatory.

/** One attribute of a parsed DN, in source order. */
export interface DnAttribute {
  readonly type: string;
  readonly value: string;
}

/** A DN parse error; callers wrap it into a NotationError with context. */
export class DnSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnSyntaxError';
  }
}

const SPECIALS = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);
const HEX2 = /^[0-9a-fA-F]{2}$/;

// Trim spaces (only U+0020, as go-ldap does), keeping a trailing space that is escaped by an
// odd number of backslashes.
function trimSpaces(raw: string): string {
  let out = raw.replace(/^ +/, '').replace(/ +$/, '');
  if (out.length > 0 && raw.endsWith(' ')) {
    let slashes = 0;
    for (let i = out.length - 1; i >= 0 && out[i] === '\\'; i--) slashes++;
    if (slashes % 2 === 1) out += ' ';
  }
  return out;
}

// Unescape one type or value (RFC 4514 §2.4 / §3).
function decode(raw: string): string {
  const s = trimSpaces(raw);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c !== '\\') {
      bytes.push(...enc.encode(c));
      continue;
    }
    const next = chars[i + 1];
    if (next === undefined) throw new DnSyntaxError(`dangling escape character at the end of ${JSON.stringify(s)}`);
    if (SPECIALS.has(next)) {
      bytes.push(next.charCodeAt(0));
      i++;
      continue;
    }
    const hex = (chars[i + 1] ?? '') + (chars[i + 2] ?? '');
    if (!HEX2.test(hex)) {
      throw new DnSyntaxError(`invalid escape "\\${hex}" in ${JSON.stringify(s)}: expected one of \\ " # + , ; < = > space, or two hex digits`);
    }
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Parse an RFC 4514 string into RDNs (each an array of attributes; more than one means a
 * multi-valued RDN). Whitespace-only input is the empty DN.
 */
export function parseRfc4514(input: string): DnAttribute[][] {
  if (input.trim() === '') return [];
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let type = '';
  let start = 0;
  let escaping = false;
  const finishValue = (end: number): void => {
    const raw = input.slice(start, end);
    // go-ldap reads a value starting with '#' as hex BER; notation refuses those earlier.
    if (raw.startsWith('#')) throw new DnSyntaxError(`BER-encoded (#hex) value for ${JSON.stringify(type)} is not supported`);
    rdn.push({ type, value: decode(raw) });
    type = '';
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (escaping) {
      escaping = false;
    } else if (c === '\\') {
      escaping = true;
    } else if (c === '=' && type === '') {
      type = decode(input.slice(start, i));
      start = i + 1;
    } else if (c === ',' || c === ';' || c === '+') {
      if (type === '') throw new DnSyntaxError(`attribute ${JSON.stringify(input.slice(start, i).trim())} has no "type=value" form`);
      finishValue(i);
      start = i + 1;
      if (c !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
    }
  }
  if (type === '') throw new DnSyntaxError(`DN ends with an incomplete attribute ${JSON.stringify(input.slice(start).trim())} (expected type=value)`);
  finishValue(input.length);
  rdns.push(rdn);
  return rdns;
}

/** The RDN types notation requires in every x509.subject identity (and in the leaf subject). */
export const MANDATORY_RDNS: readonly string[] = ['C', 'ST', 'O'];

/**
 * Parse a DN under notation's rules into a type → value map (`S` folded into `ST`).
 * Throws DnSyntaxError naming the DN and the problem.
 */
export function parseNotationDn(dn: string): ReadonlyMap<string, string> {
  const quoted = JSON.stringify(dn);
  if (dn.includes('=#')) {
    throw new DnSyntaxError(`DN ${quoted} contains "=#" (BER-encoded value), which notation does not support`);
  }
  let rdns: DnAttribute[][];
  try {
    rdns = parseRfc4514(dn);
  } catch (err) {
    throw new DnSyntaxError(`DN ${quoted} is not a valid RFC 4514 name: ${(err as Error).message}`);
  }
  const map = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      const joined = rdn.map((a) => `${a.type}=${a.value}`).join('+');
      throw new DnSyntaxError(`DN ${quoted} has a multi-valued RDN (${joined}), which notation does not support`);
    }
    for (const attr of rdn) {
      const type = attr.type === 'S' ? 'ST' : attr.type;
      // notation treats an attribute with an empty value as absent (it keys on the value).
      if ((map.get(type) ?? '') !== '') {
        throw new DnSyntaxError(`DN ${quoted} repeats the attribute ${type}; each attribute may appear only once`);
      }
      map.set(type, attr.value);
    }
  }
  const missing = MANDATORY_RDNS.filter((t) => (map.get(t) ?? '') === '');
  if (missing.length > 0) {
    throw new DnSyntaxError(`DN ${quoted} lacks the mandatory attribute${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (C, ST or S, and O are required)`);
  }
  return map;
}

/** True when every attribute of `subset` has the same value in `superset` (notation's IsSubsetDN). */
export function isSubsetDn(subset: ReadonlyMap<string, string>, superset: ReadonlyMap<string, string>): boolean {
  for (const [type, value] of subset) {
    if ((superset.get(type) ?? '') !== value) return false;
  }
  return true;
}
