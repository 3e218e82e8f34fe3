/**
 * A V8 code cache for the AWS SDK packages and the CLI's bundle (dist/cli/cli.cjs, loaded through it by
 * src/cli/main.ts), so that a run does not compile ~5 MB of SDK JavaScript and ~2 MB of ours again
 * each time: on the bench machine V8 spent ~200 ms of a ~1 s deployment compiling the five client packages
 * of replica-dns and what they require (cpu profile: node:internal/modules/cjs/loader wrapSafe), ~150-200 ms
 * less CPU with the cache (docs/benchmark.md).
 *
 * Node 22.1+ has this built in (module.enableCompileCache, which the CLI turns on: src/cli/main.ts); when it
 * is on, this does nothing. On Node 20 `requireCached` loads a package with require as usual, except that
 * while that one synchronous require runs, each CommonJS file it compiles is compiled by vm.Script with the
 * cached data of an earlier run, when there is one for exactly that source. At the end of the process the
 * code V8 compiled for the files that had no usable cache (with the functions that ran by then, not only the
 * top level) is written for the next run.
 *
 * The cache: BLUEGREEN_CACHE_DIR, else $XDG_CACHE_HOME/bluegreen, else ~/.cache/bluegreen; one file per
 * source file, named by a hash of the Node version, the architecture and the file's path, then a hash of
 * its content (V8 itself checks only the source's length); writing one removes that file's older entries. Written atomically (temp file, rename), so concurrent runs
 * never read half a file. NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) turns it off. Any failure to
 * read or write it is ignored: the package is then compiled as without it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/** What this process did with the cache, for tests and the bench. */
export interface CompileCacheStats {
  /** Files compiled from cached data. */
  hits: number;
  /** Files without cached data (or whose data V8 refused), compiled anew; their code is written at exit. */
  misses: number;
  /** Cache files written so far. */
  written: number;
}

const stats: CompileCacheStats = { hits: 0, misses: 0, written: 0 };
export function compileCacheStats(): CompileCacheStats {
  return { ...stats };
}

/** Node's internals this relies on (stable since Node 12; absent ones turn the cache off). */
type Compile = (this: CjsModule, content: string, filename: string, format?: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile };
  wrap?: (source: string) => string;
  getCompileCacheDir?: () => string | undefined;
}
interface CjsModule {
  exports: unknown;
}

const internals = Module as unknown as ModuleInternals;

/** Where the cache lives, or undefined when it is off. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.BLUEGREEN_CACHE_DIR) return env.BLUEGREEN_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'bluegreen');
}

/** Scripts compiled without usable cached data in this process, written at exit. */
const pending = new Map<string, vm.Script>();
let exitHook = false;

/** Writes the code of the scripts compiled without cache so far (at exit; tests call it directly). */
export function flushCompileCache(): void {
  for (const [file, script] of pending) {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, file);
      stats.written++;
      removeOlder(file);
    } catch {
      // an unwritable cache is no cache
    }
  }
  pending.clear();
}

/**
 * Removes the entries of the same file's earlier contents (same Node version, architecture and path: a
 * rebuild or an upgrade changed it), so the cache holds one entry per file, not one per build; also the
 * entries named as before the content had its own part of the name (40 hex digits). Another process's
 * temporary file is left alone.
 */
function removeOlder(file: string): void {
  const dir = dirname(file);
  const name = basename(file);
  const prefix = name.slice(0, name.indexOf('-') + 1);
  for (const other of readdirSync(dir)) {
    if (other === name || !other.endsWith('.v8')) continue;
    if (other.startsWith(prefix) || /^[0-9a-f]{40}\.v8$/.test(other)) rmSync(join(dir, other), { force: true });
  }
}

/** The entry of one source: <hash of the Node version, arch and path>-<hash of the content>.v8. */
function cacheFile(dir: string, filename: string, content: string): string {
  const where = createHash('sha256').update(`${process.version}\0${process.arch}\0${filename}`).digest('hex');
  const what = createHash('sha256').update(content).digest('hex');
  return join(dir, `${where.slice(0, 24)}-${what.slice(0, 24)}.v8`);
}

/**
 * Compiles and runs one CommonJS file as Module.prototype._compile does, with cached data when there is
 * some. Undefined: not a plain CommonJS file (an ES module, a hashbang, a syntax Node may read as ESM):
 * the caller hands it to Node's own _compile.
 */
function compileWithCache(
  dir: string,
  wrap: (source: string) => string,
  module: CjsModule,
  content: string,
  filename: string,
): { value: unknown } | undefined {
  if (content.startsWith('#!')) return undefined;
  const file = cacheFile(dir, filename, content);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    // none yet
  }
  let script: vm.Script;
  try {
    script = new vm.Script(wrap(content), {
      filename,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    return undefined; // Node's loader decides (ES module syntax in a .js file, or a real syntax error it reports)
  }
  if (cachedData && !script.cachedDataRejected) stats.hits++;
  else {
    stats.misses++;
    pending.set(file, script);
  }
  const fn = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: CjsModule,
    filename: string,
    dirname: string,
  ) => unknown;
  return { value: fn.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename)) };
}

/**
 * require(name) through `require`, with the code cache for every CommonJS file compiled meanwhile.
 * Without a cache directory, on Node's own compile cache, or without the internals it needs: plain require.
 */
export function requireCached<T>(require: NodeJS.Require, name: string): T {
  const dir = compileCacheDir();
  const wrap = internals.wrap;
  if (!dir || !wrap || internals.getCompileCacheDir?.() || typeof internals.prototype._compile !== 'function') return require(name) as T;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return require(name) as T;
  }
  if (!exitHook) {
    exitHook = true;
    process.once('exit', flushCompileCache);
  }
  const original = internals.prototype._compile;
  internals.prototype._compile = function compileCached(this: CjsModule, content: string, filename: string, format?: string) {
    if (format !== undefined && format !== 'commonjs') return original.call(this, content, filename, format);
    const compiled = compileWithCache(dir, wrap, this, content, filename);
    return compiled ? compiled.value : original.call(this, content, filename, format);
  };
  try {
    return require(name) as T;
  } finally {
    internals.prototype._compile = original;
  }
}
