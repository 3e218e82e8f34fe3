/**
 * wait-healthy and check-http of both replica strategies: green must have all its instances healthy in its
 * front, then pass the HTTP gates (on its load balancer, or on each healthy target), before traffic moves.
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepHandler } from '../../../engine/types.js';
import { waitUntil } from '../../../engine/wait.js';
import { VerificationError } from '../../../errors.js';
import { runHttpCheck, type HttpCheck } from '../../common/gates.js';
import type { HttpGet } from '../../common/http.js';
import type { ReplicaFront } from '../front.js';
import { withLaunchHooks } from './hooks.js';

type Handler<P> = StepHandler<P & JsonObject>;

export interface WaitHealthyParams {
  group: string;
  timeoutSeconds: number;
  intervalSeconds: number;
  /** Green's launch lifecycle hooks (copied from blue), which hold new instances in Pending:Wait. Absent: none. */
  launchHooks?: string[];
  /** hooks.launching complete: bluegreen completes those hooks (CONTINUE) for green's waiting instances. */
  completeHooks?: boolean;
}

/** The HTTP gates, checked against green before traffic moves. */
export interface CheckHttpParams {
  checks: HttpCheck[];
}

export function waitHealthy(ports: AwsPorts, front: Pick<ReplicaFront, 'green'>): Handler<WaitHealthyParams> {
  return {
    async apply(ctx, p) {
      const green = front.green(ports, ctx, p);
      await waitUntil(
        ctx,
        {
          what: `${p.group} to have all its instances ${green.healthy} in ${green.name}`,
          timeoutSeconds: p.timeoutSeconds,
          intervalSeconds: p.intervalSeconds,
        },
        async () => withLaunchHooks(ports, ctx, p, await green.health(p.group)),
      );
    },
    async undo() {},
  };
}

export function checkHttp(ports: AwsPorts, http: HttpGet, front: Pick<ReplicaFront, 'green'>): Handler<CheckHttpParams> {
  return {
    async apply(ctx, p) {
      const green = front.green(ports, ctx, p);
      const targets = await green.httpTargets();
      // Journal: per check (and target) only its index in gates.http, the target, the last status and the tries (never a body).
      const results: JsonObject[] = [];
      for (const [index, check] of p.checks.entries()) {
        for (const target of targets) {
          const { result, failure } = await runHttpCheck(ctx, http, check, target.address, index);
          results.push(target.id === undefined ? result : { ...result, target: target.id });
          await ctx.record({ http: results.map((r) => ({ ...r })) });
          if (failure) throw target.id === undefined ? failure : new VerificationError(`${failure.message} (target ${target.id} of ${green.name})`);
        }
      }
    },
    async undo() {},
  };
}
