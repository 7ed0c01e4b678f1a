// The notation family of `ocx verify`: notation's own trust policy and trust stores, used as-is
// (notary trust-store-trust-policy.md). Trust material is read once per invocation; each target
// selects its statement by registry/repository and is verified by @ocx/notation.
import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  isNotationError,
  loadStatementAnchors,
  loadTrustPolicy,
  notationConfigDir,
  createRevocationChecker,
  fileRevocationCache,
  NotationError,
  parseTrustPolicy,
  registryScopeProblem,
  selectPolicy,
  verifyNotationArtifact,
  type RevocationChecker,
  type RevocationFetch,
  type SignatureOutcome,
  type TrustAnchors,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
} from '@ocx/notation';
import { formatReference } from '@ocx/oci';
import { PolicyError } from '../../errors.ts';
import type { CandidateReport, CheckReport, FamilyReport, PreparedFamily, VerifyTarget } from '../types.ts';
import { notationApplies } from './applies.ts';
import type { FlagFamily, FlagHost, TrustFlags } from './types.ts';

const FAMILY = 'notation';

interface TrustConfig {
  readonly document: TrustPolicyDocument;
  readonly policyPath: string;
  /** The directory holding truststore/x509/{type}/{name}. */
  readonly storeRoot: string;
}

/** The config dir `ocx verify` uses when no notation flag is given: NOTATION_CONFIG, else notation's OS default. */
function defaultConfigDir(ctx: FlagHost): string {
  return notationConfigDir(ctx.io.env);
}

/** `--trust-store DIR` may be notation's `truststore` directory itself or a directory containing it. */
function storeRootFor(dir: string): string {
  if (existsSync(join(dir, 'truststore', 'x509'))) return dir;
  if (basename(dir) === 'truststore' && existsSync(join(dir, 'x509'))) return dirname(dir);
  throw new NotationError('TRUSTSTORE_INVALID', `--trust-store ${dir}: expected notation's truststore directory (with x509/{ca,signingAuthority,tsa}/<name>/) or a directory containing truststore/x509`);
}

async function loadConfig(flags: TrustFlags, ctx: FlagHost): Promise<TrustConfig> {
  const policyFile = flags['trust-policy'];
  if (policyFile !== undefined) {
    const storeRoot = storeRootFor(flags['trust-store'] ?? '');
    let info;
    try {
      info = await lstat(policyFile);
    } catch (err) {
      throw new NotationError('IO', `cannot read trust policy ${policyFile}: ${(err as Error).message}`, { cause: err });
    }
    // As notation: a symlinked or non-regular policy file is refused.
    if (!info.isFile()) throw new NotationError('POLICY_INVALID', `trust policy ${policyFile} is not a regular file (symlinks and directories are refused)`);
    const document = parseTrustPolicy(await readFile(policyFile), `trust policy ${policyFile}`);
    return { document, policyPath: policyFile, storeRoot };
  }
  const dir = flags['notation-config'] ?? defaultConfigDir(ctx);
  const loaded = await loadTrustPolicy(dir);
  const storeRoot = flags['trust-store'] !== undefined ? storeRootFor(flags['trust-store']) : dir;
  return { document: loaded.document, policyPath: loaded.path, storeRoot };
}

function parseUserMetadata(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new PolicyError('USAGE', `--user-metadata must be key=value, not "${v}"`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function parseRevocationTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new PolicyError('USAGE', `--revocation-timeout must be a number of seconds (0 < s <= 600), not "${value}"`);
  return Math.round(seconds * 1000);
}

/**
 * notation's revocation check (OCSP, then CRL) with the CLI's edges: the network through fetch, a
 * cache under the ocx home, `--crl FILE` answering before any request, and `--offline` meaning no
 * request at all ("revocation unavailable" unless a given CRL answers; the level decides).
 */
async function revocationCheckerFor(flags: TrustFlags, ctx: FlagHost): Promise<RevocationChecker> {
  const timeoutMs = parseRevocationTimeout(flags['revocation-timeout']);
  const crls: Uint8Array[] = [];
  for (const file of flags.crl ?? []) {
    try {
      crls.push(new Uint8Array(await readFile(file)));
    } catch (err) {
      throw new NotationError('IO', `cannot read --crl ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  // Revocation answers are fetched now, so their freshness is judged against the real clock, as
  // notation does; --verification-time moves the signature checks only. (The clock is read here, at
  // the edge; the checker itself takes it as an input.)
  return createRevocationChecker({
    now: () => new Date(),
    crls,
    ...(flags.offline ? { offline: true } : { fetch: (ctx.httpFetch ?? globalThis.fetch) as RevocationFetch, ...(ctx.noCache ? {} : { cache: fileRevocationCache(join(ctx.home, 'revocation')) }) }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** The family cannot run for a target: the error's exit code comes from the host's table. */
function familyError(host: FlagHost, err: NotationError, message = err.message): FamilyReport {
  return { family: FAMILY, candidates: [], error: { ...host.exitCodeFor(err), message } };
}

/** Revocation could not be asked because of --offline (no OCSP/CRL request, no --crl answered). */
const OFFLINE = 'REVOCATION_OFFLINE';

/**
 * --offline never silently skips what the policy enforces: under an enforcing level the check fails
 * with the reason and the ways to satisfy it; under a level that only logs revocation it is
 * reported as "skipped (offline)", not as a failure of the certificate.
 */
function offlineEnforced(level: string, type: string): string {
  const what = type === 'revocation' ? 'revocation' : `${type} (its timestamp certificate chain's revocation)`;
  return `the trust policy (level ${level}) enforces ${what} and --offline allows no OCSP or CRL request: pass the issuers' current CRLs with --crl FILE, or verify without --offline`;
}

/**
 * The revocation status and the signing time are read from a certificate chain: when the chain is
 * not trusted (authenticity failed), their "ok" proves nothing and is reported as not established
 * (issue 10 item 13). Without integrity notation evaluates nothing else.
 */
const NEEDS_AUTHENTICITY = new Set(['authenticTimestamp', 'revocation']);

function checkReports(s: SignatureOutcome, statement: TrustPolicyStatement): CheckReport[] {
  const authentic = s.checks.some((c) => c.type === 'authenticity' && c.status === 'ok');
  return s.checks.map((c) => {
    if (c.code === OFFLINE && c.type === 'revocation' && c.action === 'log') return { name: c.type, outcome: 'skipped', action: c.action, skippedBecause: 'offline', detail: `skipped (offline): ${c.reason ?? 'no revocation request allowed'}` };
    const outcome: CheckReport['outcome'] = c.action === 'skip' || c.status === 'skipped' ? 'skipped' : c.status === 'ok' ? 'pass' : 'fail';
    const detail = c.reason ? (c.code === OFFLINE && c.action === 'enforce' ? `${c.reason}; ${offlineEnforced(statement.signatureVerification.level, c.type)}` : c.reason) : undefined;
    if (outcome === 'pass' && !authentic && NEEDS_AUTHENTICITY.has(c.type)) {
      return { name: c.type, outcome: 'skipped', action: c.action, detail: `not established: the certificate chain is not trusted${detail ? ` (${detail})` : ''}` };
    }
    return { name: c.type, outcome, action: c.action, ...(detail ? { detail } : {}) };
  });
}

function candidate(s: SignatureOutcome, statement: TrustPolicyStatement): CandidateReport {
  const format = s.envelopeMediaType === 'application/cose' ? 'notation-cose' : s.envelopeMediaType === 'application/jose+json' ? 'notation-jws' : 'notation';
  const level = statement.signatureVerification.level;
  const reasons = [
    ...s.enforcedFailures.map((f) => `${f.type} validation failed: ${f.reason ?? f.code ?? 'failed'}${f.code === OFFLINE ? `; ${offlineEnforced(level, f.type)}` : ''}`),
    ...s.loggedFailures.map((f) =>
      f.code === OFFLINE && f.type === 'revocation' ? `${f.type} skipped (offline), logged by level ${level}: ${f.reason ?? 'no revocation request allowed'}` : `${f.type} validation failed (logged, level ${level}): ${f.reason ?? f.code ?? 'failed'}`,
    ),
  ];
  const signer = s.signer;
  const signingTime = signer?.authenticSigningTime ?? signer?.signingTime;
  return {
    format,
    referrer: s.referrer.digest,
    kind: 'signature',
    ok: s.verdict === 'pass',
    reasons,
    ...(signer ? { identity: signer.subject, issuer: signer.issuer, keyId: signer.thumbprints[0] } : {}),
    ...(signingTime ? { signingTime: signingTime.toISOString(), signingTimeSource: signer?.authenticSigningTime ? 'authenticSigningTime (signing authority)' : 'signingTime (claimed by the signer)' } : {}),
    policy: `${statement.name} (level ${statement.signatureVerification.level})`,
    checks: checkReports(s, statement),
  };
}

function targetName(t: VerifyTarget): string {
  return `${formatReference(t.reference)} (${t.repositoryName}@${t.subject.digest})`;
}

async function prepare(flags: TrustFlags, ctx: FlagHost, now: Date): Promise<PreparedFamily> {
  const userMetadata = parseUserMetadata(flags['user-metadata']);
  const scopeProblem = flags.scope === undefined ? undefined : registryScopeProblem(flags.scope);
  if (scopeProblem !== undefined) throw new PolicyError('USAGE', `--scope ${JSON.stringify(flags.scope)}: ${scopeProblem}`);
  let config: TrustConfig;
  let revocationChecker: RevocationChecker;
  try {
    config = await loadConfig(flags, ctx);
    revocationChecker = await revocationCheckerFor(flags, ctx);
  } catch (err) {
    if (!isNotationError(err)) throw err;
    const failed = familyError(ctx, err);
    return { verify: async () => failed };
  }
  // Each statement's stores are loaded once per invocation, on first use.
  const anchors = new Map<string, Promise<TrustAnchors>>();
  const anchorsFor = (s: TrustPolicyStatement): Promise<TrustAnchors> => {
    let p = anchors.get(s.name);
    if (!p) {
      p = loadStatementAnchors(config.storeRoot, s);
      anchors.set(s.name, p);
    }
    return p;
  };
  return {
    async verify(target, signal) {
      let statement: TrustPolicyStatement;
      let trustAnchors: TrustAnchors;
      try {
        statement = selectPolicy(config.document, target.repositoryName);
        trustAnchors = statement.signatureVerification.level === 'skip' ? {} : await anchorsFor(statement);
      } catch (err) {
        if (!isNotationError(err)) throw err;
        // An OCI layout names no registry/repository for the policy to scope: notation asks for --scope.
        const hint =
          target.reference.kind === 'oci-layout' && flags.scope === undefined
            ? '; an oci-layout: reference has no registry/repository for the trust policy to scope: pass --scope REGISTRY/REPOSITORY naming one of its registryScopes (as notation verify --oci-layout --scope)'
            : '';
        return familyError(ctx, err, `${targetName(target)}: ${err.message}${hint} (trust policy ${config.policyPath})`);
      }
      let result;
      try {
        result = await verifyNotationArtifact(target.repo, target.subject, {
          statement,
          trustAnchors,
          now,
          revocationChecker,
          ...(userMetadata ? { userMetadata } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (!isNotationError(err)) throw err;
        return familyError(ctx, err, `${targetName(target)}: ${err.message} (trust policy ${config.policyPath})`);
      }
      if (result.skipped) {
        return {
          family: FAMILY,
          candidates: [
            {
              // Not a signature: the policy says this repository is not verified (notation exits 0 too).
              format: 'notation-skipped-by-policy',
              referrer: target.subject.digest,
              kind: 'signature',
              ok: true,
              reasons: [`signature verification skipped: trust policy statement "${statement.name}" has level skip`],
              policy: `${statement.name} (level skip)`,
              checks: result.actions ? Object.entries(result.actions).map(([name]) => ({ name, outcome: 'skipped' as const, action: 'skip' as const })) : [],
            },
          ],
          warnings: [`notation verification skipped for ${target.repositoryName} by trust policy statement "${statement.name}" (${config.policyPath})`],
        };
      }
      const warnings: string[] = [];
      if (result.notExamined > 0) warnings.push(`${result.notExamined} notation signature(s) not examined: more than the limit of signatures to evaluate`);
      return { family: FAMILY, candidates: result.signatures.map((s) => candidate(s, statement)), warnings };
    },
  };
}

/** notation signatures, verified with notation's trust policy and trust stores. */
export const notationFamily: FlagFamily = {
  name: FAMILY,
  applies: notationApplies,
  prepare,
};
