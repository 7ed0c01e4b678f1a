import { NotationError } from '../errors.ts';
import { DEFAULT_MAX_ENVELOPE_BYTES, type ParseEnvelopeOptions } from './attributes.ts';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from './constants.ts';
import { parseCoseEnvelope } from './cose.ts';
import { parseJwsEnvelope } from './jws.ts';
import type { SignatureEnvelope } from './types.ts';

/** Parse a notation envelope by its OCI layer media type (`application/jose+json` or `application/cose`). */
export function parseSignatureEnvelope(bytes: Uint8Array, mediaType: string, opts: ParseEnvelopeOptions = {}): SignatureEnvelope {
  const max = opts.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.length > max) throw new NotationError('ENVELOPE_INVALID', `envelope is ${bytes.length} bytes, above the ${max} byte cap`);
  if (mediaType === MEDIA_TYPE_JWS) return parseJwsEnvelope(bytes, opts);
  if (mediaType === MEDIA_TYPE_COSE) return parseCoseEnvelope(bytes, opts);
  throw new NotationError('UNSUPPORTED_ENVELOPE', `unsupported signature envelope media type "${mediaType}"`);
}
