// `ocx sbom`: lists, summarises and writes the SBOMs attached to one platform manifest, and says
// whether each is signed. Trust goes through the `ocx verify` family seam: a raw SBOM referrer is
// signed when a cosign or notation signature on the SBOM manifest verifies; an SBOM from an
// attestation when the cosign family verifies that attestation on the platform manifest.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatPlatform,
  hostPlatform,
  isIndex,
  parseManifest,
  referenceTarget,
  repositoryName,
  selectPlatform,
  type Descriptor,
  type OciError,
  type Repository,
} from '@ocx/oci';
import {
  DEFAULT_MAX_SBOM_BYTES,
  fetchSbomBytes,
  findSboms,
  isSbomError,
  openSbom,
  summarizeSbom,
  writeFileAtomic,
  writeToStream,
  type SbomFinding,
  type SbomSummary,
  type SkippedSbom,
} from '@ocx/sbom';
import type { Context } from '../context.ts';
import type { SbomOutput } from '../schemas/index.ts';
import { CommandFailure, conditionFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { outputPath } from './sbom-file-name.ts';
import { refuseUnusedFamilyFlags, TRUST_OPTIONS } from './verify-options.ts';
import { locatePolicy } from '../policy-source.ts';
import { sanitize, shortDigest } from '../output.ts';
import type { CandidateReport, FlagFamily, VerifyFlags, VerifyTarget } from '../verify/types.ts';

export { SBOM_OPTIONS, SBOM_HELP } from './sbom-options.ts';

const TYPES = ['spdx', 'cyclonedx', 'syft'] as const;
/** Summaries parse the whole document in memory; @ocx/sbom's own cap applies on top. */
const SUMMARY_MAX_BYTES = 256 * 1024 * 1024;
/** A registry can attach many SBOMs; each summary fetches and parses one whole document. */
const MAX_SUMMARIES = 16;

export interface SbomValues extends Omit<VerifyFlags, 'attestation' | 'type' | 'all-platforms'> {
  readonly type?: string;
  readonly summary?: boolean;
  readonly output?: string;
  readonly digest?: string;
  readonly 'require-signed'?: boolean;
  readonly 'max-bytes'?: string;
}

interface Trust {
  readonly checked: boolean;
  readonly signed: boolean;
  readonly signedBy: { family: string; kind: string; format: string; referrer: string; identity?: string; issuer?: string; keyId?: string }[];
  readonly reasons: string[];
  /** Signatures (or attestations) examined for this SBOM: 0 means unsigned, not failed. */
  readonly candidates: number;
}

interface Row {
  readonly finding: SbomFinding;
  trust: Trust;
  summary?: SbomSummary;
  summaryError?: string;
}

export function parseSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_SBOM_BYTES;
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(value.trim());
  const unit: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  const n = m ? Number(m[1]) * unit[(m[2] ?? 'b').toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-bytes must be a size like 536870912 or 512MiB, not "${value}"`);
  return n;
}

function parseTime(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new UsageError(`--verification-time must be an RFC 3339 time, not "${value}"`);
  return t;
}

/** The shortest-to-explain digest that picks exactly this SBOM with --digest among `all`. */
function selector(f: SbomFinding, all: readonly SbomFinding[]): string {
  for (const d of [f.digest, f.layer.digest, f.referrer.digest]) if (all.filter((o) => matchesDigest(o, d)).length === 1) return d;
  return f.layer.digest;
}

function matchesDigest(f: SbomFinding, want: string): boolean {
  const ids = [f.digest, f.layer.digest, f.referrer.digest];
  return ids.includes(want) || (want.length >= 'sha256:'.length + 8 && ids.some((d) => d.startsWith(want)));
}

export async function runSbom(ctx: Context, positionals: string[], values: SbomValues): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('sbom takes exactly one reference');
  if (values.type !== undefined && !(TYPES as readonly string[]).includes(values.type)) throw new UsageError(`--type must be one of ${TYPES.join(', ')}, not "${values.type}"`);
  if (values.digest !== undefined && !/^[a-z0-9]+:[0-9a-f]{8,}$/.test(values.digest)) throw new UsageError(`--digest must be a digest (or a prefix of at least 8 hex digits), not "${values.digest}"`);
  const maxBytes = parseSize(values['max-bytes']);
  const now = parseTime(values['verification-time']);
  const flags: VerifyFlags = { ...pickTrustFlags(values), attestation: false };
  // Verifiers (sigstore, X.509, CBOR) take ~300 ms to load: only when trust is asked for. Unlike
  // `ocx verify`, a default notation configuration alone does not turn checking on.
  const wantsTrust = values['require-signed'] === true || Object.entries(flags).some(([k, v]) => k !== 'attestation' && k !== 'verification-time' && v !== false && v !== undefined);
  const families = wantsTrust ? (await import('../verify/families.ts')).FAMILIES.filter((f) => f.applies(flags, ctx)) : [];
  if (wantsTrust) refuseUnusedFamilyFlags(flags as Record<string, unknown>, families.map((f) => f.name));
  // With no trust flags, --require-signed asks the policy (--policy, OCX_POLICY, $OCX_HOME/policy.yaml).
  const policyAt = values['require-signed'] && families.length === 0 ? locatePolicy(values.policy, ctx.io.env, ctx.io.cwd) : undefined;
  if (values['require-signed'] && families.length === 0 && !policyAt) {
    throw new UsageError('--require-signed needs trust material: --key FILE, --certificate-identity with --certificate-oidc-issuer (cosign), or --notation-config DIR (notation), or a policy (--policy FILE, OCX_POLICY, $OCX_HOME/policy.yaml)');
  }
  const toStdout = values.output === '-';
  const sink = toStdout ? ctx.io.stdoutStream : undefined;
  // Never fall back to a file named "-": an embedder without a binary stdout gets a usage error.
  if (toStdout && !sink) throw new UsageError('--output - needs a binary stdout, which this caller does not provide');
  if (sink?.isTTY) throw new UsageError('refusing to write an SBOM to a terminal: redirect stdout or use --output FILE');

  const ref = ctx.parse(positionals[0]!);
  // Content the listings left out for failing its digest or size (ctx.warn has named it): it may have
  // been the SBOM's signature, so "unsigned" would be a lie (as in `ocx verify`).
  const leftOut: OciError[] = [];
  const repo = ctx.open(ref, { onWarning: (_m, e) => void (e && leftOut.push(e)) });
  const root = await repo.resolve(referenceTarget(ref));
  const { manifest } = parseManifest(await repo.fetch(root), root.mediaType);
  let subject: Descriptor = root;
  let platform: string | undefined;
  if (isIndex(manifest)) {
    const d = selectPlatform(manifest, ctx.platform ?? hostPlatform());
    subject = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    platform = d.platform ? formatPlatform(d.platform) : undefined;
  }

  const found = await findSboms(repo, subject);
  let findings = [...found.findings];
  if (values.type !== undefined) findings = findings.filter((f) => f.kind === values.type);
  if (values.digest !== undefined) findings = findings.filter((f) => matchesDigest(f, values.digest!));
  const rows: Row[] = findings.map((finding) => ({ finding, trust: { checked: false, signed: false, signedBy: [], reasons: [], candidates: 0 } }));
  if (families.length > 0 && rows.length > 0) await checkTrust(ctx, flags, families, { repo, reference: ref, repositoryName: repositoryName(ref), subject, level: 'manifest', ...(platform ? { platform } : {}) }, rows, now);
  if (policyAt && rows.length > 0) {
    const trusts = await (await import('./sbom-policy.ts')).policySbomTrust(ctx, policyAt, ref, { repo, reference: ref, repositoryName: repositoryName(ref), subject, level: 'manifest', ...(platform ? { platform } : {}) }, rows.map((r) => r.finding), now);
    rows.forEach((r, i) => (r.trust = trusts[i]!));
  }

  const requireSigned = values['require-signed'] === true;
  if (values.summary) {
    let done = 0;
    for (const row of rows) {
      if (requireSigned && !row.trust.signed) continue;
      if (done++ >= MAX_SUMMARIES) {
        row.summaryError = `not summarised: over ${MAX_SUMMARIES} SBOMs (select with --type or --digest)`;
        continue;
      }
      try {
        const bytes = await fetchSbomBytes(repo, row.finding, { maxBytes: Math.min(maxBytes, SUMMARY_MAX_BYTES) });
        const f = row.finding;
        row.summary = summarizeSbom(bytes, f.predicateType ? { predicateType: f.predicateType } : { mediaType: f.mediaType });
      } catch (err) {
        if (!isSbomError(err)) throw err;
        row.summaryError = err.message;
      }
    }
  }

  const report = { reference: positionals[0]!, digest: root.digest, subject: subject.digest, platform, rows, skipped: found.skipped, total: found.findings.length, all: found.findings };
  const print = (written?: { path: string; bytes: number; digest: string }) => {
    const doc = ctx.json ? `${JSON.stringify(toJson(report, written), null, 2)}\n` : renderText(report, families.length > 0 || policyAt !== undefined, written);
    // With --output - stdout carries the SBOM: the report goes to stderr.
    (toStdout ? ctx.io.stderr : ctx.io.stdout)(doc);
  };

  if (rows.length === 0) {
    print();
    const what = found.findings.length === 0 ? `no SBOM attached to ${sanitize(positionals[0]!)}` : `no SBOM attached to ${sanitize(positionals[0]!)} matches ${values.type !== undefined ? `--type ${values.type}` : ''}${values.digest !== undefined ? ` --digest ${sanitize(values.digest)}` : ''}`;
    throw conditionFailure('not_found', what);
  }
  const eligible = requireSigned ? rows.filter((r) => r.trust.signed) : rows;
  if (eligible.length === 0) {
    // As in `ocx verify`: signatures that fail are a failed verification, none at all is "unsigned".
    // Tampered content met while looking is a failed verification (65) too, never "unsigned" (79).
    const tried = rows.some((r) => r.trust.candidates > 0) || leftOut.length > 0;
    if (leftOut.length > 0) for (const r of rows) r.trust = { ...r.trust, reasons: [...r.trust.reasons, ...leftOut.map((e) => `left out: ${e.message}`)] };
    print();
    throw conditionFailure(tried ? 'verification_failed' : 'unsigned', `--require-signed: none of the ${rows.length} SBOM(s) attached carries a valid signature`);
  }
  if (values.output === undefined) {
    print();
    return ExitCode.OK;
  }
  if (eligible.length > 1) {
    print();
    throw conditionFailure('ambiguous', `${eligible.length} SBOMs match: choose one with --digest (e.g. --digest ${selector(eligible[0]!.finding, found.findings)})`);
  }
  const chosen = eligible[0]!.finding;
  const written = await writeOut(repo, chosen, values.output, sink, ctx, maxBytes);
  print({ ...written, digest: chosen.digest });
  return ExitCode.OK;
}

// Every trust flag `ocx sbom` accepts (TRUST_OPTIONS, shared with `ocx verify`) reaches the families:
// a flag accepted but not passed on would be a check that silently never ran.
function pickTrustFlags(v: SbomValues): VerifyFlags {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(TRUST_OPTIONS) as (keyof typeof TRUST_OPTIONS)[]) if (v[k] !== undefined) out[k] = v[k];
  return out as VerifyFlags;
}

async function writeOut(repo: Repository, f: SbomFinding, output: string, sink: NodeJS.WritableStream | undefined, ctx: Context, maxBytes: number): Promise<{ path: string; bytes: number }> {
  try {
    if (!sink) return await writeFileAtomic(await openSbom(repo, f, { maxBytes }), await outputPath(ctx.io.cwd, output, f));
    // Bytes reach stdout only after the digest verified: spool to a private temp file first.
    const dir = await mkdtemp(join(tmpdir(), 'ocx-sbom-'));
    try {
      const tmp = await writeFileAtomic(await openSbom(repo, f, { maxBytes }), join(dir, 'sbom'));
      const bytes = await writeToStream(createReadStream(tmp.path), sink);
      return { path: '-', bytes };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new CommandFailure(ExitCode.IO, 'io', `cannot write ${output}: ${(err as Error).message}`, false);
    throw err;
  }
}

function who(c: CandidateReport): Pick<Trust['signedBy'][number], 'identity' | 'issuer' | 'keyId'> {
  return { ...(c.identity ? { identity: c.identity } : {}), ...(c.issuer ? { issuer: c.issuer } : {}), ...(c.keyId ? { keyId: c.keyId } : {}) };
}

/**
 * Raw SBOMs: every applicable family, in signature mode, on the SBOM referrer manifest. Attestation
 * SBOMs: the cosign family in attestation mode (type = the SBOM's predicate) on the platform
 * manifest; the verified candidate must be the manifest the SBOM came from. The family reports per
 * manifest, not per layer, so a legacy `.att` manifest with two SBOMs of one predicate type proves neither.
 */
async function checkTrust(ctx: Context, flags: VerifyFlags, families: readonly FlagFamily[], platformTarget: VerifyTarget, rows: Row[], now: Date): Promise<void> {
  const seen = new Set<string>();
  const quiet: Context = { ...ctx, warn: (m) => (seen.has(m) ? undefined : (seen.add(m), ctx.warn(m))) };
  const signatureFamilies = await Promise.all(families.map(async (f) => ({ name: f.name, p: await f.prepare(flags, quiet, now) })));
  const raw = rows.filter((r) => r.finding.source === 'referrer' || r.finding.source === 'legacy-sbom-tag');
  const byReferrer = new Map<string, Promise<{ family: string; candidates: readonly CandidateReport[]; error?: string }[]>>();
  for (const row of raw) {
    const d = row.finding.referrer;
    if (!byReferrer.has(d.digest)) {
      const target: VerifyTarget = { ...platformTarget, subject: { mediaType: d.mediaType, digest: d.digest, size: d.size } };
      byReferrer.set(d.digest, Promise.all(signatureFamilies.map(async (f) => {
        const r = await f.p.verify(target);
        return { family: r.family, candidates: r.candidates, ...(r.error ? { error: r.error.message } : {}) };
      })));
    }
  }
  for (const row of raw) {
    const reports = await byReferrer.get(row.finding.referrer.digest)!;
    const ok = reports.flatMap((r) => r.candidates.filter((c) => c.ok && c.kind === 'signature').map((c) => ({ family: r.family, kind: c.kind, format: c.format, referrer: c.referrer, ...who(c) })));
    const reasons = ok.length ? [] : reports.flatMap((r) => [...(r.error ? [`${r.family}: ${r.error}`] : []), ...r.candidates.flatMap((c) => c.reasons.map((x) => `${r.family} ${shortDigest(c.referrer)}: ${x}`))]);
    const candidates = reports.reduce((n, r) => n + r.candidates.filter((c) => c.kind === 'signature').length, 0);
    row.trust = { checked: true, signed: ok.length > 0, signedBy: ok, reasons: reasons.length ? reasons : ok.length ? [] : ['no signature on the SBOM referrer'], candidates };
  }

  const atts = rows.filter((r) => r.finding.source === 'bundle-attestation' || r.finding.source === 'legacy-att');
  const cosign = families.find((f) => f.name === 'cosign');
  if (atts.length === 0) return;
  if (!cosign) {
    for (const row of atts) row.trust = { checked: false, signed: false, signedBy: [], reasons: ['attestations are verified by cosign: pass --key or --certificate-identity'], candidates: 0 };
    return;
  }
  const types = [...new Set(atts.map((r) => r.finding.predicateType!))];
  const reports = new Map<string, { candidates: readonly CandidateReport[]; error?: string }>();
  for (const pt of types) {
    // cosign verify-attestation has no -a: the annotations apply to signatures on the SBOM only.
    const prepared = await cosign.prepare({ ...flags, annotations: undefined, attestation: true, type: pt }, quiet, now);
    const r = await prepared.verify(platformTarget);
    reports.set(pt, { candidates: r.candidates, ...(r.error ? { error: r.error.message } : {}) });
  }
  for (const row of atts) {
    const f = row.finding;
    const r = reports.get(f.predicateType!)!;
    const siblings = atts.filter((o) => o.finding.referrer.digest === f.referrer.digest && o.finding.predicateType === f.predicateType).length;
    const mine = r.candidates.filter((c) => c.referrer === f.referrer.digest && c.kind === 'attestation' && (c.predicateType === undefined || c.predicateType === f.predicateType));
    const ok = siblings === 1 ? mine.filter((c) => c.ok) : [];
    const reasons = ok.length
      ? []
      : siblings > 1
        ? [`${siblings} ${f.predicateType} attestations share manifest ${shortDigest(f.referrer.digest)}; the verifier reports per manifest, so none is proven`]
        : [...(r.error ? [r.error] : []), ...mine.flatMap((c) => c.reasons), ...(mine.length === 0 ? ['cosign did not verify this attestation'] : [])];
    row.trust = { checked: true, signed: ok.length > 0, signedBy: ok.map((c) => ({ family: 'cosign', kind: c.kind, format: c.format, referrer: c.referrer, ...who(c) })), reasons, candidates: mine.length };
  }
}

interface Report {
  readonly reference: string;
  readonly digest: string;
  readonly subject: string;
  readonly platform?: string;
  readonly rows: Row[];
  readonly skipped: readonly SkippedSbom[];
  readonly total: number;
  readonly all: readonly SbomFinding[];
}

function toJson(r: Report, written?: { path: string; bytes: number; digest: string }): SbomOutput {
  return {
    reference: r.reference,
    digest: r.digest,
    subject: r.subject,
    ...(r.platform ? { platform: r.platform } : {}),
    sboms: r.rows.map(({ finding: f, trust, summary, summaryError }) => ({
      source: f.source,
      format: f.kind,
      mediaType: f.mediaType,
      ...(f.predicateType ? { predicateType: f.predicateType } : {}),
      ...(f.artifactType ? { artifactType: f.artifactType } : {}),
      digest: f.digest,
      size: f.size,
      selector: selector(f, r.all),
      referrer: f.referrer.digest,
      layer: f.layer.digest,
      ...(f.tag ? { tag: f.tag } : {}),
      signed: trust.signed,
      trust,
      ...(summary ? { summary } : {}),
      ...(summaryError ? { summaryError } : {}),
    })),
    skipped: [...r.skipped],
    ...(written ? { written } : {}),
  };
}

function renderText(r: Report, trustChecked: boolean, written?: { path: string; bytes: number; digest: string }): string {
  const out: string[] = [];
  const where = r.platform ? ` [${sanitize(r.platform)}] ${shortDigest(r.subject)}` : '';
  out.push(`${r.rows.length} SBOM(s) for ${sanitize(r.reference)}@${shortDigest(r.digest)}${where}${r.rows.length < r.total ? ` (${r.total} attached)` : ''}`);
  for (const { finding: f, trust, summary, summaryError } of r.rows) {
    const mark = !trustChecked ? '?' : trust.signed ? '✓' : '✗';
    const state = !trustChecked ? 'not checked' : trust.signed ? 'signed' : 'unsigned';
    out.push(`  ${mark} ${f.kind} ${f.source} ${sanitize(f.digest)} ${f.size} bytes (${state})`);
    out.push(`      media type ${sanitize(f.mediaType)}, referrer ${sanitize(f.referrer.digest)}${f.tag ? ` via tag ${sanitize(f.tag)}` : ''}`);
    const sel = selector(f, r.all);
    if (sel !== f.digest) out.push(`      select with --digest ${sanitize(sel)}`);
    for (const s of trust.signedBy) {
      const id = s.identity ? ` identity=${sanitize(s.identity)}${s.issuer ? ` issuer=${sanitize(s.issuer)}` : ''}` : s.keyId ? ` key=${sanitize(s.keyId)}` : '';
      out.push(`      signed: ${s.family} ${s.kind} ${shortDigest(s.referrer)} (${s.format})${id}`);
    }
    if (trustChecked && !trust.signed) for (const reason of trust.reasons.slice(0, 5)) out.push(`      - ${sanitize(reason)}`);
    if (summary) out.push(...summaryLines(summary).map((l) => `      ${l}`));
    if (summaryError) out.push(`      summary: ${sanitize(summaryError)}`);
  }
  for (const s of r.skipped) out.push(`  skipped ${s.source} ${sanitize(s.referrer)}: ${sanitize(s.reason)}`);
  if (written) out.push(`wrote ${written.bytes} bytes (${written.digest}) to ${written.path === '-' ? 'stdout' : sanitize(written.path)}`);
  return `${out.join('\n')}\n`;
}

function summaryLines(s: SbomSummary): string[] {
  const lines = [`${s.format} ${s.specVersion} (${s.encoding})${s.name ? ` "${sanitize(s.name)}"` : ''}${s.serialNumber ? ` ${sanitize(s.serialNumber)}` : ''}: ${s.packageCount} packages`];
  if (s.topLevel) lines.push(`top level: ${sanitize(s.topLevel.name)}${s.topLevel.version ? `@${sanitize(s.topLevel.version)}` : ''}`);
  if (s.creators.length || s.createdAt) lines.push(`created${s.createdAt ? ` ${sanitize(s.createdAt)}` : ''}${s.creators.length ? ` by ${s.creators.slice(0, 3).map(sanitize).join(', ')}` : ''}`);
  if (s.licenses.length) lines.push(`licenses: ${s.licenses.slice(0, 8).map((l) => `${sanitize(l.expression)} (${l.count})`).join(', ')}${s.licenses.length > 8 ? `, … ${s.licenses.length - 8} more` : ''}`);
  if (s.packagesWithoutLicense) lines.push(`${s.packagesWithoutLicense} package(s) without license information`);
  if (s.hintMismatch) lines.push('note: the media/predicate type names another format than the bytes contain');
  return lines;
}
