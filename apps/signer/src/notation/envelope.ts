// Building notation signature envelopes (notary signature-specification.md, signature-envelope-jws.md,
// signature-envelope-cose.md). Pure apart from the injected timestamp countersigner.
import { sign, type KeyObject } from 'node:crypto';
import { encode, Tag } from 'cbor2';
import { HASH_BYTES, PAYLOAD_CONTENT_TYPE, SCHEME_X509, SIGNATURE_HASH, type SignatureAlgorithm } from '@ocx/notation';

export type NotationSignatureFormat = 'jws' | 'cose';

export interface EnvelopeInput {
  readonly privateKey: KeyObject;
  readonly algorithm: SignatureAlgorithm;
  /** DER certificates, leaf first, root last. */
  readonly chain: readonly Uint8Array[];
  /** The notation payload JSON bytes ({"targetArtifact": …}). */
  readonly payload: Uint8Array;
  readonly signingTime: Date;
  readonly expiry?: Date;
  readonly signingAgent: string;
  /** RFC 3161 countersigner: gets the signature bytes, returns a TimeStampToken (unsigned attribute). */
  readonly timestamp?: (signature: Uint8Array) => Promise<Uint8Array>;
}



// COSE algorithm identifiers (RFC 9053 / IANA "COSE Algorithms").
const COSE_ALG: Readonly<Record<SignatureAlgorithm, number>> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

/** RSASSA-PSS with salt length = hash length, or ECDSA as r||s (JWS RFC 7518 §3.4/§3.5, COSE RFC 9053). */
export function signWith(algorithm: SignatureAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  const hash = SIGNATURE_HASH[algorithm];
  if (algorithm.startsWith('PS')) {
    return new Uint8Array(sign(hash, data, { key: privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: HASH_BYTES[hash] }));
  }
  return new Uint8Array(sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
/** RFC 3339 with second precision, as notation writes signingTime and expiry. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

const SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
const SIGNING_TIME = 'io.cncf.notary.signingTime';
const EXPIRY = 'io.cncf.notary.expiry';
const SIGNING_AGENT = 'io.cncf.notary.signingAgent';
const TIMESTAMP_SIGNATURE = 'io.cncf.notary.timestampSignature';

/** signingScheme is always critical; expiry is critical when present (signature-specification.md "Signed Attributes"). */
function crit(input: EnvelopeInput): string[] {
  return input.expiry ? [SIGNING_SCHEME, EXPIRY] : [SIGNING_SCHEME];
}

/** JWS JSON serialization, flattened (signature-envelope-jws.md). */
export async function buildJwsEnvelope(input: EnvelopeInput): Promise<Uint8Array> {
  const protectedHeader: Record<string, unknown> = {
    alg: input.algorithm,
    crit: crit(input),
    cty: PAYLOAD_CONTENT_TYPE,
    [SIGNING_SCHEME]: SCHEME_X509,
    [SIGNING_TIME]: rfc3339(input.signingTime),
    ...(input.expiry ? { [EXPIRY]: rfc3339(input.expiry) } : {}),
  };
  const prot = b64url(JSON.stringify(protectedHeader));
  const payload = b64url(input.payload);
  const signature = signWith(input.algorithm, input.privateKey, new TextEncoder().encode(`${prot}.${payload}`));
  const token = input.timestamp ? await input.timestamp(signature) : undefined;
  const jws = {
    payload,
    protected: prot,
    header: {
      x5c: input.chain.map((c) => Buffer.from(c).toString('base64')),
      [SIGNING_AGENT]: input.signingAgent,
      // Go's []byte JSON encoding: standard base64.
      ...(token ? { [TIMESTAMP_SIGNATURE]: Buffer.from(token).toString('base64') } : {}),
    },
    signature: b64url(signature),
  };
  return new TextEncoder().encode(JSON.stringify(jws));
}

/** COSE_Sign1_Tagged (signature-envelope-cose.md; RFC 9052 §4.2, §4.4; x5chain RFC 9360). */
export async function buildCoseEnvelope(input: EnvelopeInput): Promise<Uint8Array> {
  const prot = new Map<number | string, unknown>([
    [1, COSE_ALG[input.algorithm]],
    [2, crit(input)],
    [3, PAYLOAD_CONTENT_TYPE],
    [SIGNING_SCHEME, SCHEME_X509],
    [SIGNING_TIME, new Tag(1, epoch(input.signingTime))],
  ]);
  if (input.expiry) prot.set(EXPIRY, new Tag(1, epoch(input.expiry)));
  const protBytes = encode(prot);
  // Sig_structure = ["Signature1", body_protected, external_aad = h'', payload]
  const toBeSigned = encode(['Signature1', protBytes, new Uint8Array(0), input.payload]);
  const signature = signWith(input.algorithm, input.privateKey, toBeSigned);
  const unprot = new Map<number | string, unknown>([
    [33, input.chain.map((c) => new Uint8Array(c))],
    [SIGNING_AGENT, input.signingAgent],
  ]);
  if (input.timestamp) unprot.set(TIMESTAMP_SIGNATURE, await input.timestamp(signature));
  return encode(new Tag(18, [protBytes, unprot, input.payload, signature]));
}

export function buildEnvelope(format: NotationSignatureFormat, input: EnvelopeInput): Promise<Uint8Array> {
  return format === 'cose' ? buildCoseEnvelope(input) : buildJwsEnvelope(input);
}
