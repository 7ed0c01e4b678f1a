import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

// Anonymous pull tokens kept across runs (issue 12): a public registry that demands a bearer token
// (401 + WWW-Authenticate → token → retry) then costs a repeat run no token round trip and no 401.
// Only tokens obtained WITHOUT credentials are ever stored (auth.ts decides); each is keyed by the
// realm, service and scope it was issued for and used until its expiry minus a margin. The file is
// a cache: unreadable, corrupt or oversized means empty, and it never holds anything secret to the user.

export interface StoredChallenge {
  readonly realm: string;
  readonly service?: string;
}

export interface StoredToken {
  readonly token: string;
  /** Epoch milliseconds at which the registry said the token expires. */
  readonly expiresAt: number;
}

export interface TokenStoreData {
  /** Registry host → the bearer challenge it answered last (where its anonymous tokens come from). */
  readonly hosts: Record<string, StoredChallenge>;
  /** tokenKey(realm, service, scope) → token. */
  readonly tokens: Record<string, StoredToken>;
}

export interface TokenStore {
  load(): Promise<TokenStoreData>;
  /** Records an anonymous token for `host` (and the challenge that led to it); prunes expired entries. */
  save(host: string, challenge: StoredChallenge, scope: string, token: StoredToken, now: number): Promise<void>;
  /** Forgets a token the registry refused. */
  remove(challenge: StoredChallenge, scope: string, now: number): Promise<void>;
}

/** A stored token is used only while it has at least this long to live. */
export const STORED_TOKEN_MARGIN_MS = 30_000;
const MAX_ENTRIES = 256;
const MAX_FILE_BYTES = 1024 * 1024;

export function tokenKey(challenge: StoredChallenge, scope: string): string {
  return JSON.stringify([challenge.realm, challenge.service ?? '', scope]);
}

const FileSchema = z.object({
  version: z.literal(1),
  hosts: z.record(z.string().max(512), z.object({ realm: z.string().max(2048), service: z.string().max(512).optional() })),
  tokens: z.record(z.string().max(4096), z.object({ token: z.string().max(64 * 1024), expiresAt: z.number() })),
});

const empty = (): { hosts: Record<string, StoredChallenge>; tokens: Record<string, StoredToken> } => ({ hosts: {}, tokens: {} });

/** The store as one JSON file in `dir` (created 0700; the file is written 0600, atomically). */
export function fileTokenStore(dir: string): TokenStore {
  const path = join(dir, 'anonymous.json');
  const read = async () => {
    try {
      const text = await readFile(path, 'utf8');
      if (text.length > MAX_FILE_BYTES) return empty();
      const parsed = FileSchema.safeParse(JSON.parse(text));
      return parsed.success ? { hosts: { ...parsed.data.hosts }, tokens: { ...parsed.data.tokens } } : empty();
    } catch {
      return empty();
    }
  };
  const write = async (data: TokenStoreData, now: number) => {
    const tokens = Object.entries(data.tokens)
      .filter(([, t]) => t.expiresAt > now)
      .sort((a, b) => b[1].expiresAt - a[1].expiresAt)
      .slice(0, MAX_ENTRIES);
    const hosts = Object.entries(data.hosts).slice(-MAX_ENTRIES);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode does not apply to a directory that already exists (or to umask-reduced bits).
    await chmod(dir, 0o700);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, hosts: Object.fromEntries(hosts), tokens: Object.fromEntries(tokens) }), { mode: 0o600 });
    await rename(tmp, path);
  };
  return {
    load: read,
    async save(host, challenge, scope, token, now) {
      const data = await read();
      data.hosts[host] = { realm: challenge.realm, ...(challenge.service !== undefined ? { service: challenge.service } : {}) };
      data.tokens[tokenKey(challenge, scope)] = token;
      await write(data, now);
    },
    async remove(challenge, scope, now) {
      const data = await read();
      const key = tokenKey(challenge, scope);
      if (!(key in data.tokens)) return;
      delete data.tokens[key];
      await write(data, now);
    },
  };
}

/** An in-memory store (tests). */
export function memoryTokenStore(initial: TokenStoreData = empty()): TokenStore & { readonly data: TokenStoreData } {
  const data = { hosts: { ...initial.hosts }, tokens: { ...initial.tokens } };
  return {
    data,
    load: async () => ({ hosts: { ...data.hosts }, tokens: { ...data.tokens } }),
    async save(host, challenge, scope, token) {
      data.hosts[host] = { ...challenge };
      data.tokens[tokenKey(challenge, scope)] = token;
    },
    async remove(challenge, scope) {
      delete data.tokens[tokenKey(challenge, scope)];
    },
  };
}
