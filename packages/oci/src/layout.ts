import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { assertVerifiableDigest, digestOf, isDigest, parseDigest, verifyDigest, verifyingStream } from './digest.ts';
import { OciError, isOciError } from './errors.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { isIndex, isManifestMediaType, parseIndex, parseManifest, referrerDescriptor } from './manifest.ts';
import { ANNOTATION_REF_NAME, MEDIA_TYPE_OCI_INDEX } from './media-types.ts';
import { namesSubject } from './referrer.ts';
import type { CallOptions, PushResult, ReferrersOptions, Repository } from './roles.ts';
import { KeyedMutex, readTagIndex, referrersTag } from './tag-schema.ts';
import type { Descriptor, ImageIndex } from './types.ts';

// OCI image layout (image-spec v1.1.1 image-layout.md): `oci-layout`, `index.json`, `blobs/<alg>/<enc>`.
// Referrers are found from the manifests' `subject` fields and from a tag-schema index if present.

const LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });
const indexLocks = new KeyedMutex();

/** A file-system failure as a typed I/O error (exit 74), never a raw errno with a stack. */
function ioError(what: string, cause: unknown): OciError {
  if (isOciError(cause)) return cause;
  const e = cause as NodeJS.ErrnoException;
  const why = e.code === 'ENOTDIR' ? 'a path component is not a directory' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.message ?? String(cause));
  return new OciError('IO', `${what}: ${why}`, { cause });
}

async function io<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw ioError(what, cause);
  }
}

/**
 * \`mkdir -p\` one level at a time. Node's recursive mkdir retries ENOENT forever where a parent
 * exists but refuses children (/proc, /sys): a 100% CPU loop. Here every step either succeeds or
 * ends in a typed I/O error, and a regular file on the way is named.
 */
async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    let st;
    try {
      st = await stat(p);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot use ${p}`, cause);
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
      continue;
    }
    if (!st.isDirectory()) throw new OciError('IO', `${p} is not a directory (an OCI layout is a directory)`);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      throw ioError(`cannot create directory ${dir}`, cause);
    }
  }
}

export interface LayoutOptions {
  readonly limits?: Partial<Limits>;
  /** Create the layout on first write if missing (default true). */
  readonly create?: boolean;
  /** Content left out or repaired; \`error\` is set when it failed its digest or size. */
  readonly onWarning?: (message: string, error?: OciError) => void;
}

export class LayoutRepository implements Repository {
  readonly path: string;
  readonly location: string;
  readonly referrersMode = 'layout' as const;
  readonly #limits: Limits;
  readonly #create: boolean;
  readonly #warn: (message: string, error?: OciError) => void;
  #subjects?: Promise<Map<string, Descriptor[]>>;

  constructor(path: string, options: LayoutOptions = {}) {
    this.path = path;
    this.location = `oci-layout:${path}`;
    this.#limits = resolveLimits(options.limits);
    this.#create = options.create ?? true;
    this.#warn = options.onWarning ?? (() => undefined);
  }

  #blobPath(digest: string): string {
    assertVerifiableDigest(digest);
    const { algorithm, encoded } = parseDigest(digest);
    return join(this.path, 'blobs', algorithm, encoded);
  }

  async #readIndex(): Promise<ImageIndex> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.path, 'index.json'));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.#checkLayoutDir();
        return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
      }
      if ((cause as NodeJS.ErrnoException).code === 'ENOTDIR') throw new OciError('IO', `${this.path} is not a directory (an OCI layout is a directory)`, { cause });
      throw new OciError('LAYOUT', `cannot read ${join(this.path, 'index.json')}`, { cause });
    }
    if (bytes.byteLength > this.#limits.maxManifestBytes * 4) throw new OciError('TOO_LARGE', `${join(this.path, 'index.json')} is too large`);
    try {
      return parseIndex(bytes, `${this.path}/index.json`);
    } catch (cause) {
      throw new OciError('LAYOUT', `${join(this.path, 'index.json')} is not a valid image index`, { cause });
    }
  }

  async #checkLayoutDir(): Promise<void> {
    try {
      await stat(this.path);
    } catch (cause) {
      throw new OciError('NOT_FOUND', `OCI layout ${this.path} does not exist`, { cause });
    }
  }

  async resolve(reference: string, options: CallOptions = {}): Promise<Descriptor> {
    void options;
    const index = await this.#readIndex();
    if (isDigest(reference)) {
      const listed = index.manifests.find((d) => d.digest === reference);
      const bytes = await this.#readBlob(reference, this.#limits.maxManifestBytes, 'manifest');
      verifyDigest(bytes, reference, `manifest ${reference}`);
      const { mediaType } = parseManifest(bytes, listed?.mediaType);
      return { mediaType, digest: reference, size: bytes.byteLength };
    }
    const hit = index.manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === reference);
    if (hit.length === 0) throw new OciError('NOT_FOUND', `tag ${reference} not found in ${this.location}`);
    const d = hit[hit.length - 1]!;
    return { mediaType: d.mediaType, digest: d.digest, size: d.size };
  }

  async #readBlob(digest: string, max: number, what: string): Promise<Uint8Array> {
    const p = this.#blobPath(digest);
    let st;
    try {
      st = await lstat(p);
    } catch (cause) {
      throw new OciError('NOT_FOUND', `${what} ${digest} not found in ${this.location}`, { cause });
    }
    if (!st.isFile()) throw new OciError('LAYOUT', `${p} is not a regular file`);
    if (st.size > max) throw new OciError('TOO_LARGE', `${what} ${digest} is ${st.size} bytes, over the ${max}-byte limit`);
    return io(`cannot read ${p}`, () => readFile(p));
  }

  async fetch(desc: Descriptor, options: CallOptions = {}): Promise<Uint8Array> {
    void options;
    const manifest = isManifestMediaType(desc.mediaType);
    const cap = Math.min(desc.size, manifest ? this.#limits.maxManifestBytes : this.#limits.maxBlobBytes);
    if (desc.size > cap) throw new OciError('TOO_LARGE', `${desc.digest} declares ${desc.size} bytes, over the limit`);
    const bytes = await this.#readBlob(desc.digest, cap, manifest ? 'manifest' : 'blob');
    if (bytes.byteLength !== desc.size) throw new OciError('SIZE_MISMATCH', `${desc.digest}: expected ${desc.size} bytes, found ${bytes.byteLength}`);
    verifyDigest(bytes, desc.digest, manifest ? 'manifest' : 'blob');
    return bytes;
  }

  async fetchStream(desc: Descriptor, options: CallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    void options;
    const p = this.#blobPath(desc.digest);
    const st = await lstat(p).catch((cause) => {
      throw new OciError('NOT_FOUND', `blob ${desc.digest} not found in ${this.location}`, { cause });
    });
    if (!st.isFile()) throw new OciError('LAYOUT', `${p} is not a regular file`);
    if (st.size !== desc.size) throw new OciError('SIZE_MISMATCH', `${desc.digest}: expected ${desc.size} bytes, found ${st.size}`);
    return verifyingStream(createReadStream(p, { highWaterMark: 1024 * 1024 }), desc.digest, desc.size, 'blob');
  }

  /** Present and intact: a file of the right size whose content matches its digest (a corrupted one is written again). */
  async exists(desc: Descriptor): Promise<boolean> {
    const p = this.#blobPath(desc.digest);
    const st = await lstat(p).catch(() => undefined);
    if (!st?.isFile() || st.size !== desc.size) return false;
    try {
      for await (const chunk of verifyingStream(createReadStream(p, { highWaterMark: 1024 * 1024 }), desc.digest, desc.size, 'blob')) void chunk;
      return true;
    } catch (err) {
      if (!isOciError(err)) throw ioError(`cannot read ${p}`, err);
      this.#warn(`${p} does not match its digest ${desc.digest} (corrupt); writing it again`);
      return false;
    }
  }

  async #ensureLayout(): Promise<void> {
    const st = await stat(this.path).catch(() => undefined);
    if (st && !st.isDirectory()) throw new OciError('IO', `${this.path} is not a directory (an OCI layout is a directory)`);
    if (st && (await stat(join(this.path, 'oci-layout')).catch(() => undefined))) return;
    if (!this.#create) throw new OciError('LAYOUT', `${this.path} is not an OCI image layout (no oci-layout file)`);
    await makeDirs(this.path);
    await io(`cannot write ${join(this.path, 'oci-layout')}`, () => writeFile(join(this.path, 'oci-layout'), LAYOUT_FILE));
  }

  async #writeBlob(digest: string, content: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    await this.#ensureLayout();
    const p = this.#blobPath(digest);
    await makeDirs(dirname(p));
    const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, content);
      await rename(tmp, p);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw ioError(`cannot write ${p}`, cause);
    }
  }

  async push(desc: Descriptor, content: Uint8Array, options: CallOptions = {}): Promise<PushResult> {
    void options;
    verifyDigest(content, desc.digest, isManifestMediaType(desc.mediaType) ? 'manifest to push' : 'blob to push');
    if (!isManifestMediaType(desc.mediaType)) {
      if (!(await this.exists(desc))) await this.#writeBlob(desc.digest, content);
      return {};
    }
    const { manifest } = parseManifest(content, desc.mediaType);
    await this.#writeBlob(desc.digest, content);
    // Like oras-go's OCI store: every pushed manifest is listed in index.json so it stays reachable.
    await this.#updateIndex((index) => {
      if (index.manifests.some((d) => d.digest === desc.digest && d.annotations?.[ANNOTATION_REF_NAME] === undefined)) return index;
      if (index.manifests.some((d) => d.digest === desc.digest)) return index;
      const entry: Descriptor = manifest.subject ? referrerDescriptor(desc, manifest) : { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
      return { ...index, manifests: [...index.manifests, entry] };
    });
    this.#subjects = undefined;
    return { referrers: manifest.subject ? 'tag-schema' : 'none' };
  }

  async pushStream(desc: Descriptor, content: AsyncIterable<Uint8Array>): Promise<void> {
    if (await this.exists(desc)) return;
    await this.#writeBlob(desc.digest, verifyingStream(content, desc.digest, desc.size, 'blob to push'));
  }

  async tag(desc: Descriptor, tag: string): Promise<void> {
    await this.#updateIndex((index) => {
      const manifests = index.manifests
        .map((d) => {
          if (d.annotations?.[ANNOTATION_REF_NAME] !== tag) return d;
          const { [ANNOTATION_REF_NAME]: _, ...rest } = d.annotations;
          return { ...d, annotations: Object.keys(rest).length ? rest : undefined };
        })
        .filter((d) => d.annotations !== undefined || d.digest !== desc.digest);
      manifests.push({ mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations: { [ANNOTATION_REF_NAME]: tag } });
      return { ...index, manifests };
    });
  }

  async #updateIndex(fn: (index: ImageIndex) => ImageIndex): Promise<void> {
    await this.#ensureLayout();
    await indexLocks.run(this.path, async () => {
      const before = await this.#readIndex();
      const after = fn(before);
      if (after === before) return;
      const p = join(this.path, 'index.json');
      const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await io(`cannot write ${p}`, async () => {
        await writeFile(tmp, JSON.stringify({ ...after, schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX }));
        await rename(tmp, p);
      });
    });
  }

  /** subject digest → referrer descriptors, from every manifest reachable from index.json. */
  async #subjectMap(): Promise<Map<string, Descriptor[]>> {
    this.#subjects ??= (async () => {
      const map = new Map<string, Descriptor[]>();
      const index = await this.#readIndex();
      const seen = new Set<string>();
      const queue = [...index.manifests];
      while (queue.length > 0) {
        const d = queue.shift()!;
        if (seen.has(d.digest) || !isManifestMediaType(d.mediaType)) continue;
        seen.add(d.digest);
        if (seen.size > this.#limits.maxReferrers) throw new OciError('TOO_MANY', `${this.location} has more than ${this.#limits.maxReferrers} manifests`);
        let manifest;
        try {
          const bytes = await this.fetch({ mediaType: d.mediaType, digest: d.digest, size: d.size });
          manifest = parseManifest(bytes, d.mediaType).manifest;
        } catch (err) {
          if (!isOciError(err)) throw err;
          // Dangling entries are not referrers; tampered ones are reported, never dropped silently.
          if (err.code === 'NOT_FOUND') continue;
          const failed = err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH' || err.code === 'TOO_LARGE';
          this.#warn(`manifest ${d.digest} in ${this.location} ${failed ? 'fails its check' : 'cannot be read'} (${err.message}); whatever it refers to is left out`, failed ? err : undefined);
          continue;
        }
        if (isIndex(manifest)) queue.push(...manifest.manifests);
        if (manifest.subject) {
          const list = map.get(manifest.subject.digest) ?? [];
          list.push(referrerDescriptor(d, manifest));
          map.set(manifest.subject.digest, list);
        }
      }
      return map;
    })();
    return this.#subjects;
  }

  async *referrers(subject: Descriptor, options: ReferrersOptions = {}): AsyncIterable<Descriptor[]> {
    const found = new Map<string, Descriptor>();
    for (const d of (await this.#subjectMap()).get(subject.digest) ?? []) found.set(d.digest, d);
    // A tag-schema index written by another tool may list referrers whose manifests the scan missed;
    // each counts only when its own manifest names the subject (and never the subject itself).
    const tag = referrersTag(subject.digest);
    let tagBytes: Uint8Array | undefined;
    try {
      tagBytes = await this.fetch(await this.resolve(tag));
    } catch (err) {
      if (!(err instanceof OciError) || err.code !== 'NOT_FOUND') throw err;
    }
    if (tagBytes && digestOf(tagBytes, assertVerifiableDigest(subject.digest)) === subject.digest) {
      this.#warn(`tag ${tag} in ${this.location} holds the subject itself, not a referrers index; ignoring it`);
    } else if (tagBytes) {
      const idx = readTagIndex(tagBytes);
      if (!idx) this.#warn(`tag ${tag} in ${this.location} is not a referrers index; ignoring it`);
      for (const d of idx?.manifests ?? []) {
        if (found.has(d.digest) || d.digest === subject.digest) continue;
        if (await namesSubject(this, d, subject, `tag ${tag} in ${this.location}`, this.#warn)) found.set(d.digest, d);
      }
    }
    const all = [...found.values()];
    yield options.artifactType === undefined ? all : all.filter((d) => d.artifactType === options.artifactType);
  }

  async *tags(): AsyncIterable<string[]> {
    const index = await this.#readIndex();
    yield [...new Set(index.manifests.map((d) => d.annotations?.[ANNOTATION_REF_NAME]).filter((t): t is string => t !== undefined))];
  }
}
