import { parseArgs } from 'node:util';
import { isOciError } from '@ocx/oci';
import { COPY_HELP, COPY_OPTIONS, runCopy } from './commands/copy.ts';
import { DISCOVER_HELP, DISCOVER_OPTIONS, runDiscover } from './commands/discover.ts';
import { LOGIN_HELP, LOGIN_OPTIONS, LOGOUT_HELP, LOGOUT_OPTIONS, runLogin, runLogout } from './commands/login.ts';
import { PACKAGE_HELP, PACKAGE_OPTIONS } from './commands/package-options.ts';
import { PACKAGE_PUSH_HELP, PACKAGE_PUSH_OPTIONS } from './commands/package-push-options.ts';
import { POLICY_HELP, POLICY_OPTIONS } from './commands/policy-options.ts';
import { PULL_HELP, PULL_OPTIONS } from './commands/pull-options.ts';
import { SBOM_HELP, SBOM_OPTIONS } from './commands/sbom-options.ts';
import { VERIFY_HELP, VERIFY_OPTIONS } from './commands/verify-options.ts';
import { createContext, GLOBAL_OPTIONS, type Context } from './context.ts';
import { CommandFailure, exitCodeFor, ExitCode, UsageError } from './exit-codes.ts';
import { processIo, sanitize, type Io } from './output.ts';
import { explainParseError } from './peer-flags.ts';
import { GLOBAL_FLAGS_HELP } from './help.ts';
import type { ErrorOutput } from './schemas/index.ts';

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string; default?: string | boolean }>;

// Commands that load verifiers (sigstore, X.509, CBOR) import them on first use: `import()` inside
// `run` keeps `ocx discover` and `ocx --help` fast to start.
export interface Command {
  readonly summary: string;
  readonly help: string;
  readonly options: Options;
  run(ctx: Context, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  verify: { summary: 'verify cosign and notation signatures (or attestations) of artifacts', help: VERIFY_HELP, options: VERIFY_OPTIONS as Options, run: async (c, p, v) => (await import('./commands/verify.ts')).runVerify(c, p, v) },
  discover: { summary: 'list the referrers of an artifact (signatures, SBOMs, attestations)', help: DISCOVER_HELP, options: DISCOVER_OPTIONS as Options, run: (c, p, v) => runDiscover(c, p, v) },
  package: { summary: 'push, sign and attest packages (ocx package push|sign|attest)', help: PACKAGE_HELP + PACKAGE_PUSH_HELP, options: { ...PACKAGE_OPTIONS, ...PACKAGE_PUSH_OPTIONS } as Options, run: async (c, p, v) => (await import('./commands/package.ts')).runPackage(c, p, v) },
  sbom: { summary: 'find, summarise, trust-check and write the SBOMs attached to an artifact', help: SBOM_HELP, options: SBOM_OPTIONS as Options, run: async (c, p, v) => (await import('./commands/sbom.ts')).runSbom(c, p, v) },
  pull: { summary: 'pull a package: verify it by policy, then download and unpack its layers', help: PULL_HELP, options: PULL_OPTIONS as Options, run: async (c, p, v) => (await import('./commands/pull.ts')).runPull(c, p, v) },
  copy: { summary: 'copy an artifact with its referrer graph between registries and OCI layouts', help: COPY_HELP, options: COPY_OPTIONS as Options, run: (c, p, v) => runCopy(c, p, v) },
  login: { summary: 'check credentials against a registry and store them in the docker config', help: LOGIN_HELP, options: LOGIN_OPTIONS as Options, run: (c, p) => runLogin(c, p) },
  logout: { summary: 'remove the stored credentials of a registry', help: LOGOUT_HELP, options: LOGOUT_OPTIONS as Options, run: (c, p) => runLogout(c, p) },
  policy: { summary: 'check, explain and import trust policies (ocx policy check|explain|import-notation)', help: POLICY_HELP, options: POLICY_OPTIONS as Options, run: async (c, p, v) => (await import('./commands/policy.ts')).runPolicy(c, p, v) },
};

export const EXIT_CODE_HELP = `Exit codes (shared by every ocx command):
  0   success
  1   internal error
  64  usage error (bad flags or reference)
  65  data error: found but did not verify, or malformed/hostile content
  69  registry unavailable or answered uselessly
  74  I/O error (files, OCI layouts)
  75  temporary failure (network, timeouts, 429/5xx, write conflicts): retry
  77  identity or permission mismatch
  78  configuration error (trust policy, trust root, credentials config)
  79  not found (reference, platform, signature or SBOM)
  80  authentication or authorization failed
  81  blocked by policy
  83  transparency log unavailable
`;

function mainHelp(): string {
  const cmds = Object.entries(COMMANDS)
    .map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`)
    .join('\n');
  return `ocx — verify, inspect and copy supply-chain artifacts in OCI registries

Usage: ocx <command> [flags]

Commands:
${cmds}

Global flags: --format text|json, --platform os/arch[/variant], --plain-http, --insecure, --ca-file FILE,
  --username U with --password-stdin (or OCX_USERNAME/OCX_PASSWORD), --no-cache, --verbose,
  --timeout [KIND=]DURATION (or OCX_TIMEOUT; kinds connect, exchange, metadata, idle)

${EXIT_CODE_HELP}`;
}

/** Runs one ocx invocation and returns its exit code; never throws. */
export async function run(argv: readonly string[], io: Io = processIo(), extra: { fetch?: typeof fetch } = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp());
    return name ? ExitCode.OK : ExitCode.USAGE;
  }
  if (name === '--version' || name === 'version') {
    io.stdout('ocx 0.0.0\n');
    return ExitCode.OK;
  }
  const command = COMMANDS[name];
  const wantsJson = rest.includes('json') && rest.some((a) => a === '--format' || a.startsWith('--format='));
  let ctx: Context | undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options } as Options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(explainParseError(name, err instanceof Error ? err.message : String(err)));
    }
    // --platform is global for the commands that read an image index; elsewhere it would be ignored.
    if (parsed.values.platform !== undefined && (name === 'login' || name === 'logout')) throw new UsageError(`--platform selects a platform of an image index; ocx ${name} reads none`);
    // `tree` is discover's text layout (oras discover --format tree); elsewhere it would just be text.
    if (parsed.values.format === 'tree' && name !== 'discover') throw new UsageError('--format tree is for discover only: use text or json');
    if (parsed.values.help) {
      io.stdout(command.help + GLOBAL_FLAGS_HELP);
      return ExitCode.OK;
    }
    ctx = await createContext(io, parsed.values as Record<string, never>, extra);
    return await command.run(ctx, parsed.positionals, parsed.values);
  } catch (err) {
    const { exitCode, kind } = exitCodeFor(err);
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`error: ${sanitize(message)}\n`);
    if (exitCode === ExitCode.INTERNAL && err instanceof Error && err.stack) io.stderr(`${sanitize(err.stack)}\n`);
    if (err instanceof UsageError && command) io.stderr(`run "ocx ${name} --help" for usage\n`);
    if (wantsJson && !(err instanceof CommandFailure && err.reported)) {
      const registry = isOciError(err) ? { status: err.status, method: err.method, url: err.url, errors: err.errors.length ? [...err.errors] : undefined } : {};
      const doc: ErrorOutput = { error: { kind, exitCode, message, ...registry } };
      io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return exitCode;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}
