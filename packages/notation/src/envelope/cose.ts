// COSE_Sign1 notation envelope (signature-envelope-cose.md; RFC 9052 §4.2–4.4).
// The signature covers the protected header bytes exactly as received: we keep the bstr and never
// re-encode the decoded map.
import { decode, encode, Tag } from 'cbor2';
import { z } from 'zod';
import { NotationError } from '../errors.ts';
import { MAX_CERTIFICATE_CHAIN, signedAttributesFrom, type ParseEnvelopeOptions } from './attributes.ts';
import { COSE_ALG, HDR, MEDIA_TYPE_COSE } from './constants.ts';
import { parsePayload } from './payload.ts';
import type { SignatureEnvelope } from './types.ts';

const COSE_SIGN1_TAG = 18;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CTY = 3;
const LABEL_X5CHAIN = 33; // RFC 9360

const DECODE_OPTS = { preferMap: true, ignoreGlobalTags: true, rejectDuplicateKeys: true } as const;

function invalid(msg: string, cause?: unknown): never {
  throw new NotationError('ENVELOPE_INVALID', msg, cause === undefined ? {} : { cause });
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

const bstr = z.instanceof(Uint8Array);
// COSE_Sign1 = [protected: bstr .cbor header_map, unprotected: header_map, payload: bstr, signature: bstr]
const sign1Schema = z.tuple([
  bstr.refine((b) => b.length > 0, 'protected header must be a non-empty bstr'),
  z.instanceof(Map<unknown, unknown>),
  bstr.describe('payload must be an attached bstr'),
  bstr.refine((b) => b.length > 0, 'signature must be a non-empty bstr'),
]);

function toTime(value: unknown, name: string): Date {
  // Notation encodes times as CBOR tag 1 (epoch-based date/time), integer seconds.
  if (!(value instanceof Tag) || Number(value.tag) !== 1) invalid(`header ${name} must be a tag-1 epoch time`);
  const secs = value.contents;
  if (typeof secs !== 'number' || !Number.isFinite(secs)) invalid(`header ${name} must be numeric`);
  // A finite number can still lie outside the Date range (±8.64e12 s): an Invalid Date would compare
  // as neither before nor after anything and make toISOString throw later in verification.
  const d = new Date(secs * 1000);
  if (Number.isNaN(d.getTime())) invalid(`header ${name} is not a valid time`);
  return d;
}

function x5chain(v: unknown): Uint8Array[] {
  // RFC 9360 §2: a single certificate is a bstr, several are an array of bstr.
  if (isBytes(v)) return [new Uint8Array(v)];
  if (Array.isArray(v) && v.length > MAX_CERTIFICATE_CHAIN) invalid(`x5chain has more than ${MAX_CERTIFICATE_CHAIN} certificates`);
  if (Array.isArray(v) && v.length > 0 && v.every(isBytes)) return v.map((c) => new Uint8Array(c));
  return invalid('x5chain (label 33) must be a bstr or a non-empty array of bstr');
}

export function parseCoseEnvelope(bytes: Uint8Array, opts: ParseEnvelopeOptions = {}): SignatureEnvelope {
  let top: unknown;
  try {
    top = decode(bytes, DECODE_OPTS);
  } catch (cause) {
    invalid('COSE envelope is not valid CBOR', cause);
  }
  if (!(top instanceof Tag) || Number(top.tag) !== COSE_SIGN1_TAG) invalid('envelope is not a COSE_Sign1_Tagged object (tag 18)');
  const sign1 = sign1Schema.safeParse(top.contents);
  if (!sign1.success) invalid(`invalid COSE_Sign1: ${z.prettifyError(sign1.error)}`, sign1.error);
  const [protBytes, unprot, payloadBytes, signature] = sign1.data;

  let prot: unknown;
  try {
    prot = decode(protBytes, DECODE_OPTS);
  } catch (cause) {
    invalid('COSE protected header is not valid CBOR', cause);
  }
  if (!(prot instanceof Map)) invalid('COSE protected header must be a map');

  const algId = prot.get(LABEL_ALG);
  const alg = typeof algId === 'number' ? COSE_ALG.get(algId) : undefined;
  if (!alg) invalid(`unsupported COSE algorithm ${String(algId)}`);
  const critRaw = prot.get(LABEL_CRIT);
  if (!Array.isArray(critRaw) || critRaw.length === 0) invalid('COSE crit header (label 2) is required');
  const crit = critRaw.map((c) => (typeof c === 'string' ? c : `#${String(c)}`));
  const headers = new Map<string, unknown>();
  for (const [k, v] of prot) {
    if (k === LABEL_ALG || k === LABEL_CRIT || k === LABEL_CTY) continue;
    if (k === LABEL_X5CHAIN) continue;
    headers.set(typeof k === 'string' ? k : `#${String(k)}`, v);
  }
  for (const k of unprot.keys()) {
    if (prot.has(k)) invalid(`header ${String(k)} appears in both protected and unprotected headers`);
  }
  const signedAttributes = signedAttributesFrom({ contentType: prot.get(LABEL_CTY), crit, headers, toTime }, opts);

  const chainRaw = unprot.get(LABEL_X5CHAIN) ?? prot.get(LABEL_X5CHAIN);
  if (chainRaw === undefined && !opts.headersOnly) invalid('x5chain (label 33) is missing');
  const agent: unknown = unprot.get(HDR.signingAgent);
  if (agent !== undefined && typeof agent !== 'string') invalid(`${HDR.signingAgent} must be a text string`);
  const tst: unknown = unprot.get(HDR.timestampSignature);
  if (tst !== undefined && !isBytes(tst)) invalid(`${HDR.timestampSignature} must be a bstr`);

  const protCopy = new Uint8Array(protBytes);
  const payloadCopy = new Uint8Array(payloadBytes);
  // Sig_structure = ["Signature1", body_protected, external_aad = h'', payload] (RFC 9052 §4.4).
  const signedBytes = encode(['Signature1', protCopy, new Uint8Array(0), payloadCopy]);
  return {
    mediaType: MEDIA_TYPE_COSE,
    format: 'cose',
    signatureAlgorithm: alg,
    signedAttributes,
    unsignedAttributes: {
      ...(agent !== undefined ? { signingAgent: agent } : {}),
      ...(tst !== undefined ? { timestampSignature: new Uint8Array(tst) } : {}),
    },
    certificateChain: chainRaw === undefined ? [] : x5chain(chainRaw),
    payloadContentType: signedAttributes.contentType,
    payloadBytes: payloadCopy,
    ...(opts.headersOnly ? {} : { payload: parsePayload(payloadCopy) }),
    signature: new Uint8Array(signature),
    signedBytes,
  };
}
