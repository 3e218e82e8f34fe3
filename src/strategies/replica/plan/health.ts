/** wait-healthy and, with gates.http, check-http: green must serve before any traffic moves. Pure. */
import { HTTP_GATE_TIMEOUT_SECONDS, type HttpCheck } from '../../common/gates.js';
import { capacityText } from '../../common/capacity.js';
import { asJson, plural } from '../../common/plan-helpers.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, type PlanContext, type Planned } from './context.js';

export function planWaitHealthy(ctx: PlanContext): Planned {
  const { green, greenFront, front } = ctx;
  const { timeoutSeconds, intervalSeconds } = ctx.config.health;
  const blue = ctx.observed.blue.group;
  const desired = blue.DesiredCapacity ?? 0;
  const wait = step(ctx, REPLICA_STEP.waitHealthy, {
    title: `Wait until ${green.group} has all its instances ${front.healthy} in ${greenFront}`,
    params: { group: green.group, ...front.lead, timeoutSeconds, intervalSeconds, ...front.tail },
    waits: `until ${capacityText(blue, desired)} are ${front.healthy} in ${greenFront} (timeout ${timeoutSeconds}s, every ${intervalSeconds}s)`,
  });
  return { steps: [wait], warnings: [] };
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
