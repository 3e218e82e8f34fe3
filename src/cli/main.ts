#!/usr/bin/env node
/**
 * The `bluegreen` command. `--version` is answered from package.json alone; everything else loads
 * the program (commander and the command definitions), and each command's action loads the
 * operations and the AWS SDK only when it runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  await enableCompileCache();
  const [{ CommanderError }, { buildProgram, commandOf }, { EXIT_USAGE, handleError }] = await Promise.all([
    import('commander'),
    import('./program.js'),
    import('./handle-error.js'),
  ]);
  const program = await buildProgram(commandOf(args));
  try {
    if (args.length === 0) {
      // No command: show help on stderr and treat it as a usage error.
      program.outputHelp({ error: true });
      process.exitCode = EXIT_USAGE;
      return;
    }
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; commander's usage errors (unknown option, missing argument) exit 2.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = handleError(error, argv);
  }
}

/**
 * Node 22.1+: V8's compile cache for every module of the run, ES modules included (on Node 20 only the AWS
 * SDK packages are cached, by src/aws/sdk/compile-cache.ts, which then leaves them to this one). In the
 * same directory; NODE_DISABLE_COMPILE_CACHE=1 turns both off.
 */
async function enableCompileCache(): Promise<void> {
  const { default: Module } = await import('node:module');
  const enable = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (!enable) return;
  const { compileCacheDir } = await import('../aws/sdk/compile-cache.js');
  const dir = compileCacheDir();
  if (dir) enable(join(dir, 'node'));
}

await main(process.argv);
// Flush stdout and stderr, then leave even if an SDK socket or a timer would keep the loop alive.
const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
