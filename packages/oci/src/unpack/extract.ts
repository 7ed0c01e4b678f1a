// Unpacking layers into a directory as hostile input: every name stays inside the root, nothing is
// ever written through a symlink, no device or fifo is created, and entries, bytes and buffered
// metadata are capped. OCI whiteouts (image-spec layer.md "Whiteouts") apply to lower layers only.
import { createHash, type Hash } from 'node:crypto';
import { chmod, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Entry, Extract } from 'tar-stream';
import { OciError } from '../errors.ts';
import { decompressor } from './decompress.ts';
import type { LayerCompression } from './media.ts';
import { checkSymlinkTarget, entryPath } from './paths.ts';
import { writeNewFile } from './write-file.ts';

export interface UnpackLimits {
  /** Archive entries (all layers, whiteouts and directories included). */
  readonly maxEntries: number;
  /** Bytes of file content written (all layers); a header declaring more is refused before it is read. */
  readonly maxBytes: number;
  /** Decompressed bytes read (all layers): bounds padding and junk that write nothing. Default 2 × maxBytes + 64 MiB. */
  readonly maxExpandedBytes?: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxEntries: 100_000, maxBytes: 4 * 1024 ** 3 };

// tar-stream buffers a pax or GNU long-name header whole before decoding it; such metadata is a few
// KiB in real archives. Checked on its internal buffer (tar-stream extract.js `_buffer`), fed in
// slices so that buffer never holds more than one slice of ordinary data.
const MAX_METADATA_BYTES = 1024 * 1024;
const SLICE = 64 * 1024;

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

function unsafe(message: string, cause?: unknown): OciError {
  return new OciError('UNSAFE_ARCHIVE', message, cause === undefined ? {} : { cause });
}

const show = (name: string): string => JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);

/** File-system failures are I/O errors; anything else a malformed archive. OciErrors pass through. */
function classify(err: unknown, what: string, signal?: AbortSignal): unknown {
  if (err instanceof OciError) return err;
  if (signal?.aborted) return signal.reason instanceof OciError ? signal.reason : new OciError('ABORTED', `${what}: unpack was aborted`, { cause: err });
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new OciError('IO', `${what}: ${(err as Error).message}`, { cause: err });
  return unsafe(`${what} is not a valid tar archive: ${(err as Error)?.message ?? String(err)}`, err);
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface TarLayerOptions {
  /** Every entry must be this relative path or lie under it (an oras directory layer's title). */
  readonly prefix?: string;
  /** `sha256:…`/`sha512:…` of the uncompressed tarball (oras's io.deis.oras.content.digest); others are ignored, as oras does. */
  readonly uncompressedDigest?: string;
}

/** A hash for a digest string ocx can check, or undefined (oras-go skips a checksum it cannot parse). */
function digester(digest: string | undefined): { hash: Hash; expected: string } | undefined {
  const m = digest === undefined ? null : /^(sha256|sha512):([a-f0-9]+)$/.exec(digest);
  if (!m || m[2]!.length !== (m[1] === 'sha256' ? 64 : 128)) return undefined;
  return { hash: createHash(m[1]!), expected: m[2]! };
}

/** One unpack into one root directory, layer after layer, with the caps shared by all layers. */
export class UnpackSession {
  readonly #root: string;
  readonly #limits: Required<UnpackLimits>;
  #entries = 0;
  #bytes = 0;
  #expanded = 0;
  /** Relative paths created by the current layer (and their ancestors): whiteouts spare them. */
  #layer = new Set<string>();
  /** Relative paths known to be real directories (not symlinks) right now. */
  #dirs = new Set<string>(['']);
  /** Modes last set on directories by chmod: a repeated directory entry costs no system call. */
  #dirModes = new Map<string, number>();
  /** Every symlink created, for the final check that none resolves outside the root. */
  #symlinks = new Set<string>();
  /** The current layer's required prefix (oras directory layers), if any. */
  #prefix: string | undefined;

  readonly #signal: AbortSignal | undefined;

  constructor(root: string, limits: Partial<UnpackLimits> = {}, signal?: AbortSignal) {
    this.#root = root;
    this.#signal = signal;
    const merged = { ...DEFAULT_UNPACK_LIMITS, ...limits };
    this.#limits = { ...merged, maxExpandedBytes: merged.maxExpandedBytes ?? 2 * merged.maxBytes + 64 * 1024 * 1024 };
  }

  get entries(): number {
    return this.#entries;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Unpacks one tar layer (compressed as named) read from `source`, which is consumed to its end. */
  async tarLayer(source: AsyncIterable<Uint8Array>, compression: LayerCompression, what = 'layer', options: TarLayerOptions = {}): Promise<void> {
    this.#layer = new Set();
    this.#prefix = options.prefix;
    const check = digester(options.uncompressedDigest);
    const { extract: tarExtract } = await import('tar-stream');
    const extract = tarExtract();
    const consuming = (async () => {
      for await (const entry of extract as AsyncIterable<Entry>) await this.#entry(entry);
    })().catch((err: unknown) => {
      extract.destroy(err as Error);
      throw err;
    });
    const stage = decompressor(compression);
    const opts = this.#signal ? { signal: this.#signal } : {};
    const piping = stage
      ? pipeline(Readable.from(source), stage, this.#guard(extract, check?.hash), extract, opts)
      : pipeline(Readable.from(source), this.#guard(extract, check?.hash), extract, opts);
    const [consumed, piped] = await Promise.allSettled([consuming, piping]);
    this.#prefix = undefined;
    // The entry handler's refusal says more than the "stream destroyed" it causes in the pipeline.
    if (consumed.status === 'rejected') throw classify(consumed.reason, what, this.#signal);
    if (piped.status === 'rejected') throw classify(piped.reason, what, this.#signal);
    if (check && check.hash.digest('hex') !== check.expected) {
      throw new OciError('DIGEST_MISMATCH', `${what}: the unpacked tarball does not match its ${options.uncompressedDigest} annotation`);
    }
  }

  /** Writes a layer as the file `name` (a safe relative path, already checked; parents are created) in the root. */
  async blobLayer(source: AsyncIterable<Uint8Array>, name: string, size: number): Promise<void> {
    this.#layer = new Set();
    this.#count(name);
    this.#reserve(size, name);
    const path = join(this.#root, name);
    await this.#parents(name);
    await this.#clear(name);
    this.#mark(name);
    try {
      await writeNewFile(source, path, 0o644, this.#signal);
    } catch (err) {
      throw classify(err, `blob ${name}`, this.#signal);
    }
  }

  /**
   * After the last layer: every symlink, resolved through the symlinks it meets (as the kernel
   * would), must stay inside the root. Each link's target is checked lexically when it is created,
   * but `a -> x/..` escapes once `x` is (or later becomes) a symlink to the root, so the tree as
   * finally unpacked is what counts.
   */
  async verifySymlinks(): Promise<void> {
    for (const rel of this.#symlinks) {
      const info = await lstatOrUndefined(join(this.#root, rel));
      if (!info?.isSymbolicLink()) continue;
      const escape = await this.#escapes(rel);
      if (escape) throw unsafe(`symlink ${show(rel)} resolves outside the target directory (${escape})`);
    }
  }

  /** Walks a symlink's resolution inside the root; a description of the escape, or undefined. */
  async #escapes(rel: string): Promise<string | undefined> {
    const stack: string[] = [];
    const queue: string[] = rel.split('/');
    let hops = 0;
    let lexical = false;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) return `through ${show(rel)}`;
        stack.pop();
        continue;
      }
      stack.push(part);
      if (lexical) continue;
      const info = await lstatOrUndefined(join(this.#root, ...stack));
      if (info === undefined || !info.isSymbolicLink()) {
        // Nothing (or a plain file) is there: the rest of the path cannot meet another symlink.
        if (info === undefined || !info.isDirectory()) lexical = true;
        continue;
      }
      // A loop never leaves the root: the kernel gives up with ELOOP after 40 links.
      if (++hops > 40) return undefined;
      const target = await readlink(join(this.#root, ...stack));
      if (target.startsWith('/')) return `via ${show(stack.join('/'))} → ${show(target)}`;
      stack.pop();
      queue.unshift(...target.split('/'));
    }
    return undefined;
  }

  #count(name: string): void {
    if (++this.#entries > this.#limits.maxEntries) throw unsafe(`more than ${this.#limits.maxEntries} entries (at ${show(name)}); refusing to unpack`);
  }

  #reserve(size: number, name: string): void {
    if (!Number.isSafeInteger(size) || size < 0) throw unsafe(`${show(name)} declares an invalid size`);
    if (size > this.#limits.maxBytes - this.#bytes) {
      throw unsafe(`${show(name)} declares ${size} bytes: over the ${this.#limits.maxBytes}-byte unpack limit (${this.#bytes} bytes written so far)`);
    }
    this.#bytes += size;
  }

  #guard(extract: Extract, hash?: Hash) {
    const limits = this.#limits;
    const self = this;
    const buffered = (): number => (extract as unknown as { _buffer?: { buffered?: number } })._buffer?.buffered ?? 0;
    return async function* guard(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        for (let i = 0; i < chunk.byteLength; i += SLICE) {
          const slice = chunk.subarray(i, i + SLICE);
          self.#expanded += slice.byteLength;
          if (self.#expanded > limits.maxExpandedBytes) throw unsafe(`layers expand to more than ${limits.maxExpandedBytes} bytes; refusing to unpack`);
          if (buffered() > MAX_METADATA_BYTES + SLICE) throw unsafe(`an archive header (pax or GNU long name) is larger than ${MAX_METADATA_BYTES} bytes`);
          hash?.update(slice);
          yield slice;
        }
      }
    };
  }

  async #entry(entry: Entry): Promise<void> {
    const h = entry.header;
    this.#count(h.name);
    const rel = entryPath(h.name);
    this.#inPrefix(rel, h.name);
    const base = posix.basename(rel);
    const dir = rel.includes('/') ? posix.dirname(rel) : '';
    // Other `.wh..wh.` names are aufs bookkeeping (e.g. its hardlink directory `.wh..wh.plnk`): not content.
    if (base.startsWith(`${WHITEOUT}${WHITEOUT}`) && base !== OPAQUE) return drain(entry);
    if (base.startsWith(WHITEOUT)) {
      if (h.type !== 'file' && h.type !== 'contiguous-file') throw unsafe(`whiteout ${show(h.name)} is not a regular file`);
      await this.#whiteout(dir, base);
      return drain(entry);
    }
    switch (h.type) {
      case 'directory':
        if (rel === '') return drain(entry);
        await this.#parents(rel);
        await this.#directory(rel, h.mode);
        this.#mark(rel);
        return drain(entry);
      case 'file':
      case 'contiguous-file': {
        if (rel === '') throw unsafe(`file entry ${show(h.name)} names the target directory itself`);
        this.#reserve(h.size ?? 0, h.name);
        await this.#parents(rel);
        await this.#clear(rel);
        this.#mark(rel);
        // File content reaches the disk in ~1 MiB writev batches: tar-stream hands out a few KiB at a
        // time, and one write(2) per piece (each a thread-pool round trip) cost more than the unpack.
        await writeNewFile(entry as AsyncIterable<Uint8Array>, join(this.#root, rel), (h.mode ?? 0o644) & 0o777);
        return;
      }
      case 'symlink': {
        if (rel === '') throw unsafe(`symlink entry ${show(h.name)} names the target directory itself`);
        const target = h.linkname ?? '';
        checkSymlinkTarget(rel, target);
        await this.#parents(rel);
        await this.#clear(rel);
        this.#mark(rel);
        await symlink(target, join(this.#root, rel));
        this.#symlinks.add(rel);
        return drain(entry);
      }
      case 'link': {
        if (rel === '') throw unsafe(`hardlink entry ${show(h.name)} names the target directory itself`);
        const target = entryPath(h.linkname ?? '', `hardlink ${show(h.name)} target`);
        this.#inPrefix(target, h.linkname ?? '');
        if (target === rel || target === '') throw unsafe(`hardlink ${show(h.name)} links to itself`);
        await this.#existingParents(target, `hardlink ${show(h.name)} target`);
        const info = await lstatOrUndefined(join(this.#root, target));
        if (!info?.isFile()) throw unsafe(`hardlink ${show(h.name)} → ${show(h.linkname ?? '')}: the target is not a regular file unpacked before it`);
        await this.#parents(rel);
        await this.#clear(rel);
        this.#mark(rel);
        await link(join(this.#root, target), join(this.#root, rel));
        return drain(entry);
      }
      case 'character-device':
      case 'block-device':
        throw unsafe(`${show(h.name)} is a device node; ocx never creates device files`);
      case 'fifo':
        throw unsafe(`${show(h.name)} is a fifo; ocx never creates fifos`);
      default:
        throw unsafe(`${show(h.name)} has an unsupported entry type (${String(h.type)})`);
    }
  }

  /** Under a prefix (an oras directory layer), a path must be the prefix or lie beneath it. */
  #inPrefix(rel: string, name: string): void {
    const p = this.#prefix;
    if (p !== undefined && rel !== p && !rel.startsWith(`${p}/`)) throw unsafe(`${show(name)} lies outside ${show(p)}, the directory this layer is titled to fill`);
  }

  /** Marks `rel` and its ancestors as created by this layer. */
  #mark(rel: string): void {
    for (let p = rel; p !== '' && !this.#layer.has(p); p = p.includes('/') ? posix.dirname(p) : '') this.#layer.add(p);
  }

  /**
   * Creates the ancestors of `rel` as real directories. An ancestor that is a symlink (or a file) is
   * refused: writing through a symlink an earlier entry planted is how archives escape their root.
   */
  async #parents(rel: string): Promise<void> {
    await this.#walkParents(rel, true, (p, kind) => unsafe(`${show(rel)} would be written through ${show(p)}, which is ${kind}`));
  }

  /** Like #parents but creates nothing: false when an ancestor does not exist. */
  #existingParents(rel: string, what: string): Promise<boolean> {
    return this.#walkParents(rel, false, (p, kind) => unsafe(`${what} ${show(rel)} goes through ${show(p)}, which is ${kind}`));
  }

  /** Checks each ancestor of `rel` is a real directory (`refuse` otherwise); a missing one is made (`create`) or ends the walk with false. */
  async #walkParents(rel: string, create: boolean, refuse: (ancestor: string, kind: string) => Error): Promise<boolean> {
    const parts = rel.split('/').slice(0, -1);
    let p = '';
    for (const part of parts) {
      p = p ? `${p}/${part}` : part;
      if (this.#dirs.has(p)) continue;
      const info = await lstatOrUndefined(join(this.#root, p));
      if (info === undefined) {
        if (!create) return false;
        await mkdir(join(this.#root, p), { mode: 0o755 });
      } else if (!info.isDirectory()) throw refuse(p, info.isSymbolicLink() ? 'a symlink' : 'not a directory');
      this.#dirs.add(p);
    }
    return true;
  }

  async #directory(rel: string, mode: number | undefined): Promise<void> {
    const path = join(this.#root, rel);
    // Directories stay writable by their owner so later entries and layers can fill them.
    const wanted = ((mode ?? 0o755) & 0o777) | 0o700;
    if (this.#dirs.has(rel) && this.#dirModes.get(rel) === wanted) return;
    const info = await lstatOrUndefined(path);
    if (info?.isDirectory()) {
      await chmod(path, wanted);
      this.#dirModes.set(rel, wanted);
    } else {
      if (info) await this.#clear(rel);
      await mkdir(path, { mode: wanted });
    }
    this.#dirs.add(rel);
  }

  /** Removes whatever is at `rel` (never following a symlink), as a later layer's entry replaces it. */
  async #clear(rel: string): Promise<void> {
    const path = join(this.#root, rel);
    const info = await lstatOrUndefined(path);
    if (info === undefined) return;
    if (info.isDirectory()) {
      await rm(path, { recursive: true, force: true });
      for (const d of this.#dirs) if (d === rel || d.startsWith(`${rel}/`)) this.#dirs.delete(d);
      for (const d of this.#dirModes.keys()) if (d === rel || d.startsWith(`${rel}/`)) this.#dirModes.delete(d);
    } else {
      await rm(path, { force: true });
    }
  }

  async #whiteout(dir: string, base: string): Promise<void> {
    if (!(await this.#existingParents(dir ? `${dir}/x` : 'x', 'whiteout in'))) return;
    if (base === OPAQUE) {
      // Opaque: the directory keeps only what this layer put in it (image-spec "Opaque Whiteout").
      const info = await lstatOrUndefined(join(this.#root, dir));
      if (dir !== '' && info === undefined) return;
      if (dir !== '' && !info!.isDirectory()) throw unsafe(`opaque whiteout in ${show(dir)}, which is not a directory`);
      await this.#prune(dir);
      return;
    }
    const name = base.slice(WHITEOUT.length);
    if (name === '' || name === '.' || name === '..') throw unsafe(`whiteout ${show(base)} names no file`);
    const target = dir ? `${dir}/${name}` : name;
    if (this.#layer.has(target)) return;
    await this.#clear(target);
  }

  async #prune(dir: string): Promise<void> {
    const abs = join(this.#root, dir);
    for (const child of await readdir(abs)) {
      const rel = dir ? `${dir}/${child}` : child;
      if (!this.#layer.has(rel)) {
        await this.#clear(rel);
        continue;
      }
      const info = await lstat(join(abs, child));
      if (info.isDirectory()) await this.#prune(rel);
    }
  }
}

/** Reads an entry to its end (directories and links carry no data; anything else is junk). */
async function drain(entry: Entry): Promise<void> {
  for await (const _ of entry) void _;
}
