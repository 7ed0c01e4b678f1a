import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * Referrers-API support per registry host: unknown → supported | unsupported (oras-go
 * referrersState), learned from the first listing or a push's OCI-Subject header.
 */
export type ReferrersCapability = 'unknown' | 'supported' | 'unsupported';

export interface CapabilityEntry {
  readonly state: 'supported' | 'unsupported';
  /** Epoch milliseconds. */
  readonly checkedAt: number;
}

export interface CapabilityStore {
  load(): Promise<Record<string, CapabilityEntry>>;
  save(host: string, entry: CapabilityEntry): Promise<void>;
}

export const DEFAULT_CAPABILITY_TTL_MS = 6 * 60 * 60 * 1000;

export class CapabilityCache {
  readonly #mem = new Map<string, CapabilityEntry>();
  readonly #store?: CapabilityStore;
  readonly #now: () => number;
  readonly #ttl: number;
  #loaded?: Promise<void>;

  constructor(store?: CapabilityStore, now: () => number = Date.now, ttlMs = DEFAULT_CAPABILITY_TTL_MS) {
    this.#store = store;
    this.#now = now;
    this.#ttl = ttlMs;
  }

  async get(host: string): Promise<ReferrersCapability> {
    if (this.#store) {
      this.#loaded ??= this.#store.load().then(
        (all) => {
          for (const [h, e] of Object.entries(all)) if (!this.#mem.has(h)) this.#mem.set(h, e);
        },
        () => undefined,
      );
      await this.#loaded;
    }
    const e = this.#mem.get(host);
    if (!e || this.#now() - e.checkedAt > this.#ttl) return 'unknown';
    return e.state;
  }

  async set(host: string, state: 'supported' | 'unsupported'): Promise<void> {
    const prev = this.#mem.get(host);
    const entry = { state, checkedAt: this.#now() };
    this.#mem.set(host, entry);
    if (this.#store && prev?.state !== state) await this.#store.save(host, entry).catch(() => undefined);
  }
}

const FileSchema = z.record(z.string(), z.object({ state: z.enum(['supported', 'unsupported']), checkedAt: z.number() }));

/** A small JSON file (fail-open: a corrupt file is a miss), written atomically. */
export function fileCapabilityStore(path: string): CapabilityStore {
  const read = async (): Promise<Record<string, CapabilityEntry>> => {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  };
  return {
    load: read,
    async save(host, entry) {
      const all = await read();
      all[host] = entry;
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}
