/**
 * The pure planner of both replica strategies: config and observed state in, an ordered list of steps out.
 * Every decision (names, what is copied, timeouts) is made by one small step planner and stored in its
 * steps' params, so resume and rollback need only the journal. Secrets (UserData) are not in params: the
 * launch steps read blue's launch configuration or template version again when they run. A release by
 * commands first makes green's image (launch-builder ... terminate-builder); create-launch then takes the
 * image bake-image recorded.
 */
import type { Config } from '../../../config/schema.js';
import type { Plan, PlanSummary } from '../../types.js';
import { planBakeSteps } from '../bake-plan.js';
import type { ReplicaFront } from '../front.js';
import type { ReplicaConfig, ReplicaObserved } from '../observe.js';
import { withCapacityChecks } from './capacity.js';
import { planContext, type PlanContext, type Planned } from './context.js';
import { planCopyAlarms, planCopyPolicies, planCreateGroup } from './group.js';
import { planGates, planWaitHealthy } from './health.js';
import { planCreateLaunch } from './launch.js';
import { planGateAlarms, planRetireBlue, planWaitRetire } from './retire.js';
import { planSettleGreen } from './settle.js';

export function planReplica<O extends ReplicaObserved, C extends ReplicaConfig>(
  front: ReplicaFront<O, C>,
  anyConfig: Config,
  observed: O,
  deploymentId: string,
): Plan<PlanSummary> {
  const ctx = planContext(front, front.config(anyConfig), observed, deploymentId);
  // In step order; the warnings come out in this order too (the gate alarms' after the wait's).
  const planned: Planned[] = [
    planBakeSteps(ctx),
    planCreateLaunch(ctx),
    front.planCreateFront(ctx),
    planCreateGroup(ctx),
    planCopyPolicies(ctx),
    planCopyAlarms(ctx),
    planWaitHealthy(ctx),
    planGates(ctx),
    withCapacityChecks(ctx, front.planTraffic(ctx)),
    planSettleGreen(ctx),
    planWaitRetire(ctx),
    planGateAlarms(ctx),
    planRetireBlue(ctx),
  ];
  return {
    deploymentId,
    steps: planned.flatMap((p) => p.steps),
    summary: summaryOf(ctx),
    warnings: planned.flatMap((p) => p.warnings),
  };
}

/** The plan's summary: both sides, the image, and the front's facts (record or listener, traffic). */
export function summaryOf(ctx: PlanContext): PlanSummary {
  const { green, bake, front } = ctx;
  const blue = ctx.observed.blue;
  return {
    blue: { color: blue.color, group: blue.group.AutoScalingGroupName, ...front.summary.blue },
    green: { color: green.color, group: green.group, ...front.summary.green, launch: green.launch },
    ...(bake ? { release: 'commands', image: `${bake.image} (image baked from builder ${bake.builder})` } : { image: ctx.image }),
    ...front.summary.rest,
  };
}
