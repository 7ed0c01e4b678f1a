// RFC 3161 timestamping of a notation signature (notary signature-specification.md "Timestamp":
// the countersignature is over the envelope's signature bytes, stored unsigned as
// io.cncf.notary.timestampSignature). Request/response coding is pure; requestTimestamp is the edge.
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificates, verifyTimestampToken, type VerifiedTimestamp } from '@ocx/notation';
import { boundedExchange, DEFAULT_TIMEOUTS, isOciError, OciError, type FetchLike } from '@ocx/oci';
import { SignerError } from '../errors.ts';

export type TimestampHash = 'sha256' | 'sha384' | 'sha512';

const HASH_OID: Readonly<Record<TimestampHash, string>> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
// A TSA answer is a token of a few KiB; anything far larger is refused unread.
const MAX_RESPONSE_BYTES = 1024 * 1024;

// Every way the TSA round trip fails is one code (the message says what the TSA did): the options
// were fine, the service was not.
function tsError(message: string, cause?: unknown): never {
  throw new SignerError('TIMESTAMP_FAILED', message, cause === undefined ? {} : { cause });
}

/**
 * The nonce as the content octets of a DER INTEGER: positive (top bit cleared) and minimal (X.690
 * §8.3.2: no leading 0x00 before a byte below 0x80). TSAs echo the INTEGER as sent, and Go's
 * encoding/asn1 — so notation — refuses the whole token when it is not minimal.
 */
export function nonceContent(nonce: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(nonce);
  if (bytes.length === 0) return Uint8Array.of(1);
  bytes[0]! &= 0x7f;
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1]! < 0x80) i++;
  return bytes.slice(i);
}

/** DER TimeStampReq (RFC 3161 §2.4.1): version 1, messageImprint = hash(message), nonce, certReq. */
export function buildTimestampRequest(message: Uint8Array, hash: TimestampHash, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OID[hash], algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash(hash).update(message).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonceContent(nonce).buffer as ArrayBuffer }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

/** The TimeStampToken of a granted TimeStampResp (RFC 3161 §2.4.2); throws SignerError otherwise. */
export function parseTimestampResponse(bytes: Uint8Array): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(bytes);
  } catch (cause) {
    return tsError('the TSA answer is not a TimeStampResp', cause);
  }
  const status = resp.status.status;
  // PKIStatus 0 granted, 1 grantedWithMods.
  if (status !== 0 && status !== 1) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    tsError(`the TSA refused the request (PKIStatus ${status}${text ? `: ${text}` : ''})`);
  }
  if (!resp.timeStampToken) tsError('the TSA granted the request but sent no token');
  return new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
}

export interface RequestTimestampOptions {
  readonly url: string;
  readonly hash: TimestampHash;
  /** PEM of the TSA root(s): the token is verified against them, as `notation sign --timestamp-root-cert` does. */
  readonly rootCertificates?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly signal?: AbortSignal;
  /** The whole exchange (headers and token), default 30 s; a TSA that drips its answer ends in OciError TIMEOUT. */
  readonly timeoutMs?: number;
  /** Longest silence within it, default the whole bound. */
  readonly idleMs?: number;
  /** Injected for tests; defaults to 8 random bytes. */
  readonly nonce?: Uint8Array;
}

/** Ask the TSA at `url` to timestamp `message`; returns the token (and its verification when roots are given). */
export async function requestTimestamp(message: Uint8Array, options: RequestTimestampOptions): Promise<{ token: Uint8Array; verified?: VerifiedTimestamp }> {
  const nonce = options.nonce ?? new Uint8Array(randomBytes(8));
  const body = buildTimestampRequest(message, options.hash, nonce);
  const doFetch = (options.fetch ?? globalThis.fetch) as FetchLike;
  const wholeMs = options.timeoutMs ?? DEFAULT_TIMEOUTS.exchangeMs;
  let answer: Awaited<ReturnType<typeof boundedExchange>>;
  try {
    // Bounded as a whole and capped while reading: a TSA is a third party the signer waits on.
    answer = await boundedExchange(doFetch, {
      url: options.url,
      init: { method: 'POST', headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' }, body },
      wholeMs,
      idleMs: Math.min(options.idleMs ?? wholeMs, wholeMs),
      maxBytes: MAX_RESPONSE_BYTES,
      what: 'the timestamp answer',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (cause) {
    // A deadline is a temporary failure (exit 75), kept as the registry client's TIMEOUT.
    if (isOciError(cause, 'TIMEOUT')) throw new OciError('TIMEOUT', `the TSA ${options.url}: ${cause.message}`, { cause });
    if (isOciError(cause, 'TOO_LARGE')) return tsError(`the TSA answer is above ${MAX_RESPONSE_BYTES} bytes`, cause);
    return tsError(`cannot reach the TSA ${options.url}: ${(cause as Error).message}`, cause);
  }
  if (answer.status < 200 || answer.status >= 300) tsError(`the TSA ${options.url} answered HTTP ${answer.status}`);
  const bytes = answer.bytes;
  const token = parseTimestampResponse(bytes);
  // The nonce binds the answer to this request (RFC 3161 §2.4.2).
  const info = pkijs.TSTInfo.fromBER(contentOf(token));
  const got = info.nonce ? Buffer.from(info.nonce.valueBlock.valueHexView) : undefined;
  const sent = Buffer.from(nonceContent(nonce));
  if (!got || !stripZeros(got).equals(stripZeros(sent))) tsError('the TSA answer does not carry the nonce of the request');
  if (options.rootCertificates === undefined) return { token };
  try {
    return { token, verified: verifyTimestampToken(token, { message, tsaRoots: parseCertificates(options.rootCertificates) }) };
  } catch (cause) {
    return tsError(`the timestamp does not verify against the TSA root certificate: ${(cause as Error).message}`, cause);
  }
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The eContent (DER TSTInfo) of a TimeStampToken ContentInfo. */
function contentOf(token: Uint8Array): ArrayBuffer {
  try {
    const ci = pkijs.ContentInfo.fromBER(token);
    const sd = new pkijs.SignedData({ schema: ci.content });
    const e = sd.encapContentInfo.eContent;
    if (!e) tsError('the timestamp token has no TSTInfo');
    return e.getValue();
  } catch (cause) {
    if (cause instanceof SignerError) throw cause;
    return tsError('the timestamp token is not CMS SignedData', cause);
  }
}
