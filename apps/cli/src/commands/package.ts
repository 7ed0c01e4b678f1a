// `ocx package …`: the signing half, implemented in @ocx/signer; this file only parses flags, reads
// the key (password from COSIGN_PASSWORD or stdin, never argv) and prints what was written. The
// signer (sigstore-js) is imported on first use so other commands start fast.
import { readFile } from 'node:fs/promises';
import { referenceTarget, repositoryName } from '@ocx/oci';
import type { SigningKey } from '@ocx/signer';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';
import type { PushValues } from './package-push.ts';
import { parseAnnotationFlags } from './verify-options.ts';
import { rejectKeylessFlags, runKeylessSign, type KeylessValues } from './package-keyless.ts';

export { PACKAGE_OPTIONS, PACKAGE_HELP } from './package-options.ts';

interface PackageValues extends PushValues, KeylessValues {
  key?: string;
  'legacy-tag'?: boolean;
  'tlog-upload'?: string;
  annotation?: string[];
  annotations?: string[];
  notation?: boolean;
  cert?: string;
  'signature-format'?: string;
  expiry?: string;
  'timestamp-url'?: string;
  'timestamp-root-cert'?: string;
  'user-metadata'?: string[];
}

/** notation's --expiry duration: hours, minutes and seconds, e.g. 24h, 30m, 3h20m. */
function parseExpiry(value: string, now: Date): Date {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  const secs = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0;
  if (!m || secs <= 0) throw new UsageError(`--expiry must be a duration such as 24h, 30m or 3h20m, not "${value}"`);
  return new Date(now.getTime() + secs * 1000);
}

async function runNotationSign(ctx: Context, input: string, values: PackageValues): Promise<number> {
  if (!values.key || !values.cert) throw new UsageError('package sign --notation needs --key KEY and --cert CHAIN');
  const format = values['signature-format'] ?? 'jws';
  if (format !== 'jws' && format !== 'cose') throw new UsageError(`--signature-format must be jws or cose, not "${format}"`);
  const read = async (flag: string, path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new CommandFailure(ExitCode.CONFIG, 'config', `cannot read ${flag} ${path}: ${(e as Error).message}`, false);
    }
  };
  const [key, certChain] = [await read('--key', values.key), await read('--cert', values.cert)];
  const now = new Date();
  const ref = ctx.parse(input);
  const { signNotationPackage } = await import('@ocx/signer');
  // A SignerError reaches run.ts: its exit code comes from the table in exit-codes.ts.
  const result = await signNotationPackage(ctx.open(ref), referenceTarget(ref), {
    key,
    certChain,
    format,
    now,
    ...(values.expiry ? { expiry: parseExpiry(values.expiry, now) } : {}),
    ...(values['timestamp-url'] ? { timestampUrl: values['timestamp-url'], fetch: ctx.httpFetch as typeof fetch, timestampTimeoutMs: ctx.timeouts.exchangeMs } : {}),
    ...(values['timestamp-root-cert'] ? { timestampRootCert: await read('--timestamp-root-cert', values['timestamp-root-cert']) } : {}),
    ...(values['user-metadata'] ? { userMetadata: parsePairs(values['user-metadata'], '--user-metadata') } : {}),
    ...(ctx.platform ? { platform: ctx.platform } : {}),
  });
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ reference: input, digest: result.root.digest, signed: result.signed }, null, 2)}\n`);
  } else {
    for (const s of result.signed) {
      const where = s.platform ? ` [${sanitize(s.platform)}]` : s.digest === result.root.digest && result.signed.length > 1 ? ' [index]' : '';
      ctx.io.stdout(`✓ signed ${shortDigest(s.digest)}${where}: ${s.format} referrer ${s.signature}${s.referrers === 'tag-schema' ? ' (referrers tag schema)' : ''}\n`);
    }
  }
  return ExitCode.OK;
}

export async function readKey(ctx: Context, path: string): Promise<SigningKey> {
  const { isEncryptedKey, isSignerError, loadSigningKeyAsync, SignerError } = await import('@ocx/signer');
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new CommandFailure(ExitCode.CONFIG, 'config', `cannot read --key ${path}: ${(e as Error).message}`, false);
  }
  let password: string | undefined;
  if (isEncryptedKey(pem)) {
    password = ctx.io.env.COSIGN_PASSWORD ?? (await ctx.io.stdin?.())?.split(/\r?\n/)[0];
    if (password === undefined) throw new UsageError('the key is encrypted: set COSIGN_PASSWORD or pass the password on stdin');
  }
  try {
    return await loadSigningKeyAsync(pem, password);
  } catch (e) {
    // The same code (exit-codes.ts maps it), naming the file.
    throw isSignerError(e) ? new SignerError(e.code, `--key ${path}: ${e.message}`, { cause: e }) : e;
  }
}

function parsePairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of values ?? []) {
    const i = a.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} must be key=value, not "${a}"`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/** Flags of one signature family given to the other would be parsed and silently dropped: refuse them. */
const COSIGN_ONLY: readonly [keyof PackageValues, string][] = [
  ['legacy-tag', '--legacy-tag (notation signatures are always referrers; the .sig tag is cosign\'s)'],
  ['tlog-upload', '--tlog-upload (notation has no transparency log)'],
  ['annotations', '-a/--annotations (notation signs --user-metadata instead)'],
  ['annotation', '--annotation (notation signs --user-metadata instead)'],
  ['identity-token-file', '--identity-token-file (notation signs with --key and --cert, never keyless)'],
  ['identity-token-stdin', '--identity-token-stdin (notation signs with --key and --cert, never keyless)'],
  ['fulcio-url', '--fulcio-url (notation signs with --key and --cert, never keyless)'],
  ['rekor-url', '--rekor-url (notation has no transparency log)'],
  ['tsa-url', '--tsa-url (notation takes --timestamp-url)'],
  ['signing-config', '--signing-config (a Sigstore signing config is cosign\'s)'],
];
const NOTATION_ONLY: readonly (keyof PackageValues)[] = ['cert', 'signature-format', 'expiry', 'timestamp-url', 'timestamp-root-cert', 'user-metadata'];

function given(v: unknown): boolean {
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
}

function refuseOtherFamilyFlags(values: PackageValues): void {
  if (values.notation) {
    const bad = COSIGN_ONLY.filter(([k]) => given(values[k]));
    if (bad.length) throw new UsageError(`package sign --notation does not take ${bad.map(([, why]) => why).join(', ')}`);
  } else {
    const bad = NOTATION_ONLY.filter((k) => given(values[k]));
    if (bad.length) throw new UsageError(`${bad.map((k) => `--${k}`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} for notation signatures: add --notation (cosign signing does not use ${bad.length > 1 ? 'them' : 'it'})`);
  }
}

export async function runPackage(ctx: Context, positionals: string[], values: PackageValues): Promise<number> {
  const [sub, ...rest] = positionals;
  (await import('./package-push.ts')).refuseForeignPackageFlags(sub, values as Record<string, unknown>);
  if (sub === 'attest') return (await import('./package-push.ts')).runAttest(ctx, rest, values);
  if (sub === 'push') return (await import('./package-push.ts')).runPush(ctx, rest, values);
  if (sub !== 'sign') throw new UsageError(sub ? `unknown package subcommand "${sub}" (subcommands: sign, attest, push)` : 'package needs a subcommand: sign, attest or push');
  if (rest.length !== 1) throw new UsageError('package sign takes exactly one reference');
  refuseOtherFamilyFlags(values);
  if (values.notation) return runNotationSign(ctx, rest[0]!, values);
  const tlog = values['tlog-upload'] ?? 'true';
  if (tlog !== 'true' && tlog !== 'false') throw new UsageError(`--tlog-upload must be true or false, not "${tlog}"`);
  const annotations = parseAnnotationFlags([...(values.annotation ?? []), ...(values.annotations ?? [])]) ?? {};
  if (!values.key) return runKeylessSign(ctx, rest[0]!, values, annotations, tlog);
  rejectKeylessFlags(values);
  const ref = ctx.parse(rest[0]!);
  const key = await readKey(ctx, values.key);
  const repo = ctx.open(ref);
  const { signPackage } = await import('@ocx/signer');
  const result = await signPackage(repo, referenceTarget(ref), {
    key,
    repositoryName: repositoryName(ref),
    legacyTag: values['legacy-tag'] === true,
    tlogUpload: tlog === 'true',
    ...(values['rekor-url'] ? { rekorURL: values['rekor-url'] } : {}),
    annotations,
    now: new Date(),
    ...(ctx.platform ? { platform: ctx.platform } : {}),
  });
  if (tlog === 'false') ctx.warn('--tlog-upload=false: the signature is in no transparency log; verifiers need --insecure-ignore-tlog');
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ reference: rest[0], digest: result.root.digest, signed: result.signed }, null, 2)}\n`);
  } else {
    for (const s of result.signed) {
      const where = s.platform ? ` [${sanitize(s.platform)}]` : s.digest === result.root.digest && result.signed.length > 1 ? ' [index]' : '';
      const what = s.format === 'cosign-legacy' ? `tag ${sanitize(s.tag ?? '')} (${shortDigest(s.signature)})` : `referrer ${s.signature}${s.referrers === 'tag-schema' ? ' (referrers tag schema)' : ''}`;
      ctx.io.stdout(`✓ signed ${shortDigest(s.digest)}${where}: ${what}\n`);
    }
  }
  return ExitCode.OK;
}
