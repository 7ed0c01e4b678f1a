// The cosign family of `ocx verify`: finds cosign evidence for one subject (bundle referrers, cosign
// v2 OCI 1.1 referrers, legacy `.sig`/`.att` tags), loads the candidates that can satisfy the request
// and verifies them with @ocx/cosign's pure verifier, bound to the digest ocx resolved itself.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ATTESTATION_FIND_LIMITS,
  BUNDLE_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE_TYPE,
  createTrust,
  findCosign,
  isCosignError,
  loadPublicGoodRoot,
  loadTrustedRoot,
  resolvePredicateType,
  verifyCandidates,
  verifyCosignAttestation,
  verifyCosignSignature,
  type CandidateOutcome,
  type CosignTrust,
  type FindLimits,
  type IdentityPolicy,
  type PublicGoodOptions,
  type RequiredAnnotations,
  type SkippedCandidate,
  type Verdict,
} from '@ocx/cosign';
import { parseAnnotationFlags } from '../commands/verify-options.ts';
import { ocxHome, type Context } from '../context.ts';
import { CommandFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { cosignApplies } from './applies.ts';
import type { CandidateReport, FamilyReport, PreparedFamily, VerifierFamily, VerifyFlags, VerifyTarget } from './types.ts';

type TrustedRoot = ReturnType<typeof loadTrustedRoot>;

/** Seam for tests: where the public-good root comes from (never the network in tests). */
export interface CosignFamilyDeps {
  readonly loadPublicGoodRoot?: (opts: PublicGoodOptions) => Promise<TrustedRoot>;
  /**
   * Caps on what one verification fetches and parses. Default: @ocx/cosign's DEFAULT_FIND_LIMITS in
   * signature mode, ATTESTATION_FIND_LIMITS in attestation mode (SBOM predicates run to MiBs).
   */
  readonly limits?: { readonly signature?: Partial<FindLimits>; readonly attestation?: Partial<FindLimits> };
}

const TUF_MIRROR_DIR = 'tuf-repo-cdn.sigstore.dev';

/** Where the public-good TUF cache lives under the ocx home. */
export function tufCachePath(ctx: Context): string {
  return join(ocxHome(ctx.io.env), 'sigstore-tuf');
}

function configError(message: string): CommandFailure {
  return new CommandFailure(ExitCode.CONFIG, 'config', message, false);
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function identityPolicy(flags: VerifyFlags): IdentityPolicy | undefined {
  const p: IdentityPolicy = {
    ...(flags['certificate-identity'] !== undefined ? { subject: flags['certificate-identity'] } : {}),
    ...(flags['certificate-identity-regexp'] !== undefined ? { subjectRegExp: flags['certificate-identity-regexp'] } : {}),
    ...(flags['certificate-oidc-issuer'] !== undefined ? { issuer: flags['certificate-oidc-issuer'] } : {}),
    ...(flags['certificate-oidc-issuer-regexp'] !== undefined ? { issuerRegExp: flags['certificate-oidc-issuer-regexp'] } : {}),
  };
  return Object.keys(p).length > 0 ? p : undefined;
}

/**
 * Trust roots, in order: --trusted-root; with --offline, the root a previous online run cached (a
 * file read, no socket); otherwise the public-good root through TUF, but only when something needs
 * it (keyless, or a key whose signatures must be in a transparency log).
 */
async function trustedRoot(flags: VerifyFlags, ctx: Context, deps: CosignFamilyDeps, keyless: boolean): Promise<TrustedRoot | undefined> {
  if (flags['trusted-root']) {
    try {
      return loadTrustedRoot(await readText(flags['trusted-root'], 'trusted root'));
    } catch (e) {
      if (isCosignError(e)) throw configError(`--trusted-root ${flags['trusted-root']}: ${e.message}`);
      throw e;
    }
  }
  const needsRoot = keyless || !flags['insecure-ignore-tlog'];
  if (!needsRoot) return undefined;
  if (flags.offline) {
    const cached = join(tufCachePath(ctx), TUF_MIRROR_DIR, 'targets', 'trusted_root.json');
    if (existsSync(cached)) return loadTrustedRoot(await readText(cached, 'cached trusted root'));
    if (keyless) throw configError('--offline keyless verification needs --trusted-root FILE (no public-good root is cached under the ocx home)');
    return undefined;
  }
  try {
    return await (deps.loadPublicGoodRoot ?? loadPublicGoodRoot)({ cachePath: tufCachePath(ctx), fetch: ctx.httpFetch, timeoutMs: ctx.timeouts.exchangeMs });
  } catch (e) {
    throw new CommandFailure(ExitCode.TEMPFAIL, 'trust_root_unavailable', `${(e as Error).message} (pass --trusted-root FILE or --offline to verify without it)`, false);
  }
}

/** A key-signed, unlogged signature fails on "no signed timestamp"; say which flag accepts it. */
function explainUnlogged(v: Verdict, s: Settings): Verdict {
  if (v.ok || s.insecureIgnoreTlog || v.tlog !== undefined || v.timestampSource !== 'none' || s.trust.keys.length === 0) return v;
  const hint = 'no transparency log entry: a key-signed signature without one verifies only with --insecure-ignore-tlog';
  const checks = v.checks.map((k) => (k.name === 'timestamps' && !k.ok ? { ...k, detail: `${k.detail}; ${hint}` } : k));
  return { ...v, checks, reasons: checks.filter((k) => !k.ok).map((k) => k.detail) };
}

function toReport(o: CandidateOutcome<Verdict>, attestationMode: boolean, s: Settings): CandidateReport {
  const c = o.candidate;
  const v = o.result && explainUnlogged(o.result, s);
  const predicateType = v?.statement?.predicateType ?? c.predicateType;
  const isAttestation = attestationMode
    ? v?.kind !== 'message-signature'
    : c.kind === 'attestation' || (predicateType !== undefined && predicateType !== COSIGN_SIGN_PREDICATE_TYPE);
  const reasons = v ? v.reasons.map(cliWords) : [o.error ? `not loaded: ${o.error.message}` : 'not loaded'];
  const tlogTime = v?.tlog?.integratedTime;
  return {
    format: c.format,
    referrer: o.loaded?.referrer ?? c.manifest.digest,
    kind: isAttestation ? 'attestation' : 'signature',
    ok: v?.ok ?? false,
    reasons,
    ...(v?.signer?.identity !== undefined ? { identity: v.signer.identity } : {}),
    ...(v?.signer?.issuer !== undefined ? { issuer: v.signer.issuer } : {}),
    ...(v?.signer?.keyId !== undefined ? { keyId: v.signer.keyId } : {}),
    ...(v?.tlog ? { tlogIndex: String(v.tlog.logIndex) } : {}),
    ...(tlogTime !== undefined ? { signingTime: new Date(tlogTime * 1000).toISOString() } : {}),
    ...(v?.timestampSource ? { signingTimeSource: v.timestampSource } : {}),
    ...(predicateType !== undefined ? { predicateType } : {}),
    checks: (v?.checks ?? []).map((k) => ({ name: k.name, outcome: k.ok ? ('pass' as const) : ('fail' as const), detail: cliWords(k.detail) })),
  };
}

function skippedReport(s: SkippedCandidate): CandidateReport {
  const c = s.candidate;
  return {
    format: c.format,
    referrer: c.manifest.digest,
    kind: c.kind === 'attestation' ? 'attestation' : 'signature',
    ok: false,
    reasons: [s.reason],
    ...(c.predicateType !== undefined ? { predicateType: c.predicateType } : {}),
    checks: [],
  };
}

/** The library speaks of options; the user typed flags. */
function cliWords(text: string): string {
  return text.replace(/\binsecureIgnoreTlog\b/g, '--insecure-ignore-tlog').replace(/\binsecureIgnoreSct\b/g, '--insecure-ignore-sct');
}

interface Settings {
  readonly trust: CosignTrust;
  readonly identity?: IdentityPolicy;
  readonly insecureIgnoreTlog: boolean;
  readonly insecureIgnoreSct: boolean;
  /** -a pairs every signature must have signed (signature mode only). */
  readonly annotations?: RequiredAnnotations;
  readonly predicateType?: string;
  readonly now: Date;
  readonly limits?: Partial<FindLimits>;
}

async function verifyTarget(target: VerifyTarget, s: Settings, signal: AbortSignal | undefined): Promise<FamilyReport> {
  const attestationMode = s.predicateType !== undefined;
  const found = await findCosign(target.repo, target.subject, {
    mode: attestationMode ? 'attestation' : 'signature',
    ...(s.predicateType !== undefined ? { predicateType: s.predicateType } : {}),
    ...(signal ? { signal } : {}),
  });
  // A message-signature bundle signs the subject manifest bytes themselves (BUNDLE_SPEC.md); fetch
  // them (digest-checked by the repository) only when the listing announces one.
  const wantsBytes = !attestationMode && found.candidates.some((c) => c.format === 'cosign-bundle' && c.manifest.annotations?.[BUNDLE_ANNOTATIONS.content] === 'message-signature');
  const subjectBytes = wantsBytes ? await target.repo.fetch(target.subject, signal ? { signal } : {}) : undefined;
  const maxBundleBytes = s.limits?.maxBundleBytes;
  const base = {
    ...(subjectBytes ? { subjectBytes } : {}),
    ...(maxBundleBytes !== undefined ? { maxBundleBytes } : {}),
    trust: s.trust,
    subjectDigest: target.subject.digest,
    insecureIgnoreTlog: s.insecureIgnoreTlog,
    insecureIgnoreSct: s.insecureIgnoreSct,
    now: s.now,
    ...(s.identity ? { identity: s.identity } : {}),
  };
  const outcomes = await verifyCandidates(target.repo, target.subject.digest, found.candidates, {
    ...(signal ? { signal } : {}),
    ...(s.limits ? { limits: s.limits } : {}),
    verify: (l) =>
      s.predicateType !== undefined
        ? verifyCosignAttestation(l.evidence, { ...base, predicateType: s.predicateType })
        : verifyCosignSignature(l.evidence, s.annotations ? { ...base, annotations: s.annotations } : base),
    accept: (v) => v.ok,
  });
  const warnings = [...new Set(outcomes.flatMap((o) => o.loaded?.warnings ?? []))];
  return {
    family: 'cosign',
    candidates: [...outcomes.map((o) => toReport(o, attestationMode, s)), ...found.skipped.map(skippedReport)],
    warnings,
  };
}

export function createCosignFamily(deps: CosignFamilyDeps = {}): VerifierFamily {
  return {
    name: 'cosign',
    applies: cosignApplies,
    async prepare(flags, ctx, now): Promise<PreparedFamily> {
      const annotations = parseAnnotationFlags(flags.annotations);
      // cosign verify-attestation has no -a (only VerifyOptions embeds AnnotationOptions).
      if (annotations && flags.attestation) throw new UsageError('-a/--annotations checks the signed annotations of signatures (cosign verify -a); cosign verify-attestation has no -a, so it does not combine with --attestation');
      if (flags.attestation && !flags.type) throw new UsageError('--attestation needs --type ALIAS|URI (e.g. spdxjson, slsaprovenance1, custom, or a predicate URI)');
      let predicateType: string | undefined;
      if (flags.attestation) {
        try {
          predicateType = resolvePredicateType(flags.type!);
        } catch (e) {
          throw new UsageError(`--type: ${(e as Error).message}`);
        }
      }
      const identity = identityPolicy(flags);
      const keyless = identity !== undefined;
      if (!keyless && !flags.key) throw new UsageError('cosign verification needs --key FILE or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]');
      const keys = flags.key ? [await readText(flags.key, 'public key')] : [];
      const root = await trustedRoot(flags, ctx, deps, keyless);
      let trust: CosignTrust;
      try {
        trust = createTrust({ keys, ...(root ? { trustedRoot: root } : {}) });
      } catch (e) {
        if (isCosignError(e)) throw configError(e.code === 'INVALID_KEY' ? `--key ${flags.key}: ${e.message}` : e.message);
        throw e;
      }
      if (flags['insecure-ignore-tlog']) ctx.warn('--insecure-ignore-tlog: signatures without a transparency-log entry are accepted; nothing proves when they were made or that they were ever published');
      if (flags['insecure-ignore-sct']) ctx.warn('--insecure-ignore-sct: certificates are accepted without checking their certificate-transparency SCT; nothing proves the certificate was ever publicly logged');
      const limits = predicateType !== undefined ? { ...ATTESTATION_FIND_LIMITS, ...deps.limits?.attestation } : deps.limits?.signature;
      const settings: Settings = {
        trust,
        insecureIgnoreTlog: flags['insecure-ignore-tlog'] === true,
        insecureIgnoreSct: flags['insecure-ignore-sct'] === true,
        now,
        ...(annotations ? { annotations } : {}),
        ...(identity ? { identity } : {}),
        ...(predicateType ? { predicateType } : {}),
        ...(limits ? { limits } : {}),
      };
      return { verify: (target, signal) => verifyTarget(target, settings, signal) };
    },
  };
}

/** cosign signatures and attestations. */
export const cosignFamily: VerifierFamily = createCosignFamily();
