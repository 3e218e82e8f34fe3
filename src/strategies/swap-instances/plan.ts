/**
 * The pure planner of swap-instances (the seed's approach 1): config and observed state in, an ordered
 * list of steps out. New instances are launched beside the group's, prepared, attached to the group and
 * its load balancers, health-gated; then the old ones are deregistered, drained and terminated with
 * decrement. Every decision (names, counts, sizes, placements, tokens, timeouts) is made here and stored
 * in the steps' params, so resume and rollback need only the journal. Secrets (UserData) are not in
 * params: the launch step reads the group's launch configuration or template again when it runs.
 *
 * The plan is a flat list of step planners (plan-attach.ts, plan-release.ts, plan-retire.ts), each given
 * the shared decisions of facts.ts; the warnings come from the planners that decide them.
 */
import type { Config } from '../../config/schema.js';
import type { Plan, PlanSummary } from '../types.js';
import { toJson } from '../common/plan-helpers.js';
import { asSwapConfig } from './config.js';
import { swapFacts, type SwapFacts } from './facts.js';
import type { Observed } from './observe.js';
import { noFrontWarning, planAttach, planLaunchInstances, planRaiseMaxSize, planSuspend, planWaitHealthy, planWaitRunning } from './plan-attach.js';
import { planRelease } from './plan-release.js';
import {
  launchWarning,
  planDeregisterOld,
  planRestoreGroup,
  planTerminateOld,
  planUpdateLaunch,
  planWaitDraining,
  planWaitRetire,
  terminateWarning,
} from './plan-retire.js';
import { STEP } from './params.js';

// What this module exported before the step planners moved out.
export * from './params.js';
export { toJson } from '../common/plan-helpers.js';

export function plan(config: Config, observed: Observed, deploymentId: string): Plan<PlanSummary> {
  const c = asSwapConfig(config);
  const f = swapFacts(c, observed, deploymentId);
  const steps = [
    planSuspend(f),
    planLaunchInstances(f, observed.group),
    planWaitRunning(f),
    ...planRelease(f, c.release, c.ssh, c.bake?.reboot),
    planRaiseMaxSize(f),
    planAttach(f),
    planWaitHealthy(f),
    planUpdateLaunch(f),
    planWaitRetire(c.retire.afterSeconds),
    planDeregisterOld(f),
    planWaitDraining(f),
    planTerminateOld(f),
    planRestoreGroup(f),
  ];
  const warnings = [launchWarning(f), noFrontWarning(f), terminateWarning(f)].filter((w): w is string => w !== undefined);
  return { deploymentId, steps, summary: summaryOf(f, c.release.kind), warnings };
}

/** For `status`: old instances (blue) serve until deregister-old, the new ones (green) after it. */
export function summaryOf(f: SwapFacts, release: 'commands' | 'image'): PlanSummary {
  return {
    trafficStep: STEP.deregisterOld,
    blue: { color: 'blue', group: f.group, instances: [...f.old], launch: f.launch.name },
    green: { color: 'green', group: f.group, instances: f.count, launch: f.names.launch },
    release,
    image: f.newImage,
    sizes: toJson(f.sizes),
  };
}
