// `ocx login` / `ocx logout`: docker config entries written and removed as docker and oras do
// (@ocx/oci credentials-store.ts). The password never comes from argv: --password-stdin or
// OCX_PASSWORD (context.ts), and `-p` gets a hint (peer-flags.ts).
import { checkRegistryLogin, dockerConfigKey, eraseDockerCredential, RegistryClient, storeDockerCredential, type CredentialLocation } from '@ocx/oci';
import type { Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';

export const LOGIN_OPTIONS = {} as const;
export const LOGOUT_OPTIONS = {} as const;

export const LOGIN_HELP = `Usage: ocx login <registry> -u USER --password-stdin

Checks the credentials against <registry> (GET /v2/ with its Basic or token auth) and, when the
registry accepts them, stores them as docker and oras do: through the credential helper the docker
config names (credHelpers[<registry>], else credsStore: docker-credential-<name> store), else as
auths[<registry>].auth in $DOCKER_CONFIG/config.json (default ~/.docker/config.json), written
atomically with mode 0600; every other setting in the file is kept. Docker Hub (docker.io) is stored
under https://index.docker.io/v1/, as docker writes it.

Flags:
  -u, --username USER   the user name (default: OCX_USERNAME)
  --password-stdin      read the password (or token) from stdin (default: false; else OCX_PASSWORD).
                        A password is never taken from argv: there is no -p/--password
  --plain-http, --insecure, --ca-file FILE   how to reach the registry, as for every command
  --format text|json    output format (default: text)

Examples:
  echo "$TOKEN" | ocx login ghcr.io -u octocat --password-stdin
  OCX_PASSWORD=secret ocx login localhost:5000 -u admin

Exit codes: 0 logged in, 80 the registry refused the credentials (nothing is stored),
78 docker config or credential helper problem, 64 usage.
`;

export const LOGOUT_HELP = `Usage: ocx logout <registry>

Removes the credentials for <registry> where ocx login (or docker, oras) put them: docker-credential-<name>
erase when the docker config names a credential helper for it, and every auths entry for it in
$DOCKER_CONFIG/config.json (default ~/.docker/config.json), keeping everything else.

Flags:
  --format text|json    output format (default: text)

Examples:
  ocx logout ghcr.io
  ocx logout docker.io

Exit codes: 0 removed (or was not logged in), 78 docker config or credential helper problem, 64 usage.
`;

function where(l: CredentialLocation): string {
  return l.kind === 'helper' ? `docker-credential-${l.helper}` : l.path;
}

function registryArg(positionals: string[], command: string): { registry: string; key: string } {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one registry (host[:port])`);
  const registry = positionals[0]!;
  return { registry, key: dockerConfigKey(registry) };
}

export async function runLogin(ctx: Context, positionals: string[]): Promise<number> {
  const { key } = registryArg(positionals, 'login');
  const cred = ctx.credential;
  if (!cred?.username || cred.password === undefined) {
    throw new UsageError('login needs -u USER with --password-stdin (or OCX_USERNAME and OCX_PASSWORD); a password is never taken from argv');
  }
  if (cred.password === '') throw new UsageError('login: the password read from stdin is empty');
  // Requests go to the host references use (Docker Hub: registry-1.docker.io), credentials to it only.
  const host = key === 'https://index.docker.io/v1/' ? 'registry-1.docker.io' : key;
  const client = new RegistryClient({ ...ctx.client.options, capabilityStore: undefined, contentCache: undefined, credentials: async (h) => (h === host ? cred : undefined) });
  try {
    await checkRegistryLogin(client, host);
  } finally {
    await client.close();
  }
  const stored = await storeDockerCredential(key, { username: cred.username, password: cred.password }, { env: ctx.io.env });
  if (stored.kind === 'file') ctx.warn(`the password is stored unencrypted (base64) in ${stored.path}; configure a credential helper (credsStore) to avoid this`);
  if (ctx.json) ctx.io.stdout(`${JSON.stringify({ registry: stored.key, username: cred.username, stored: stored.kind, ...(stored.kind === 'helper' ? { helper: stored.helper } : { path: stored.path }) }, null, 2)}\n`);
  else ctx.io.stdout(`✓ logged in to ${sanitize(stored.key)} as ${sanitize(cred.username)} (credentials in ${sanitize(where(stored))})\n`);
  return 0;
}

export async function runLogout(ctx: Context, positionals: string[]): Promise<number> {
  const { key } = registryArg(positionals, 'logout');
  const removed = await eraseDockerCredential(key, { env: ctx.io.env });
  if (ctx.json) ctx.io.stdout(`${JSON.stringify({ registry: key, removed: removed.map((l) => ({ stored: l.kind, ...(l.kind === 'helper' ? { helper: l.helper } : { path: l.path }) })) }, null, 2)}\n`);
  else if (removed.length === 0) ctx.io.stdout(`not logged in to ${sanitize(key)}: nothing to remove\n`);
  else ctx.io.stdout(`✓ removed the credentials for ${sanitize(key)} from ${removed.map((l) => sanitize(where(l))).join(' and ')}\n`);
  return 0;
}
