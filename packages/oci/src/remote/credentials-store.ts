import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { OciError } from '../errors.ts';
import type { RegistryClient } from './client.ts';
import { configKeys, configuredHelper, dockerConfigPath } from './credentials.ts';

// The writing half of docker's credential config, for `ocx login` / `ocx logout`, as docker and
// oras write it: through the configured credential helper (`credHelpers[registry]`, else
// `credsStore`; docker-credential-helpers protocol: `store` reads {ServerURL,Username,Secret} on
// stdin, `erase` reads the server URL), else `auths[key].auth` = base64(user:pass) in the file.
// Every other key of the file is kept as it was; the file is replaced atomically, mode 0600.

/** Docker Hub's entries live under its legacy index URL, as `docker login` writes them. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', DOCKER_HUB_KEY, 'https://index.docker.io/v1']);
const HELPER_TIMEOUT_MS = 30_000;

// Only what is changed is typed; everything else passes through untouched (looseObject).
const ConfigSchema = z.looseObject({
  auths: z.record(z.string(), z.unknown()).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
type Config = z.infer<typeof ConfigSchema>;

export type HelperAction = 'store' | 'erase';

export interface CredentialStoreOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Runs `program action` with `input` on stdin; rejects on a non-zero exit. Injectable for tests. */
  readonly runHelper?: (program: string, action: HelperAction, input: string) => Promise<void>;
}

/** Where a credential was written or erased. */
export type CredentialLocation = { readonly kind: 'helper'; readonly helper: string; readonly key: string } | { readonly kind: 'file'; readonly path: string; readonly key: string };

/**
 * The config key of a registry as docker writes it: Docker Hub → `https://index.docker.io/v1/`,
 * anything else → `host[:port]` (a scheme or `/v1/`, `/v2/` path the user typed is dropped).
 */
export function dockerConfigKey(registry: string): string {
  if (DOCKER_HUB_NAMES.has(registry.toLowerCase())) return DOCKER_HUB_KEY;
  const host = registry.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (DOCKER_HUB_NAMES.has(host.toLowerCase())) return DOCKER_HUB_KEY;
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/.test(host)) {
    throw new OciError('INVALID_REFERENCE', `invalid registry "${registry}": expected host[:port]`);
  }
  return host;
}

/** Every spelling an entry for `key` may have been written under (docker logout removes them all): the ones the reading side looks up. */
function entryKeys(key: string): string[] {
  return configKeys(key === DOCKER_HUB_KEY ? 'docker.io' : key);
}

function helperFor(cfg: Config, key: string): string | undefined {
  return configuredHelper(cfg, entryKeys(key));
}

async function readConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new OciError('CONFIG', `cannot read docker config ${path}: ${(cause as Error).message}`, { cause });
  }
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // Never overwrite a file we could not read: the user's other settings are in it.
    throw new OciError('CONFIG', `docker config ${path} is not valid JSON; fix or remove it first`, { cause });
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new OciError('CONFIG', `docker config ${path} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Replaces `path` (through a symlink, as docker does) with `cfg`, via a 0600 temp file and rename. */
async function writeConfig(path: string, cfg: Config): Promise<string> {
  const target = await realpath(path).catch(() => path);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    // docker writes the file tab-indented.
    await fh.writeFile(`${JSON.stringify(cfg, null, '\t')}\n`);
    await fh.sync();
  } catch (cause) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw new OciError('IO', `cannot write docker config ${target}: ${(cause as Error).message}`, { cause });
  }
  await fh.close();
  await chmod(tmp, 0o600);
  await rename(tmp, target);
  return target;
}

function withoutEntries(cfg: Config, key: string): { cfg: Config; removed: boolean } {
  if (!cfg.auths) return { cfg, removed: false };
  const auths = { ...cfg.auths };
  let removed = false;
  for (const k of entryKeys(key)) {
    if (k in auths) {
      delete auths[k];
      removed = true;
    }
  }
  return { cfg: { ...cfg, auths }, removed };
}

/** Writes `username`/`password` for `registry` where docker would: its credential helper, else the file. */
export async function storeDockerCredential(registry: string, credential: { readonly username: string; readonly password: string }, options: CredentialStoreOptions = {}): Promise<CredentialLocation> {
  const key = dockerConfigKey(registry);
  const path = dockerConfigPath(options.env ?? process.env);
  const cfg = await readConfig(path);
  const helper = helperFor(cfg, key);
  if (helper) {
    await (options.runHelper ?? helperRunner(options.env))(`docker-credential-${helper}`, 'store', JSON.stringify({ ServerURL: key, Username: credential.username, Secret: credential.password }));
    // A plain-text secret left from before would outlive this login: drop it, as docker does.
    const { cfg: cleaned, removed } = withoutEntries(cfg, key);
    if (removed) await writeConfig(path, cleaned);
    return { kind: 'helper', helper, key };
  }
  const { cfg: base } = withoutEntries(cfg, key);
  const auth = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
  const written = await writeConfig(path, { ...base, auths: { ...base.auths, [key]: { auth } } });
  return { kind: 'file', path: written, key };
}

/**
 * Removes the credential for `registry`: `erase` through the helper when one is configured, and
 * every file entry under the registry's spellings. Returns where something was removed (empty: the
 * user was not logged in).
 */
export async function eraseDockerCredential(registry: string, options: CredentialStoreOptions = {}): Promise<CredentialLocation[]> {
  const key = dockerConfigKey(registry);
  const path = dockerConfigPath(options.env ?? process.env);
  const cfg = await readConfig(path);
  const helper = helperFor(cfg, key);
  const removed: CredentialLocation[] = [];
  if (helper) {
    try {
      await (options.runHelper ?? helperRunner(options.env))(`docker-credential-${helper}`, 'erase', key);
      removed.push({ kind: 'helper', helper, key });
    } catch (err) {
      // docker-credential-helpers' "credentials not found" answer: nothing to erase.
      if (!(err instanceof OciError && /credentials not found/i.test(err.message))) throw err;
    }
  }
  const { cfg: cleaned, removed: fromFile } = withoutEntries(cfg, key);
  if (fromFile) removed.push({ kind: 'file', path: await writeConfig(path, cleaned), key });
  return removed;
}

/**
 * Checks credentials as `docker login` does: GET /v2/ through the client's auth flow (Basic, or a
 * bearer token fetched with the credentials). A refusal throws UNAUTHORIZED.
 */
export async function checkRegistryLogin(client: RegistryClient, host: string, signal?: AbortSignal): Promise<void> {
  const res = await client.request(host, { method: 'GET', url: '/v2/', repository: '', scope: '', ...(signal ? { signal } : {}) });
  await res.body?.cancel().catch(() => undefined);
  if (res.status === 401 || res.status === 403) {
    throw new OciError('UNAUTHORIZED', `${host} refused the credentials (${res.status})`, { status: res.status, method: 'GET', url: `${client.baseUrl(host)}/v2/` });
  }
  if (!res.ok) await client.fail(res, { method: 'GET', url: `${client.baseUrl(host)}/v2/` }, `login check at ${host}`);
}

/** Runs helpers with the caller's environment (its PATH finds them). */
const helperRunner = (env: NodeJS.ProcessEnv | undefined) => (program: string, action: HelperAction, input: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let out = '';
    const collect = (d: string) => {
      if (out.length < 4096) out += d;
    };
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', (cause) => {
      clearTimeout(timer);
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new OciError('CONFIG', missing ? `credential helper ${program} is not on PATH (configured in the docker config)` : `credential helper ${program} failed to start: ${cause.message}`, { cause }));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      // The helper's own message (docker-credential-helpers print it on stdout); it holds no secret.
      const said = out.trim().split('\n')[0]?.slice(0, 200) ?? '';
      reject(new OciError('CONFIG', `credential helper ${program} ${action} failed (${sig ?? `exit ${code}`})${said ? `: ${said}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
