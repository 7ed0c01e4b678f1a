import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  type Bundle,
  type SerializedBundle,
} from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { z } from 'zod';
import { CosignError } from './errors.ts';

/** Signature bundles are a few KiB; cosign caps referrer blobs far below this. The default cap. */
export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

export interface ParseBundleOptions {
  /**
   * Largest bundle accepted (bytes of JSON; also the cap on each base64 field). Default
   * MAX_BUNDLE_BYTES; attestation callers raise it, an SBOM predicate can be tens of MiB.
   */
  readonly maxBytes?: number;
}
const MAX_TLOG_ENTRIES = 16;
const MAX_CERTIFICATES = 10;

export type BundleVersion = '0.1' | '0.2' | '0.3';

/** A bundle that passed our schema and @sigstore/bundle's own assertions. */
export interface ParsedBundle {
  readonly bundle: Bundle;
  readonly json: SerializedBundle;
  readonly version: BundleVersion;
  readonly kind: 'message-signature' | 'dsse';
}

const VERSIONS: Record<string, BundleVersion> = {
  [BUNDLE_V01_MEDIA_TYPE]: '0.1',
  [BUNDLE_V02_MEDIA_TYPE]: '0.2',
  [BUNDLE_V03_LEGACY_MEDIA_TYPE]: '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
};

const B64 = /^[A-Za-z0-9+/_\r\n-]*={0,2}[\r\n]*$/;
const uint = z.string().regex(/^\d{1,19}$/, 'must be a non-negative integer');

/**
 * The bundle schema with every base64 field capped at `maxBytes` characters: a field can be no larger
 * than the bundle it sits in, and a DSSE payload (an SBOM attestation) may legitimately be MiBs.
 */
function makeBundleSchema(maxBytes: number) {
  const b64 = z.string().max(maxBytes).regex(B64, 'not base64');
  const rawBytes = z.looseObject({ rawBytes: b64 });
  // sigstore_rekor.proto TransparencyLogEntry; InclusionProof.checkpoint is REQUIRED there.
  const tlogEntry = z.looseObject({
    logIndex: uint,
    logId: z.looseObject({ keyId: b64 }),
    kindVersion: z.looseObject({ kind: z.string().max(64), version: z.string().max(64) }),
    integratedTime: uint.optional(),
    inclusionPromise: z.looseObject({ signedEntryTimestamp: b64 }).optional(),
    inclusionProof: z
      .looseObject({
        logIndex: uint,
        rootHash: b64,
        treeSize: uint,
        hashes: z.array(b64).max(128),
        checkpoint: z.looseObject({ envelope: z.string().min(1).max(64 * 1024) }, 'inclusion proof has no checkpoint'),
      })
      .optional(),
    canonicalizedBody: b64,
  });

  return z.looseObject({
    mediaType: z.string().max(256),
    verificationMaterial: z.looseObject({
      publicKey: z.looseObject({ hint: z.string().max(1024).optional() }).optional(),
      x509CertificateChain: z.looseObject({ certificates: z.array(rawBytes).min(1, 'empty certificate chain').max(MAX_CERTIFICATES) }).optional(),
      certificate: rawBytes.optional(),
      tlogEntries: z.array(tlogEntry).max(MAX_TLOG_ENTRIES).default([]),
      timestampVerificationData: z
        .looseObject({ rfc3161Timestamps: z.array(z.looseObject({ signedTimestamp: b64 })).max(MAX_TLOG_ENTRIES).optional() })
        .optional(),
    }),
    messageSignature: z
      .looseObject({ messageDigest: z.looseObject({ algorithm: z.string().max(32), digest: b64 }), signature: b64 })
      .optional(),
    dsseEnvelope: z
      .looseObject({
        payload: b64,
        payloadType: z.string().max(256),
        signatures: z.array(z.looseObject({ sig: b64, keyid: z.string().max(1024).optional() })).length(1, 'a DSSE envelope in a bundle carries exactly one signature'),
      })
      .optional(),
  });
}

const schemas = new Map<number, ReturnType<typeof makeBundleSchema>>();

function bundleSchemaFor(maxBytes: number): ReturnType<typeof makeBundleSchema> {
  let schema = schemas.get(maxBytes);
  if (!schema) schemas.set(maxBytes, (schema = makeBundleSchema(maxBytes)));
  return schema;
}

function fail(message: string, cause?: unknown): never {
  throw new CosignError('INVALID_BUNDLE', message, { cause });
}

function toJSON(input: Uint8Array | string | object, maxBytes: number): unknown {
  // Anything but bytes or text is a JSON value already (a caller's JSON.parse may give a number or
  // null): the schema judges it, so it fails as INVALID_BUNDLE, never as a TypeError here.
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) throw new CosignError('TOO_LARGE', `bundle larger than ${maxBytes} bytes`);
  try {
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    return JSON.parse(text);
  } catch (cause) {
    return fail(`bundle is not valid JSON: ${(cause as Error).message}`, cause);
  }
}

function isSelfSigned(der: string): boolean {
  try {
    const cert = X509Certificate.parse(Buffer.from(der, 'base64'));
    return cert.subject.equals(cert.issuer) && cert.verify();
  } catch {
    return false;
  }
}

/**
 * Parses a Sigstore bundle (sigstore_bundle.proto) from bytes, text or an already-parsed JSON value.
 * Throws CosignError INVALID_BUNDLE with a specific message for malformed input.
 */
export function parseBundle(input: Uint8Array | string | object, options: ParseBundleOptions = {}): ParsedBundle {
  const maxBytes = options.maxBytes ?? MAX_BUNDLE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new CosignError('INVALID_OPTIONS', `maxBytes must be a positive integer, got ${maxBytes}`);
  const raw = toJSON(input, maxBytes);
  const parsed = bundleSchemaFor(maxBytes).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`malformed bundle at ${issue?.path.join('.') || '<root>'}: ${issue?.message}`, parsed.error);
  }
  const b = parsed.data;
  const version = VERSIONS[b.mediaType];
  if (version === undefined) fail(`unsupported bundle media type ${JSON.stringify(b.mediaType)}`);
  const vm = b.verificationMaterial;
  const materials = [vm.publicKey, vm.x509CertificateChain, vm.certificate].filter((m) => m !== undefined).length;
  if (materials !== 1) fail(`verification material must hold exactly one of publicKey, x509CertificateChain, certificate (found ${materials})`);
  const contents = [b.messageSignature, b.dsseEnvelope].filter((c) => c !== undefined).length;
  if (contents !== 1) fail(`bundle must hold exactly one of messageSignature, dsseEnvelope (found ${contents})`);
  if (version === '0.3' && vm.x509CertificateChain !== undefined) {
    // sigstore_bundle.proto: v0.3 keyless bundles MUST carry a single leaf `certificate`, and signers
    // MUST NOT include root CA certificates.
    const roots = vm.x509CertificateChain.certificates.filter((c) => isSelfSigned(c.rawBytes)).length;
    fail(
      roots > 0
        ? `v0.3 bundle carries a certificate chain with ${roots} root certificate(s); only a single leaf certificate is allowed`
        : 'v0.3 bundle carries a certificate chain; only a single leaf certificate is allowed',
    );
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(b);
  } catch (cause) {
    const fields = (cause as { fields?: string[] }).fields;
    fail(`invalid v${version} bundle${fields?.length ? `: ${fields.join(', ')}` : ''}`, cause);
  }
  return { bundle, json: b as unknown as SerializedBundle, version, kind: b.dsseEnvelope ? 'dsse' : 'message-signature' };
}
