/**
 * The recurrence of an Auto Scaling scheduled action, for the in-memory AWS: "the traditional cron syntax"
 * of five fields (minute hour day-of-month month day-of-week), read in UTC. Each field is `*`, a number, a
 * range `a-b`, a step `*\/n` or `a-b/n`, or a list of those; months and days of the week may be named
 * (JAN, MON). As cron does, when both day fields are restricted a day matches either of them.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/scheduled-scaling-recurring-schedules.html
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  any: boolean;
  values: Set<number>;
}

function field(text: string, min: number, max: number, names: string[] = [], base = 0): Field {
  const value = (s: string) => {
    const named = names.indexOf(s.toUpperCase());
    const n = named >= 0 ? named + base : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron: ${s} is not within ${min}-${max}`);
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron: step ${stepText} is not a whole number above 0`);
    let [lo, hi] = [min, max];
    if (range.includes('-')) [lo, hi] = range.split('-').map(value) as [number, number];
    else if (range !== '*') [lo, hi] = [value(range), stepText === undefined ? value(range) : max];
    for (let n = lo; n <= hi; n += step) values.add(n);
  }
  return { any: text === '*', values };
}

/** A matcher of the minutes (virtual ms at their start) that the recurrence names. */
export function cron(recurrence: string): (t: number) => boolean {
  const parts = recurrence.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron: "${recurrence}" does not have five fields`);
  const [minute, hour, dom, month, dow] = [
    field(parts[0] as string, 0, 59),
    field(parts[1] as string, 0, 23),
    field(parts[2] as string, 1, 31),
    field(parts[3] as string, 1, 12, MONTHS, 1),
    field(parts[4] as string, 0, 7, DAYS),
  ];
  return (t) => {
    const d = new Date(t);
    const weekday = d.getUTCDay();
    const dayOfMonth = dom.values.has(d.getUTCDate());
    const dayOfWeek = dow.values.has(weekday) || (weekday === 0 && dow.values.has(7));
    const day = dom.any || dow.any ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    return minute.values.has(d.getUTCMinutes()) && hour.values.has(d.getUTCHours()) && month.values.has(d.getUTCMonth() + 1) && day;
  };
}

/** The last minute in (from, to] that the recurrence names, or undefined (at most a year back is searched). */
export function lastRun(recurrence: string, from: number, to: number): number | undefined {
  const minute = 60_000;
  const matches = cron(recurrence);
  const floor = Math.max(from, to - 366 * 24 * 60 * minute);
  for (let t = Math.floor(to / minute) * minute; t > floor; t -= minute) if (matches(t)) return t;
  return undefined;
}
