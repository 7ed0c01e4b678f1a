import { mapLimit, repositoryName, type OciError, type Reference } from '@ocx/oci';
import { anyOf, verifyReference, type AnyOfTarget, type TagHint } from '@ocx/policy/engine';
import type { Context } from '../context.ts';
import { CommandFailure, CONDITION_EXIT, ExitCode, exitCodeFor, UsageError, type ExitCodeValue } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import { cosignLegacyTags } from '../verify/applies.ts';
import { FAMILIES } from '../verify/families.ts';
import type { ErrorReport, PreparedFamily, VerifyFlags } from '../verify/types.ts';

import { locatePolicy } from '../policy-source.ts';
import { refuseUnusedFamilyFlags } from './verify-options.ts';

export { VERIFY_HELP, VERIFY_OPTIONS } from './verify-options.ts';

type TargetResult = AnyOfTarget;

interface RefResult {
  readonly reference: string;
  readonly digest?: string;
  readonly verified: boolean;
  readonly exitCode: ExitCodeValue;
  readonly targets: TargetResult[];
  /** The same object as the top-level `{"error":…}` of --format json. */
  readonly error?: ErrorReport;
}

function failedResult(input: string, err: unknown): RefResult {
  const { exitCode, kind } = exitCodeFor(err);
  return { reference: input, verified: false, exitCode, targets: [], error: { kind, exitCode, message: err instanceof Error ? err.message : String(err) } };
}

function parseTime(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new UsageError(`--verification-time must be an RFC 3339 time, not "${value}"`);
  return t;
}

function checkFlags(flags: VerifyFlags, ctxPlatformGiven: boolean): void {
  const id = flags['certificate-identity'] ?? flags['certificate-identity-regexp'];
  const iss = flags['certificate-oidc-issuer'] ?? flags['certificate-oidc-issuer-regexp'];
  if (flags['certificate-identity'] && flags['certificate-identity-regexp']) throw new UsageError('use --certificate-identity or --certificate-identity-regexp, not both');
  if (flags['certificate-oidc-issuer'] && flags['certificate-oidc-issuer-regexp']) throw new UsageError('use --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both');
  if ((id === undefined) !== (iss === undefined)) throw new UsageError('keyless verification needs both a certificate identity and an OIDC issuer (--certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp])');
  if (flags.key && id) throw new UsageError('--key and --certificate-identity are alternatives: pass one');
  if (flags.type && !flags.attestation) throw new UsageError('--type selects an attestation predicate and needs --attestation');
  if (flags['trust-policy'] && !flags['trust-store']) throw new UsageError('--trust-policy needs --trust-store (or use --notation-config)');
  if (flags['all-platforms'] && ctxPlatformGiven) throw new UsageError('--platform selects one platform and --all-platforms verifies every one: pass one of them');
  // -a is a cosign check; without cosign trust material it would be silently ignored.
  if (flags.annotations?.length && !flags.key && !id) throw new UsageError('-a/--annotations checks cosign signatures: it needs --key or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]');
}

export async function runVerify(ctx: Context, positionals: string[], flags: VerifyFlags): Promise<number> {
  if (positionals.length === 0) throw new UsageError('verify takes at least one reference');
  checkFlags(flags, ctx.platform !== undefined);
  const now = parseTime(flags['verification-time']);
  const refs = positionals.map((p) => ctx.parse(p));
  // notation scopes a layout by --scope (notation verify --oci-layout --scope); a registry reference by itself.
  if (flags.scope !== undefined && !refs.some((r) => r.kind === 'oci-layout')) {
    throw new UsageError('--scope sets the trust-policy scope of oci-layout: references (as notation verify --oci-layout --scope); a registry reference is scoped by its own registry/repository');
  }
  // Trust flags override the policy, which is then not even loaded (start-up time matters).
  if (!hasTrustFlags(flags)) {
    const located = locatePolicy(flags.policy, ctx.io.env, ctx.io.cwd);
    if (located) return (await import('./verify-policy.ts')).runVerifyPolicy(ctx, refs, positionals, flags, located, now);
  } else if (flags.policy !== undefined) {
    ctx.warn(`--policy ${flags.policy} is not used: trust flags on the command line override the policy`);
  }
  const families = FAMILIES.filter((f) => f.applies(flags, ctx));
  if (families.length === 0) {
    throw new UsageError('no trust material given: pass --key FILE, --certificate-identity and --certificate-oidc-issuer (cosign), or --notation-config DIR / NOTATION_CONFIG (notation), or a policy (--policy FILE, OCX_POLICY, $OCX_HOME/policy.yaml)');
  }
  refuseUnusedFamilyFlags(flags as Record<string, unknown>, families.map((f) => f.name));
  // The verifiers load (CPU) while the first requests are on the wire: each reference starts its
  // requests, then asks for the families (prefetch.ts). Trust material that does not load is still
  // the whole command's error, as it was when it loaded first.
  let preparing: Promise<Families> | undefined;
  const prepared = () => (preparing ??= Promise.all(families.map(async (f) => ({ name: f.name, family: await f.prepare(flags, ctx, now) }))));
  const results = await mapLimit(refs, 4, (ref, i) => verifyOne(ctx, ref, positionals[i]!, prepared, flags));
  await prepared();
  const exitCode = results.reduce<ExitCodeValue>((acc, r) => (acc !== ExitCode.OK ? acc : r.exitCode), ExitCode.OK);
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ verified: exitCode === ExitCode.OK, mode: flags.attestation ? 'attestation' : 'signature', results }, null, 2)}\n`);
  } else {
    ctx.io.stdout(renderText(results, flags));
  }
  const failed = results.find((r) => r.exitCode === exitCode && !r.verified);
  const kind = failed?.error?.kind ?? (exitCode === CONDITION_EXIT.unsigned ? 'unsigned' : 'verification_failed');
  if (exitCode !== ExitCode.OK) throw new CommandFailure(exitCode, kind, summaryLine(results));
  return ExitCode.OK;
}

/** Trust named on the command line (cosign key/identity/root, notation config/policy/store). */
function hasTrustFlags(flags: VerifyFlags): boolean {
  return TRUST_FLAGS.some((n) => flags[n] !== undefined && flags[n] !== '');
}

const TRUST_FLAGS = ['key', 'certificate-identity', 'certificate-identity-regexp', 'certificate-oidc-issuer', 'certificate-oidc-issuer-regexp', 'trusted-root', 'notation-config', 'trust-policy', 'trust-store'] as const;

function summaryLine(results: RefResult[]): string {
  const failed = results.filter((r) => !r.verified).map((r) => sanitize(r.reference));
  return `verification failed for ${failed.join(', ')}`;
}

type Families = { name: string; family: PreparedFamily }[];

// After the requests just started have been handed to the socket, start loading the verifiers.
const afterRequestsStart = (prepared: () => Promise<Families>) => () => setImmediate(() => void prepared().catch(() => undefined));

/** The tag-hint cache of a registry tag reference (a guess, used only when the registry agrees). */
export function tagHintFor(ctx: Context, ref: Reference): TagHint | undefined {
  const key = ref.kind === 'registry' && !ref.digest && ref.tag ? `${ref.host}/${ref.repository}:${ref.tag}` : undefined;
  const hints = ctx.tagHints;
  return key && hints ? { get: () => hints.get(key), put: (d) => hints.put(key, d) } : undefined;
}

async function verifyOne(ctx: Context, ref: Reference, input: string, prepared: () => Promise<Families>, flags: VerifyFlags): Promise<RefResult> {
  try {
    const tagHint = tagHintFor(ctx, ref);
    // Content this reference's listing left out because it failed its digest or size (ctx.warn has
    // already named it): it may have been the signature, so "none found" would be a lie.
    const leftOut: OciError[] = [];
    const outcome = await verifyReference({
      repo: ctx.open(ref, { onWarning: (_m, e) => void (e && leftOut.push(e)) }),
      reference: ref,
      repositoryName: ref.kind === 'oci-layout' && flags.scope !== undefined ? flags.scope : repositoryName(ref),
      families: prepared,
      ...(ctx.platform ? { platform: ctx.platform } : {}),
      ...(flags['all-platforms'] ? { allPlatforms: true } : {}),
      wellKnownTags: (digest) => cosignLegacyTags(digest, flags),
      ...(tagHint ? { tagHint } : {}),
      onRequestsStarted: afterRequestsStart(prepared),
    });
    const result = anyOf(outcome, flags.attestation ? 'attestation' : 'signature');
    const exitCode: ExitCodeValue =
      result.status === 'verified' ? ExitCode.OK : result.status === 'verification_failed' ? CONDITION_EXIT.verification_failed : result.status === 'family_error' ? (result.error!.exitCode as ExitCodeValue) : CONDITION_EXIT.unsigned;
    // Nothing verified and tampered content was met: a data error (65), never "unsigned" (79).
    if (!result.verified && exitCode === CONDITION_EXIT.unsigned && leftOut.length > 0) {
      return { reference: input, digest: outcome.root.digest, verified: false, exitCode: exitCodeFor(leftOut[0]).exitCode, targets: result.targets.map((t) => ({ ...t, warnings: [...t.warnings, ...leftOut.map((e) => `left out: ${e.message}`)] })) };
    }
    return { reference: input, digest: outcome.root.digest, verified: result.verified, exitCode, targets: result.targets };
  } catch (err) {
    return failedResult(input, err);
  }
}

/** A reference's first line in text output: ✗ and its error, or ✓/✗ and the reference pinned to its digest. */
export function refHeadline(r: { readonly reference: string; readonly verified: boolean; readonly digest?: string; readonly error?: { readonly message: string } }): string {
  if (r.error) return `✗ ${sanitize(r.reference)}: ${sanitize(r.error.message)}`;
  const pinned = r.reference.includes('@') ? sanitize(r.reference) : `${sanitize(r.reference)}@${shortDigest(r.digest!)}`;
  return `${r.verified ? '✓' : '✗'} ${pinned}`;
}

function renderText(results: RefResult[], flags: VerifyFlags): string {
  const out: string[] = [];
  const what = flags.attestation ? 'attestation' : 'signature';
  for (const r of results) {
    out.push(refHeadline(r));
    if (r.error) continue;
    for (const t of r.targets) {
      const where = t.platform ? ` [${sanitize(t.platform)}] ${shortDigest(t.digest)}` : '';
      if (where) out.push(`  ${t.verified ? '✓' : '✗'}${where}`);
      if (t.verified) out.push(`    verified: ${what} on the ${t.signedAt === 'index' ? 'image index (binds this platform)' : 'manifest'}`);
      else if (t.signatures.length === 0) out.push(`    no ${what}s found`);
      for (const s of t.signatures) {
        const who = s.identity ? ` identity=${sanitize(s.identity)}${s.issuer ? ` issuer=${sanitize(s.issuer)}` : ''}` : s.keyId ? ` key=${sanitize(s.keyId)}` : '';
        const kind = s.kind === 'attestation' && s.predicateType ? `attestation ${sanitize(s.predicateType)}` : s.kind;
        out.push(`    ${s.ok ? '✓' : '✗'} ${s.family} ${kind} ${shortDigest(s.referrer)} (${s.format}, on ${s.level})${who}`);
        if (s.policy) out.push(`        policy: ${sanitize(s.policy)}`);
        const levelled = s.checks.filter((c) => c.action !== undefined);
        if (levelled.length > 0) out.push(`        checks: ${levelled.map((c) => `${c.name} ${c.outcome}${c.skippedBecause ? ` (${c.skippedBecause})` : ''} (${c.action})`).join(' · ')}`);
        for (const reason of s.reasons) out.push(`        - ${sanitize(reason)}`);
      }
      for (const w of t.warnings) out.push(`    warning: ${sanitize(w)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
