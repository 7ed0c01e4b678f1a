// The `ocx` executable as installed (dist/bin/ocx.cjs): it loads the bundled CLI (cli.cjs and the
// chunks it requires on demand) through V8's code cache. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node ≥22.1) and compiling the bundle's JavaScript was the largest
// single cost of a short `ocx verify`; with the cache a chunk is compiled once per installed build.
//
// Why CommonJS here: Node 20 can hand a code cache to vm.Script (CommonJS) but not to ES modules
// without an experimental flag. The sources stay ESM; only the bin bundle is emitted as CJS.
//
// The cache lives in ocx's cache home (OCX_HOME, else $XDG_CACHE_HOME/ocx, else ~/.cache/ocx) under
// v8/, keyed by Node version, file path, size and mtime; V8 itself rejects data that does not match
// the source or the engine, and then the chunk is compiled as usual. OCX_NO_CODE_CACHE=1 turns it
// off (--no-cache is about registry data, not compiled code). Writes are atomic (temp file + rename), so concurrent runs never read a
// torn file; any failure to read or write the cache is ignored — it only costs time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

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

function cacheDir(env: NodeJS.ProcessEnv): string {
  const home = env.OCX_HOME ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'ocx');
  return join(home, 'v8');
}

// Cached bytecode runs as this user, so it is read only from a directory this user owns and no one
// else can write to (defence in depth: a shared or world-writable OCX_HOME must not inject code).
function trustedDir(dir: string): boolean {
  try {
    const st = statSync(dir);
    return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function installCodeCache(root: string, dir: string): void {
  const M = Module as unknown as ModuleStatics;
  let readable: boolean | undefined;
  const compile = M.prototype._compile;
  const fresh: { script: Script; file: string }[] = [];
  M.prototype._compile = function (this: CjsModule, content: string, filename: string) {
    if (!filename.startsWith(root)) return compile.call(this, content, filename);
    let file: string | undefined;
    let cachedData: Buffer | undefined;
    try {
      const st = statSync(filename);
      const key = createHash('sha256').update(`${process.version}\0${process.arch}\0${filename}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 32);
      file = join(dir, `${key}.bin`);
      readable ??= trustedDir(dir);
      if (readable) cachedData = readFileSync(file);
    } catch {
      // No cache yet (or unreadable): compile and write one at exit.
    }
    const script = new Script(M.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
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
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, file);
      }
    } catch {
      // A read-only or full cache home only costs time.
    }
  });
}

if (process.env.OCX_NO_CODE_CACHE !== '1') installCodeCache(__dirname + sep, cacheDir(process.env));
createRequire(__filename)(join(__dirname, 'cli.cjs'));
