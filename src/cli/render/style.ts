/** Colors only for a terminal that wants them (picocolors alone would color CI logs too). */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export function colorsFor(stream: NodeJS.WritableStream & { isTTY?: boolean }): Colors {
  const env = process.env;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const enabled = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  return pc.createColors(enabled);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Cuts a plain (uncolored) line to the terminal's width so a live frame never wraps. */
export function fit(line: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 1);
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
