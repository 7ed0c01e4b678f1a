// `ocx pull <ref> -o DIR`: resolve once and pin; select the platform; the gate decides on the pinned
// digest; only then the layers, by digest, each verified while it streams, unpacked into a staging
// directory that becomes DIR atomically (issue 9, "ocx pull").
import { resolve as resolvePath } from 'node:path';
import {
  assertUnpackTarget,
  formatPlatform,
  hostPlatform,
  isIndex,
  isOciError,
  OciError,
  parseManifest,
  referenceTarget,
  repositoryName,
  selectPlatform,
  unpackLayers,
  type Descriptor,
  type ImageManifest,
  type UnpackProgress,
} from '@ocx/oci';
import type { Context } from '../context.ts';
import { CommandFailure, conditionFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import { locatePolicy } from '../policy-source.ts';
import type { PullOutput, PullVerificationOutput } from '../schemas/index.ts';
import { disabledGate, unverifiedGate, type GateDecision, type GateTarget, type PullGate } from '../pull/gate.ts';

export { PULL_HELP, PULL_OPTIONS } from './pull-options.ts';

export interface PullValues {
  readonly output?: string;
  readonly policy?: string;
  readonly 'no-verify'?: boolean;
  readonly 'max-bytes'?: string;
}

/** Test seam: the gate to use instead of the one the flags and environment select. */
export interface PullDeps {
  readonly gate?: PullGate;
}

const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

function parseMaxBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_BYTES;
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(value.trim());
  const unit: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  const n = m ? Number(m[1]) * unit[(m[2] ?? 'b').toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-bytes must be a size like 4294967296 or 4GiB, not "${value}"`);
  return n;
}

/** Picks the gate before any request: a policy that does not load fails here, offline (exit 78). */
async function selectGate(ctx: Context, values: PullValues): Promise<PullGate> {
  const noVerifyEnv = ctx.io.env.OCX_NO_VERIFY;
  if (values['no-verify']) return disabledGate(ctx.warn, '--no-verify');
  if (noVerifyEnv !== undefined && noVerifyEnv !== '' && noVerifyEnv !== '0') return disabledGate(ctx.warn, 'OCX_NO_VERIFY');
  const source = locatePolicy(values.policy, ctx.io.env, ctx.io.cwd);
  if (!source) return unverifiedGate(ctx.warn);
  const { loadPolicyFrom, policyGate } = await import('../pull/policy-gate.ts');
  return policyGate(ctx, await loadPolicyFrom(source, ctx), source);
}

export async function runPull(ctx: Context, positionals: string[], values: PullValues, deps: PullDeps = {}): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('pull takes exactly one reference');
  if (!values.output) throw new UsageError('pull needs -o DIR (where to unpack)');
  const input = positionals[0]!;
  const dir = resolvePath(ctx.io.cwd, values.output);
  const maxBytes = parseMaxBytes(values['max-bytes']);
  const ref = ctx.parse(input);
  try {
    await assertUnpackTarget(dir);
  } catch (err) {
    if (isOciError(err, 'IO')) throw new UsageError(`-o: ${err.message} (ocx pull unpacks only into a new or empty directory)`);
    throw err;
  }
  const gate = deps.gate ?? (await selectGate(ctx, values));

  // Resolve once: from here on everything is fetched by digest, so a tag moved meanwhile changes nothing.
  // Content the listings left out for failing its digest or size (ctx.warn has named it): if the
  // policy blocks, it may have been the signature, so "no signature found" must not be the last word.
  const leftOut: OciError[] = [];
  const repo = ctx.open(ref, { onWarning: (_m, e) => void (e && leftOut.push(e)) });
  const root = await repo.resolve(referenceTarget(ref));
  let descriptor: Descriptor = root;
  let index: Descriptor | undefined;
  let platform: string | undefined;
  let parsed = parseManifest(await repo.fetch(root), root.mediaType);
  if (isIndex(parsed.manifest)) {
    index = root;
    const chosen = selectPlatform(parsed.manifest, ctx.platform ?? hostPlatform());
    descriptor = { mediaType: chosen.mediaType, digest: chosen.digest, size: chosen.size };
    platform = chosen.platform ? formatPlatform(chosen.platform) : undefined;
    parsed = parseManifest(await repo.fetch(descriptor), descriptor.mediaType);
    if (isIndex(parsed.manifest)) throw new CommandFailure(ExitCode.DATA, 'unsupported', `${sanitize(input)}: the ${platform ?? 'selected'} entry of the index is itself an index; ocx pull installs image manifests`, false);
  }
  const manifest = parsed.manifest as ImageManifest;
  const target: GateTarget = {
    reference: input,
    parsed: ref,
    repository: repositoryName(ref),
    digest: descriptor.digest,
    descriptor,
    ...(index ? { index } : {}),
    ...(platform ? { platform } : {}),
    repo,
  };

  // The gate decides before a single layer is requested.
  const verdict = withLeftOut(await gate(target), leftOut);
  const layers = manifest.layers.map((d) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType }));
  const base = { reference: input, digest: descriptor.digest, ...(index ? { index: index.digest } : {}), platform: platform ?? null };
  if (!verdict.allowed) {
    if (verdict.why?.length) ctx.io.stderr(`blocked by policy ${sanitize(verdict.policy?.path ?? '')}:\n${verdict.why.map((l) => `  ${sanitize(l)}\n`).join('')}`);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ ...base, pulled: false, layers, dir: null, verification: verificationJson(verdict) } satisfies PullOutput, null, 2)}\n`);
    throw conditionFailure('blocked', `${sanitize(input)}@${descriptor.digest} is blocked by policy${verdict.decision?.failures.length ? `: ${verdict.decision.failures.map(sanitize).join('; ')}` : ''}`, ctx.json);
  }

  const progress = ctx.io.stderrIsTTY && !ctx.json ? progressLine(ctx) : undefined;
  // Ctrl-C is a failure like any other: the staging directory goes, nothing is left.
  const interrupt = new AbortController();
  const onSignal = (sig: string) => interrupt.abort(new OciError('ABORTED', `interrupted (${sig}); nothing was installed`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result;
  try {
    result = await unpackLayers(
      dir,
      manifest.layers.map((d) => ({ descriptor: d, open: () => repo.fetchStream(d, { signal: interrupt.signal }) })),
      { limits: { maxBytes }, onWarning: ctx.warn, signal: interrupt.signal, ...(progress ? { onProgress: progress.update } : {}) },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress?.done();
  }
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ ...base, pulled: true, layers, dir: result.dir, verification: verificationJson(verdict) } satisfies PullOutput, null, 2)}\n`);
  } else {
    const where = platform ? ` [${platform}]` : '';
    const pinned = ref.digest ? sanitize(input) : `${sanitize(input)}@${shortDigest(descriptor.digest)}`;
    const how = verdict.mode === 'policy' ? `policy ${verdict.decision?.rule ? `rule "${sanitize(verdict.decision.rule.name)}"` : verdict.decision?.mode}` : 'not verified';
    ctx.io.stdout(`✓ ${pinned}${where} → ${sanitize(result.dir)} (${result.layers.length} layer${result.layers.length === 1 ? '' : 's'}, ${formatBytes(result.bytes)}; ${how})\n`);
  }
  return ExitCode.OK;
}

/** A blocked verdict names what was left out as tampered, instead of reading it as "no signature found". */
function withLeftOut(verdict: GateDecision, leftOut: readonly OciError[]): GateDecision {
  if (verdict.allowed || leftOut.length === 0) return verdict;
  const notes = leftOut.map((e) => `left out (failed its digest or size, possibly a signature): ${e.message}`);
  const reword = (s: string) => s.replace(/no signature found/g, 'no signature verified (tampered content was left out)');
  const d = verdict.decision;
  return {
    ...verdict,
    ...(verdict.why ? { why: [...verdict.why.map(reword), ...notes.map((n) => `  ! ${n}`)] } : { why: notes }),
    ...(d ? { decision: { ...d, failures: [...notes, ...d.failures.map(reword)] } } : {}),
  };
}

function verificationJson(verdict: GateDecision): PullVerificationOutput {
  const d = verdict.decision;
  return {
    mode: verdict.mode,
    allowed: verdict.allowed,
    ...(verdict.policy ? { policy: { path: verdict.policy.path, from: verdict.policy.from } } : {}),
    ...(d ? { decision: { mode: d.mode, rule: d.rule ?? null, digest: d.digest, level: verdict.level ?? 'manifest', signers: [...d.signers], failures: [...d.failures], why: d.why } } : {}),
    warnings: [...verdict.warnings],
  };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** One self-overwriting stderr line (TTY only), redrawn at most every 100 ms. */
function progressLine(ctx: Context): { update: (p: UnpackProgress) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100 && p.bytes < p.totalBytes) return;
      last = now;
      drawn = true;
      ctx.io.stderr(`\r\u001b[Klayer ${p.layer}/${p.layers}  ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)}`);
    },
    done: () => {
      if (drawn) ctx.io.stderr('\r\u001b[K');
    },
  };
}
