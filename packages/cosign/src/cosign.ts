import { createHash } from 'node:crypto';
import { z } from 'zod';
import { annotationsCheck, assertRequiredAnnotations, hasRequiredAnnotations, noAnnotationsCheck, type RequiredAnnotations } from './annotations.ts';
import { parseBundle, type ParsedBundle } from './bundle.ts';
import { CosignError, isCosignError } from './errors.ts';
import { compileIdentity } from './identity.ts';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement } from './intoto.ts';
import { extendVerdict, finishVerdict, type Verdict, type VerdictCheck } from './verdict.ts';
import { guessKind, verifyParsedBundle, type BundleInput, type VerifyBundleOptions } from './verify.ts';

/** predicateType of the statement `cosign sign` (v3) signs (cosign pkg/types/predicate.go). */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/**
 * `cosign verify-attestation --type` aliases (cosign cmd/cosign/cli/options/predicate.go
 * PredicateTypeMap; URIs from pkg/cosign/attestation and in-toto-golang).
 */
export const COSIGN_PREDICATE_TYPES = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
} as const satisfies Record<string, string>;

export type CosignPredicateAlias = keyof typeof COSIGN_PREDICATE_TYPES;

/** Maps a cosign `--type` alias to its URI; any other value must itself be an absolute URI. */
export function resolvePredicateType(typeOrAlias: string): string {
  const alias = (COSIGN_PREDICATE_TYPES as Record<string, string>)[typeOrAlias];
  if (alias !== undefined) return alias;
  if (!URL.canParse(typeOrAlias) || !/^[a-z][a-z0-9+.-]*:/i.test(typeOrAlias)) {
    throw new CosignError('INVALID_OPTIONS', `invalid predicate type ${JSON.stringify(typeOrAlias)}: not a cosign alias nor a URI`);
  }
  return typeOrAlias;
}

/** A signature or attestation in the Sigstore bundle model: a v3 referrer bundle, or legacyToBundle output. */
export interface CosignEvidence {
  readonly bundle: BundleInput;
  /** The bytes a message signature signs: the simple-signing payload of a legacy `.sig` layer. */
  readonly payload?: Uint8Array;
}

export interface CosignVerifyOptions extends Omit<VerifyBundleOptions, 'artifact'> {
  /** The digest ocx resolved itself, `sha256:<hex>`. Every verdict is bound to it. */
  readonly subjectDigest: string;
  /** The subject manifest bytes, for message signatures made directly over the manifest. */
  readonly subjectBytes?: Uint8Array;
  /**
   * cosign verify -a: pairs that must be among the signature's signed annotations (see
   * RequiredAnnotations). A signature that lacks one, or signs another value, fails its
   * `annotations` check.
   */
  readonly annotations?: RequiredAnnotations;
}

/**
 * Attestations take no annotation requirement: `cosign verify-attestation` has no -a flag (cosign
 * cmd/cosign/cli/options/verify.go: only VerifyOptions embeds AnnotationOptions).
 */
export interface CosignAttestationOptions extends Omit<CosignVerifyOptions, 'annotations'> {
  /** A cosign alias (custom, slsaprovenance, spdxjson, …) or a predicate URI. */
  readonly predicateType: string;
}

// cosign specs/SIGNATURE_SPEC.md "Simple Signing"; sigstore/sigstore pkg/signature/payload.
const simpleSigningSchema = z.looseObject({
  critical: z.looseObject({
    identity: z.looseObject({ 'docker-reference': z.string().max(4096).optional() }).optional(),
    image: z.looseObject({ 'docker-manifest-digest': z.string().max(256) }),
    type: z.string().max(256),
  }),
  optional: z.record(z.string(), z.unknown()).nullish(),
});

const DIGEST = /^(sha256):([0-9a-f]{64})$|^(sha384):([0-9a-f]{96})$|^(sha512):([0-9a-f]{128})$/;

function parseSubjectDigest(digest: string): { algorithm: string; hex: string } {
  const m = DIGEST.exec(digest);
  if (!m) throw new CosignError('INVALID_OPTIONS', `subjectDigest must be <algorithm>:<lower-case hex>, got ${JSON.stringify(digest)}`);
  const algorithm = (m[1] ?? m[3] ?? m[5])!;
  return { algorithm, hex: (m[2] ?? m[4] ?? m[6])! };
}

function isEvidence(x: CosignEvidence | BundleInput): x is CosignEvidence {
  return typeof x === 'object' && !(x instanceof Uint8Array) && 'bundle' in x;
}

type Prepared = { parsed: ParsedBundle; payload?: Uint8Array } | { verdict: Verdict };

function prepare(evidence: CosignEvidence | BundleInput, opts: CosignVerifyOptions): Prepared {
  const ev: CosignEvidence = isEvidence(evidence) ? evidence : { bundle: evidence };
  try {
    return { parsed: parseBundle(ev.bundle, opts.maxBundleBytes !== undefined ? { maxBytes: opts.maxBundleBytes } : {}), ...(ev.payload ? { payload: ev.payload } : {}) };
  } catch (e) {
    if (!isCosignError(e)) throw e;
    return { verdict: finishVerdict({ kind: guessKind(ev.bundle), checks: [{ name: 'bundle', ok: false, detail: e.message }] }) };
  }
}

/** In the cosign gates the artifact is the subject image: name the check accordingly. */
function asSubject(verdict: Verdict): Verdict {
  const { ok: _ok, reasons: _r, ...rest } = verdict;
  return finishVerdict({
    ...rest,
    checks: verdict.checks.map((c) => (c.name === 'artifact' ? { name: 'subject', ok: c.ok, detail: c.detail.replace(/\bartifact\b/g, 'subject') } : c)),
  });
}

function bundleOptions(opts: CosignVerifyOptions): Omit<VerifyBundleOptions, 'artifact'> {
  const { subjectDigest: _d, subjectBytes: _b, annotations: _a, ...rest } = opts;
  return rest;
}

function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function verifyMessageSignature(parsed: ParsedBundle, payload: Uint8Array | undefined, opts: CosignVerifyOptions): Verdict {
  const base = bundleOptions(opts);
  if (payload !== undefined) {
    const verdict = verifyParsedBundle(parsed, { ...base, artifact: payload });
    let claim: VerdictCheck;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      json = undefined;
    }
    const ss = simpleSigningSchema.safeParse(json);
    let annotations: VerdictCheck | undefined;
    if (ss.success) {
      const found = ss.data.critical.image['docker-manifest-digest'];
      claim =
        found === opts.subjectDigest
          ? { name: 'subject', ok: true, detail: `simple-signing payload names ${found}` }
          : { name: 'subject', ok: false, detail: `simple-signing payload names ${found}, expected ${opts.subjectDigest}` };
      // cosign pkg/cosign/verifiers.go SimpleClaimVerifier: the payload's `optional` map.
      if (hasRequiredAnnotations(opts.annotations)) annotations = annotationsCheck(opts.annotations, ss.data.optional, 'the simple-signing payload');
    } else {
      // Not simple signing: the signature must then be over the subject manifest bytes themselves.
      const d = sha256Digest(payload);
      claim =
        d === opts.subjectDigest
          ? { name: 'subject', ok: true, detail: `message signature over the subject manifest ${d}` }
          : { name: 'subject', ok: false, detail: `signed payload is neither a simple-signing claim nor the subject manifest (payload ${d}, expected ${opts.subjectDigest})` };
      if (hasRequiredAnnotations(opts.annotations)) annotations = noAnnotationsCheck(opts.annotations, 'a signature over the manifest bytes carries no annotations');
    }
    return extendVerdict(verdict, annotations ? [claim, annotations] : [claim]);
  }
  const noAnnotations = hasRequiredAnnotations(opts.annotations) ? [noAnnotationsCheck(opts.annotations, 'a signature over the manifest bytes carries no annotations')] : [];
  if (opts.subjectBytes !== undefined) {
    const d = sha256Digest(opts.subjectBytes);
    if (d !== opts.subjectDigest) throw new CosignError('INVALID_OPTIONS', `subjectBytes hash to ${d}, not subjectDigest ${opts.subjectDigest}`);
    return extendVerdict(asSubject(verifyParsedBundle(parsed, { ...base, artifact: opts.subjectBytes })), noAnnotations);
  }
  return extendVerdict(verifyParsedBundle(parsed, base), noAnnotations);
}

/**
 * The annotations of the first subject naming the subject digest, as cosign's
 * IntotoSubjectClaimVerifier (pkg/cosign/verifiers.go) reads them; `cosign sign -a` (v3) writes them
 * there (cmd/cosign/cli/sign/sign.go signDigestBundle). Only called once the statement parsed.
 */
function statementAnnotationsCheck(parsed: ParsedBundle, wanted: RequiredAnnotations, digest: { algorithm: string; hex: string }): VerdictCheck {
  const env = parsed.bundle.content.$case === 'dsseEnvelope' ? parsed.bundle.content.dsseEnvelope : undefined;
  let subject;
  try {
    subject = env && parseStatement(env.payload).subjects.find((s) => s.digest[digest.algorithm]?.toLowerCase() === digest.hex);
  } catch {
    subject = undefined;
  }
  if (subject === undefined) return noAnnotationsCheck(wanted, 'no statement subject names the subject digest');
  return annotationsCheck(wanted, subject.annotations, 'the signed statement subject');
}

/**
 * Accepts only evidence that signs the subject: (a) a message signature over a simple-signing claim
 * naming subjectDigest, or over the subject manifest bytes; (b) a DSSE in-toto statement with the
 * cosign sign predicate whose sha256 subject is subjectDigest. Any other DSSE statement is an
 * attestation and never counts as a signature (stricter than cosign v3's IntotoSubjectClaimVerifier).
 */
export function verifyCosignSignature(evidence: CosignEvidence | BundleInput, opts: CosignVerifyOptions): Verdict {
  const digest = parseSubjectDigest(opts.subjectDigest);
  if (opts.identity) compileIdentity(opts.identity); // fail fast on a malformed regexp
  if (opts.annotations) assertRequiredAnnotations(opts.annotations);
  const prep = prepare(evidence, opts);
  if ('verdict' in prep) return prep.verdict;
  const { parsed } = prep;
  if (parsed.kind === 'message-signature') return verifyMessageSignature(parsed, prep.payload, opts);

  const verdict = asSubject(verifyParsedBundle(parsed, { ...bundleOptions(opts), artifact: { digest } }));
  const env = parsed.bundle.content.$case === 'dsseEnvelope' ? parsed.bundle.content.dsseEnvelope : undefined;
  let gate: VerdictCheck;
  if (env?.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    gate = { name: 'predicate', ok: false, detail: `DSSE payload type ${env?.payloadType ?? '?'} is not an in-toto statement, so not a cosign signature` };
  } else if (verdict.statement === undefined) {
    gate = { name: 'predicate', ok: false, detail: 'DSSE payload is not a valid in-toto statement, so not a cosign signature' };
  } else if (verdict.statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
    gate = { name: 'predicate', ok: false, detail: `attestation ${verdict.statement.predicateType} is not a signature` };
  } else {
    gate = { name: 'predicate', ok: true, detail: `cosign sign statement (${COSIGN_SIGN_PREDICATE_TYPE})` };
  }
  const extra = gate.ok && hasRequiredAnnotations(opts.annotations) ? [statementAnnotationsCheck(parsed, opts.annotations, digest)] : [];
  return extendVerdict(verdict, [gate, ...extra]);
}

/** Accepts a DSSE in-toto statement about subjectDigest whose predicateType is the one asked for. */
export function verifyCosignAttestation(evidence: CosignEvidence | BundleInput, opts: CosignAttestationOptions): Verdict {
  const digest = parseSubjectDigest(opts.subjectDigest);
  const wanted = resolvePredicateType(opts.predicateType);
  if (hasRequiredAnnotations((opts as { annotations?: RequiredAnnotations }).annotations)) {
    throw new CosignError('INVALID_OPTIONS', 'annotations apply to signatures (cosign verify -a); cosign verify-attestation checks none');
  }
  if (opts.identity) compileIdentity(opts.identity); // fail fast on a malformed regexp
  const prep = prepare(evidence, opts);
  if ('verdict' in prep) return prep.verdict;
  const { parsed } = prep;
  if (parsed.kind !== 'dsse') {
    return finishVerdict({
      kind: parsed.kind,
      checks: [{ name: 'predicate', ok: false, detail: 'a message signature is not an attestation: it carries no in-toto statement' }],
    });
  }
  const { predicateType: _p, ...rest } = opts;
  const verdict = asSubject(verifyParsedBundle(parsed, { ...bundleOptions(rest), artifact: { digest } }));
  const found = verdict.statement?.predicateType;
  const gate: VerdictCheck =
    found === undefined
      ? { name: 'predicate', ok: false, detail: 'DSSE payload is not an in-toto statement' }
      : found === wanted
        ? { name: 'predicate', ok: true, detail: `predicate type ${found}` }
        : { name: 'predicate', ok: false, detail: `predicate type ${found} does not match the requested ${wanted}` };
  return extendVerdict(verdict, [gate]);
}
