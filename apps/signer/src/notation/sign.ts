// `ocx package sign --notation`: a notation signature for one manifest, stored as a referrer
// (notary signature-specification.md "Storage"): artifactType application/vnd.cncf.notary.signature,
// the empty config, one envelope layer, `subject`, and the x509 chain thumbprint annotation.
// The registry side (referrers API or tag-schema index) is the Repository's job.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ANNOTATION_CREATED, EMPTY_DESCRIPTOR, encodeJson, MEDIA_TYPE_OCI_MANIFEST, type Descriptor, type Pusher, type PushResult } from '@ocx/oci';
import {
  algorithmForCertificate,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  parseCertificates,
  SIGNATURE_ARTIFACT_TYPE,
  THUMBPRINT_ANNOTATION,
  type ParsedCertificate,
} from '@ocx/notation';
import { SignerError } from '../errors.ts';
import { buildEnvelope, type NotationSignatureFormat } from './envelope.ts';
import { requestTimestamp, type TimestampHash } from './timestamp.ts';

// The timestamp request hashes with the signature algorithm's hash (notation-core-go signer).
const HASH_OF: Readonly<Record<string, TimestampHash>> = { PS256: 'sha256', ES256: 'sha256', PS384: 'sha384', ES384: 'sha384', PS512: 'sha512', ES512: 'sha512' };

export interface SignNotationOptions {
  readonly repo: Pusher;
  /** The manifest to sign, as ocx resolved it. */
  readonly subject: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>;
  /** PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted. */
  readonly key: string;
  /** PEM certificate chain, leaf first (notation requires the chain up to the root). */
  readonly certChain: string;
  readonly format?: NotationSignatureFormat;
  /** Absolute expiry ("best by use") time written as io.cncf.notary.expiry. */
  readonly expiry?: Date;
  /** RFC 3161 TSA to countersign the signature (notation `--timestamp-url`). */
  readonly timestampUrl?: string;
  /** PEM root(s) the TSA's token must chain to (notation `--timestamp-root-cert`); needed with timestampUrl. */
  readonly timestampRootCert?: string;
  /** fetch for the TSA request (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  /** Whole TSA exchange bound in milliseconds (default 30 s). */
  readonly timestampTimeoutMs?: number;
  /** Annotations added to the signed payload's targetArtifact (notation `--user-metadata`). */
  readonly userMetadata?: Readonly<Record<string, string>>;
  /** Signing time (defaults to the current time, second precision). */
  readonly now?: Date;
  readonly signingAgent?: string;
  readonly signal?: AbortSignal;
}

export interface SignNotationResult {
  /** The pushed signature manifest. */
  readonly descriptor: Descriptor;
  readonly envelope: Descriptor;
  readonly referrers?: PushResult['referrers'];
  /** Lowercase hex SHA-256 of each chain certificate, leaf first. */
  readonly thumbprints: readonly string[];
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function loadKey(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new SignerError('INVALID_KEY', `notation signing key does not decode (unencrypted PEM expected): ${(cause as Error).message}`, { cause });
  }
}

function loadChain(pem: string): ParsedCertificate[] {
  try {
    return parseCertificates(pem);
  } catch (cause) {
    throw new SignerError('INVALID_OPTIONS', `certificate chain does not decode: ${(cause as Error).message}`, { cause });
  }
}

/** Build, then push, a notation signature of `subject`. */
export async function signNotation(options: SignNotationOptions): Promise<SignNotationResult> {
  // As notation: a timestamp is verified against a root the signer names before it is stored.
  if (options.timestampUrl !== undefined && options.timestampRootCert === undefined) {
    throw new SignerError('INVALID_OPTIONS', '--timestamp-url needs --timestamp-root-cert (the TSA root the token must chain to)');
  }
  const format = options.format ?? 'jws';
  const privateKey = loadKey(options.key);
  const chain = loadChain(options.certChain);
  const leaf = chain[0] as ParsedCertificate;
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(privateKey)).equals(spki(leaf.publicKey))) {
    throw new SignerError('INVALID_KEY', `the signing key does not belong to the leaf certificate "${leaf.subject}"`);
  }
  const algorithm = algorithmForCertificate(leaf);
  if (!algorithm) throw new SignerError('INVALID_KEY', `notation cannot sign with this key (${leaf.key.type} ${leaf.key.bits} bits): RSA 2048/3072/4096 or EC P-256/P-384/P-521`);
  const signingTime = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  if (options.expiry && options.expiry.getTime() <= signingTime.getTime()) throw new SignerError('INVALID_OPTIONS', 'expiry must be after the signing time');

  const s = options.subject;
  const targetArtifact = {
    mediaType: s.mediaType,
    digest: s.digest,
    size: s.size,
    ...(options.userMetadata && Object.keys(options.userMetadata).length > 0 ? { annotations: { ...options.userMetadata } } : {}),
  };
  const payload = encodeJson({ targetArtifact });
  const tsaUrl = options.timestampUrl;
  const timestamp = tsaUrl
    ? async (signature: Uint8Array) =>
        (
          await requestTimestamp(signature, {
            url: tsaUrl,
            hash: HASH_OF[algorithm],
            ...(options.timestampRootCert !== undefined ? { rootCertificates: options.timestampRootCert } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
            ...(options.timestampTimeoutMs !== undefined ? { timeoutMs: options.timestampTimeoutMs } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          })
        ).token
    : undefined;
  const envelopeBytes = await buildEnvelope(format, {
    ...(timestamp ? { timestamp } : {}),
    privateKey,
    algorithm,
    chain: chain.map((c) => c.der),
    payload,
    signingTime,
    ...(options.expiry ? { expiry: options.expiry } : {}),
    signingAgent: options.signingAgent ?? 'ocx/0.0.0',
  });
  const envelope: Descriptor = { mediaType: format === 'cose' ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS, digest: sha256(envelopeBytes), size: envelopeBytes.length };
  const thumbprints = chain.map((c) => c.sha256);
  const { data: _data, ...emptyConfig } = EMPTY_DESCRIPTOR;
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: SIGNATURE_ARTIFACT_TYPE,
    config: emptyConfig,
    layers: [envelope],
    subject: { mediaType: s.mediaType, digest: s.digest, size: s.size },
    annotations: {
      [THUMBPRINT_ANNOTATION]: JSON.stringify(thumbprints),
      [ANNOTATION_CREATED]: signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
  const manifestBytes = encodeJson(manifest);
  const descriptor: Descriptor = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: sha256(manifestBytes), size: manifestBytes.length };
  const call = options.signal ? { signal: options.signal } : {};
  await options.repo.push(emptyConfig, new TextEncoder().encode('{}'), call);
  await options.repo.push(envelope, envelopeBytes, call);
  const pushed = await options.repo.push(descriptor, manifestBytes, call);
  return { descriptor, envelope, ...(pushed.referrers ? { referrers: pushed.referrers } : {}), thumbprints };
}
