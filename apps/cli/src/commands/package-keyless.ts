// `ocx package sign <ref>` without --key: keyless signing (issue 11). The identity token comes from
// --identity-token-file, --identity-token-stdin, SIGSTORE_ID_TOKEN or the CI's ambient credentials —
// never from argv — and is never printed: messages name where it came from, not what it is.
import { open } from 'node:fs/promises';
import { referenceTarget, repositoryName } from '@ocx/oci';
import type { KeylessServices } from '@ocx/signer';
import type { Context } from '../context.ts';
import { CommandFailure, ExitCode, UsageError } from '../exit-codes.ts';
import { sanitize, shortDigest } from '../output.ts';

export interface KeylessValues {
  'legacy-tag'?: boolean;
  'tlog-upload'?: string;
  'identity-token-file'?: string;
  'identity-token-stdin'?: boolean;
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'tsa-url'?: string;
  'signing-config'?: string;
}

const KEYLESS_ONLY = ['identity-token-file', 'identity-token-stdin', 'fulcio-url', 'tsa-url', 'signing-config'] as const;

/** With --key these flags would be silently ignored; say so instead. (--rekor-url also serves --key.) */
export function rejectKeylessFlags(values: KeylessValues): void {
  const given = KEYLESS_ONLY.filter((f) => values[f] !== undefined && values[f] !== false);
  if (given.length > 0) throw new UsageError(`--${given[0]} is for keyless signing; drop it or drop --key`);
}

const MAX_TOKEN_FILE = 64 * 1024;
const MAX_SIGNING_CONFIG = 1024 * 1024;

async function readCapped(flag: string, path: string, max: number): Promise<string> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(max + 1);
      const { bytesRead } = await fh.read(buf, 0, max + 1, 0);
      if (bytesRead > max) throw new CommandFailure(ExitCode.CONFIG, 'config', `${flag} ${path} is larger than ${max} bytes`, false);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof CommandFailure) throw e;
    throw new CommandFailure(ExitCode.CONFIG, 'config', `cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, false);
  }
}

/** The token and where it came from (for messages); the explicit sources first, then the CI's. */
async function identityToken(ctx: Context, values: KeylessValues): Promise<{ token: string; source: string }> {
  const file = values['identity-token-file'];
  if (file && values['identity-token-stdin']) throw new UsageError('give the identity token once: --identity-token-file or --identity-token-stdin');
  if (file) return { token: (await readCapped('--identity-token-file', file, MAX_TOKEN_FILE)).trim(), source: '--identity-token-file' };
  if (values['identity-token-stdin']) return { token: ((await ctx.io.stdin?.()) ?? '').trim(), source: 'stdin' };
  const { ambientIdentityToken } = await import('@ocx/signer');
  const token = await ambientIdentityToken({ env: ctx.io.env, fetch: globalThis.fetch });
  if (token) return { token, source: ctx.io.env.SIGSTORE_ID_TOKEN ? 'SIGSTORE_ID_TOKEN' : 'GitHub Actions' };
  throw new CommandFailure(
    ExitCode.AUTH,
    'auth',
    'keyless signing needs an OIDC identity token: --identity-token-file FILE, --identity-token-stdin, SIGSTORE_ID_TOKEN, or a CI that offers one (GitHub Actions with id-token: write); or sign with --key FILE',
    false,
  );
}


function describe(s: KeylessServices): string {
  return [`Fulcio ${s.fulcioURL}`, s.rekor ? `Rekor ${s.rekor.url}` : undefined, s.tsaURL ? `TSA ${s.tsaURL}` : undefined].filter(Boolean).join(', ');
}

export async function runKeylessSign(ctx: Context, input: string, values: KeylessValues, annotations: Record<string, string>, tlog: 'true' | 'false'): Promise<number> {
  const now = new Date();
  const signer = await import('@ocx/signer');
  const signingConfigPath = values['signing-config'];
  let signingConfig: unknown;
  if (signingConfigPath) {
    try {
      signingConfig = JSON.parse(await readCapped('--signing-config', signingConfigPath, MAX_SIGNING_CONFIG));
    } catch (e) {
      if (e instanceof CommandFailure) throw e;
      throw new CommandFailure(ExitCode.CONFIG, 'config', `--signing-config ${signingConfigPath} is not JSON`, false);
    }
  }
  let services: KeylessServices;
  try {
    services = signer.resolveServices(
      {
        ...(values['fulcio-url'] ? { fulcioURL: values['fulcio-url'] } : {}),
        ...(values['rekor-url'] ? { rekorURL: values['rekor-url'] } : {}),
        ...(values['tsa-url'] ? { tsaURL: values['tsa-url'] } : {}),
        ...(signingConfig !== undefined ? { signingConfig } : {}),
        tlogUpload: tlog === 'true',
      },
      now,
    );
  } catch (e) {
    // Flags that do not fit together are a usage error; a bad --signing-config stays INVALID_OPTIONS (78).
    if (signer.isSignerError(e, 'INVALID_OPTIONS') && !signingConfigPath) throw new UsageError(e.message);
    throw e;
  }
  const { token, source } = await identityToken(ctx, values);
  if (!token) throw new CommandFailure(ExitCode.AUTH, 'auth', `the identity token from ${source} is empty`, false);
  const ref = ctx.parse(input);
  let result;
  try {
    result = await signer.signPackageKeyless(ctx.open(ref), referenceTarget(ref), {
      identityToken: token,
      services,
      repositoryName: repositoryName(ref),
      legacyTag: values['legacy-tag'] === true,
      annotations,
      now,
      ...(ctx.platform ? { platform: ctx.platform } : {}),
    });
  } catch (e) {
    // Its exit code comes from the table in exit-codes.ts; the message says where the token came from.
    if (signer.isSignerError(e, 'INVALID_TOKEN')) throw new signer.SignerError(e.code, signer.redact(`${e.message} (token from ${source})`, token));
    throw e;
  }
  if (!services.rekor) ctx.warn(`no transparency-log entry${tlog === 'false' ? ' (--tlog-upload=false)' : ''}: verifiers need --insecure-ignore-tlog and the TSA in their trusted root`);
  if (ctx.json) {
    const { identity, transparencyLog, timestamped } = result;
    ctx.io.stdout(`${JSON.stringify({ reference: input, digest: result.root.digest, keyless: { issuer: identity.issuer, subject: identity.subject, transparencyLog, timestamped }, signed: result.signed }, null, 2)}\n`);
  } else {
    ctx.io.stdout(`keyless: ${sanitize(result.identity.subject)} (issuer ${sanitize(result.identity.issuer)}) via ${sanitize(describe(services))}\n`);
    for (const s of result.signed) {
      const where = s.platform ? ` [${sanitize(s.platform)}]` : s.digest === result.root.digest && result.signed.length > 1 ? ' [index]' : '';
      const what = s.format === 'cosign-legacy' ? `tag ${sanitize(s.tag ?? '')} (${shortDigest(s.signature)})` : `referrer ${s.signature}${s.referrers === 'tag-schema' ? ' (referrers tag schema)' : ''}`;
      ctx.io.stdout(`✓ signed ${shortDigest(s.digest)}${where}: ${what}\n`);
    }
  }
  return ExitCode.OK;
}
