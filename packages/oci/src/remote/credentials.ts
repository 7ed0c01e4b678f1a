import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { OciError } from '../errors.ts';
import type { Credential, CredentialProvider } from './auth.ts';

// Credentials as docker, oras, cosign and notation read them: $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json) with `auths`, `credsStore` and `credHelpers` (docker-credential-* programs).

const DockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), z.looseObject({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional(), identitytoken: z.string().optional(), registrytoken: z.string().optional() })).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

type DockerConfig = z.infer<typeof DockerConfigSchema>;

export interface DockerCredentialsOptions {
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Explicit credentials (flags / OCX_USERNAME + OCX_PASSWORD), each bound to the registry host it was
   * given for (host[:port] as in references); they win over the config file for that host only. A host
   * not listed gets what the docker config holds for it, or nothing. Read at lookup time, so a caller
   * may bind a host after creating the provider (before the first request to it).
   */
  readonly explicit?: ReadonlyMap<string, Credential>;
  /** Runs a credential helper; injectable for tests. */
  readonly runHelper?: (program: string, host: string) => Promise<string>;
}

function isDockerHub(host: string): boolean {
  return host === 'registry-1.docker.io' || host === 'docker.io' || host === 'index.docker.io';
}

/** Whether two host[:port] strings name the same registry (Docker Hub's aliases are one registry). */
export function sameRegistryHost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (isDockerHub(x) && isDockerHub(y));
}

/** Every spelling a config entry for `host` may have (Docker Hub's live under its legacy index URL); the first is the one docker writes. */
export function configKeys(host: string): string[] {
  if (isDockerHub(host)) {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
}

export function createDockerCredentials(options: DockerCredentialsOptions = {}): CredentialProvider {
  const env = options.env ?? process.env;
  let config: Promise<DockerConfig | undefined> | undefined;
  const load = () => (config ??= loadConfig(dockerConfigPath(env)));
  return async (host) => {
    for (const [bound, credential] of options.explicit ?? []) if (sameRegistryHost(bound, host)) return credential;
    const cfg = await load();
    if (!cfg) return undefined;
    const keys = configKeys(host);
    const helper = configuredHelper(cfg, keys);
    if (helper) {
      const fromHelper = await helperCredential(helper, keys[0]!, options.runHelper ?? runHelper);
      if (fromHelper) return fromHelper;
    }
    for (const k of keys) {
      const entry = cfg.auths?.[k];
      if (!entry) continue;
      if (entry.identitytoken) return { username: entry.username, refreshToken: entry.identitytoken };
      if (entry.registrytoken) return { accessToken: entry.registrytoken };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
      if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
    }
    return undefined;
  };
}

async function loadConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = DockerConfigSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new OciError('CONFIG', `docker config ${path} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const HelperAnswer = z.looseObject({ Username: z.string().optional(), Secret: z.string() });

/** The credential helper configured for a registry (`credHelpers` under any of its `keys`, else `credsStore`), name-checked: it becomes a program name. */
export function configuredHelper(cfg: { readonly credHelpers?: Record<string, string>; readonly credsStore?: string }, keys: readonly string[]): string | undefined {
  const helper = keys.map((k) => cfg.credHelpers?.[k]).find(Boolean) ?? cfg.credsStore;
  if (!helper) return undefined;
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) throw new OciError('CONFIG', `invalid credential helper name "${helper}"`);
  return helper;
}

async function helperCredential(helper: string, host: string, run: (program: string, host: string) => Promise<string>): Promise<Credential | undefined> {
  let out: string;
  try {
    out = await run(`docker-credential-${helper}`, host);
  } catch {
    // Helper says "credentials not found" with a non-zero exit: anonymous, like docker.
    return undefined;
  }
  const parsed = HelperAnswer.safeParse(safeJson(out));
  if (!parsed.success) return undefined;
  // docker's convention: Username "<token>" means Secret is an identity (refresh) token.
  if (parsed.data.Username === '<token>') return { refreshToken: parsed.data.Secret };
  return { username: parsed.data.Username, password: parsed.data.Secret };
}

function runHelper(program: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < 1_000_000) out += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${program} exited with ${code}`));
    });
    child.stdin.end(host);
  });
}
