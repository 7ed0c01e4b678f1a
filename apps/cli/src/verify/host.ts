import type { FlagFamily as EngineFlagFamily, FlagHost, TrustFlags } from '@ocx/policy/engine';
import { parseAnnotationFlags } from '../commands/verify-options.ts';
import { ocxHome, type Context } from '../context.ts';
import { CommandFailure, ExitCode, exitCodeFor, UsageError } from '../exit-codes.ts';
import type { FlagFamily, VerifyFlags } from './types.ts';

// The CLI side of the engine's flag-driven families (@ocx/policy/engine): the context as their
// host, `-a` parsed as the CLI parses it, and their errors as the CLI's own (a usage error gets the
// "--help" hint; configuration and trust-root failures keep their kinds and exit codes).

export function flagHost(ctx: Context): FlagHost {
  // httpFetch/timeouts are absent in hand-made test contexts.
  return { io: ctx.io, warn: (m) => ctx.warn(m), noCache: ctx.noCache, home: ocxHome(ctx.io.env), exitCodeFor, ...(ctx.httpFetch ? { httpFetch: ctx.httpFetch } : {}), ...(ctx.timeouts ? { timeouts: ctx.timeouts } : {}) };
}

export function trustFlags(flags: VerifyFlags): TrustFlags {
  const { annotations, ...rest } = flags;
  const parsed = parseAnnotationFlags(annotations);
  return { ...rest, ...(parsed ? { annotations: parsed } : {}) };
}

function cliError(err: unknown): unknown {
  if (!(err instanceof Error) || err.name !== 'PolicyError') return err;
  const code = (err as { code?: string }).code;
  if (code === 'USAGE') return new UsageError(err.message);
  if (code === 'CONFIG') return new CommandFailure(ExitCode.CONFIG, 'config', err.message, false);
  if (code === 'TRUST_ROOT_UNAVAILABLE') return new CommandFailure(ExitCode.TEMPFAIL, 'trust_root_unavailable', err.message, false);
  return err;
}

/** An engine family as `ocx verify` and `ocx sbom` drive it. */
export function cliFamily(family: EngineFlagFamily): FlagFamily {
  return {
    name: family.name,
    applies: (flags, ctx) => family.applies({ ...flags, annotations: undefined }, ctx),
    async prepare(flags, ctx, now) {
      let prepared;
      try {
        prepared = await family.prepare(trustFlags(flags), flagHost(ctx), now);
      } catch (err) {
        throw cliError(err);
      }
      // A trust root fetched on first need fails inside verify: the same CLI error.
      return { verify: (target, signal) => prepared.verify(target, signal).catch((err: unknown) => Promise.reject(cliError(err))) };
    },
  };
}
