/**
 * The command line of `bluegreen` past `--version`: the program (commander and the command a run names),
 * parsed and run; returns the exit code. The build bundles this file and everything it loads (ours, zod,
 * yaml, commander; not the AWS SDK) into dist/cli/cli.cjs, which src/cli/main.ts loads (scripts/build-cli.mjs).
 */
export async function run(argv: string[]): Promise<number> {
  const args = argv.slice(2);
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
      return EXIT_USAGE;
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Help and --version exit 0; commander's usage errors (unknown option, missing argument) exit 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    return handleError(error, argv);
  }
}
