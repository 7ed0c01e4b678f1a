// The cosign family under a policy: finds cosign signatures (and the attestations the rule asks
// for) once per subject and verifies every candidate against each key signer, and keyless
// candidates against the trusted root, reporting raw facts (which key, which certificate identity
// and issuer) for decide() to match. Loaded by the engine only when the rule names a cosign signer.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BUNDLE_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  findCosign,
  loadPublicGoodRoot,
  loadTrustedRoot,
  verifyCandidates,
  verifyCosignAttestation,
  verifyCosignSignature,
  ATTESTATION_FIND_LIMITS,
  type CosignTrust,
  type IdentityPolicy,
  type Verdict,
} from '@ocx/cosign';
import type { AttestationEvidence, RejectedCandidate, SignatureCandidate } from '../../evidence.ts';
import type { KeySigner, KeylessSigner } from '../../types.ts';
import type { CandidateReport, FamilyReport, FamilyRequest, PreparedFamily, VerifierFamily, VerifyTarget } from '../types.ts';
import { slsaFacts } from './slsa.ts';

type TrustedRoot = ReturnType<typeof loadTrustedRoot>;

const ANY_IDENTITY: IdentityPolicy = { subjectRegExp: '.*', issuerRegExp: '.*' };

interface Checker {
  /** The policy signer this trust stands for (key signers), or undefined for keyless. */
  readonly signer?: KeySigner;
  readonly trust: () => Promise<CosignTrust>;
  readonly insecureIgnoreTlog: boolean;
  /** Keyless: any certificate identity and issuer verify here; decide() matches them to the signers. */
  readonly identity?: IdentityPolicy;
}

async function prepare(request: FamilyRequest): Promise<PreparedFamily> {
  const { policy, now } = request;
  const keySigners = request.signers.filter((s): s is KeySigner => s.kind === 'key');
  const keyless = request.signers.filter((s): s is KeylessSigner => s.kind === 'keyless');
  // TUF only when a keyless signer is evaluated without trust.sigstore.trustedRoot, or a key
  // signer requires a log entry (its Rekor key comes from a root); never for tlog: optional keys.
  let root: Promise<TrustedRoot> | undefined;
  const trustedRoot = (): Promise<TrustedRoot> =>
    (root ??= policy.trust.sigstore
      ? readFile(policy.trust.sigstore.trustedRoot, 'utf8').then((t) => loadTrustedRoot(t))
      : loadPublicGoodRoot({ cachePath: request.cacheDir ? join(request.cacheDir, 'sigstore-tuf') : join(process.cwd(), '.ocx-sigstore-tuf'), ...(request.fetch ? { fetch: request.fetch } : {}), ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}) }));
  const checkers: Checker[] = [];
  for (const s of keySigners) {
    const pem = await readFile(s.key, 'utf8');
    const optional = s.tlog === 'optional';
    // tlog: optional = --insecure-ignore-tlog; decide() warns when a signature is accepted that way.
    let trust: Promise<CosignTrust> | undefined;
    checkers.push({
      signer: s,
      insecureIgnoreTlog: optional,
      trust: () => (trust ??= optional && !policy.trust.sigstore ? Promise.resolve(createTrust({ keys: [pem] })) : trustedRoot().then((r) => createTrust({ keys: [pem], trustedRoot: r }))),
    });
  }
  if (keyless.length > 0) {
    let trust: Promise<CosignTrust> | undefined;
    checkers.push({ insecureIgnoreTlog: false, identity: ANY_IDENTITY, trust: () => (trust ??= trustedRoot().then((r) => createTrust({ trustedRoot: r }))) });
  }
  return { verify: (target, signal) => verifyTarget(target, checkers, request.attestationTypes, now, signal) };
}

function facts(v: Verdict, checker: Checker, subjectDigest: string, source: string): SignatureCandidate | undefined {
  if (checker.signer) return { family: 'cosign', kind: 'key', key: checker.signer.key, tlog: v.tlog !== undefined, subjectDigest, source, ...(v.statement ? { predicateType: v.statement.predicateType } : {}) };
  if (v.signer?.identity === undefined || v.signer.issuer === undefined) return undefined;
  return { family: 'cosign', kind: 'keyless', identity: v.signer.identity, issuer: v.signer.issuer, subjectDigest, source, ...(v.statement ? { predicateType: v.statement.predicateType } : {}) };
}

async function verifyTarget(target: VerifyTarget, checkers: readonly Checker[], attestationTypes: readonly string[], now: Date, signal: AbortSignal | undefined): Promise<FamilyReport> {
  const call = signal ? { signal } : {};
  const signatures: SignatureCandidate[] = [];
  const attestations: AttestationEvidence[] = [];
  const rejected: RejectedCandidate[] = [];
  const candidates: CandidateReport[] = [];
  const digest = target.subject.digest;
  const found = await findCosign(target.repo, target.subject, { mode: 'signature', ...call });
  const wantsBytes = found.candidates.some((c) => c.format === 'cosign-bundle' && c.manifest.annotations?.[BUNDLE_ANNOTATIONS.content] === 'message-signature');
  const subjectBytes = wantsBytes ? await target.repo.fetch(target.subject, call) : undefined;
  const base = { subjectDigest: digest, now, ...(subjectBytes ? { subjectBytes } : {}) };
  // Every candidate is verified (threshold counts distinct signers: no early stop).
  const outcomes = await verifyCandidates(target.repo, digest, found.candidates, {
    ...call,
    accept: () => false,
    verify: async (l) => Promise.all(checkers.map(async (c) => ({ c, v: verifyCosignSignature(l.evidence, { ...base, trust: await c.trust(), insecureIgnoreTlog: c.insecureIgnoreTlog, insecureIgnoreSct: false, ...(c.identity ? { identity: c.identity } : {}) }) }))),
  });
  for (const o of outcomes) {
    const source = o.loaded?.referrer ?? o.candidate.manifest.digest;
    const results = o.result ?? [];
    const ok = results.filter((r) => r.v.ok);
    for (const r of ok) {
      // cosign v3 sign wraps the signature in a statement: any other predicate is an attestation.
      const pt = r.v.statement?.predicateType;
      if (pt !== undefined && pt !== COSIGN_SIGN_PREDICATE_TYPE) continue;
      const f = facts(r.v, r.c, digest, source);
      if (f) signatures.push(f);
    }
    if (ok.length === 0) rejected.push({ family: 'cosign', source, reason: o.error ? `not loaded: ${o.error.message}` : [...new Set(results.flatMap((r) => r.v.reasons))].join('; ') || 'did not verify' });
    candidates.push({ format: o.candidate.format, referrer: source, kind: 'signature', ok: ok.length > 0, reasons: ok.length > 0 ? [] : [rejected.at(-1)!.reason], ...(ok[0]?.v.signer?.identity ? { identity: ok[0].v.signer.identity } : {}), ...(ok[0]?.v.signer?.issuer ? { issuer: ok[0].v.signer.issuer } : {}), ...(ok[0]?.v.signer?.keyId ? { keyId: ok[0].v.signer.keyId } : {}), checks: [] });
  }
  for (const predicateType of attestationTypes) {
    const atts = await findCosign(target.repo, target.subject, { mode: 'attestation', predicateType, ...call });
    const outs = await verifyCandidates(target.repo, digest, atts.candidates, {
      ...call,
      limits: ATTESTATION_FIND_LIMITS,
      accept: () => false,
      verify: async (l) => Promise.all(checkers.map(async (c) => ({ c, l, v: verifyCosignAttestation(l.evidence, { ...base, predicateType, trust: await c.trust(), insecureIgnoreTlog: c.insecureIgnoreTlog, insecureIgnoreSct: false, ...(c.identity ? { identity: c.identity } : {}) }) }))),
    });
    for (const o of outs) {
      const source = o.loaded?.referrer ?? o.candidate.manifest.digest;
      const ok = (o.result ?? []).filter((r) => r.v.ok);
      for (const r of ok) {
        const signer = facts(r.v, r.c, digest, source);
        if (!signer || !r.v.statement) continue;
        attestations.push({ source, predicateType: r.v.statement.predicateType, subjectDigests: statementDigests(r.v.statement.subjects), signer, ...slsaFacts(r.l.evidence) });
      }
      if (ok.length === 0) rejected.push({ family: 'cosign', source, reason: `attestation ${predicateType}: ${o.error ? `not loaded: ${o.error.message}` : [...new Set((o.result ?? []).flatMap((r) => r.v.reasons))].join('; ') || 'did not verify'}` });
      candidates.push({ format: o.candidate.format, referrer: source, kind: 'attestation', ok: ok.length > 0, reasons: ok.length > 0 ? [] : [rejected.at(-1)!.reason], predicateType, checks: [] });
    }
  }
  return { family: 'cosign', candidates, evidence: { signatures, attestations, rejected } };
}

function statementDigests(subjects: readonly { readonly digest?: Readonly<Record<string, string>> }[]): string[] {
  return subjects.flatMap((s) => Object.entries(s.digest ?? {}).map(([alg, hex]) => `${alg}:${hex}`));
}

/** cosign signatures and attestations under a policy. */
export const cosignPolicyFamily: VerifierFamily = { name: 'cosign', prepare };
