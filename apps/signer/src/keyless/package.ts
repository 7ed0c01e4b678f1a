// `ocx package sign <ref>` without --key: cosign's keyless flow. Each manifest is signed with the
// run's ephemeral key under one Fulcio certificate; the bundle form is a Sigstore bundle v0.3
// referrer (cosign v3), --legacy-tag the `sha256-<hex>.sig` layer with the certificate and the
// Rekor bundle / RFC 3161 timestamp annotations (cosign v2).
import type { Bundle } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder } from '@sigstore/sign';
import type { CallOptions, Descriptor, PlatformSpec } from '@ocx/oci';
import { COSIGN_ANNOTATIONS, COSIGN_SIGN_PREDICATE_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '@ocx/cosign';
import { appendLegacyLayer, pushBlob, pushDsseBundle, type SignerRepo } from '../dsse.ts';
import { signStatement, simpleSigningPayload, type SignedManifest, type SignPackageResult } from '../sign.ts';
import type { KeylessServices } from './services.ts';
import { keylessError, keylessSigner, type KeylessSigner } from './signer.ts';
import { identityClaims, type IdentityClaims } from './token.ts';
import { resolveTargets } from '../targets.ts';

export interface SignKeylessOptions extends CallOptions {
  /** The OIDC ID token; used for Fulcio only, never logged. */
  readonly identityToken: string;
  readonly services: KeylessServices;
  readonly platform?: PlatformSpec;
  readonly legacyTag?: boolean;
  /** `registry/repository`, written as the simple-signing docker-reference (legacy form). */
  readonly repositoryName: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly now: Date;
  /** Per request to Fulcio, Rekor and the TSA. */
  readonly timeoutMs?: number;
}

export interface SignKeylessResult extends SignPackageResult {
  /** Who the certificate names (from the token; Fulcio puts the same into the certificate). */
  readonly identity: IdentityClaims;
  /** PEM of the Fulcio certificate. */
  readonly certificate?: string;
  readonly transparencyLog: boolean;
  readonly timestamped: boolean;
}

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function signBundle(repo: SignerRepo, ks: KeylessSigner, target: Descriptor, opts: SignKeylessOptions, call: CallOptions) {
  // The same bundle referrer as with a key (dsse.ts), signed by the Fulcio-certified key with its witnesses.
  return pushDsseBundle(repo, target, signStatement(target.digest, opts.annotations), COSIGN_SIGN_PREDICATE_TYPE, { signer: ks.signer, witnesses: ks.witnesses, now: opts.now }, call);
}

/**
 * cosign v2's keyless `.sig` layer (pkg/oci/static, cosign/bundle): the signature over the simple-signing
 * payload, the Fulcio certificate, and the Rekor "bundle" (SET + entry) or the RFC 3161 timestamp over the
 * raw signature — the same witnesses the bundle form uses, read out of a message-signature bundle.
 */
export function legacyAnnotations(bundle: Bundle): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (bundle.content.$case === 'messageSignature') annotations[COSIGN_ANNOTATIONS.signature] = bundle.content.messageSignature.signature.toString('base64');
  const vm = bundle.verificationMaterial;
  if (vm.content.$case === 'certificate') annotations[COSIGN_ANNOTATIONS.certificate] = pem(vm.content.certificate.rawBytes);
  else if (vm.content.$case === 'x509CertificateChain') {
    const [leaf, ...chain] = vm.content.x509CertificateChain.certificates;
    if (leaf) annotations[COSIGN_ANNOTATIONS.certificate] = pem(leaf.rawBytes);
    if (chain.length > 0) annotations[COSIGN_ANNOTATIONS.chain] = chain.map((c) => pem(c.rawBytes)).join('');
  }
  const entry = vm.tlogEntries[0];
  if (entry?.inclusionPromise) {
    annotations[COSIGN_ANNOTATIONS.bundle] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId.keyId.toString('hex'),
      },
    });
  }
  const ts = vm.timestampVerificationData?.rfc3161Timestamps[0];
  if (ts) annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp] = JSON.stringify({ SignedRFC3161Timestamp: ts.signedTimestamp.toString('base64') });
  return annotations;
}

async function signLegacy(repo: SignerRepo, ks: KeylessSigner, target: Descriptor, opts: SignKeylessOptions, call: CallOptions) {
  const payload = simpleSigningPayload(opts.repositoryName, target.digest, opts.annotations);
  const bundle = await new MessageSignatureBundleBuilder({ signer: ks.signer, witnesses: ks.witnesses }).create({ data: Buffer.from(payload) });
  const layer = { ...(await pushBlob(repo, SIMPLE_SIGNING_MEDIA_TYPE, payload, call)), annotations: legacyAnnotations(bundle) };
  // Each keyless run signs with a new key, so an earlier layer is never the same signature: keep them all.
  return appendLegacyLayer(repo, target, 'sig', layer, () => false, call);
}

/** Signs what `reference` names keyless; same targets as signPackage (the index and its platforms, or one platform). */
export async function signPackageKeyless(repo: SignerRepo, reference: string, opts: SignKeylessOptions): Promise<SignKeylessResult> {
  const identity = identityClaims(opts.identityToken, opts.now);
  const call: CallOptions = opts.signal ? { signal: opts.signal } : {};
  const { root, targets } = await resolveTargets(repo, reference, opts.platform, true, call);
  // Rekor: a dsse entry for the bundle (cosign v3); RekorWitness logs a message signature (--legacy-tag) as hashedrekord (cosign v2).
  const ks = keylessSigner({ identityToken: opts.identityToken, services: opts.services, entryType: 'dsse', ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  const signed: SignedManifest[] = [];
  for (const t of targets) {
    const base = { digest: t.desc.digest, ...(t.platform ? { platform: t.platform } : {}) };
    try {
      if (opts.legacyTag) signed.push({ ...base, format: 'cosign-legacy', ...(await signLegacy(repo, ks, t.desc, opts, call)) });
      else signed.push({ ...base, format: 'cosign-bundle', ...(await signBundle(repo, ks, t.desc, opts, call)) });
    } catch (e) {
      throw keylessError(e, opts.identityToken, opts.services);
    }
  }
  const certificate = ks.certificate();
  return { root, signed, identity, ...(certificate ? { certificate } : {}), transparencyLog: opts.services.rekor !== undefined, timestamped: opts.services.tsaURL !== undefined };
}
