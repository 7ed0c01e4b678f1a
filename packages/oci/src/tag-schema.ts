import { parseDigest } from './digest.ts';
import { OciError, isOciError } from './errors.ts';
import { isIndex, parseManifest } from './manifest.ts';
import { MEDIA_TYPE_OCI_INDEX } from './media-types.ts';
import type { Descriptor, ImageIndex } from './types.ts';

/**
 * Referrers tag schema (distribution-spec v1.1.1 "Referrers Tag Schema"): `<alg>-<ref>` where the
 * algorithm is truncated to 32 characters, the encoded part to 64, and characters outside
 * `[a-zA-Z0-9._-]` become `-`.
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `${clean(algorithm.slice(0, 32))}-${clean(encoded.slice(0, 64))}`;
}

/** What an index tag holds when read: its bytes and, where the registry sends one, its ETag. */
export interface TagIndexState {
  readonly bytes: Uint8Array;
  readonly etag?: string;
}

/** `new`: the tag must not exist yet (If-None-Match: *); an ETag: If-Match; undefined: unconditional. */
export type TagWriteCondition = { readonly ifMatch: string } | 'new' | undefined;

/** What an index-tag writer needs from a store: read and conditionally write one index tag. */
export interface TagIndexStore<S extends TagIndexState = TagIndexState> {
  /** undefined when the tag does not exist. */
  readIndex(tag: string): Promise<S | undefined>;
  /** Writes the index under `tag` on `condition` (412 ⇒ OciError CONFLICT). */
  writeIndex(tag: string, bytes: Uint8Array, condition: TagWriteCondition): Promise<void>;
}

/** One writer's change to an index tag. */
export interface IndexTagUpdate<S extends TagIndexState = TagIndexState> {
  /** The index to write given what the tag holds now; throws to refuse the tag. */
  merge(current: S | undefined): ImageIndex;
  /** Whether what the tag holds already carries this change. */
  holds(current: S | undefined): boolean;
  /** For the give-up message: "could not <what> after N attempts". */
  readonly what: string;
}

export interface TagSchemaWriteOptions {
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly onWarning?: (message: string) => void;
}

export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
}

/** Parses what a fallback tag holds; a non-index (GitLab answers with the subject itself) is undefined. */
export function readTagIndex(bytes: Uint8Array): ImageIndex | undefined {
  try {
    const { manifest } = parseManifest(bytes, MEDIA_TYPE_OCI_INDEX);
    return isIndex(manifest) ? manifest : undefined;
  } catch (err) {
    if (isOciError(err)) return undefined;
    throw err;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Read-merge-write of one index tag, confirmed by read-back: write with If-Match when the store gave
 * an ETag (If-None-Match: * when the tag is new). An ETag does not prove the registry honours
 * If-Match (distribution 2.8 sends ETags and ignores If-Match), so a writer that read before our
 * write may still land after it: after each write wait a jittered moment, read back, and re-merge
 * until the change holds in two consecutive reads — more when other writers were seen at work — a
 * bounded number of times. This narrows the race; only compare-and-swap on the registry closes it
 * (README "Security model"). Returns what the last confirming read saw.
 */
export async function updateIndexTag<S extends TagIndexState>(store: TagIndexStore<S>, tag: string, update: IndexTagUpdate<S>, options: TagSchemaWriteOptions = {}): Promise<S | undefined> {
  const maxAttempts = options.maxAttempts ?? 16;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let confirmations = 0;
  // Other writers seen at work (tag changed under us, lost change, 412s): confirm for longer.
  let contended = false;
  let lastSeen: string | undefined;
  const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : '');
  // A rival's read-to-write window is about as long as ours: on a slow registry or a loaded machine
  // wait (and so confirm) for longer, up to a few seconds.
  const now = options.now ?? Date.now;
  let cycle = 0;
  const settle = () => sleep(contended ? Math.min(2000, Math.max(200 + random() * 400, cycle * (1 + random()))) : 50 + random() * 100);
  for (let attempt = 1; attempt <= maxAttempts * 2; attempt++) {
    const started = now();
    const current = await store.readIndex(tag);
    const seen = text(current?.bytes);
    if (lastSeen !== undefined && seen !== lastSeen) contended = true;
    lastSeen = seen;
    if (update.holds(current)) {
      confirmations++;
      if (confirmations >= (contended ? 6 : 2)) return current;
      await settle();
      continue;
    }
    const next = update.merge(current);
    if (confirmations > 0) contended = true;
    confirmations = 0;
    if (attempt > maxAttempts * 2 - 6) break;
    try {
      const bytes = new TextEncoder().encode(JSON.stringify(next));
      await store.writeIndex(tag, bytes, current === undefined ? 'new' : current.etag ? { ifMatch: current.etag } : undefined);
      cycle = Math.max(cycle, now() - started);
      lastSeen = text(bytes);
      // Read back only after a jittered moment: a rival that read before our write lands meanwhile.
      await settle();
    } catch (err) {
      if (!isOciError(err, 'CONFLICT')) throw err;
      contended = true;
      await sleep(Math.min(1000, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + random()));
    }
  }
  throw new OciError('CONFLICT', `could not ${update.what} after ${maxAttempts} attempts (concurrent writers)`);
}

/** Appends `entries` to the fallback index of `subjectDigest` (duplicates skipped), via {@link updateIndexTag}. */
export async function addToTagIndex(store: TagIndexStore, subjectDigest: string, entries: readonly Descriptor[], options: TagSchemaWriteOptions = {}): Promise<void> {
  const tag = referrersTag(subjectDigest);
  const parse = (current: TagIndexState | undefined): ImageIndex => {
    if (!current) return emptyIndex();
    const parsed = readTagIndex(current.bytes);
    if (!parsed) throw new OciError('CONFLICT', `tag ${tag} holds something other than an image index; refusing to overwrite it with the referrers index`);
    return parsed;
  };
  const missing = (index: ImageIndex) => {
    const present = new Set(index.manifests.map((d) => d.digest));
    return entries.filter((e, i) => !present.has(e.digest) && entries.findIndex((x) => x.digest === e.digest) === i);
  };
  await updateIndexTag(
    store,
    tag,
    {
      holds: (current) => missing(parse(current)).length === 0,
      merge: (current) => {
        const index = parse(current);
        return { ...index, schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [...index.manifests, ...missing(index)] };
      },
      what: `record ${entries.length} referrer(s) in tag ${tag}`,
    },
    options,
  );
}

/**
 * Coalesces concurrent additions to one tag inside this process: while one write is under way, new
 * entries queue and go out together in the next write, so N attaches cost a few round trips, not N.
 */
export class TagIndexBatcher {
  readonly #queues = new Map<string, { entries: Descriptor[]; waiters: { resolve: () => void; reject: (e: unknown) => void }[] }>();
  readonly #running = new Set<string>();

  add(key: string, entry: Descriptor, write: (entries: Descriptor[]) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let q = this.#queues.get(key);
      if (!q) {
        q = { entries: [], waiters: [] };
        this.#queues.set(key, q);
      }
      q.entries.push(entry);
      q.waiters.push({ resolve, reject });
      if (!this.#running.has(key)) void this.#drain(key, write);
    });
  }

  async #drain(key: string, write: (entries: Descriptor[]) => Promise<void>): Promise<void> {
    this.#running.add(key);
    try {
      for (;;) {
        const q = this.#queues.get(key);
        if (!q || q.entries.length === 0) return;
        this.#queues.delete(key);
        try {
          await write(q.entries);
          for (const w of q.waiters) w.resolve();
        } catch (err) {
          for (const w of q.waiters) w.reject(err);
        }
      }
    } finally {
      this.#running.delete(key);
    }
  }
}

/**
 * Serialises writes to one tag inside this process: concurrent attaches in one process never race.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
