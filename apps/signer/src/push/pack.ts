// The package layer: a file, or a directory's contents at the archive root, as tar+gzip, reproducibly
// — entries depth-first with each directory's children sorted by name (GNU tar --sort=name), one fixed
// mtime, owner 0:0 without names, modes normalised to 0644/0755 — so the same tree always gives the
// same digest and `ocx package push` twice skips the upload. Written to a temporary file while its
// digest is computed, so memory stays bounded whatever the package size.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Headers, type Pack } from 'tar-stream';
import { SignerError } from '../errors.ts';
import { createBlockGzip } from './gzip.ts';

export interface PackedLayer {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  /** Entries archived (files, directories, links). */
  readonly entries: number;
  cleanup(): Promise<void>;
}

export interface PackOptions {
  /** mtime of every entry; default the Unix epoch (SOURCE_DATE_EPOCH is the caller's to pass). */
  readonly mtime?: Date;
  /** Where the temporary archive goes (default the OS temp directory). */
  readonly tmpDir?: string;
  /** Stops packing (the temporary file is removed and the promise rejects). */
  readonly signal?: AbortSignal;
  /** Most entries archived (hostile or runaway trees); default 1,000,000. */
  readonly maxEntries?: number;
}

interface Entry {
  readonly name: string;
  readonly abs: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly size: number;
  readonly linkname?: string;
}

function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A link stays inside the package only when it is relative and never climbs above the root. */
function linkStaysInside(name: string, target: string): boolean {
  if (isAbsolute(target) || target.includes('\\')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  return resolved !== '..' && !resolved.startsWith('../') && !posix.isAbsolute(resolved);
}

async function entryFor(abs: string, name: string): Promise<Entry> {
  const st = await lstat(abs);
  if (st.isDirectory()) return { name: `${name}/`, abs, type: 'directory', mode: 0o755, size: 0 };
  if (st.isFile()) return { name, abs, type: 'file', mode: st.mode & 0o111 ? 0o755 : 0o644, size: st.size };
  if (st.isSymbolicLink()) {
    const target = await readlink(abs);
    if (!linkStaysInside(name, target)) throw new SignerError('READ_FAILED', `${abs} is a symbolic link to ${target}, outside the package: refused (only relative links inside the directory are archived)`);
    return { name, abs, type: 'symlink', mode: 0o777, size: 0, linkname: target };
  }
  throw new SignerError('READ_FAILED', `${abs} is not a regular file, directory or symbolic link: refused`);
}

/** Every entry under `dir`, depth-first, children sorted by name; names relative, POSIX separators. */
async function walk(dir: string, prefix: string, out: Entry[], max: number): Promise<void> {
  const names = (await readdir(dir)).sort(byName);
  for (const n of names) {
    const e = await entryFor(join(dir, n), prefix + n);
    out.push(e);
    if (out.length > max) throw new SignerError('READ_FAILED', `the package has more than ${max} entries: refused`);
    if (e.type === 'directory') await walk(e.abs, e.name, out, max);
  }
}

export async function listEntries(path: string, maxEntries = 1_000_000): Promise<Entry[]> {
  let st;
  try {
    st = await lstat(path);
  } catch (cause) {
    throw new SignerError('READ_FAILED', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (st.isSymbolicLink()) throw new SignerError('READ_FAILED', `${path} is a symbolic link: name the file or directory itself`);
  if (st.isFile()) return [await entryFor(path, basename(path))];
  if (!st.isDirectory()) throw new SignerError('READ_FAILED', `${path} is not a regular file or directory`);
  const out: Entry[] = [];
  await walk(path, '', out, maxEntries);
  return out;
}

function addEntry(p: Pack, e: Entry, mtime: Date): Promise<void> {
  const header: Headers = { name: e.name, type: e.type, mode: e.mode, mtime, uid: 0, gid: 0, uname: '', gname: '', size: e.size, linkname: e.linkname ?? '', devmajor: 0, devminor: 0 };
  return new Promise<void>((resolve, reject) => {
    if (e.type !== 'file') {
      p.entry(header, (err) => (err ? reject(err) : resolve()));
      return;
    }
    // tar-stream checks the bytes written against the header size: a file that changes while it is
    // archived fails the push instead of producing a corrupt archive.
    const sink = p.entry(header, (err) => (err ? reject(err) : resolve()));
    const src = createReadStream(e.abs);
    src.on('error', (err) => {
      sink.destroy(err);
      reject(err);
    });
    // The archive stopping (an error or the caller's signal) errors the entry too.
    sink.on('error', (err: Error) => {
      src.destroy();
      reject(err);
    });
    src.pipe(sink);
  });
}

/** Packs `path` (a file, or a directory's contents) as a reproducible tar+gzip in a temporary file. */
export async function packLayer(path: string, options: PackOptions = {}): Promise<PackedLayer> {
  const entries = await listEntries(path, options.maxEntries);
  const mtime = options.mtime ?? new Date(0);
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'ocx-push-'));
  const file = join(dir, 'layer.tar.gz');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.byteLength;
      cb(null, chunk);
    },
  });
  const p = tarPack();
  const feed = (async () => {
    for (const e of entries) await addEntry(p, e, mtime);
    p.finalize();
  })();
  try {
    // gzip's default level (as tar -czf), in parallel blocks, near-random blocks stored (gzip.ts); no
    // name and a zero mtime in the gzip header, so the bytes depend on the tree (and zlib) only.
    await Promise.all([pipeline(p, createBlockGzip({ level: 6 }), tap, createWriteStream(file, { mode: 0o600 }), options.signal ? { signal: options.signal } : {}), feed.catch((err) => { p.destroy(err as Error); throw err; })]);
  } catch (cause) {
    await cleanup();
    if (cause instanceof SignerError) throw cause;
    throw new SignerError('READ_FAILED', `cannot pack ${path}: ${(cause as Error).message}`, { cause });
  }
  return { path: file, digest: `sha256:${hash.digest('hex')}`, size, entries: entries.length, cleanup };
}
