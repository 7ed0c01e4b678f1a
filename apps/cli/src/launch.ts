// The `ocx` executable as installed (dist/bin/ocx.cjs): it loads the bundled CLI (cli.cjs and the
// chunks it requires on demand) through V8's code cache. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node ≥22.1) and compiling the bundle's JavaScript was the largest
// single cost of a short `ocx` run; with the cache a chunk is compiled once per installed build.
// Measured after the https fix (numbers in README, Set-up, "Launcher"): warm beats no cache by 7–14 ms
// of CPU per run (--help, discover, verify), so it stays; OCX_NO_CODE_CACHE=1 turns it off
// (--no-cache is about registry data, not compiled code).
//
// Why CommonJS here: Node 20 can hand a code cache to vm.Script (CommonJS) but not to ES modules
// without an experimental flag. The sources stay ESM; only the bin bundle is emitted as CJS, with
// every import() turned into require() at build time (tsdown.config.ts checks none is left): a
// vm.Script has no module loader of its own. USE_MAIN_CONTEXT_DEFAULT_LOADER below is only the safety
// net — it makes a stray import() work (with an ExperimentalWarning) instead of failing with
// "A dynamic import callback was not specified", which once broke every https request.
//
// What V8 verifies in cached data (checked against Node 20's V8 11.3, code-serializer.cc
// SanityCheck, and by experiment): a magic number, the V8 version hash, the source hash — which is
// only the source LENGTH (plus a module bit), not its content —, the hash of the V8 flags, and that
// the payload length fits the buffer. Nothing else: the payload checksum is verified only with
// --verify-snapshot-checksum, off in release builds. So V8 runs stale bytecode for a different source
// of the same length, and a corrupted payload can crash the process or run other code. Hence:
// - entries are keyed by Node version, arch and the chunk file's identity including its inode and
//   ctime, not just path/size/mtime: package tarballs give every file the same mtime (1985-10-26),
//   which an installer may keep, so a new version's chunk of the same size would otherwise run the
//   old bytecode;
// - data is read only from a directory and from files this user owns, that no one else can write,
//   that are not symlinks (O_NOFOLLOW) and are regular files: a shared or world-writable OCX_HOME
//   must not inject code;
// - writes are atomic (exclusive temp file, 0600, then rename), so concurrent runs never read a torn
//   file; any failure to read or write the cache is ignored — it only costs time;
// - entries not rewritten for 30 days are removed when new ones are written (after an upgrade).
//
// The cache lives in ocx's cache home (OCX_HOME, else $XDG_CACHE_HOME/ocx, else ~/.cache/ocx) under v8/.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsc, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { constants as vmc, Script } from 'node:vm';

declare const __dirname: string;
declare const __filename: string;

interface CjsModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}
interface ModuleStatics {
  prototype: CjsModule;
  wrap(content: string): string;
}

/** Far above any chunk's data (the largest is a few MiB): a bigger file is not ours. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

function cacheDir(env: NodeJS.ProcessEnv): string {
  const home = env.OCX_HOME ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'ocx');
  return join(home, 'v8');
}

// Owned by this user and writable by no one else (group/other write bits clear).
function ownedPrivate(st: Stats): boolean {
  return (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
}

function trustedDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && ownedPrivate(st);
  } catch {
    return false;
  }
}

// The entry's bytes, or undefined unless it is a regular file (not a symlink: O_NOFOLLOW) this user
// owns and no one else can write. fstat on the opened descriptor: no window between check and read.
function readTrusted(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedPrivate(st) || st.size > MAX_ENTRY_BYTES) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// The entry for a chunk as it is on disk now. ctime and inode change whenever the file is written or
// replaced (a reinstall, an upgrade, an edit) and cannot be set back by tar or an installer, unlike
// mtime and size; hashing the content instead (~10 ms for the chunks verify loads) would eat most of the gain.
function entryFile(dir: string, filename: string): string | undefined {
  try {
    const st = statSync(filename, { bigint: true });
    const id = `${process.version}\0${process.arch}\0${filename}\0${st.dev}\0${st.ino}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}`;
    return join(dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.bin`);
  } catch {
    return undefined;
  }
}

// New entries mean a new or changed install; the old install's entries are never read again. Entries
// not rewritten for 30 days go (a live one costs one cold run to come back), so upgrades do not pile up.
const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;
function prune(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!/\.(bin|tmp)$/.test(name)) continue;
    const file = join(dir, name);
    try {
      const st = lstatSync(file);
      if (now - st.mtimeMs > (name.endsWith('.tmp') ? 3600 * 1000 : PRUNE_AFTER_MS)) unlinkSync(file);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

function installCodeCache(root: string, dir: string): void {
  const M = Module as unknown as ModuleStatics;
  let readable: boolean | undefined;
  const compile = M.prototype._compile;
  const fresh: { script: Script; file: string }[] = [];
  M.prototype._compile = function (this: CjsModule, content: string, filename: string) {
    if (!filename.startsWith(root)) return compile.call(this, content, filename);
    const file = entryFile(dir, filename);
    readable ??= trustedDir(dir);
    const cachedData = file && readable ? readTrusted(file) : undefined;
    const script = new Script(M.wrap(content), {
      filename,
      importModuleDynamically: vmc.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      ...(cachedData ? { cachedData } : {}),
    });
    if (file && (!cachedData || script.cachedDataRejected)) fresh.push({ script, file });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  // Written at exit, after the run: the data then also holds the functions V8 compiled lazily.
  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!trustedDir(dir)) return;
      for (const { script, file } of fresh) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
        renameSync(tmp, file);
      }
      prune(dir);
    } catch {
      // A read-only or full cache home only costs time.
    }
  });
}

if (process.env.OCX_NO_CODE_CACHE !== '1') installCodeCache(__dirname + sep, cacheDir(process.env));
createRequire(__filename)(join(__dirname, 'cli.cjs'));
