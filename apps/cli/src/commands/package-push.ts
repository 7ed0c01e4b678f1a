// `ocx package attest` and `ocx package push`: flag parsing, input files, and the report. The work is
// @ocx/signer's (attestPackage, attachSbomPackage, pushPackage), imported on first use.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { hostPlatform, referenceTarget, repositoryName, type Reference } from '@ocx/oci';
import type { Attested, PackedLayer, PushPackageResult, PushSigning, Written } from '@ocx/signer';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, exitCodeFor, UsageError, type ExitCodeValue } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import { readKey } from './package.ts';

export interface PushValues {
  key?: string;
  'rekor-url'?: string;
  'legacy-tag'?: boolean;
  'tlog-upload'?: string;
  notation?: boolean;
  cert?: string;
  'signature-format'?: string;
  predicate?: string;
  type?: string;
  unsigned?: boolean;
  name?: string;
  version?: string;
  sbom?: string;
  sign?: boolean;
  attest?: string[];
}

function failureOf(e: unknown): { exitCode: ExitCodeValue; kind: string; message: string } {
  const { exitCode, kind } = exitCodeFor(e);
  return { exitCode, kind, message: e instanceof Error ? e.message : String(e) };
}

// Flags of `ocx package` that each subcommand acts on; any other package flag given is refused
// (a flag acts or is a usage error, never parsed and dropped).
const PACKAGE_FLAGS = [
  'key', 'legacy-tag', 'tlog-upload', 'annotations', 'annotation', 'notation', 'cert', 'signature-format', 'expiry', 'timestamp-url',
  'timestamp-root-cert', 'user-metadata', 'predicate', 'type', 'unsigned', 'name', 'version', 'sbom', 'sign', 'attest',
  'identity-token-file', 'identity-token-stdin', 'fulcio-url', 'rekor-url', 'tsa-url', 'signing-config',
] as const;
const KEYLESS = ['identity-token-file', 'identity-token-stdin', 'fulcio-url', 'tsa-url', 'signing-config'];
const ACTS_ON: Readonly<Record<'sign' | 'attest' | 'push', readonly string[]>> = {
  sign: ['key', 'legacy-tag', 'tlog-upload', 'annotations', 'annotation', 'notation', 'cert', 'signature-format', 'expiry', 'timestamp-url', 'timestamp-root-cert', 'user-metadata', ...KEYLESS, 'rekor-url'],
  attest: ['key', 'legacy-tag', 'tlog-upload', 'rekor-url', 'notation', 'predicate', 'type', 'unsigned'],
  push: ['key', 'legacy-tag', 'tlog-upload', 'rekor-url', 'notation', 'cert', 'signature-format', 'name', 'version', 'sbom', 'sign', 'attest'],
};

/** Refuses package flags the subcommand would not act on. */
export function refuseForeignPackageFlags(sub: string | undefined, values: Record<string, unknown>): void {
  if (sub !== 'sign' && sub !== 'attest' && sub !== 'push') return;
  const given = (v: unknown) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  const bad = PACKAGE_FLAGS.filter((f) => !ACTS_ON[sub].includes(f) && given(values[f]));
  if (bad.length > 0) {
    const keyless = bad.some((f) => KEYLESS.includes(f)) ? ': keyless signing is ocx package sign\'s only (attest and push sign with --key)' : '';
    throw new UsageError(`package ${sub} does not take ${bad.map((f) => `--${f}`).join(', ')}${keyless} (see ocx package --help)`);
  }
}

/** --rekor-url: https, or http on loopback only (a transparency log is a remote trust service). */
function rekorUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--rekor-url must be a URL, not "${value}"`);
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new UsageError(`--rekor-url must be https (http only on loopback), not "${value}"`);
  if (u.username || u.password) throw new UsageError('--rekor-url must not carry credentials');
  return u.href.replace(/\/$/, '');
}

function tlogFlag(values: PushValues): boolean {
  const tlog = values['tlog-upload'] ?? 'true';
  if (tlog !== 'true' && tlog !== 'false') throw new UsageError(`--tlog-upload must be true or false, not "${tlog}"`);
  return tlog === 'true';
}

/** SOURCE_DATE_EPOCH (reproducible-builds.org): seconds since the epoch, for mtimes and created annotations. */
function sourceDate(ctx: Context): Date | undefined {
  const v = ctx.io.env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,12}$/.test(v)) throw new UsageError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${v}"`);
  return new Date(Number(v) * 1000);
}

async function readInput(path: string, what: string): Promise<Uint8Array> {
  const { MAX_PREDICATE_BYTES, readInputFile } = await import('@ocx/signer');
  return readInputFile(path, what, MAX_PREDICATE_BYTES);
}

export async function runAttest(ctx: Context, rest: string[], values: PushValues): Promise<number> {
  if (rest.length !== 1) throw new UsageError('package attest takes exactly one reference');
  if (!values.predicate) throw new UsageError('package attest needs --predicate FILE');
  if (values.notation) throw new UsageError('package attest signs with a cosign --key; notation has no attestations');
  const ref = ctx.parse(rest[0]!);
  const now = sourceDate(ctx) ?? new Date();
  const signer = await import('@ocx/signer');
  if (values.unsigned) {
    if (values.key || values['legacy-tag']) throw new UsageError('--unsigned attaches a plain SBOM referrer: it takes no --key or --legacy-tag');
    const sbom = await readInput(values.predicate, '--predicate');
    const { mediaType } = signer.classifySbom(sbom, values.type);
    const result = await signer.attachSbomPackage(ctx.open(ref), referenceTarget(ref), { sbom, mediaType, title: basename(values.predicate!), now, ...(ctx.platform ? { platform: ctx.platform } : {}) });
    return report(ctx, rest[0]!, result.root.digest, result.attested, false);
  }
  if (!values.type) throw new UsageError('package attest needs --type T (cyclonedx, spdxjson, slsaprovenance1, …, or a URI)');
  if (!values.key) throw new UsageError('package attest needs --key FILE (keyless attestations are not available yet), or --unsigned for a plain SBOM referrer');
  const tlogUpload = tlogFlag(values);
  const rekorURL = values['rekor-url'] ? rekorUrl(values['rekor-url']) : undefined;
  // Refuse a bad --type before reading anything else.
  signer.predicateTypeOf(values.type!);
  const predicate = await readInput(values.predicate, '--predicate');
  const key = await readKey(ctx, values.key);
  const result = await signer.attestPackage(ctx.open(ref), referenceTarget(ref), {
    key,
    type: values.type!,
    predicate,
    repositoryName: repositoryName(ref),
    legacyTag: values['legacy-tag'] === true,
    tlogUpload,
    ...(rekorURL ? { rekorURL } : {}),
    now,
    ...(ctx.platform ? { platform: ctx.platform } : {}),
  });
  if (!tlogUpload) ctx.warn('--tlog-upload=false: the attestation is in no transparency log; verifiers need --insecure-ignore-tlog');
  return report(ctx, rest[0]!, result.root.digest, result.attested, true);
}

function report(ctx: Context, reference: string, digest: string, attested: readonly Attested[], signed: boolean): number {
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ reference, digest, signed, attested }, null, 2)}\n`);
    return ExitCode.OK;
  }
  for (const a of attested) {
    const where = a.platform ? ` [${sanitize(a.platform)}]` : '';
    const what = a.format === 'sbom-referrer' ? 'unsigned SBOM referrer' : `${sanitize(a.predicateType ?? '')} ${a.format === 'cosign-legacy' ? `tag ${sanitize(a.tag ?? '')}` : 'referrer'}`;
    ctx.io.stdout(`✓ attested ${shortDigest(a.digest)}${where}: ${what} ${a.referrer}${a.referrers === 'tag-schema' ? ' (referrers tag schema)' : ''}\n`);
  }
  return ExitCode.OK;
}

/** TYPE=FILE pairs of --attest. */
function attestPairs(values: string[] | undefined): { type: string; file: string }[] {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1) throw new UsageError(`--attest must be TYPE=FILE, not "${v}"`);
    return { type: v.slice(0, i), file: v.slice(i + 1) };
  });
}

async function readText(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CommandFailure(ExitCode.CONFIG, 'config', `cannot read ${flag} ${path}: ${(e as Error).message}`, false);
  }
}

function progressBar(ctx: Context): ((sent: number, total: number) => void) | undefined {
  if (!ctx.io.stderrIsTTY || ctx.json) return undefined;
  return (sent, total) => {
    const width = 30;
    const done = total === 0 ? width : Math.round((sent / total) * width);
    const mib = (n: number) => (n / 1048576).toFixed(1);
    ctx.io.stderr(`\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${mib(sent)}/${mib(total)} MiB${sent >= total ? '\n' : ''}`);
  };
}

function defaultName(ref: Reference): string {
  return ref.kind === 'registry' ? ref.repository : basename(ref.path);
}

export async function runPush(ctx: Context, rest: string[], values: PushValues): Promise<number> {
  if (rest.length !== 2) throw new UsageError('package push takes a path and a reference: ocx package push <path> <ref>');
  const [path, input] = rest as [string, string];
  const ref = ctx.parse(input);
  if (ref.digest) throw new UsageError('package push needs a tag to add the platform to, not a digest');
  const tag = ref.tag ?? 'latest';
  const attest = attestPairs(values.attest);
  if ((values.key || values.notation) && !values.sign) throw new UsageError('--key/--notation sign only with --sign');
  if (values.sign && !values.key) throw new UsageError('--sign needs --key FILE (cosign), or --notation --key KEY --cert CHAIN (keyless signing is ocx package sign\'s only)');
  if (attest.length > 0 && (!values.sign || values.notation)) throw new UsageError('--attest needs --sign --key (attestations are signed with a cosign key)');
  if (values['legacy-tag']) throw new UsageError('package push writes cosign v3 bundles; sign with --legacy-tag afterwards with ocx package sign');
  const now = sourceDate(ctx);
  const signer = await import('@ocx/signer');
  // Pack while the key is decrypted (scrypt) and the other inputs are read: only a temporary file is
  // written, nothing goes to the registry before planPush. A packing error is the push step's.
  const abort = new AbortController();
  const packing = signer.packLayer(path, { ...(now ? { mtime: now } : {}), signal: abort.signal });
  packing.catch(() => {});
  const handoff = { done: false };
  try {
    return await pushWith(ctx, { path, input, ref, tag, values, attest, now, signer, packing, handoff });
  } finally {
    // pushPackage removes the layer it is handed; a refusal before that stops packing and removes it.
    if (!handoff.done) {
      abort.abort();
      await packing.then((l) => l.cleanup(), () => {});
    }
  }
}

interface PushInputs {
  readonly path: string;
  readonly input: string;
  readonly ref: Reference;
  readonly tag: string;
  readonly values: PushValues;
  readonly attest: { type: string; file: string }[];
  readonly now: Date | undefined;
  readonly signer: typeof import('@ocx/signer');
  readonly packing: Promise<PackedLayer>;
  /** Set once pushPackage owns `packing` (and so its cleanup). */
  readonly handoff: { done: boolean };
}

async function pushWith(ctx: Context, { path, input, ref, tag, values, attest, now, signer, packing, handoff }: PushInputs): Promise<number> {
  let sign: PushSigning | undefined;
  let tlogUpload = false;
  if (values.sign && values.notation) {
    if (!values.cert) throw new UsageError('--sign --notation needs --key KEY and --cert CHAIN');
    const format = values['signature-format'] ?? 'jws';
    if (format !== 'jws' && format !== 'cose') throw new UsageError(`--signature-format must be jws or cose, not "${format}"`);
    sign = { kind: 'notation', key: await readText('--key', values.key!), certChain: await readText('--cert', values.cert), format };
  } else if (values.sign) {
    tlogUpload = tlogFlag(values);
    sign = { kind: 'cosign', key: await readKey(ctx, values.key!), tlogUpload, ...(values['rekor-url'] ? { rekorURL: rekorUrl(values['rekor-url']) } : {}) };
  }
  const sbom = values.sbom ? { bytes: await readInput(values.sbom, '--sbom'), fileName: basename(values.sbom) } : undefined;
  const predicates = [];
  for (const a of attest) predicates.push({ type: a.type, predicate: await readInput(a.file, `--attest ${a.type}`) });
  const platform = ctx.platform ?? hostPlatform();
  const options = {
    path,
    tag,
    platform,
    name: values.name ?? defaultName(ref),
    version: values.version ?? tag,
    repositoryName: repositoryName(ref),
    ...(sbom ? { sbom } : {}),
    ...(sign ? { sign } : {}),
    ...(predicates.length ? { attest: predicates } : {}),
    now: now ?? new Date(),
    ...(now ? { mtime: now } : {}),
  };
  // Everything refusable is refused before the first write.
  signer.planPush(options);
  const progress = progressBar(ctx);
  const repo = ctx.open(ref);
  handoff.done = true;
  const result = await signer.pushPackage(repo, { ...options, layer: packing, ...(progress ? { onProgress: progress } : {}) });
  if (sign?.kind === 'cosign' && !tlogUpload) ctx.warn('--tlog-upload=false: signatures and attestations are in no transparency log; verifiers need --insecure-ignore-tlog');
  const failure = result.failed ? failureOf(result.failed.error) : undefined;
  printPush(ctx, input, result, failure);
  if (result.failed && failure) {
    throw new CommandFailure(failure.exitCode, failure.kind, `package push: step "${result.failed.step}" failed after writing ${result.written.length} object(s): ${failure.message}`, ctx.json);
  }
  return ExitCode.OK;
}

function describe(w: Written): string {
  const extra = [w.predicateType ? sanitize(w.predicateType) : undefined, w.format, w.tag ? `tag ${sanitize(w.tag)}` : undefined, w.skipped ? 'already there' : undefined, w.referrers === 'tag-schema' ? 'referrers tag schema' : undefined]
    .filter(Boolean)
    .join(', ');
  return `${w.what.padEnd(11)} ${w.digest}${extra ? ` (${extra})` : ''}`;
}

function printPush(ctx: Context, reference: string, result: PushPackageResult, failure?: { exitCode: number; kind: string; message: string }): void {
  if (ctx.json) {
    const failed = result.failed && failure ? { step: result.failed.step, kind: failure.kind, exitCode: failure.exitCode, message: failure.message } : undefined;
    ctx.io.stdout(`${JSON.stringify({ reference, platform: result.platform, manifest: result.manifest, index: result.index, ...(result.replaced ? { replaced: result.replaced } : {}), written: result.written, ...(failed ? { failed } : {}) }, null, 2)}\n`);
    return;
  }
  if (result.manifest) ctx.io.stdout(`${result.failed ? '!' : '✓'} pushed ${sanitize(reference)} [${sanitize(result.platform)}]: manifest ${result.manifest.digest}${result.replaced ? ` (replaces ${shortDigest(result.replaced)})` : ''}\n`);
  for (const w of result.written) ctx.io.stdout(`  ${w.step.padEnd(6)} ${describe(w)}\n`);
  if (result.failed && failure) ctx.io.stdout(`✗ step ${result.failed.step} failed: ${sanitize(failure.message)}\n`);
}

