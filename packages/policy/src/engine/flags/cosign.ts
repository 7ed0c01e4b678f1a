// The cosign family driven by trust flags (`ocx verify --key|--certificate-identity`): finds cosign evidence for one subject (bundle referrers, cosign
// v2 OCI 1.1 referrers, legacy `.sig`/`.att` tags), loads the candidates that can satisfy the request
// and verifies them with @ocx/cosign's pure verifier, bound to the digest ocx resolved itself.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ATTESTATION_FIND_LIMITS,
  BUNDLE_ANNOTATIONS,
  compileIdentity,
  COSIGN_SIGN_PREDICATE_TYPE,
  CosignError,
  createTrust,
  findCosign,
  isCosignError,
  loadPublicGoodRoot,
  loadTrustedRoot,
  resolvePredicateType,
  signedPayload,
  trustNeeds,
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
  type TrustNeeds,
  type Verdict,
} from '@ocx/cosign';
import { PolicyError } from '../../errors.ts';
import type { CandidateReport, CheckReport, FamilyReport, PreparedFamily, VerifyTarget } from '../types.ts';
import { cosignApplies } from './applies.ts';
import type { FlagFamily, FlagHost, TrustFlags } from './types.ts';

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

/** Where the public-good TUF cache lives under the host's cache home. */
export function tufCachePath(host: Pick<FlagHost, 'home'>): string {
  return join(host.home, 'sigstore-tuf');
}

function configError(message: string): PolicyError {
  return new PolicyError('CONFIG', message);
}

function usageError(message: string): PolicyError {
  return new PolicyError('USAGE', message);
}

/** The same error (its exit code comes from the table in exit-codes.ts), naming the flag it came from. */
function withContext(e: unknown, flag: string): unknown {
  return isCosignError(e) ? new CosignError(e.code, `${flag}: ${e.message}`, { cause: e }) : e;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function identityPolicy(flags: TrustFlags): IdentityPolicy | undefined {
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
 * file read, no socket); otherwise the public-good root through TUF. Called for keyless
 * verification up front, and with a key only once a bundle turns out to carry a transparency-log
 * entry or an RFC 3161 timestamp (decided from the bundle: an unlogged key signature never waits
 * for TUF).
 */
async function trustedRoot(flags: TrustFlags, ctx: FlagHost, deps: CosignFamilyDeps, keyless: boolean): Promise<TrustedRoot | undefined> {
  if (flags['trusted-root']) {
    try {
      return loadTrustedRoot(await readText(flags['trusted-root'], 'trusted root'));
    } catch (e) {
      throw withContext(e, `--trusted-root ${flags['trusted-root']}`);
    }
  }
  if (flags.offline) {
    const cached = join(tufCachePath(ctx), TUF_MIRROR_DIR, 'targets', 'trusted_root.json');
    if (existsSync(cached)) return loadTrustedRoot(await readText(cached, 'cached trusted root'));
    if (keyless) throw configError('--offline keyless verification needs --trusted-root FILE (no public-good root is cached under the ocx home)');
    return undefined;
  }
  try {
    return await (deps.loadPublicGoodRoot ?? loadPublicGoodRoot)({
      cachePath: tufCachePath(ctx),
      // The run's HTTP client: proxies and deadlines as for the registry (absent in hand-made test hosts).
      ...(ctx.httpFetch ? { fetch: ctx.httpFetch } : {}),
      ...(ctx.timeouts ? { timeoutMs: ctx.timeouts.exchangeMs } : {}),
    });
  } catch (e) {
    const fix = keyless
      ? 'the signing certificate is checked against the Sigstore trusted root: pass --trusted-root FILE to verify without TUF'
      : "the signature's transparency-log entry is checked with the public-good Rekor key: pass --trusted-root FILE, or --insecure-ignore-tlog to accept the signature without checking its log entry";
    throw new PolicyError('TRUST_ROOT_UNAVAILABLE', `${(e as Error).message} (${fix})`, { cause: e });
  }
}

/**
 * --key takes the public key, as for cosign verify. A private key (PEM, or cosign's encrypted
 * format) is a usage mistake worth naming: the signer's key was handed to the verifier.
 */
function publicKeyText(text: string, path: string): string {
  const priv = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----/.exec(text);
  if (priv && !/-----BEGIN PUBLIC KEY-----/.test(text)) {
    const derive = /ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY/.test(priv[1]!)
      ? `cosign public-key --key ${path} > cosign.pub`
      : `openssl pkey -in ${path} -pubout -out cosign.pub`;
    throw configError(`--key ${path} holds a private key (${priv[1]}); verification takes the public key: derive it with \`${derive}\` and pass --key cosign.pub`);
  }
  return text;
}

function withHint(v: Verdict, names: readonly string[], hint: string): Verdict {
  let added = false;
  const checks = v.checks.map((k) => {
    if (added || k.ok || !names.includes(k.name)) return k;
    added = true;
    return { ...k, detail: `${k.detail}; ${hint}` };
  });
  return { ...v, checks, reasons: checks.filter((k) => !k.ok).map((k) => k.detail) };
}

/**
 * Key mode: name the flag that fixes a failure. A bundle without a log entry (or timestamp) fails on
 * "no signed timestamp": only --insecure-ignore-tlog accepts it (no trusted root would help). A
 * bundle with one, when no trusted root was available (--offline with nothing cached), needs one.
 */
function explainKeyVerdict(v: Verdict, s: Settings, needsOf: () => TrustNeeds | undefined, hadRoot: boolean): Verdict {
  if (v.ok || s.insecureIgnoreTlog || s.trust.keys.length === 0) return v;
  const needs = needsOf();
  if (needs === undefined || needs.certificate) return v;
  if (needs.tlogEntries === 0 && needs.rfc3161Timestamps === 0) {
    return withHint(v, ['timestamps', 'tlog'], 'no transparency log entry: a key-signed signature without one verifies only with --insecure-ignore-tlog');
  }
  if (!hadRoot) {
    return withHint(
      v,
      ['timestamps', 'tlog'],
      'its transparency-log entry is checked with the Rekor key of a trusted root, and none is available offline (no public-good root cached under the ocx home): pass --trusted-root FILE, or --insecure-ignore-tlog to accept it without checking the entry',
    );
  }
  return v;
}

function toReport(o: CandidateOutcome<Verdict>, attestationMode: boolean, maxBytes: number | undefined): CandidateReport {
  const c = o.candidate;
  const v = o.result;
  // What a verified signature signed, as `cosign verify` prints it (simple-signing claim or in-toto statement).
  const payload = v?.ok && o.loaded ? signedPayload(o.loaded.evidence, maxBytes !== undefined ? { maxBytes } : {}) : undefined;
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
    checks: v ? reportChecks(v) : [],
    ...(payload !== undefined ? { payload } : {}),
  };
}

/**
 * Checks that stand on their own: the bundle parsed, the certificate chained to a trusted CA, the log
 * entry verified. Everything else reads bytes only the signature authenticates (statement, subject,
 * predicate, annotations, identity) or is the signature itself ("key": the provided key was only
 * selected, the signature proves it signed).
 */
const STANDS_ALONE = new Set(['bundle', 'certificate', 'tlog', 'timestamps']);

/** A report never claims what it did not establish (issue 10 item 13): unproven passes become "skipped". */
function reportChecks(v: Verdict): CheckReport[] {
  const signed = v.checks.some((k) => k.name === 'signature' && k.ok);
  return v.checks.map((k) => {
    const detail = cliWords(k.detail);
    if (!k.ok) return { name: k.name, outcome: 'fail', detail };
    if (!signed && !STANDS_ALONE.has(k.name)) return { name: k.name, outcome: 'skipped', detail: `not established: the signature did not verify (${detail})` };
    // No signed time and no log entry prove nothing: they were waived, not checked.
    if (k.name === 'timestamps' && v.timestampSource === 'none') return { name: k.name, outcome: 'skipped', detail };
    if (k.name === 'tlog' && v.tlog === undefined) return { name: k.name, outcome: 'skipped', detail };
    return { name: k.name, outcome: 'pass', detail };
  });
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
  return text
    .replace(/\binsecureIgnoreTlog\b/g, '--insecure-ignore-tlog')
    .replace(/\binsecureIgnoreSct\b/g, '--insecure-ignore-sct')
    .replace(/\bsubjectRegExp\b/g, '--certificate-identity-regexp')
    .replace(/\bissuerRegExp\b/g, '--certificate-oidc-issuer-regexp');
}

interface Settings {
  /** Keyless: keys and the trusted root. With a key: the key alone (enough for unlogged bundles). */
  readonly trust: CosignTrust;
  /**
   * With a key and neither --trusted-root nor --insecure-ignore-tlog: the key plus a trusted root,
   * fetched once, on the first bundle that carries a log entry or timestamp.
   */
  readonly trustWithRoot?: () => Promise<{ trust: CosignTrust; hadRoot: boolean }>;
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
    verify: async (l) => {
      const needs = s.trustWithRoot ? trustNeeds(l.evidence, maxBundleBytes !== undefined ? { maxBytes: maxBundleBytes } : {}) : undefined;
      const logged = needs !== undefined && (needs.tlogEntries > 0 || needs.rfc3161Timestamps > 0);
      const { trust, hadRoot } = logged && s.trustWithRoot ? await s.trustWithRoot() : { trust: s.trust, hadRoot: s.trust.hasTrustedRoot };
      const opts = { ...base, trust };
      const v =
        s.predicateType !== undefined
          ? verifyCosignAttestation(l.evidence, { ...opts, predicateType: s.predicateType })
          : verifyCosignSignature(l.evidence, s.annotations ? { ...opts, annotations: s.annotations } : opts);
      return explainKeyVerdict(v, s, () => needs ?? trustNeeds(l.evidence, maxBundleBytes !== undefined ? { maxBytes: maxBundleBytes } : {}), hadRoot);
    },
    accept: (v) => v.ok,
  });
  const warnings = [...new Set(outcomes.flatMap((o) => o.loaded?.warnings ?? []))];
  return {
    family: 'cosign',
    candidates: [...outcomes.map((o) => toReport(o, attestationMode, maxBundleBytes)), ...found.skipped.map(skippedReport)],
    warnings,
  };
}

export function createCosignFamily(deps: CosignFamilyDeps = {}): FlagFamily {
  return {
    name: 'cosign',
    applies: cosignApplies,
    async prepare(flags, ctx, now): Promise<PreparedFamily> {
      const annotations = flags.annotations && Object.keys(flags.annotations).length > 0 ? flags.annotations : undefined;
      // cosign verify-attestation has no -a (only VerifyOptions embeds AnnotationOptions).
      if (annotations && flags.attestation) throw usageError('-a/--annotations checks the signed annotations of signatures (cosign verify -a); cosign verify-attestation has no -a, so it does not combine with --attestation');
      if (flags.attestation && !flags.type) throw usageError('--attestation needs --type ALIAS|URI (e.g. spdxjson, slsaprovenance1, custom, or a predicate URI)');
      let predicateType: string | undefined;
      if (flags.attestation) {
        try {
          predicateType = resolvePredicateType(flags.type!);
        } catch (e) {
          throw usageError(`--type: ${(e as Error).message}`);
        }
      }
      const identity = identityPolicy(flags);
      const keyless = identity !== undefined;
      // A pattern JavaScript cannot read as cosign's RE2 would is a usage error before any request.
      if (identity) {
        try {
          compileIdentity(identity);
        } catch (e) {
          if (isCosignError(e)) throw usageError(cliWords(e.message));
          throw e;
        }
      }
      if (!keyless && !flags.key) throw usageError('cosign verification needs --key FILE or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]');
      const keys = flags.key ? [publicKeyText(await readText(flags.key, 'public key'), flags.key)] : [];
      const build = (root: TrustedRoot | undefined): CosignTrust => {
        try {
          return createTrust({ keys, ...(root ? { trustedRoot: root } : {}) });
        } catch (e) {
          throw isCosignError(e, 'INVALID_KEY') ? withContext(e, `--key ${flags.key}`) : e;
        }
      };
      // With a key, the root is needed only for a bundle's log entry or timestamp: fetched then.
      const deferRoot = !keyless && !flags['trusted-root'];
      const trust = build(deferRoot ? undefined : await trustedRoot(flags, ctx, deps, keyless));
      let withRoot: Promise<{ trust: CosignTrust; hadRoot: boolean }> | undefined;
      const trustWithRoot =
        deferRoot && !flags['insecure-ignore-tlog']
          ? () =>
              (withRoot ??= trustedRoot(flags, ctx, deps, false).then((root) => ({ trust: root ? build(root) : trust, hadRoot: root !== undefined })))
          : undefined;
      if (flags['insecure-ignore-tlog']) ctx.warn('--insecure-ignore-tlog: signatures without a transparency-log entry are accepted; nothing proves when they were made or that they were ever published');
      if (flags['insecure-ignore-sct']) ctx.warn('--insecure-ignore-sct: certificates are accepted without checking their certificate-transparency SCT; nothing proves the certificate was ever publicly logged');
      const limits = predicateType !== undefined ? { ...ATTESTATION_FIND_LIMITS, ...deps.limits?.attestation } : deps.limits?.signature;
      const settings: Settings = {
        trust,
        ...(trustWithRoot ? { trustWithRoot } : {}),
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
export const cosignFamily: FlagFamily = createCosignFamily();
