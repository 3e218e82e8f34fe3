/** wait-healthy and, with gates.http, check-http: green must serve before any traffic moves. Pure. */
import { HTTP_GATE_TIMEOUT_SECONDS, type HttpCheck } from '../../common/gates.js';
import { capacityText } from '../../common/capacity.js';
import { InputError } from '../../../errors.js';
import { asJson, plural } from '../../common/plan-helpers.js';
import type { WaitHealthyParams } from '../steps/health.js';
import { hookWords } from '../steps/hooks.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, type PlanContext, type Planned } from './context.js';

export function planWaitHealthy(ctx: PlanContext): Planned {
  const { green, greenFront, front } = ctx;
  const { timeoutSeconds, intervalSeconds } = ctx.config.health;
  const blue = ctx.observed.blue.group;
  const desired = blue.DesiredCapacity ?? 0;
  const hooks = launchHooks(ctx);
  const wait = step(ctx, REPLICA_STEP.waitHealthy, {
    title: `Wait until ${green.group} has all its instances ${front.healthy} in ${greenFront}`,
    params: { group: green.group, ...front.lead, timeoutSeconds, intervalSeconds, ...hooks.params, ...front.tail },
    waits: `until ${capacityText(blue, desired)} are ${front.healthy} in ${greenFront} (timeout ${timeoutSeconds}s, every ${intervalSeconds}s)`,
  });
  return { steps: [wait], warnings: hooks.warnings };
}

/** Default HeartbeatTimeout of a lifecycle hook (PutLifecycleHook). */
const HEARTBEAT_DEFAULT_SECONDS = 3600;

/**
 * Blue's launch lifecycle hooks, which green gets: with hooks.launching wait, a hook whose heartbeat outlasts
 * health.timeout is refused (InputError: green would time out in Pending:Wait unless something completes
 * it); with complete, wait-healthy completes them. Params and warnings of wait-healthy.
 */
function launchHooks(ctx: PlanContext): { params: Partial<WaitHealthyParams>; warnings: string[] } {
  const blue = ctx.observed.blue;
  const hooks = blue.lifecycleHooks.filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING' && h.LifecycleHookName);
  if (hooks.length === 0) return { params: {}, warnings: [] };
  const names = hooks.map((h) => h.LifecycleHookName as string);
  const group = blue.group.AutoScalingGroupName;
  const timeout = ctx.config.health.timeoutSeconds;
  if ((ctx.config.hooks?.launching ?? 'wait') === 'complete') {
    return {
      params: { launchHooks: names, completeHooks: true },
      warnings: [
        `hooks.launching complete: bluegreen completes ${hookWords(names)} (CONTINUE) for green's instances in Pending:Wait; the hook's own consumers do not act on them`,
      ],
    };
  }
  const long = hooks.filter((h) => (h.HeartbeatTimeout ?? HEARTBEAT_DEFAULT_SECONDS) > timeout);
  if (long.length > 0) {
    const what = long.map((h) => `${h.LifecycleHookName} (HeartbeatTimeout ${h.HeartbeatTimeout ?? HEARTBEAT_DEFAULT_SECONDS}s)`).join(', ');
    throw new InputError(
      `launch lifecycle ${long.length === 1 ? 'hook' : 'hooks'} ${what} of group ${group} would hold green's new instances in Pending:Wait longer than health.timeout (${timeout}s), and whatever completes ${long.length === 1 ? 'it' : 'them'} for ${group} is unlikely to for green's group: set hooks.launching: complete (bluegreen completes the hooks with CONTINUE), or raise health.timeout above the heartbeat`,
    );
  }
  return {
    params: { launchHooks: names },
    warnings: [
      `${hookWords(names)} of ${group} hold green's new instances in Pending:Wait until completed or their heartbeat runs out (within health.timeout); wait-healthy says how many wait (hooks.launching: complete lets bluegreen complete them)`,
    ],
  };
}

/** gates.http: each check GETs green (its load balancer, or each healthy target) until it answers as expected. None: no step. */
export function planGates(ctx: PlanContext): Planned {
  const http = ctx.config.gates?.http ?? [];
  if (http.length === 0) return { steps: [], warnings: [] };
  const { front } = ctx;
  const checks: HttpCheck[] = http.map((h) => ({ url: h.url, expect: h.expect, tries: h.tries, intervalSeconds: h.intervalSeconds }));
  const check = step(ctx, REPLICA_STEP.checkHttp, {
    title: `Check ${front.http.what} over HTTP: ${plural(http.length, 'check', 'checks')}`,
    params: asJson({ ...front.lead, checks, ...front.tail }),
    waits: http
      .map(
        (h) =>
          `GET ${h.url} answers ${h.expect}${front.http.on} (${plural(h.tries, 'try', 'tries')}, every ${h.intervalSeconds}s, ${HTTP_GATE_TIMEOUT_SECONDS}s each)`,
      )
      .join('; '),
  });
  return { steps: [check], warnings: [] };
}
