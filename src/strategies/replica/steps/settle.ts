/**
 * settle-green of both replica strategies, once green serves (after the last traffic step): green's MinSize
 * back to blue's (create-group held it at blue's DesiredCapacity), and the processes of blue's that would
 * have kept green from becoming healthy suspended (plan/settle.ts). Same rules as every
 * handler: idempotent, journal first, undo after a partial apply and twice.
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepHandler } from '../../../engine/types.js';
import { DeploymentError } from '../../../errors.js';
import type { Sizes } from './build.js';

type Handler<P> = StepHandler<P & JsonObject>;

export interface SettleGreenParams {
  group: string;
  /** Blue's suspended processes that green gets only now (Launch, AddToLoadBalancer, HealthCheck). */
  suspend: string[];
  /** Blue's MinSize as planned; create-group's journaled blueSizes win (blue as it was when green was made). */
  minSize?: number;
  /** The step that made green (and held its MinSize). */
  groupStep?: string;
}

export function settleGreen(ports: AwsPorts): Handler<SettleGreenParams> {
  return {
    async apply(ctx, p) {
      const green = await ports.groups.describeGroup(p.group);
      if (!green) throw new DeploymentError(`green's group ${p.group} no longer exists`);
      if (p.minSize !== undefined) {
        const recorded = p.groupStep ? (ctx.outputsOf(p.groupStep).blueSizes as Sizes | undefined) : undefined;
        const min = recorded?.MinSize ?? p.minSize;
        // Only down: what the hold raised (a MinSize raised since by someone else stays).
        if ((green.MinSize ?? 0) > min) {
          await ctx.record({ minSize: { from: green.MinSize ?? 0, to: min } });
          await ports.groups.updateGroup({ AutoScalingGroupName: p.group, MinSize: min });
        }
      }
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
