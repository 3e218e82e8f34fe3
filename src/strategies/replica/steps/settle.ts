/**
 * settle-green of both replica strategies, once green serves (after the last traffic step): suspends the
 * processes of blue's that would have kept green from becoming healthy (plan/settle.ts). Same rules as every
 * handler: idempotent, journal first, undo after a partial apply and twice.
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepHandler } from '../../../engine/types.js';
import { DeploymentError } from '../../../errors.js';

type Handler<P> = StepHandler<P & JsonObject>;

export interface SettleGreenParams {
  group: string;
  /** Blue's suspended processes that green gets only now (Launch, AddToLoadBalancer, HealthCheck). */
  suspend: string[];
}

export function settleGreen(ports: AwsPorts): Handler<SettleGreenParams> {
  return {
    async apply(ctx, p) {
      if (!(await ports.groups.describeGroup(p.group))) throw new DeploymentError(`green's group ${p.group} no longer exists`);
      if (p.suspend.length === 0) return;
      await ctx.record({ suspended: [...p.suspend] });
      await ports.groups.suspendProcesses(p.group, p.suspend);
    },
    async undo(ctx, p) {
      const suspended = (ctx.outputs.suspended as string[] | undefined) ?? [];
      // Green is deleted later in the rollback; until then it goes on as it did before the switch.
      if (suspended.length > 0 && (await ports.groups.describeGroup(p.group))) await ports.groups.resumeProcesses(p.group, suspended);
    },
  };
}
