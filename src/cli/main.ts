#!/usr/bin/env node
/**
 * The `bluegreen` command. `--version` is answered from package.json alone; everything else runs
 * src/cli/run.ts, from the one bundled file the build makes of it (dist/cli/cli.cjs) when it is there,
 * else as modules (from src/ through tsx, or a build without the bundle). Each command's action loads
 * the operations and the AWS SDK only when it runs.
 *
 * Why a bundle: Node loaded ~100 of our ES modules and ~95 of zod's for a deploy (a resolve, a read, a
 * compile and a link each; Node 20 has no code cache for ES modules); one CommonJS file, compiled with
 * the code cache of src/aws/sdk/compile-cache.ts, starts ~80-100 ms sooner (docs/benchmark.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Run = (argv: string[]) => Promise<number>;

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  await enableCompileCache();
  const run = await loadRun(argv);
  return run(argv);
}

/**
 * The bundle when the build made one, else the modules. With --debug (or BLUEGREEN_DEBUG=1) the bundle is
 * loaded with Node's source maps on and without the code cache (Node maps only what its own loader
 * compiled), so a stack trace names the lines of src/*.ts.
 */
async function loadRun(argv: string[]): Promise<Run> {
  const bundle = new URL('./cli.cjs', import.meta.url);
  if (!existsSync(bundle)) return (await import('./run.js')).run;
  const require = createRequire(import.meta.url);
  if (argv.includes('--debug') || process.env.BLUEGREEN_DEBUG === '1') {
    process.setSourceMapsEnabled(true);
    return (require('./cli.cjs') as { run: Run }).run;
  }
  const { requireCached } = await import('../aws/sdk/compile-cache.js');
  return requireCached<{ run: Run }>(require, './cli.cjs').run;
}

/**
 * Node 22.1+: V8's compile cache for every module of the run, ES modules included (on Node 20 only the
 * bundle and the AWS SDK packages are cached, by src/aws/sdk/compile-cache.ts, which then leaves them to
 * this one). In the same directory; NODE_DISABLE_COMPILE_CACHE=1 turns both off.
 */
async function enableCompileCache(): Promise<void> {
  const { default: Module } = await import('node:module');
  const enable = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (!enable) return;
  const { compileCacheDir } = await import('../aws/sdk/compile-cache.js');
  const dir = compileCacheDir();
  if (dir) enable(join(dir, 'node'));
}

const code = await main(process.argv);
// Flush stdout and stderr, then leave even if an SDK socket or a timer would keep the loop alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
