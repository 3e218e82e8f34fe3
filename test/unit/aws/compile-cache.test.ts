/**
 * The V8 code cache of the SDK packages (src/aws/sdk/compile-cache.ts), each run in a fresh Node process
 * (as each bluegreen command is one): a first run compiles and writes, the next compiles from the cache,
 * a changed file is compiled anew even at the same length (V8 alone would accept it), and
 * NODE_DISABLE_COMPILE_CACHE turns it off.
 */
import { spawnSync } from 'node:child_process';
import Module from 'node:module';
import { mkdtemp, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.js';

const MODULE = pathToFileURL(join(ROOT, 'src', 'aws', 'sdk', 'compile-cache.ts')).href;

let root: string;
let cache: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bluegreen-cc-'));
  cache = join(root, 'cache');
  const pkg = join(root, 'app', 'node_modules', 'fixture');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), '{ "name": "fixture", "main": "index.js" }');
  await writeFile(join(pkg, 'index.js'), "module.exports = { answer: 41 + 1, dep: require('./dep.js'), file: __filename.endsWith('index.js') };\n");
  await dep('one');
});

const dep = (word: string) => writeFile(join(root, 'app', 'node_modules', 'fixture', 'dep.js'), `module.exports = '${word}';\n`);

interface Out {
  value: { answer: number; dep: string; file: boolean };
  stats: { hits: number; misses: number; written: number };
}

function load(env: Record<string, string> = {}): Out {
  const child = `
const { createRequire } = await import('node:module');
const { requireCached, compileCacheStats, flushCompileCache } = await import(${JSON.stringify(MODULE)});
const value = requireCached(createRequire(${JSON.stringify(join(root, 'app', 'main.js'))}), 'fixture');
flushCompileCache();
process.stdout.write(JSON.stringify({ value, stats: compileCacheStats() }));
`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: root, BLUEGREEN_CACHE_DIR: cache, ...env },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Out;
}

describe('requireCached', () => {
  it('compiles and writes on the first run, compiles from the cache on the next', async () => {
    const first = load();
    expect(first.value).toEqual({ answer: 42, dep: 'one', file: true });
    expect(first.stats).toEqual({ hits: 0, misses: 2, written: 2 });
    expect(await readdir(cache)).toHaveLength(2);

    const second = load();
    expect(second.value).toEqual({ answer: 42, dep: 'one', file: true });
    expect(second.stats).toEqual({ hits: 2, misses: 0, written: 0 });
  });

  it('compiles a changed file anew, even one of the same length', async () => {
    load();
    await dep('two'); // same length as 'one'
    const after = load();
    expect(after.value.dep).toBe('two');
    expect(after.stats).toEqual({ hits: 1, misses: 1, written: 1 });
    // The entry of dep.js's old content is gone: one entry per file, not one per build.
    expect(await readdir(cache)).toHaveLength(2);
  });

  it('removes entries named as before (one hash of everything), keeps other files and temporary files', async () => {
    await mkdir(cache, { recursive: true });
    const old = `${'a'.repeat(40)}.v8`;
    const other = `${'b'.repeat(24)}-${'c'.repeat(24)}.v8`;
    const tmp = `${'d'.repeat(24)}-${'e'.repeat(24)}.v8.123.tmp`;
    for (const name of [old, other, tmp]) await writeFile(join(cache, name), 'x');
    load();
    const names = await readdir(cache);
    expect(names).not.toContain(old);
    expect(names).toEqual(expect.arrayContaining([other, tmp]));
    expect(names).toHaveLength(4);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE (Node’s own switch): plain require', async () => {
    const off = load({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(off.value).toEqual({ answer: 42, dep: 'one', file: true });
    expect(off.stats).toEqual({ hits: 0, misses: 0, written: 0 });
    await expect(readdir(cache)).rejects.toThrow(/ENOENT/);
  });
});

describe('the CLI on Node 22.1+', () => {
  it.skipIf(!('enableCompileCache' in Module))('turns on Node’s own compile cache, in the same directory', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: root, BLUEGREEN_CACHE_DIR: cache },
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    expect((await stat(join(cache, 'node'))).isDirectory()).toBe(true);
  });
});
