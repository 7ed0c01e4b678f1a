import type { Credential, Reference } from '@ocx/oci';
import { readSecret, type Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';

// `ocx copy` touches two registries, so one --username cannot say whose it is. As `oras copy` does,
// each side has its own flags: --from-username/--from-password-stdin and --to-username/--to-password-stdin
// (only one side may read stdin; the other's secret comes from OCX_FROM_PASSWORD/OCX_TO_PASSWORD, or
// the side uses its docker-config entry). Each credential is bound to its side's registry host only.

export const COPY_CREDENTIAL_OPTIONS = {
  'from-username': { type: 'string' },
  'from-password-stdin': { type: 'boolean', default: false },
  'to-username': { type: 'string' },
  'to-password-stdin': { type: 'boolean', default: false },
} as const;

export interface CopyCredentialValues {
  readonly 'from-username'?: string;
  readonly 'from-password-stdin'?: boolean;
  readonly 'to-username'?: string;
  readonly 'to-password-stdin'?: boolean;
  readonly 'password-stdin'?: boolean;
}

type Side = 'from' | 'to';

async function sideCredential(ctx: Context, side: Side, values: CopyCredentialValues): Promise<Credential | undefined> {
  const env = side === 'from' ? 'OCX_FROM' : 'OCX_TO';
  const username = values[`${side}-username`] ?? ctx.io.env[`${env}_USERNAME`];
  const stdin = values[`${side}-password-stdin`] ?? false;
  if (stdin) {
    if (!username) throw new UsageError(`--${side}-password-stdin needs --${side}-username (or ${env}_USERNAME)`);
    return { username, password: await readSecret(ctx.io) };
  }
  const password = ctx.io.env[`${env}_PASSWORD`];
  if (username && password !== undefined) return { username, password };
  if (values[`${side}-username`] !== undefined) {
    throw new UsageError(`--${side}-username needs a password: --${side}-password-stdin or ${env}_PASSWORD (or drop it to use the docker config)`);
  }
  return undefined;
}

/** Reads copy's per-side credentials and binds each to its side's registry host; call before opening. */
export async function bindCopyCredentials(ctx: Context, values: CopyCredentialValues, src: Reference, dst: Reference): Promise<void> {
  if (values['from-password-stdin'] && values['to-password-stdin']) {
    throw new UsageError('only one of --from-password-stdin and --to-password-stdin can read stdin; give the other side OCX_FROM_PASSWORD/OCX_TO_PASSWORD or a docker-config entry');
  }
  const sided = values['from-username'] !== undefined || values['to-username'] !== undefined || values['from-password-stdin'] || values['to-password-stdin'];
  if (sided && ctx.globalCredentialSource) {
    throw new UsageError(`${ctx.globalCredentialSource} cannot be combined with --from-username/--to-username: give each side its own flags`);
  }
  for (const [side, ref] of [['from', src], ['to', dst]] as const) {
    const credential = await sideCredential(ctx, side, values);
    if (!credential) continue;
    if (ref.kind !== 'registry') throw new UsageError(`--${side}-username: the ${side === 'from' ? 'source' : 'destination'} is an OCI layout, not a registry`);
    ctx.bindCredential(ref.host, credential, `--${side}-username`);
  }
}
