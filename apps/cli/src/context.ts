import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  createDockerCredentials,
  createTransport,
  fileCapabilityStore,
  fileContentCache,
  fileTokenStore,
  openRepository,
  parsePlatform,
  parseReference,
  parseTimeouts,
  proxyFromEnv,
  RegistryClient,
  resolveTimeouts,
  sameRegistryHost,
  type Credential,
  type FetchLike,
  type Timeouts,
  type OciError,
  type PlatformSpec,
  type Reference,
  type Repository,
} from '@ocx/oci';
import { UsageError } from './exit-codes.ts';
import { sanitize, type Io } from './output.ts';
import { fileTagHints, type TagHints } from './tag-hints.ts';

/** Flags every registry-facing command takes. */
export const GLOBAL_OPTIONS = {
  format: { type: 'string', default: 'text' },
  'plain-http': { type: 'boolean', default: false },
  insecure: { type: 'boolean', default: false },
  'ca-file': { type: 'string' },
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean', default: false },
  platform: { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  timeout: { type: 'string' },
} as const;

export interface GlobalValues {
  readonly format?: string;
  readonly 'plain-http'?: boolean;
  readonly insecure?: boolean;
  readonly 'ca-file'?: string;
  readonly username?: string;
  readonly 'password-stdin'?: boolean;
  readonly platform?: string;
  readonly 'no-cache'?: boolean;
  readonly verbose?: boolean;
  readonly timeout?: string;
}

export interface Context {
  readonly io: Io;
  readonly client: RegistryClient;
  readonly json: boolean;
  readonly verbose: boolean;
  /** --no-cache: no on-disk caches (referrers capability, content, revocation) for this run. */
  readonly noCache: boolean;
  readonly platform?: PlatformSpec;
  /** What tags resolved to last time: a guess to start work early, never trusted (tag-hints.ts). */
  readonly tagHints?: TagHints;
  readonly warnings: string[];
  /** Deadlines of this run: defaults, then OCX_TIMEOUT, then --timeout (README "Timeouts"). */
  readonly timeouts: Timeouts;
  /** HTTP for everything that is not a registry (TUF, TSA, OCSP/CRL): proxies and deadlines as for registries, no registry TLS flags. */
  readonly httpFetch: FetchLike;
  /** Content that failed its digest or size and was left out with a warning: the command exits non-zero. */
  readonly failures: OciError[];
  /** The credential given by --username with --password-stdin or OCX_PASSWORD (ocx login stores it). */
  readonly credential?: Credential;
  parse(ref: string): Reference;
  /**
   * Opens a repository. The global --username/OCX_USERNAME credential binds to the first registry host
   * opened; opening a second registry host while it is set is a usage error (issue 10 item 1).
   */
  open(ref: Reference, options?: OpenOptions): Repository;
  /** Binds an explicit credential to one registry host (copy's --from-/--to- flags); call before open(). */
  bindCredential(host: string, credential: Credential, flag: string): void;
  /** Which flag or variable gave the global credential, if one was given. */
  readonly globalCredentialSource?: string;
  warn(message: string, error?: OciError): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Also hears this repository's warnings (after ctx.warn): what it left out, and why. */
  readonly onWarning?: (message: string, error?: OciError) => void;
}

/** A secret read from stdin (one line; the trailing newline is not part of it). */
export async function readSecret(io: Io): Promise<string> {
  return ((await io.stdin?.()) ?? '').replace(/\r?\n$/, '');
}

/** ocx's home for caches: OCX_HOME, else $XDG_CACHE_HOME/ocx, else ~/.cache/ocx. */
export function ocxHome(env: NodeJS.ProcessEnv): string {
  return env.OCX_HOME ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'ocx');
}

export async function createContext(io: Io, values: GlobalValues, extra: { fetch?: typeof fetch } = {}): Promise<Context> {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'tree') throw new UsageError(`--format must be text or json, not "${format}"`);
  const warnings: string[] = [];
  const failures: OciError[] = [];
  const warn = (m: string, error?: OciError) => {
    warnings.push(m);
    if (error) failures.push(error);
    // Warnings quote registry content (Content-Type, zod paths, tags): sanitised like every registry string.
    io.stderr(`warning: ${sanitize(m)}\n`);
  };
  // Secrets never come from argv: the password is read from stdin or OCX_PASSWORD.
  let explicit: Credential | undefined;
  const username = values.username ?? io.env.OCX_USERNAME;
  if (values['password-stdin']) {
    if (!username) throw new UsageError('--password-stdin needs --username (or OCX_USERNAME)');
    const password = await readSecret(io);
    explicit = { username, password };
  } else if (username && io.env.OCX_PASSWORD !== undefined) {
    explicit = { username, password: io.env.OCX_PASSWORD };
  } else if (values.username) {
    throw new UsageError('--username needs a password: use --password-stdin or OCX_PASSWORD');
  }
  if (values.insecure) warn('--insecure: TLS certificates are not verified');
  const timeouts = resolveTimeouts({ ...(io.env.OCX_TIMEOUT ? parseTimeouts(io.env.OCX_TIMEOUT, 'OCX_TIMEOUT') : {}), ...timeoutFlag(values.timeout) });
  // HTTP(S)_PROXY / NO_PROXY as Go's tools read them, for registry and every other request alike.
  const proxy = proxyFromEnv(io.env);
  let outbound: ReturnType<typeof createTransport> | undefined;
  const httpFetch: FetchLike = (input, init) => (outbound ??= createTransport({ transport: 'node-http', proxy, connectTimeoutMs: timeouts.connectMs, idleTimeoutMs: timeouts.idleMs })).fetch(input, init);
  // Explicit credentials are bound to a registry host, never offered to every host a command touches.
  const bound = new Map<string, Credential>();
  const globalSource = explicit ? (values.username !== undefined ? '--username' : 'OCX_USERNAME') : undefined;
  let globalHost: string | undefined;
  const bindCredential = (host: string, credential: Credential, flag: string): void => {
    const existing = [...bound].find(([h]) => sameRegistryHost(h, host));
    if (existing && (existing[1].username !== credential.username || existing[1].password !== credential.password)) {
      throw new UsageError(`${flag}: ${host} already has other credentials from this command line`);
    }
    bound.set(host, credential);
  };
  const open = (ref: Reference, options: OpenOptions = {}): Repository => {
    if (ref.kind === 'registry' && explicit && ![...bound.keys()].some((h) => sameRegistryHost(h, ref.host) && h !== globalHost)) {
      if (globalHost === undefined) {
        globalHost = ref.host;
        bound.set(ref.host, explicit);
      } else if (!sameRegistryHost(globalHost, ref.host)) {
        throw new UsageError(
          `${globalSource} applies to one registry, but this command touches ${globalHost} and ${ref.host}: ` +
            'for ocx copy use --from-username/--from-password-stdin and --to-username/--to-password-stdin ' +
            '(or OCX_FROM_PASSWORD/OCX_TO_PASSWORD); otherwise give each registry its own entry in the docker config',
        );
      }
    }
    const hear = options.onWarning;
    return openRepository(ref, client, hear ? { onWarning: (m, e) => (warn(m, e), hear(m, e)) } : {});
  };
  const client = new RegistryClient({
    fetch: extra.fetch as never,
    // A CLI run is one short process: node:http starts ~100 ms faster than Node's fetch (undici).
    transport: 'node-http',
    proxy,
    timeouts,
    plainHttp: values['plain-http'] ? true : undefined,
    insecure: values.insecure,
    caFile: values['ca-file'],
    credentials: createDockerCredentials({ env: io.env, explicit: bound }),
    capabilityStore: values['no-cache'] ? undefined : fileCapabilityStore(join(ocxHome(io.env), 'referrers-capability.json')),
    contentCache: values['no-cache'] ? undefined : fileContentCache(join(ocxHome(io.env), 'content')),
    // Anonymous pull tokens only (never one obtained with credentials), until they expire.
    tokenStore: values['no-cache'] ? undefined : fileTokenStore(join(ocxHome(io.env), 'tokens')),
    onWarning: warn,
    // --verbose: one line per registry exchange; the URL without its query, never a header (secrets).
    ...(values.verbose ? { onExchange: (e: { method: string; url: string; status: number }) => io.stderr(`${e.method} ${sanitize(e.url)} → ${e.status}\n`) } : {}),
    userAgent: 'ocx/0.0.0',
  });
  const platform = values.platform ? parsePlatform(values.platform) : undefined;
  return {
    io,
    client,
    json: format === 'json',
    verbose: values.verbose ?? false,
    noCache: values['no-cache'] ?? false,
    platform,
    ...(values['no-cache'] ? {} : { tagHints: fileTagHints(join(ocxHome(io.env), 'tags')) }),
    warnings,
    timeouts,
    httpFetch,
    failures,
    ...(explicit ? { credential: explicit } : {}),
    parse: (ref) => parseReference(ref, { env: io.env, cwd: io.cwd }),
    open,
    bindCredential,
    ...(globalSource ? { globalCredentialSource: globalSource } : {}),
    warn,
    close: async () => {
      await Promise.all([client.close(), outbound?.close()]);
    },
  };
}

function timeoutFlag(value: string | undefined): Partial<Timeouts> {
  if (value === undefined) return {};
  try {
    return parseTimeouts(value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
