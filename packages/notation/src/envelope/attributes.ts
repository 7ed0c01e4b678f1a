// Signed-attribute rules shared by JWS and COSE (signature-specification.md "Signed Attributes").
import { NotationError } from '../errors.ts';
import { HDR, KNOWN_PROTECTED, MUST_BE_CRITICAL, PAYLOAD_CONTENT_TYPE, SCHEME_SIGNING_AUTHORITY, SCHEME_X509 } from './constants.ts';
import type { ExtendedAttribute, SignedAttributes } from './types.ts';

export interface ParseEnvelopeOptions {
  /**
   * Extended critical headers the caller will process itself (a plugin seam). Any other header listed
   * in `crit` that notation does not define makes the envelope invalid (code CRIT_UNKNOWN).
   */
  readonly knownCriticalHeaders?: readonly string[];
  /** Byte cap on the envelope (notation-go caps envelopes at 32 MiB). */
  readonly maxBytes?: number;
  /**
   * Validate the headers only: the payload need not be a notation payload and the certificate chain
   * may be absent (for header conformance vectors). Such an envelope cannot pass verification.
   */
  readonly headersOnly?: boolean;
}

export const DEFAULT_MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;

/** Envelopes are hostile input: a chain longer than this is refused before any certificate is parsed. */
export const MAX_CERTIFICATE_CHAIN = 10;

export interface RawProtected {
  readonly contentType: unknown;
  readonly crit: readonly string[];
  /** Every protected header except alg / cty / crit, keyed by name. */
  readonly headers: ReadonlyMap<string, unknown>;
  /** Decode a time-valued header in the envelope's own encoding. */
  readonly toTime: (value: unknown, name: string) => Date;
}

/**
 * A header value for a message. String(v) would call a JSON object's own `toString` member, and a
 * hostile `{"toString": 1}` makes that a TypeError instead of ENVELOPE_INVALID.
 */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return String(v);
  try {
    return (JSON.stringify(v) ?? Object.prototype.toString.call(v)).slice(0, 200);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function invalid(msg: string): never {
  throw new NotationError('ENVELOPE_INVALID', msg);
}

function optString(headers: ReadonlyMap<string, unknown>, key: string): string | undefined {
  const v = headers.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') invalid(`header ${key} must be a non-empty string`);
  return v;
}

export function signedAttributesFrom(raw: RawProtected, opts: ParseEnvelopeOptions = {}): SignedAttributes {
  if (raw.contentType !== PAYLOAD_CONTENT_TYPE) {
    throw new NotationError('ENVELOPE_INVALID', `content type "${show(raw.contentType)}" is not ${PAYLOAD_CONTENT_TYPE}`);
  }
  const crit = raw.crit;
  if (new Set(crit).size !== crit.length) invalid('crit header has duplicate entries');
  const knownExtra = new Set(opts.knownCriticalHeaders ?? []);
  for (const name of crit) {
    if (!raw.headers.has(name)) invalid(`critical header "${name}" is missing from the protected headers`);
    // verificationPlugin* are notation headers but need a plugin, which ocx does not run.
    const understood =
      (KNOWN_PROTECTED.has(name) && name !== HDR.verificationPlugin && name !== HDR.verificationPluginMinVersion) ||
      knownExtra.has(name);
    if (!understood) throw new NotationError('CRIT_UNKNOWN', `critical header "${name}" is not supported`);
  }
  for (const name of MUST_BE_CRITICAL) {
    if (raw.headers.has(name) && !crit.includes(name)) invalid(`header "${name}" must be marked critical`);
  }
  const scheme = raw.headers.get(HDR.signingScheme);
  if (scheme !== SCHEME_X509 && scheme !== SCHEME_SIGNING_AUTHORITY) {
    throw new NotationError('ENVELOPE_INVALID', `unsupported signing scheme "${show(scheme)}"`);
  }
  const time = (key: string): Date | undefined => {
    const v = raw.headers.get(key);
    return v === undefined ? undefined : raw.toTime(v, key);
  };
  const signingTime = time(HDR.signingTime);
  const authenticSigningTime = time(HDR.authenticSigningTime);
  const expiry = time(HDR.expiry);
  if (scheme === SCHEME_X509 && !signingTime) invalid(`header ${HDR.signingTime} is required for ${SCHEME_X509}`);
  if (scheme === SCHEME_SIGNING_AUTHORITY && !authenticSigningTime) {
    invalid(`header ${HDR.authenticSigningTime} is required for ${SCHEME_SIGNING_AUTHORITY}`);
  }
  const effectiveSigningTime = scheme === SCHEME_X509 ? signingTime : authenticSigningTime;
  if (expiry && effectiveSigningTime && expiry.getTime() <= effectiveSigningTime.getTime()) {
    invalid('expiry cannot be equal or before the signing time');
  }
  const verificationPlugin = optString(raw.headers, HDR.verificationPlugin);
  const verificationPluginMinVersion = optString(raw.headers, HDR.verificationPluginMinVersion);
  const extendedAttributes: ExtendedAttribute[] = [];
  for (const [key, value] of raw.headers) {
    if (!KNOWN_PROTECTED.has(key)) extendedAttributes.push({ key, value, critical: crit.includes(key) });
  }
  return {
    contentType: PAYLOAD_CONTENT_TYPE,
    signingScheme: scheme,
    ...(signingTime ? { signingTime } : {}),
    ...(authenticSigningTime ? { authenticSigningTime } : {}),
    ...(expiry ? { expiry } : {}),
    ...(verificationPlugin ? { verificationPlugin } : {}),
    ...(verificationPluginMinVersion ? { verificationPluginMinVersion } : {}),
    extendedAttributes,
  };
}

/** Strict base64url without padding (RFC 7515 §2), as Go's RawURLEncoding. */
export function decodeBase64Url(s: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) {
    const bad = s.search(/[^A-Za-z0-9_-]/);
    invalid(`${what} is not valid base64url${bad >= 0 ? ` (illegal data at input byte ${bad})` : ''}`);
  }
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

/** Strict standard base64 with padding (x5c, RFC 7515 §4.1.6). */
export function decodeBase64Std(s: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) invalid(`${what} is not valid base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}
