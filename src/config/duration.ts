/**
 * Durations as people write them: "0s", "90s", "5m", "1h30m" (hours, minutes, seconds, in that order, each
 * optional but at least one). Parsed to whole seconds.
 */
export const DURATION_PATTERN = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** What a duration looks like, for messages. */
export const DURATION_HINT = 'a duration such as 0s, 90s, 5m or 1h30m';

/** Whole seconds, or undefined when the text is not a duration (or too large to count in seconds). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, h, min, s] = m;
  if (h === undefined && min === undefined && s === undefined) return undefined;
  const seconds = Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/**
 * The text parseDuration reads back as the same number of seconds: 90 -> "1m30s", 0 -> "0s".
 * Fractions round to whole seconds; negative or non-finite values print as "0s".
 */
export function formatDuration(value: number): string {
  const seconds = Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
