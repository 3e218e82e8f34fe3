/**
 * The capacity checks of the traffic steps (steps/capacity.ts), added to the front's traffic steps: every
 * one requires green to hold blue's capacity before it moves traffic, and the first holds blue at its
 * DesiredCapacity until blue is retired or that step is undone. Pure.
 */
import type { StepDescriptor } from '../../../engine/types.js';
import { asJson } from '../../common/plan-helpers.js';
import type { CapacityParams } from '../steps/capacity.js';
import type { PlanContext, Planned } from './context.js';

export function withCapacityChecks(ctx: PlanContext, traffic: Planned): Planned {
  const blue = ctx.observed.blue.group;
  const holdStep = ctx.front.firstTraffic.step;
  const { timeoutSeconds, intervalSeconds } = ctx.config.health;
  const min = blue.MinSize ?? 0;
  const desired = blue.DesiredCapacity ?? 0;
  const steps = traffic.steps.map((s): StepDescriptor => {
    const capacity: CapacityParams = {
      green: ctx.green.group,
      blue: { group: blue.AutoScalingGroupName, ...ctx.front.retire.params },
      holdStep,
      holds: s.id === holdStep,
      timeoutSeconds,
      intervalSeconds,
    };
    const holds =
      s.id === holdStep && min < desired
        ? [
            {
              what: `MinSize of ${blue.AutoScalingGroupName}`,
              from: String(min),
              to: `${desired} (its DesiredCapacity, until it is retired or this step undone)`,
            },
          ]
        : [];
    return {
      ...s,
      params: { ...s.params, capacity: asJson(capacity) },
      ...(s.changes || holds.length > 0 ? { changes: [...(s.changes ?? []), ...holds] } : {}),
    };
  });
  return { steps, warnings: traffic.warnings };
}
