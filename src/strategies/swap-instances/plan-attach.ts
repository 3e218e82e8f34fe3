/**
 * The steps that bring the new instances into service: suspend the processes that would fight the swap,
 * launch the new instances like the group's and wait until they run, make room in the group, attach them,
 * and wait until they are healthy everywhere. Pure: each planner takes the facts it needs.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { StepDescriptor } from '../../engine/types.js';
import { RUNNING_TIMEOUT_SECONDS, type LaunchInstancesParams, type WaitRunningParams } from '../common/instance-steps.js';
import { asJson } from '../common/plan-helpers.js';
import { placements } from './builders.js';
import { frontNames, fronts, instancesText, sizesText, targetsText, type SwapFacts } from './facts.js';
import { propagatedTags, SWAP_PROCESSES } from './names.js';
import { STEP, stepOf, type AttachInstancesParams, type RaiseMaxSizeParams, type SuspendProcessesParams, type WaitHealthyParams } from './params.js';

export function planSuspend(f: Pick<SwapFacts, 'group'>): StepDescriptor {
  const suspend: SuspendProcessesParams = { group: f.group, processes: [...SWAP_PROCESSES] };
  return stepOf(STEP.suspendProcesses, {
    title: `Suspend ${SWAP_PROCESSES.join(', ')} of ${f.group}`,
    params: asJson(suspend),
    changes: [{ what: `processes of ${f.group}`, from: 'as they are', to: `${SWAP_PROCESSES.join(', ')} suspended` }],
  });
}

/** The group as observed: where its instances go (subnets or zones) and the tags they inherit. */
export type GroupShape = Partial<Pick<AutoScalingGroup, 'VPCZoneIdentifier' | 'AvailabilityZones' | 'Tags'>>;

export function planLaunchInstances(
  f: Pick<SwapFacts, 'service' | 'deploymentId' | 'group' | 'count' | 'launch' | 'launchImage' | 'ownTags'>,
  group: GroupShape,
): StepDescriptor {
  const launch: LaunchInstancesParams = {
    group: f.group,
    count: f.count,
    image: f.launchImage,
    launch: f.launch.ref,
    placements: placements(group, f.count, f.service, f.deploymentId),
    tags: [...propagatedTags(group.Tags), ...f.ownTags],
  };
  return stepOf(STEP.launchInstances, {
    title: `Launch ${instancesText(f.count)} like ${f.group}'s ${f.launch.type} ${f.launch.name} with image ${f.launchImage}`,
    params: asJson(launch),
    creates: [{ type: 'instances', name: `${instancesText(f.count)} tagged bluegreen:deployment=${f.deploymentId}` }],
  });
}

export function planWaitRunning(f: Pick<SwapFacts, 'count' | 'health'>): StepDescriptor {
  const { intervalSeconds } = f.health;
  const running: WaitRunningParams = { timeoutSeconds: RUNNING_TIMEOUT_SECONDS, intervalSeconds };
  return stepOf(STEP.waitRunning, {
    title: `Wait until the ${instancesText(f.count)} are running`,
    params: asJson(running),
    waits: `until ${f.count} of ${f.count} instances are running (timeout ${RUNNING_TIMEOUT_SECONDS}s, every ${intervalSeconds}s)`,
  });
}

/** Raises MaxSize only when attaching the new instances needs it; otherwise only checks there is room. */
export function planRaiseMaxSize(f: Pick<SwapFacts, 'group' | 'count' | 'sizes' | 'maxSize'>): StepDescriptor {
  const { group, count, sizes, maxSize } = f;
  const raise: RaiseMaxSizeParams = { group, count, planned: sizes, maxSize };
  const raises = maxSize > sizes.MaxSize;
  return stepOf(STEP.raiseMaxSize, {
    title: raises
      ? `Raise MaxSize of ${group} to ${maxSize}`
      : `Check MaxSize of ${group} (${sizes.MaxSize}) leaves room for ${instancesText(count)}`,
    params: asJson(raise),
    ...(raises ? { changes: [{ what: `MaxSize of ${group}`, from: String(sizes.MaxSize), to: String(maxSize) }] } : {}),
  });
}

/** The first step that moves traffic: the new instances serve beside the old ones from here (the pause point). */
export function planAttach(
  f: Pick<SwapFacts, 'group' | 'count' | 'sizes' | 'maxSize' | 'loadBalancers' | 'targetGroups' | 'drainingSeconds' | 'health'>,
): StepDescriptor {
  const { group, sizes } = f;
  const attach: AttachInstancesParams = { group, ...fronts(f), drainingSeconds: f.drainingSeconds, intervalSeconds: f.health.intervalSeconds };
  const attached = { ...sizes, MaxSize: f.maxSize, DesiredCapacity: sizes.DesiredCapacity + f.count };
  return stepOf(STEP.attachInstances, {
    title: `Attach the new instances to ${group} and register them with ${targetsText(f)}`,
    params: asJson(attach),
    changes: [{ what: `capacity of ${group}`, from: sizesText(sizes), to: sizesText(attached) }],
    pausePoint: true,
  });
}

export function planWaitHealthy(f: Pick<SwapFacts, 'group' | 'count' | 'loadBalancers' | 'targetGroups' | 'health'>): StepDescriptor {
  const { timeoutSeconds, intervalSeconds } = f.health;
  const healthy: WaitHealthyParams = { group: f.group, ...fronts(f), timeoutSeconds, intervalSeconds };
  const behind = frontNames(f).length > 0 ? ` and ${targetsText(f)}` : '';
  return stepOf(STEP.waitHealthy, {
    title: `Wait until the new instances are InService in ${f.group}${behind}`,
    params: asJson(healthy),
    waits: `until ${f.count} of ${f.count} new instances are InService (timeout ${timeoutSeconds}s, every ${intervalSeconds}s)`,
  });
}

/** Decided with wait-healthy: without a load balancer, health is the group's alone, and nothing drains. */
export function noFrontWarning(f: Pick<SwapFacts, 'group' | 'loadBalancers' | 'targetGroups'>): string | undefined {
  if (frontNames(f).length > 0) return undefined;
  return `${f.group} has no load balancer or target group: health is the group's InService state only, and nothing drains before termination`;
}
