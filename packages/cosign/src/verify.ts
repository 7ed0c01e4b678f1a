import { createHash, verify, type KeyObject } from 'node:crypto';
import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { EXTENSION_OID_SCT, RFC3161Timestamp, X509Certificate, crypto as sigCrypto, dsse } from '@sigstore/core';
import { Verifier, toSignedEntity, type SignedEntity, type Signer, type TrustMaterial } from '@sigstore/verify';
import { parseBundle, type ParsedBundle } from './bundle.ts';
import { isCosignError } from './errors.ts';
import { fulcioClaims, githubWorkflowMismatches } from './fulcio-claims.ts';
import { compileIdentity, type CompiledIdentity, type IdentityPolicy } from './identity.ts';
import { describeSubjects, IN_TOTO_PAYLOAD_TYPE, parseStatement, statementHasDigest, type InTotoStatement } from './intoto.ts';
import { keysForHint, withSingleKey, type CosignTrust, type TrustedKey } from './trust.ts';
import { finishVerdict, type Verdict, type VerdictCheck, type VerdictSigner } from './verdict.ts';

export interface ArtifactDigest {
  /** in-toto DigestSet name: sha256, sha384, sha512. */
  readonly algorithm: string;
  readonly hex: string;
}

/** The signed artifact: its bytes, or only its digest (enough for DSSE, not for a message signature). */
export type ArtifactInput = Uint8Array | { readonly digest: ArtifactDigest };

export interface VerifyBundleOptions {
  readonly trust: CosignTrust;
  readonly artifact?: ArtifactInput;
  /** Required for keyless (certificate) bundles: both a subject and an issuer constraint. */
  readonly identity?: IdentityPolicy;
  /** Accept bundles without a transparency-log entry (cosign --insecure-ignore-tlog). Callers must warn. */
  readonly insecureIgnoreTlog?: boolean;
  /**
   * Do not check that the certificate carries a valid SCT (cosign --insecure-ignore-sct), for
   * certificates from a private CA without certificate transparency. Callers must warn.
   */
  readonly insecureIgnoreSct?: boolean;
  /** Reported as the verification time when the bundle holds no signed time; never replaces a signed time. */
  readonly now?: Date;
  /** Largest bundle parsed (default MAX_BUNDLE_BYTES); raise it for large attestations such as SBOMs. */
  readonly maxBundleBytes?: number;
}

/** Input accepted wherever a bundle is expected: raw bytes, JSON text, or a parsed JSON object. */
export type BundleInput = Uint8Array | string | object;

// sigstore_common.proto HashAlgorithm → node / in-toto digest names.
const MESSAGE_DIGEST_ALGORITHMS: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED]: 'sha256',
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

type Phase = 'timestamps' | 'certificate' | 'key' | 'tlog' | 'signature';

interface SignedTimes {
  readonly tlog: readonly Date[];
  readonly tsa: readonly Date[];
}

/** Signed times as the bundle claims them (for reasons only; the Verifier checks them). */
function claimedTimes(bundle: Bundle): SignedTimes {
  const tlog = bundle.verificationMaterial.tlogEntries
    .filter((e) => e.inclusionPromise !== undefined && e.integratedTime && e.integratedTime !== '0')
    .map((e) => new Date(Number(e.integratedTime) * 1000));
  const tsa: Date[] = [];
  for (const ts of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    try {
      tsa.push(RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime);
    } catch {
      // reported by the Verifier as a timestamp error
    }
  }
  return { tlog, tsa };
}

function leafCertificate(bundle: Bundle): X509Certificate | undefined {
  const c = bundle.verificationMaterial.content;
  try {
    if (c.$case === 'certificate') return X509Certificate.parse(Buffer.from(c.certificate.rawBytes));
    if (c.$case === 'x509CertificateChain' && c.x509CertificateChain.certificates[0]) {
      return X509Certificate.parse(Buffer.from(c.x509CertificateChain.certificates[0].rawBytes));
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Rekor v2 logs a DSSE envelope as hashedrekord 0.0.2 over Hash(PAE(payloadType, payload))
 * (rekor-v2 spec §6.1.4). @sigstore/verify 3.1.1 compares that digest with Hash(payload) and
 * rejects a valid entry. When every tlog entry is hashedrekord 0.0.2 we compare against the PAE
 * digest instead; signature comparison and verification stay @sigstore/verify's own.
 */
function adaptRekorV2Dsse(entity: SignedEntity, bundle: Bundle): SignedEntity {
  if (bundle.content.$case !== 'dsseEnvelope') return entity;
  const entries = bundle.verificationMaterial.tlogEntries;
  const allV2 = entries.length > 0 && entries.every((e) => e.kindVersion?.kind === 'hashedrekord' && e.kindVersion?.version === '0.0.2');
  if (!allV2) return entity;
  const env = bundle.content.dsseEnvelope;
  const pae = dsse.preAuthEncoding(env.payloadType, env.payload);
  const inner = entity.signature;
  const byLength: Record<number, string> = { 32: 'sha256', 48: 'sha384', 64: 'sha512' };
  const signature: SignedEntity['signature'] = {
    signature: inner.signature,
    compareSignature: (s) => inner.compareSignature(s),
    verifySignature: (k) => inner.verifySignature(k),
    compareDigest: (d) => {
      const alg = byLength[d.length];
      return alg !== undefined && sigCrypto.bufferEqual(d, sigCrypto.digest(alg, pae));
    },
  };
  return { ...entity, signature };
}

/**
 * Ed25519 signs the message itself, with no separate hash (RFC 8032); @sigstore/verify 3.1.1 passes
 * the bundle's hash algorithm to node's verify, which refuses Ed25519 keys. Use no digest for them.
 */
function adaptEd25519Message(entity: SignedEntity, bundle: Bundle, artifact: Buffer | undefined): SignedEntity {
  if (bundle.content.$case !== 'messageSignature' || artifact === undefined) return entity;
  const inner = entity.signature;
  const signature: SignedEntity['signature'] = {
    signature: inner.signature,
    compareSignature: (s) => inner.compareSignature(s),
    compareDigest: (d) => inner.compareDigest(d),
    verifySignature: (k) => (k.asymmetricKeyType === 'ed25519' ? nodeVerify(null, artifact, k, inner.signature) : inner.verifySignature(k)),
  };
  return { ...entity, signature };
}

/**
 * cosign --insecure-ignore-sct skips the SCT check altogether (sigstore-go checks SCTs only under
 * WithSignedCertificateTimestamps). @sigstore/verify 3.1.1 verifies every embedded SCT against the
 * trusted CT logs even with ctlogThreshold 0 (key/sct.js), so a leaf with an SCT from a log the root
 * does not list would still fail. That check works on `leaf.clone()` with the SCT extension removed;
 * hand it a clone that has none. The chain and signature are still verified over the real leaf.
 */
function withoutSctCheck(entity: SignedEntity): SignedEntity {
  if (entity.key.$case !== 'certificate') return entity;
  const leaf = entity.key.certificate;
  const cloneWithoutSct = (): X509Certificate => {
    const copy = leaf.clone();
    const extensions = copy.extensions;
    const i = extensions.findIndex((e) => e.subs[0]?.toOID() === EXTENSION_OID_SCT);
    if (i >= 0) extensions.splice(i, 1);
    return copy;
  };
  const view = Object.create(leaf, { clone: { value: cloneWithoutSct } }) as X509Certificate;
  return { ...entity, key: { $case: 'certificate', certificate: view } };
}

function nodeVerify(algorithm: null, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    return verify(algorithm, data, key, sig);
  } catch {
    return false;
  }
}

function phaseOf(code: string | undefined): Phase | undefined {
  if (code === 'TIMESTAMP_ERROR') return 'timestamps';
  if (code === 'CERTIFICATE_ERROR') return 'certificate';
  if (code === 'PUBLIC_KEY_ERROR') return 'key';
  if (code === 'SIGNATURE_ERROR') return 'signature';
  if (code?.startsWith('TLOG')) return 'tlog';
  return undefined;
}

function iso(d: Date): string {
  return d.toISOString();
}

function explain(phase: Phase | undefined, err: { code?: string; message: string }, bundle: Bundle, kind: string): string {
  const times = claimedTimes(bundle);
  const all = [...times.tlog, ...times.tsa];
  switch (phase) {
    case 'timestamps':
      return /expected \d+ timestamps, got 0/.test(err.message)
        ? 'no signed timestamp: the bundle has neither a Rekor integrated time with a signed entry timestamp nor an RFC 3161 timestamp'
        : `timestamp rejected: ${err.message} (the RFC 3161 timestamp does not verify against the trusted timestamp authorities)`;
    case 'certificate': {
      if (/SCT/.test(err.message)) {
        return `certificate SCT rejected: ${err.message} (no trusted CT log vouches for the certificate; one from a CA without certificate transparency verifies only with insecureIgnoreSct)`;
      }
      const leaf = leafCertificate(bundle);
      const outside = leaf ? all.filter((t) => !leaf.validForDate(t)) : [];
      if (leaf && outside[0]) {
        return `certificate expired or not yet valid at the signed time ${iso(outside[0])} (certificate valid ${iso(leaf.notBefore)} to ${iso(leaf.notAfter)})`;
      }
      return `untrusted root: the signing certificate does not chain to a certificate authority in the trusted root valid at ${all.map(iso).join(', ') || 'the signed time'}`;
    }
    case 'key':
      return `public key rejected: ${err.message}`;
    case 'tlog':
      if (err.code === 'TLOG_ERROR') {
        return `no transparency log entry: ${err.message} (a key-signed, unlogged signature needs insecureIgnoreTlog)`;
      }
      if (err.code === 'TLOG_BODY_ERROR') return `transparency log entry does not match the bundle: ${err.message}`;
      if (err.code === 'TLOG_INCLUSION_PROMISE_ERROR') return 'transparency log signed entry timestamp (SET) does not verify against the trusted logs';
      if (err.code === 'TLOG_INCLUSION_PROOF_ERROR') return `transparency log inclusion proof rejected: ${err.message}`;
      return `transparency log entry rejected: ${err.message}`;
    case 'signature':
      return kind === 'dsse'
        ? 'bad signature: the DSSE signature does not verify over the envelope with the signer key'
        : 'bad signature: the signature does not verify over the artifact with the signer key';
    default:
      return `verification failed: ${err.message}`;
  }
}

const PHASES_CERT: readonly Phase[] = ['timestamps', 'certificate', 'tlog', 'signature'];
const PHASES_KEY: readonly Phase[] = ['timestamps', 'key', 'tlog', 'signature'];

function successDetail(phase: Phase, bundle: Bundle, kind: string, opts: VerifyBundleOptions, keyId?: string): string {
  const times = claimedTimes(bundle);
  switch (phase) {
    case 'timestamps': {
      const parts = [...times.tlog.map((t) => `Rekor integrated time ${iso(t)}`), ...times.tsa.map((t) => `RFC 3161 time ${iso(t)}`)];
      return parts.length > 0
        ? `signed time: ${parts.join('; ')}`
        : `no signed time${opts.now ? `; verified at ${iso(opts.now)}` : ''}`;
    }
    case 'certificate': {
      const leaf = leafCertificate(bundle);
      const sct = opts.insecureIgnoreSct === true ? 'SCT not checked (insecureIgnoreSct)' : 'SCT verified';
      return `certificate chains to a trusted CA at the signed time, ${sct}${leaf ? ` (valid ${iso(leaf.notBefore)} to ${iso(leaf.notAfter)})` : ''}`;
    }
    case 'key':
      return `signed with the provided key ${keyId ?? ''}`.trim();
    case 'tlog': {
      const entries = bundle.verificationMaterial.tlogEntries;
      if (entries.length === 0) return 'no transparency log entry; accepted because insecureIgnoreTlog is set';
      return entries
        .map((e) => `log index ${e.logIndex} verified (${[e.inclusionProof ? 'inclusion proof' : '', e.inclusionPromise ? 'SET' : ''].filter(Boolean).join(' + ')})`)
        .join('; ');
    }
    case 'signature':
      return kind === 'dsse' ? 'DSSE signature verified' : 'signature verified over the artifact';
  }
}

function artifactCheck(parsed: ParsedBundle, artifact: ArtifactInput, statement: InTotoStatement | undefined): VerdictCheck {
  const { bundle } = parsed;
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    const algName = MESSAGE_DIGEST_ALGORITHMS[md.algorithm];
    const signedHex = Buffer.from(md.digest).toString('hex');
    if (algName === undefined) return { name: 'artifact', ok: false, detail: `unsupported message digest algorithm ${HashAlgorithm[md.algorithm] ?? md.algorithm}` };
    const actual =
      artifact instanceof Uint8Array
        ? createHash(algName).update(artifact).digest('hex')
        : artifact.digest.algorithm.toLowerCase() === algName
          ? artifact.digest.hex.toLowerCase()
          : undefined;
    if (actual === undefined) {
      return { name: 'artifact', ok: false, detail: `digest mismatch: artifact given as ${artifact instanceof Uint8Array ? '' : artifact.digest.algorithm} digest, bundle signs a ${algName} digest` };
    }
    return actual === signedHex
      ? { name: 'artifact', ok: true, detail: `artifact ${algName}:${actual} matches the signed digest` }
      : { name: 'artifact', ok: false, detail: `digest mismatch: artifact is ${algName}:${actual}, bundle signs ${algName}:${signedHex}` };
  }
  if (statement === undefined) {
    return { name: 'artifact', ok: false, detail: 'DSSE payload is not an in-toto statement, so it names no subject to match the artifact' };
  }
  const [alg, hex] =
    artifact instanceof Uint8Array ? ['sha256', createHash('sha256').update(artifact).digest('hex')] : [artifact.digest.algorithm.toLowerCase(), artifact.digest.hex.toLowerCase()];
  return statementHasDigest(statement, alg, hex)
    ? { name: 'artifact', ok: true, detail: `artifact ${alg}:${hex} is a subject of the statement` }
    : { name: 'artifact', ok: false, detail: `digest mismatch: artifact ${alg}:${hex} is not a subject of the statement (subjects: ${describeSubjects(statement)})` };
}

function spkiId(signer: Signer): string | undefined {
  try {
    return createHash('sha256').update(signer.key.export({ format: 'der', type: 'spki' })).digest('hex');
  } catch {
    return undefined;
  }
}

interface CryptoResult {
  readonly checks: VerdictCheck[];
  readonly signer?: Signer;
  readonly keyId?: string;
}

function runVerifier(
  parsed: ParsedBundle,
  entity: SignedEntity,
  material: TrustMaterial,
  opts: VerifyBundleOptions,
  keyMode: boolean,
  keyId?: string,
): CryptoResult {
  const { bundle, kind } = parsed;
  const ignoreTlog = opts.insecureIgnoreTlog === true;
  const verifier = new Verifier(material, {
    tlogThreshold: ignoreTlog ? 0 : 1,
    ctlogThreshold: opts.insecureIgnoreSct === true ? 0 : 1,
    // A certificate is only trustworthy at a signed time; a bare key needs one only when a log is required.
    timestampThreshold: keyMode && ignoreTlog ? 0 : 1,
  });
  const phases = keyMode ? PHASES_KEY : PHASES_CERT;
  try {
    const signer = verifier.verify(entity);
    return { checks: phases.map((p) => ({ name: p, ok: true, detail: successDetail(p, bundle, kind, opts, keyId) })), signer, keyId };
  } catch (e) {
    const err = e as { code?: string; message: string };
    const phase = phaseOf(err.code);
    const failedAt = phase === undefined ? -1 : phases.indexOf(phase);
    const passed = failedAt < 0 ? [] : phases.slice(0, failedAt);
    return {
      checks: [
        ...passed.map((p) => ({ name: p, ok: true, detail: successDetail(p, bundle, kind, opts, keyId) })),
        { name: phase ?? 'signature', ok: false, detail: explain(phase, err, bundle, kind) },
      ],
    };
  }
}

function timestampSource(bundle: Bundle): 'tlog' | 'tsa' | 'none' {
  const t = claimedTimes(bundle);
  if (t.tsa.length > 0) return 'tsa';
  if (t.tlog.length > 0) return 'tlog';
  return 'none';
}

function firstTlog(entries: readonly TransparencyLogEntry[]): Verdict['tlog'] {
  const e = entries[0];
  if (e === undefined) return undefined;
  const t = Number(e.integratedTime);
  return { logIndex: Number(e.logIndex), ...(t > 0 ? { integratedTime: t } : {}) };
}

const explained = (why: string | undefined): string => (why === undefined ? '' : ` (${why})`);

/** Best-effort kind for a bundle that did not parse (the verdict still fails). */
export function guessKind(input: BundleInput): Verdict['kind'] {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return 'dsseEnvelope' in input ? 'dsse' : 'message-signature';
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, Math.min(input.byteLength, 1 << 20)).toString('latin1');
  return text.includes('"dsseEnvelope"') ? 'dsse' : 'message-signature';
}

/**
 * Verifies one Sigstore bundle against trust material: signature, certificate chain and SCT or
 * provided key, transparency log (inclusion proof / SET), RFC 3161 timestamps, artifact binding
 * and signer identity. Pure: the verification time is the bundle's own signed time.
 * Never throws for hostile bundle content (the verdict says why); throws CosignError only for
 * invalid options such as a malformed identity regexp.
 */
export function verifyBundle(input: BundleInput, opts: VerifyBundleOptions): Verdict {
  // Compile first: a malformed regexp is a caller error even when the bundle is malformed too.
  if (opts.identity) compileIdentity(opts.identity);
  let parsed: ParsedBundle;
  try {
    parsed = parseBundle(input, opts.maxBundleBytes !== undefined ? { maxBytes: opts.maxBundleBytes } : {});
  } catch (e) {
    if (!isCosignError(e)) throw e;
    return finishVerdict({ kind: guessKind(input), checks: [{ name: 'bundle', ok: false, detail: e.message }] });
  }
  return verifyParsedBundle(parsed, opts);
}

/** verifyBundle for a bundle already parsed with parseBundle. */
export function verifyParsedBundle(parsed: ParsedBundle, opts: VerifyBundleOptions): Verdict {
  const identity: CompiledIdentity | undefined = opts.identity ? compileIdentity(opts.identity) : undefined;
  const { bundle, kind, version } = parsed;
  const checks: VerdictCheck[] = [{ name: 'bundle', ok: true, detail: `bundle v${version}, ${kind}` }];

  let statement: InTotoStatement | undefined;
  if (bundle.content.$case === 'dsseEnvelope' && bundle.content.dsseEnvelope.payloadType === IN_TOTO_PAYLOAD_TYPE) {
    try {
      statement = parseStatement(bundle.content.dsseEnvelope.payload);
      checks.push({ name: 'statement', ok: true, detail: `in-toto ${statement.type}, predicate ${statement.predicateType}` });
    } catch (e) {
      if (!isCosignError(e)) throw e;
      checks.push({ name: 'statement', ok: false, detail: e.message });
    }
  }
  if (opts.artifact !== undefined) checks.push(artifactCheck(parsed, opts.artifact, statement));

  const keyMode = bundle.verificationMaterial.content.$case === 'publicKey';
  const artifactBytes = opts.artifact instanceof Uint8Array ? Buffer.from(opts.artifact) : undefined;
  let crypto: CryptoResult | undefined;
  if (kind === 'message-signature' && artifactBytes === undefined) {
    checks.push({ name: 'signature', ok: false, detail: 'a message signature can only be checked against the artifact bytes, and none were given' });
  } else if (keyMode && opts.trust.keys.length === 0) {
    const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
    checks.push({ name: 'key', ok: false, detail: `bundle is signed with a key${hint ? ` (hint ${hint})` : ''} but no public key was provided` });
  } else if (!keyMode && !opts.trust.hasTrustedRoot) {
    checks.push({ name: 'certificate', ok: false, detail: 'bundle is signed with a certificate but no trusted root was provided' });
  } else if (!keyMode && (identity === undefined || !identity.hasSubject || !identity.hasIssuer)) {
    checks.push({ name: 'identity', ok: false, detail: 'keyless bundle: an identity policy with both a subject and an issuer is required' });
  } else {
    let entity: SignedEntity | undefined;
    try {
      entity = adaptEd25519Message(adaptRekorV2Dsse(toSignedEntity(bundle, artifactBytes), bundle), bundle, artifactBytes);
    } catch (e) {
      checks.push({ name: 'bundle', ok: false, detail: `bundle content does not decode: ${(e as Error).message}` });
    }
    if (entity !== undefined) {
      if (keyMode) {
        const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
        const candidates: readonly TrustedKey[] = keysForHint(opts.trust.keys, hint);
        for (const key of candidates) {
          crypto = runVerifier(parsed, entity, withSingleKey(opts.trust, key), opts, true, key.keyId);
          if (crypto.signer) break;
        }
      } else {
        crypto = runVerifier(parsed, opts.insecureIgnoreSct === true ? withoutSctCheck(entity) : entity, opts.trust.material, opts, false);
      }
      checks.push(...(crypto?.checks ?? []));
    }
  }

  let signer: VerdictSigner | undefined;
  if (crypto?.signer) {
    const san = crypto.signer.identity?.subjectAlternativeName;
    const iss = crypto.signer.identity?.extensions?.issuer;
    const keyId = crypto.keyId ?? spkiId(crypto.signer);
    // The leaf the verifier just accepted (chain, SCT, log): its Fulcio claims are CA-vouched facts.
    const leaf = keyMode ? undefined : leafCertificate(bundle);
    const claims = leaf ? fulcioClaims(leaf) : undefined;
    signer = { ...(san === undefined ? {} : { identity: san }), ...(iss === undefined ? {} : { issuer: iss }), ...(keyId === undefined ? {} : { keyId }), ...(claims && Object.keys(claims).length > 0 ? { claims } : {}) };
    if (!keyMode && identity) {
      checks.push(
        identity.matches(san, iss)
          ? { name: 'identity', ok: true, detail: `identity ${san ?? '<none>'}, issuer ${iss ?? '<none>'}` }
          : { name: 'identity', ok: false, detail: `identity found: ${san ?? '<none>'}, issuer: ${iss ?? '<none>'} — expected: ${identity.describe}${explained(identity.explainMismatch(san, iss))}` },
      );
      const workflow = opts.identity?.githubWorkflow;
      if (workflow && Object.values(workflow).some((v) => v !== undefined)) {
        const bad = githubWorkflowMismatches(workflow, claims ?? {});
        checks.push(
          bad.length === 0
            ? { name: 'identity', ok: true, detail: `GitHub workflow claims match (${Object.keys(workflow).join(', ')})` }
            : { name: 'identity', ok: false, detail: `certificate GitHub workflow claims differ: ${bad.join('; ')}` },
        );
      }
    }
  }

  const tlog = firstTlog(bundle.verificationMaterial.tlogEntries);
  return finishVerdict({
    kind,
    checks,
    ...(signer ? { signer } : {}),
    ...(tlog ? { tlog } : {}),
    timestampSource: timestampSource(bundle),
    // Subject annotations stay out of the verdict: the cosign gate reads them when asked (cosign.ts).
    ...(statement ? { statement: { predicateType: statement.predicateType, subjects: statement.subjects.map(({ annotations: _a, ...s }) => s) } } : {}),
  });
}
