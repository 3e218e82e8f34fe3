/**
 * The one top-level error handler: prints the error for a person and returns the exit code
 * (mapped by exitCodeOf in src/errors.ts; docs/exit-codes.md lists them).
 */
import { readFileSync } from 'node:fs';
import { BluegreenError, exitCodeOf } from '../errors.js';

/** commander's own usage errors (unknown option, missing argument, no command). */
export const EXIT_USAGE = 2;

export function debugEnabled(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--debug') || process.env.BLUEGREEN_DEBUG === '1';
}

function bugReportHint(): string {
  let where = "bluegreen's issue tracker";
  let version = '';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
      bugs?: string | { url?: string };
    };
    version = pkg.version ? ` ${pkg.version}` : '';
    const url = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    if (url) where = url;
  } catch {
    // keep the generic wording
  }
  return `this is a bug in bluegreen${version}, not in your setup: please report it at ${where}, with the output of the same command run with --debug`;
}

function indentRest(text: string, prefix: string): string {
  return text.split('\n').join(`\n${' '.repeat(prefix.length)}`);
}

function stackWithCauses(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : typeof current === 'string' ? current : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** Prints `error: <message>`, `next: <command>`, a stack with --debug; returns the exit code. */
export function handleError(error: unknown, argv: readonly string[] = process.argv, out: NodeJS.WritableStream = process.stderr): number {
  const message = error instanceof Error ? error.message : String(error);
  out.write(`error: ${indentRest(message, 'error: ')}\n`);
  if (error instanceof BluegreenError) {
    if (error.next) out.write(`next: ${error.next}\n`);
  } else {
    out.write(`${bugReportHint()}\n`);
  }
  if (debugEnabled(argv)) out.write(`${stackWithCauses(error)}\n`);
  return exitCodeOf(error);
}
