import { createHash } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import { BUNDLE_V01_MEDIA_TYPE } from '@sigstore/bundle';
import { z } from 'zod';
import { CosignError } from './errors.ts';

// cosign pkg/oci/static/signature.go; layouts in specs/SIGNATURE_SPEC.md and ATTESTATION_SPEC.md.
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
const MAX_ANNOTATION_CHARS = 256 * 1024;
const MAX_CHAIN = 10;

/** A legacy `.sig`/`.att` manifest layer, as the registry listed it. */
export interface LegacyLayer {
  readonly mediaType: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Evidence in the Sigstore bundle model, ready for verifyCosignSignature / verifyCosignAttestation. */
export interface LegacyEvidence {
  readonly bundle: SerializedBundle;
  /** The simple-signing payload a message signature signs (absent for DSSE layers). */
  readonly payload?: Uint8Array;
  readonly kind: 'message-signature' | 'dsse';
  /** True when the layer carried a Rekor bundle (SET); false means only insecureIgnoreTlog can pass it. */
  readonly hasTlogEntry: boolean;
  /** Things the adapter dropped or could not use, for the caller to print. */
  readonly warnings: readonly string[];
}

const b64 = z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/, 'not base64');

// cosign pkg/cosign/bundle/rekor.go RekorBundle (Go JSON: []byte fields are base64).
const rekorBundleSchema = z.looseObject({
  SignedEntryTimestamp: b64.min(1),
  Payload: z.looseObject({
    body: b64.min(1),
    integratedTime: z.number().int().nonnegative(),
    logIndex: z.number().int().nonnegative(),
    logID: z.string().regex(/^[0-9a-fA-F]{2,128}$/, 'logID must be hex'),
  }),
});

// cosign pkg/cosign/bundle/tsa.go RFC3161Timestamp.
const tsaSchema = z.looseObject({ SignedRFC3161Timestamp: b64.min(1) });

const envelopeSchema = z.looseObject({
  payloadType: z.string().max(256),
  payload: b64,
  signatures: z.array(z.looseObject({ sig: b64.min(1), keyid: z.string().max(1024).optional() })).length(1, 'cosign DSSE layers carry exactly one signature'),
});

const rekorBodySchema = z.looseObject({ kind: z.string().max(64), apiVersion: z.string().max(64) });

function bad(message: string, cause?: unknown): never {
  throw new CosignError('INVALID_LEGACY_LAYER', message, { cause });
}

function parseJson<T>(text: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return bad(`${what} is not valid JSON`, cause);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return bad(`${what} is malformed at ${issue?.path.join('.') || '<root>'}: ${issue?.message}`, r.error);
  }
  return r.data;
}

function pemBlocks(pem: string, what: string): string[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );
  if (blocks.length === 0) bad(`${what} annotation holds no PEM certificate`);
  if (blocks.length > MAX_CHAIN) bad(`${what} annotation holds more than ${MAX_CHAIN} certificates`);
  return blocks;
}

function tlogEntry(annotation: string): NonNullable<SerializedBundle['verificationMaterial']['tlogEntries']>[number] {
  const rb = parseJson(annotation, rekorBundleSchema, `${COSIGN_ANNOTATIONS.bundle} annotation`);
  const body = Buffer.from(rb.Payload.body, 'base64');
  const kv = parseJson(body.toString('utf8'), rekorBodySchema, 'Rekor entry body');
  return {
    logIndex: String(rb.Payload.logIndex),
    logId: { keyId: Buffer.from(rb.Payload.logID, 'hex').toString('base64') },
    kindVersion: { kind: kv.kind, version: kv.apiVersion },
    integratedTime: String(rb.Payload.integratedTime),
    inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
    // The SET signs exactly these body bytes (sigstore-js tlog/set.ts rebuilds the payload from them).
    canonicalizedBody: body.toString('base64'),
  } as NonNullable<SerializedBundle['verificationMaterial']['tlogEntries']>[number];
}

export interface LegacyOptions {
  /** Largest layer blob accepted (default 4 MiB); a legacy `.att` SBOM envelope can be larger. */
  readonly maxPayloadBytes?: number;
}

/**
 * Adapts a legacy cosign layer (`sha256-<hex>.sig` simple-signing layer or `.att` DSSE layer, with the
 * dev.cosignproject.cosign / dev.sigstore.cosign annotations) into a v0.1 Sigstore bundle so the
 * same verifier runs. Pure: takes the layer descriptor and its blob bytes.
 */
export function legacyToBundle(layer: LegacyLayer, payloadBytes: Uint8Array, options: LegacyOptions = {}): LegacyEvidence {
  const max = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  if (payloadBytes.byteLength > max) throw new CosignError('TOO_LARGE', `legacy payload larger than ${max} bytes`);
  const ann = layer.annotations ?? {};
  for (const [k, v] of Object.entries(ann)) {
    if (v.length > MAX_ANNOTATION_CHARS) throw new CosignError('TOO_LARGE', `annotation ${k} longer than ${MAX_ANNOTATION_CHARS} characters`);
  }
  const warnings: string[] = [];

  const certificate = ann[COSIGN_ANNOTATIONS.certificate];
  const chain = ann[COSIGN_ANNOTATIONS.chain];
  const verificationContent: object = certificate
    ? {
        x509CertificateChain: {
          certificates: [...pemBlocks(certificate, 'certificate'), ...(chain ? pemBlocks(chain, 'chain') : [])].map((rawBytes) => ({ rawBytes })),
        },
      }
    : { publicKey: { hint: '' } };

  const bundleAnnotation = ann[COSIGN_ANNOTATIONS.bundle];
  const tlogEntries = bundleAnnotation ? [tlogEntry(bundleAnnotation)] : [];

  const mediaType = layer.mediaType;
  const isDsse = mediaType === DSSE_ENVELOPE_MEDIA_TYPE;
  if (!isDsse && mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) bad(`unsupported legacy layer media type ${mediaType}`);

  const tsaAnnotation = ann[COSIGN_ANNOTATIONS.rfc3161Timestamp];
  let rfc3161Timestamps: { signedTimestamp: string }[] = [];
  if (tsaAnnotation) {
    const ts = parseJson(tsaAnnotation, tsaSchema, `${COSIGN_ANNOTATIONS.rfc3161Timestamp} annotation`);
    if (isDsse) {
      // cosign timestamps the whole envelope for `.att` (pkg/cosign/verify.go VerifyRFC3161Timestamp),
      // while a bundle timestamps the signature bytes; the two cannot be reconciled, so drop it.
      warnings.push('RFC 3161 timestamp on a legacy attestation covers the envelope, not the signature; ignored');
    } else {
      rfc3161Timestamps = [{ signedTimestamp: ts.SignedRFC3161Timestamp }];
    }
  }
  if (tlogEntries.length === 0) warnings.push('no Rekor bundle annotation: the signature is not in a transparency log');

  const verificationMaterial = {
    ...verificationContent,
    tlogEntries,
    ...(rfc3161Timestamps.length > 0 ? { timestampVerificationData: { rfc3161Timestamps } } : {}),
  } as SerializedBundle['verificationMaterial'];

  if (isDsse) {
    const env = parseJson(new TextDecoder().decode(payloadBytes), envelopeSchema, 'DSSE envelope layer');
    const sig = env.signatures[0]!;
    const bundle = {
      mediaType: BUNDLE_V01_MEDIA_TYPE,
      verificationMaterial,
      dsseEnvelope: {
        payload: env.payload,
        payloadType: env.payloadType,
        signatures: [{ sig: sig.sig, keyid: sig.keyid ?? '' }],
      },
    } as SerializedBundle;
    return { bundle, kind: 'dsse', hasTlogEntry: tlogEntries.length > 0, warnings };
  }

  const signature = ann[COSIGN_ANNOTATIONS.signature];
  if (!signature) bad(`simple-signing layer has no ${COSIGN_ANNOTATIONS.signature} annotation`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) bad(`${COSIGN_ANNOTATIONS.signature} annotation is not base64`);
  const bundle = {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial,
    // The signature is over the raw payload bytes: Sign(sha256(payload)) (cosign SIGNATURE_SPEC.md);
    // ECDSA signatures are ASN.1 DER, which node's verify expects.
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payloadBytes).digest('base64') },
      signature,
    },
  } as SerializedBundle;
  return { bundle, payload: payloadBytes, kind: 'message-signature', hasTlogEntry: tlogEntries.length > 0, warnings };
}
