/**
 * The gates shared by the strategies that move traffic to a replica: CloudWatch alarms that must not be
 * in ALARM, and HTTP checks of green. A gate that fails throws VerificationError, which makes the engine
 * roll back by itself; a gate that cannot be read (an alarm deleted meanwhile) stops the deployment.
 */
import type { AwsPorts } from '../../aws/ports.js';
import { GREEN_DNS_PLACEHOLDER } from '../../config/schema.js';
import type { StepContext } from '../../engine/types.js';
import { DeploymentError, InputError, VerificationError } from '../../errors.js';
import { describeHttpError, type HttpGet } from './http.js';

/** How long one GET of an HTTP gate may take. */
export const HTTP_GATE_TIMEOUT_SECONDS = 10;
/** How often alarms are read while a wait watches them (at most). */
export const ALARM_POLL_SECONDS = 10;

/** An HTTP check as the plan stores it (the url as written, with its placeholder). */
export interface HttpCheck {
  url: string;
  expect: number;
  tries: number;
  intervalSeconds: number;
}

const alarmList = (names: string[]) => `${names.length === 1 ? 'alarm' : 'alarms'} ${names.join(', ')}`;

/**
 * At observe time: every gate alarm exists, else an InputError (nothing changed) naming the missing ones.
 * Gives the names of those in ALARM now (for a warning: the deployment would roll back before the switch).
 */
export async function requireAlarms(ports: AwsPorts, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const states = await ports.alarms.states(names);
  const missing = names.filter((n) => states[n] === undefined);
  if (missing.length > 0) {
    throw new InputError(`${alarmList(missing)} (gates.alarms) ${missing.length === 1 ? 'does' : 'do'} not exist in CloudWatch`);
  }
  return names.filter((n) => states[n]?.state === 'ALARM');
}

/**
 * Reads the gate alarms once. One in ALARM: VerificationError naming it and its reason (`doing` says what
 * was going on: "while waiting to retire blue"). One gone: DeploymentError (the gate cannot be watched).
 * Otherwise (OK, INSUFFICIENT_DATA) a short message for progress.
 */
export async function checkAlarms(ports: AwsPorts, names: string[], doing: string): Promise<string> {
  if (names.length === 0) return '';
  const states = await ports.alarms.states(names);
  const missing = names.filter((n) => states[n] === undefined);
  if (missing.length > 0) {
    throw new DeploymentError(`${alarmList(missing)} (gates.alarms) no longer ${missing.length === 1 ? 'exists' : 'exist'}, so the gate cannot be watched ${doing}; create it again and resume, or roll back`);
  }
  const firing = names.filter((n) => states[n]?.state === 'ALARM');
  if (firing.length > 0) {
    const why = firing.map((n) => `${n} is in ALARM${states[n]?.reason ? ` (${states[n]?.reason})` : ''}`).join('; ');
    throw new VerificationError(`gate ${alarmList(firing)} ${doing}: ${why}`);
  }
  return `${alarmList(names)} not in ALARM`;
}

/** The outcome of one HTTP check, as journaled: its index in gates.http, the last status (null: no answer) and the tries used. */
export interface HttpCheckResult {
  check: number;
  status: number | null;
  tries: number;
  [key: string]: number | null;
}

/**
 * Runs one HTTP check against green: up to `tries` GETs spaced `intervalSeconds` on the engine clock,
 * passing on the first status equal to `expect`. Never throws for a failing check: `failure` is then the
 * VerificationError (naming the URL, the last status or error, and the tries) for the caller to throw
 * once it has journaled `result`.
 */
export async function runHttpCheck(
  ctx: Pick<StepContext, 'clock' | 'signal' | 'progress'>,
  get: HttpGet,
  check: HttpCheck,
  greenDns: string,
  index: number,
): Promise<{ result: HttpCheckResult; failure?: VerificationError }> {
  const url = check.url.split(GREEN_DNS_PLACEHOLDER).join(greenDns);
  const timeoutMs = HTTP_GATE_TIMEOUT_SECONDS * 1000;
  let last = '';
  let status: number | null = null;
  for (let attempt = 1; attempt <= check.tries; attempt++) {
    ctx.signal.throwIfAborted();
    try {
      status = (await get(url, timeoutMs, ctx.signal)).status;
      last = String(status);
    } catch (error) {
      ctx.signal.throwIfAborted();
      status = null;
      last = describeHttpError(error, timeoutMs);
    }
    ctx.progress(`GET ${url} → ${last} (try ${attempt} of ${check.tries})`, { done: attempt, total: check.tries });
    if (status === check.expect) return { result: { check: index, status, tries: attempt } };
    if (attempt < check.tries) await ctx.clock.sleep(check.intervalSeconds * 1000, ctx.signal);
  }
  const seen = status === null ? `no status (${last})` : `status ${status}`;
  const spacing = check.tries > 1 ? ` ${check.intervalSeconds}s apart` : '';
  return {
    result: { check: index, status, tries: check.tries },
    failure: new VerificationError(
      `HTTP gate ${index + 1} failed: GET ${url} answered ${seen}, expected ${check.expect}, after ${check.tries} ${check.tries === 1 ? 'try' : 'tries'}${spacing}`,
    ),
  };
}
