import { parseArgs, type ParseArgsConfig } from 'node:util';

// The repo scripts' one argument parser (registry, demo, bench, conformance:*). pnpm 12 passes the
// `--` of `pnpm X -- --flag` through verbatim, so a leading `--` is dropped; a bad flag is a usage
// message and exit 64, never a stack trace.

export interface ScriptSpec {
  /** The pnpm script name, for messages. */
  readonly name: string;
  /** The usage text printed for --help and after an error. */
  readonly usage: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  /** Allowed positional arguments (e.g. bench part names); none when absent. */
  readonly positionals?: readonly string[];
}

export interface ScriptArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export type ScriptArgsResult = ({ readonly ok: true } & ScriptArgs) | { readonly ok: false; readonly exitCode: 0 | 64; readonly message: string };

/** Parses without side effects: the result says what to print and with which exit code. */
export function parseScriptArgs(spec: ScriptSpec, argv: readonly string[]): ScriptArgsResult {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const usage = `usage: ${spec.usage.trim()}\n`;
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    return { ok: false, exitCode: 64, message: `${spec.name}: ${err instanceof Error ? err.message : String(err)}\n${usage}` };
  }
  if (parsed.values.help) return { ok: false, exitCode: 0, message: usage };
  const allowed = spec.positionals ?? [];
  const stray = parsed.positionals.filter((p) => !allowed.includes(p));
  if (stray.length) {
    const what = allowed.length ? `unknown argument ${JSON.stringify(stray[0])} (one of: ${allowed.join(', ')})` : `unexpected argument ${JSON.stringify(stray[0])}`;
    return { ok: false, exitCode: 64, message: `${spec.name}: ${what}\n${usage}` };
  }
  const { help: _help, ...values } = parsed.values;
  return { ok: true, values, positionals: parsed.positionals };
}

/** For a script's top level: the parsed arguments, or usage on stderr/stdout and exit. */
export function scriptArgs(spec: ScriptSpec, argv: readonly string[] = process.argv.slice(2)): ScriptArgs {
  const r = parseScriptArgs(spec, argv);
  if (r.ok) return r;
  (r.exitCode === 0 ? process.stdout : process.stderr).write(r.message);
  process.exit(r.exitCode);
}
