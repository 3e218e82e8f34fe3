/**
 * The steps after the new instances serve: point the group's launch at the new image, let old and new
 * serve together, take the old ones out of the load balancers, wait for their connections to drain,
 * terminate them, and give the group back its sizes and processes. Pure: each planner takes the facts it
 * needs; the warnings a planner decides stand beside it.
 */
import type { StepDescriptor } from '../../engine/types.js';
import { asJson } from '../common/plan-helpers.js';
import { frontNames, fronts, sizesText, targetsText, type SwapFacts } from './facts.js';
import {
  progressInterval,
  STEP,
  stepOf,
  TERMINATE_TIMEOUT_SECONDS,
  type DeregisterOldParams,
  type RestoreGroupParams,
  type TerminateOldParams,
  type UpdateLaunchParams,
  type WaitDrainingParams,
  type WaitRetireParams,
} from './params.js';

type LaunchFacts = Pick<SwapFacts, 'group' | 'names' | 'launch' | 'toTemplate' | 'releaseImage' | 'newImage' | 'ownTags'>;

export function planUpdateLaunch(f: LaunchFacts): StepDescriptor {
  const { group, launch, toTemplate } = f;
  const name = f.names.launch;
  const image = f.releaseImage;
  const tags = f.ownTags;
  const update: UpdateLaunchParams =
    launch.ref.kind === 'configuration'
      ? { kind: toTemplate ? 'template-from-configuration' : 'configuration', group, name, source: launch.ref.name, image, tags }
      : { kind: 'template', group, name, source: { id: launch.ref.id, version: launch.ref.version }, image, tags };
  return stepOf(STEP.updateLaunch, {
    title: toTemplate
      ? `Point ${group} at launch template ${name} (from launch configuration ${launch.name} with image ${f.newImage})`
      : `Point ${group} at ${launch.type} ${name} (a copy of ${launch.name} with image ${f.newImage})`,
    params: asJson(update),
    creates: [{ type: update.kind === 'configuration' ? 'launch-configuration' : 'launch-template', name }],
    changes: [{ what: `launch of ${group}`, from: launch.name, to: name }],
  });
}

/** Decided with update-launch: a launch configuration AWS is phasing out, or a template version that floats. */
export function launchWarning(f: LaunchFacts): string | undefined {
  const { group, launch } = f;
  if (launch.ref.kind === 'configuration') {
    if (f.toTemplate) return undefined;
    return `${group} uses launch configuration ${launch.name}; AWS no longer lets new accounts create launch configurations, so consider moving the group to a launch template`;
  }
  if (!/^\$/.test(launch.requested ?? '')) return undefined;
  return `${group} uses launch template ${launch.name} as ${launch.requested}; the new instances use version ${launch.ref.version}, and the group moves to its own template ${f.names.launch} version 1`;
}

export function planWaitRetire(afterSeconds: number): StepDescriptor {
  const retire: WaitRetireParams = { seconds: afterSeconds, intervalSeconds: progressInterval(afterSeconds) };
  return stepOf(STEP.waitRetire, {
    title: `Wait ${afterSeconds}s with old and new instances serving together`,
    params: asJson(retire),
    waits: `${afterSeconds}s`,
  });
}

/** Where `status` sees traffic move: the old instances serve until here, the new ones after. */
export function planDeregisterOld(f: Pick<SwapFacts, 'group' | 'old' | 'loadBalancers' | 'targetGroups' | 'health'>): StepDescriptor {
  const deregister: DeregisterOldParams = {
    group: f.group,
    ...fronts(f),
    planned: f.old,
    timeoutSeconds: f.health.timeoutSeconds,
    intervalSeconds: f.health.intervalSeconds,
  };
  return stepOf(STEP.deregisterOld, {
    title: `Deregister the old instances from ${targetsText(f)}`,
    params: asJson(deregister),
    changes: frontNames(f).map((t) => ({ what: `instances of ${t}`, from: 'old and new', to: 'new only' })),
  });
}

export function planWaitDraining(f: Pick<SwapFacts, 'loadBalancers' | 'targetGroups' | 'drainingSeconds'>): StepDescriptor {
  const seconds = f.drainingSeconds;
  const draining: WaitDrainingParams = {
    seconds,
    intervalSeconds: progressInterval(seconds),
    reasons: [
      ...f.loadBalancers.map((lb) => `${lb.name}: connection draining ${lb.drainingSeconds > 0 ? `${lb.drainingSeconds}s` : 'off'}`),
      ...f.targetGroups.map((tg) => `${tg.name}: deregistration delay ${tg.drainingSeconds}s`),
    ],
  };
  return stepOf(STEP.waitDraining, {
    title: seconds > 0 ? `Wait ${seconds}s for the old instances' connections to drain` : 'No draining to wait for',
    params: asJson(draining),
    waits: `${seconds}s (${draining.reasons.join('; ') || 'no load balancer'})`,
  });
}

export function planTerminateOld(f: Pick<SwapFacts, 'group' | 'old' | 'health'>): StepDescriptor {
  const terminate: TerminateOldParams = { group: f.group, timeoutSeconds: TERMINATE_TIMEOUT_SECONDS, intervalSeconds: f.health.intervalSeconds };
  return stepOf(STEP.terminateOld, {
    title: `Terminate the old instances in ${f.group}, decrementing its desired capacity`,
    params: asJson(terminate),
    changes: [{ what: `instances of ${f.group}`, from: f.old.join(', '), to: 'terminated' }],
    waits: `until they have left ${f.group} (timeout ${TERMINATE_TIMEOUT_SECONDS}s)`,
  });
}

/** Decided with terminate-old: the point after which rollback cannot bring the old instances back. */
export function terminateWarning(f: Pick<SwapFacts, 'old'>): string {
  return `after the ${STEP.terminateOld} step, rollback cannot bring the old instances (${f.old.join(', ')}) back; until then it re-registers them and removes the new ones`;
}

export function planRestoreGroup(f: Pick<SwapFacts, 'group' | 'sizes' | 'maxSize'>): StepDescriptor {
  const { group, sizes } = f;
  const restore: RestoreGroupParams = { group, sizes };
  return stepOf(STEP.restoreGroup, {
    title: `Restore ${group} to ${sizesText(sizes)} and resume the processes this deployment suspended`,
    params: asJson(restore),
    changes: [{ what: `capacity of ${group}`, from: sizesText({ ...sizes, MaxSize: f.maxSize }), to: sizesText(sizes) }],
  });
}
