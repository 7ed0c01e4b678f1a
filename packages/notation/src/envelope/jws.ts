// JWS JSON flattened serialization of a notation envelope (signature-envelope-jws.md).
import { z } from 'zod';
import { NotationError } from '../errors.ts';
import { decodeBase64Std, decodeBase64Url, MAX_CERTIFICATE_CHAIN, signedAttributesFrom, type ParseEnvelopeOptions } from './attributes.ts';
import { HDR, JWS_ALGS, MEDIA_TYPE_JWS, type SignatureAlgorithm } from './constants.ts';
import { parsePayload } from './payload.ts';
import type { SignatureEnvelope } from './types.ts';

const flattenedSchema = z.object({
  payload: z.string(),
  protected: z.string().min(1),
  header: z.record(z.string(), z.unknown()),
  signature: z.string().min(1),
});

const protectedSchema = z
  .object({
    alg: z.enum(JWS_ALGS as [SignatureAlgorithm, ...SignatureAlgorithm[]]),
    cty: z.string(),
    crit: z.array(z.string()).min(1),
  })
  .loose();

// RFC 3339 date-time (notation writes e.g. 2023-06-27T13:21:21+08:00).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function invalid(msg: string, cause?: unknown): never {
  throw new NotationError('ENVELOPE_INVALID', msg, cause === undefined ? {} : { cause });
}

function toTime(value: unknown, name: string): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) invalid(`header ${name} must be an RFC 3339 time`);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) invalid(`header ${name} is not a valid time`);
  return d;
}

/** Case-insensitive lookup: notation-core-go decodes the unprotected header with Go's encoding/json. */
function unprotected(header: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(header)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function parseJwsEnvelope(bytes: Uint8Array, opts: ParseEnvelopeOptions = {}): SignatureEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    invalid('JWS envelope is not valid JSON', cause);
  }
  if (json && typeof json === 'object' && 'signatures' in json) {
    throw new NotationError('UNSUPPORTED_ENVELOPE', 'JWS general serialization is not supported; notation uses flattened JSON');
  }
  const env = flattenedSchema.safeParse(json);
  if (!env.success) invalid(`invalid JWS envelope: ${z.prettifyError(env.error)}`, env.error);
  const jws = env.data;

  let protJson: unknown;
  try {
    protJson = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(jws.protected, 'protected header')));
  } catch (cause) {
    if (cause instanceof NotationError) throw cause;
    invalid('protected header is not valid JSON', cause);
  }
  const prot = protectedSchema.safeParse(protJson);
  if (!prot.success) invalid(`invalid JWS protected header: ${z.prettifyError(prot.error)}`, prot.error);
  const { alg, cty, crit, ...rest } = prot.data;

  for (const k of Object.keys(jws.header)) {
    if (Object.hasOwn(prot.data, k)) invalid(`header "${k}" appears in both protected and unprotected headers`);
  }
  const headers = new Map<string, unknown>(Object.entries(rest));
  const signedAttributes = signedAttributesFrom({ contentType: cty, crit, headers, toTime }, opts);

  const x5c = unprotected(jws.header, 'x5c') ?? (opts.headersOnly ? [] : undefined);
  if (!Array.isArray(x5c) || (x5c.length === 0 && !opts.headersOnly)) invalid('x5c certificate chain is missing from the unprotected header');
  if (x5c.length > MAX_CERTIFICATE_CHAIN) invalid(`x5c has ${x5c.length} certificates, more than ${MAX_CERTIFICATE_CHAIN}`);
  const certificateChain = x5c.map((c: unknown, i) => {
    if (typeof c !== 'string') invalid(`x5c[${i}] is not a string`);
    return decodeBase64Std(c, `x5c[${i}]`);
  });
  const agent = unprotected(jws.header, HDR.signingAgent);
  if (agent !== undefined && typeof agent !== 'string') invalid(`${HDR.signingAgent} must be a string`);
  const tst = unprotected(jws.header, HDR.timestampSignature);
  if (tst !== undefined && typeof tst !== 'string') invalid(`${HDR.timestampSignature} must be a base64 string`);

  const payloadBytes = decodeBase64Url(jws.payload, 'payload');
  const signature = decodeBase64Url(jws.signature, 'signature');
  return {
    mediaType: MEDIA_TYPE_JWS,
    format: 'jws',
    signatureAlgorithm: alg,
    signedAttributes,
    unsignedAttributes: {
      ...(agent !== undefined ? { signingAgent: agent } : {}),
      ...(tst !== undefined ? { timestampSignature: decodeBase64Std(tst, HDR.timestampSignature) } : {}),
    },
    certificateChain,
    payloadContentType: cty,
    payloadBytes,
    ...(opts.headersOnly ? {} : { payload: parsePayload(payloadBytes) }),
    signature,
    signedBytes: new TextEncoder().encode(`${jws.protected}.${jws.payload}`),
    jws: { protected: jws.protected, payload: jws.payload, signature: jws.signature, header: jws.header },
  };
}
