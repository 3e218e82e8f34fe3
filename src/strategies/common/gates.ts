/**
 * The gates shared by the strategies that move traffic to a replica: CloudWatch alarms that must not be
 * in ALARM, and HTTP checks of green. A gate that fails throws VerificationError, which makes the engine
 * roll back by itself; a gate that cannot be read (an alarm deleted meanwhile) stops the deployment.
 */
import type { AwsPorts } from '../../aws/ports.js';
import { GREEN_DNS_PLACEHOLDER, GREEN_TARGET_PLACEHOLDER } from '../../config/schema.js';

export { GREEN_DNS_PLACEHOLDER, GREEN_TARGET_PLACEHOLDER };
import type { StepContext } from '../../engine/types.js';
import { waitUntil, WaitTimeoutError, type Observation } from '../../engine/wait.js';
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
    throw new DeploymentError(
      `${alarmList(missing)} (gates.alarms) no longer ${missing.length === 1 ? 'exists' : 'exist'}, so the gate cannot be watched ${doing}; create it again and resume, or roll back`,
    );
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
 * once it has journaled `result`. `greenDns` is what the URL's placeholder stands for: green's load balancer
 * DNS name ({green.loadBalancerDns}), or one target's <private ip>:<port> ({green.target}).
 */
export async function runHttpCheck(
  ctx: Pick<StepContext, 'clock' | 'signal' | 'progress'>,
  get: HttpGet,
  check: HttpCheck,
  greenDns: string,
  index: number,
): Promise<{ result: HttpCheckResult; failure?: VerificationError }> {
  // Each strategy's config holds only its own placeholder: green's load balancer DNS name, or one target.
  const url = check.url.split(GREEN_DNS_PLACEHOLDER).join(greenDns).split(GREEN_TARGET_PLACEHOLDER).join(greenDns);
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

// ---------------------------------------------------------------- blue's traffic draining (retire.untilRequestsBelow)

/** How many whole minutes in a row blue's request count must stay below the threshold. */
export const DRAIN_WINDOW_MINUTES = 3;
/**
 * How long the drain is watched once retire.after (the floor) has passed, or once a resumed wait begins,
 * before the deployment stops, blue untouched. Classic ELB connection draining is at most 3,600 s too.
 */
export const DRAIN_CEILING_SECONDS = 3600;
/**
 * A minute is judged only once it ended at least this long ago: CloudWatch publishes ELB metrics with a
 * delay, and a minute without a datapoint counts as 0 requests, so a minute read too early would look idle.
 */
export const METRIC_DELAY_SECONDS = 60;

/**
 * What the drain watch measures and the threshold per minute. Either `loadBalancer` alone (a classic load
 * balancer: AWS/ELB RequestCount by LoadBalancerName, as replica-dns journals hold it), or the metric
 * itself: `namespace`, `metricName`, `dimensions` and a `label` for messages (an ALB target group:
 * AWS/ApplicationELB RequestCount by LoadBalancer and TargetGroup; an NLB: AWS/NetworkELB NewFlowCount).
 */
export interface DrainWatch {
  loadBalancer?: string;
  namespace?: string;
  metricName?: string;
  dimensions?: { name: string; value: string }[];
  /** "shop-web-tg" (blue's target group); absent: loadBalancer. */
  label?: string;
  below: number;
  windowMinutes: number;
}

/** The metric a drain watch reads, from either form of DrainWatch. */
export function drainMetric(watch: DrainWatch): {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  label: string;
} {
  if (watch.namespace && watch.metricName && watch.dimensions) {
    return {
      namespace: watch.namespace,
      metricName: watch.metricName,
      dimensions: watch.dimensions.map((d) => ({ name: d.name, value: d.value })),
      label: watch.label ?? watch.loadBalancer ?? watch.dimensions.map((d) => d.value).join(' '),
    };
  }
  const name = watch.loadBalancer ?? '';
  return { namespace: 'AWS/ELB', metricName: 'RequestCount', dimensions: [{ name: 'LoadBalancerName', value: name }], label: watch.label ?? name };
}

export interface DrainReading {
  /** Every minute of the window is below the threshold. */
  quiet: boolean;
  /** How many of the window's minutes, newest first, are below the threshold in a row. */
  minutesBelow: number;
  /** "blue shop-web-elb: 12 requests/min (below 1 for 0 of 3 minutes)". */
  message: string;
}

const MINUTE_MS = 60_000;
const requestsText = (n: number) => String(Math.round(n * 100) / 100);

/**
 * Reads blue's metric (RequestCount of AWS/ELB by LoadBalancerName unless the watch names another; Sum per
 * 60 s) for the window: the last
 * `windowMinutes` whole minutes that ended at least METRIC_DELAY_SECONDS ago. ELB publishes no datapoint
 * for a minute without requests, so a minute without one counts as 0. The returned reader asks CloudWatch
 * again only when the window has moved on (one GetMetricStatistics per minute of the window per minute).
 */
export function drainReader(ports: AwsPorts, watch: DrainWatch): (now: number) => Promise<DrainReading> {
  const metric = drainMetric(watch);
  let cached: { newest: number; sums: number[] } | undefined;
  return async (now) => {
    const newest = Math.floor((now - METRIC_DELAY_SECONDS * 1000) / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    if (cached?.newest !== newest) {
      const starts = Array.from({ length: watch.windowMinutes }, (_, i) => newest - i * MINUTE_MS); // newest first
      const sums = await Promise.all(
        starts.map(async (start) => {
          const points = await ports.alarms.metricSum({
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: metric.dimensions,
            periodSeconds: 60,
            startTime: new Date(start),
            endTime: new Date(start + MINUTE_MS),
          });
          return points.reduce((a, b) => a + b, 0);
        }),
      );
      cached = { newest, sums };
    }
    const { sums } = cached;
    let minutesBelow = 0;
    while (minutesBelow < sums.length && (sums[minutesBelow] ?? 0) < watch.below) minutesBelow++;
    const minutes = `${watch.windowMinutes === 1 ? 'minute' : 'minutes'}`;
    return {
      quiet: minutesBelow === watch.windowMinutes,
      minutesBelow,
      message: `blue ${metric.label}: ${requestsText(sums[0] ?? 0)} ${metric.metricName === 'NewFlowCount' ? 'new flows' : 'requests'}/min (below ${requestsText(watch.below)} for ${minutesBelow} of ${watch.windowMinutes} ${minutes})`,
    };
  };
}

/**
 * Waits until the floor (`end`, epoch ms) has passed and blue's metric stayed below the threshold for the
 * whole window, reading the gate alarms on every poll (one in ALARM: the VerificationError of checkAlarms).
 * The ceiling counts from the floor's end, or from now when a resumed wait begins later. Reaching it
 * throws a DeploymentError (blue still serving says nothing against green: no rollback) whose message
 * ends with `stopped` (what is left as it is and what resume and rollback do).
 */
export async function waitDrainedWatching(
  ports: AwsPorts,
  ctx: StepContext,
  options: { end: number; intervalSeconds: number; alarms: string[]; drain: DrainWatch & { ceilingSeconds: number }; stopped: string },
): Promise<void> {
  const { end, drain } = options;
  const ceiling = Math.max(end, ctx.clock.now()) + drain.ceilingSeconds * 1000;
  const read = drainReader(ports, drain);
  let last = '';
  const observe = async (): Promise<Observation> => {
    const watched = await checkAlarms(ports, options.alarms, 'while waiting to retire blue');
    const reading = await read(ctx.clock.now());
    const left = Math.max(0, Math.ceil((end - ctx.clock.now()) / 1000));
    const floor = left <= 0 ? 'retire.after floor passed' : `${left}s left of retire.after`;
    last = reading.message;
    return {
      done: left <= 0 && reading.quiet,
      message: `${reading.message}; ${floor}${watched ? `; ${watched}` : ''}`,
      counts: { done: reading.minutesBelow, total: drain.windowMinutes },
    };
  };
  try {
    await waitUntil(
      ctx,
      {
        what: `blue ${drainMetric(drain).label} to drain`,
        timeoutSeconds: Math.max(0, ceiling - ctx.clock.now()) / 1000,
        intervalSeconds: options.intervalSeconds,
      },
      observe,
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError) || ctx.clock.now() < ceiling) throw error;
    const minutes = Math.round(drain.ceilingSeconds / 60);
    throw new DeploymentError(`blue still gets requests after ${minutes} minutes of watching past retire.after: ${last}; ${options.stopped}`);
  }
}
