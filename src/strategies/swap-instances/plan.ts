/**
 * The pure planner of swap-instances (the seed's approach 1): config and observed state in, an ordered
 * list of steps out. New instances are launched beside the group's, prepared, attached to the group and
 * its load balancers, health-gated; then the old ones are deregistered, drained and terminated with
 * decrement. Every decision (names, counts, sizes, placements, tokens, timeouts) is made here and stored
 * in the steps' params, so resume and rollback need only the journal. Secrets (UserData) are not in
 * params: the launch step reads the group's launch configuration or template again when it runs.
 */
import type { Config } from '../../config/schema.js';
import type { StepDescriptor } from '../../engine/types.js';
import type { Plan, PlanSummary } from '../types.js';
import {
  IMAGE_INTERVAL_SECONDS,
  IMAGE_TIMEOUT_SECONDS,
  RUNNING_TIMEOUT_SECONDS,
  type BakeImageParams,
  type LaunchInstancesParams,
  type LaunchRef,
  type RunCommandsParams,
  type WaitReachableParams,
  type WaitRunningParams,
} from '../common/instance-steps.js';
import { commandEnv, placements, raisedMaxSize } from './builders.js';
import { asSwapConfig } from './config.js';
import type { Observed } from './observe.js';
import { ownInstanceTags, propagatedTags, SWAP_PROCESSES, swapNames } from './names.js';

export const STRATEGY = 'swap-instances';

/** Step ids: the stable keys of the journal and the events. */
export const STEP = {
  suspendProcesses: 'suspend-processes',
  launchInstances: 'launch-instances',
  waitRunning: 'wait-running',
  waitReachable: 'wait-reachable',
  runCommands: 'run-commands',
  bakeImage: 'bake-image',
  raiseMaxSize: 'raise-max-size',
  attachInstances: 'attach-instances',
  waitHealthy: 'wait-healthy',
  updateLaunch: 'update-launch',
  waitRetire: 'wait-retire',
  deregisterOld: 'deregister-old',
  waitDraining: 'wait-draining',
  terminateOld: 'terminate-old',
  restoreGroup: 'restore-group',
} as const;
export type StepId = (typeof STEP)[keyof typeof STEP];

export const kindOf = (id: StepId) => `${STRATEGY}/${id}`;

// The steps that make and prepare the new instances are shared with replica-dns's builder.
export { IMAGE_INTERVAL_SECONDS, IMAGE_TIMEOUT_SECONDS, RUNNING_TIMEOUT_SECONDS } from '../common/instance-steps.js';
export type {
  BakeImageParams,
  LaunchInstancesParams,
  LaunchRef,
  RunCommandsParams,
  WaitReachableParams,
  WaitRunningParams,
} from '../common/instance-steps.js';
import { asJson, plural, toJson } from '../common/plan-helpers.js';

/** How long terminated instances may take to leave the group (termination lifecycle hooks included). */
export const TERMINATE_TIMEOUT_SECONDS = 900;
/** How often a timed wait says how long is left. */
export const PROGRESS_SECONDS = 30;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export interface Sizes {
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
}

type Tag = { Key: string; Value: string };

export interface SuspendProcessesParams {
  group: string;
  processes: string[];
}

export interface RaiseMaxSizeParams {
  group: string;
  count: number;
  /** The sizes seen at plan time, and the MaxSize planned from them (apply re-checks against the group). */
  planned: Sizes;
  maxSize: number;
}

export interface AttachInstancesParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  /** The longest draining time of the load balancers, waited on undo when the new instances served. */
  drainingSeconds: number;
  intervalSeconds: number;
}

export interface WaitHealthyParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

export type UpdateLaunchParams = {
  group: string;
  name: string;
  /** The image to copy in; null: the image bake-image made. */
  image: string | null;
  tags: Tag[];
} & (
  | { kind: 'configuration'; source: string }
  | { kind: 'template'; source: { id: string; version: number } }
  /** `launch: template` with the group on a launch configuration: a new template (version 1) from its settings. */
  | { kind: 'template-from-configuration'; source: string }
);

export interface WaitRetireParams {
  seconds: number;
  intervalSeconds: number;
}

export interface DeregisterOldParams {
  group: string;
  loadBalancers: string[];
  targetGroups: string[];
  /** The instances serving at plan time (shown in the plan; apply takes the group's members that are not new). */
  planned: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface WaitDrainingParams {
  seconds: number;
  intervalSeconds: number;
  /** Where the wait comes from, for people: "shop-web-elb: connection draining 120s". */
  reasons: string[];
}

export interface TerminateOldParams {
  group: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface RestoreGroupParams {
  group: string;
  /** The group's sizes at plan time; apply prefers those raise-max-size recorded. */
  sizes: Sizes;
}

export { toJson } from '../common/plan-helpers.js';

const sizesText = (s: Sizes) => `min ${s.MinSize}, max ${s.MaxSize}, desired ${s.DesiredCapacity}`;

export function plan(config: Config, observed: Observed, deploymentId: string): Plan<PlanSummary> {
  const c = asSwapConfig(config);
  const { group, launch } = observed;
  const groupName = group.AutoScalingGroupName;
  const names = swapNames(c.service, deploymentId);
  const count = observed.inService.length;
  const release = c.release;
  const commands = release.kind === 'commands';
  const launchImage = observed.image.ImageId;
  const finalImage = release.kind === 'image' ? release.image : null;
  const sizes: Sizes = { MinSize: group.MinSize ?? 0, MaxSize: group.MaxSize ?? 0, DesiredCapacity: group.DesiredCapacity ?? 0 };
  const maxSize = raisedMaxSize(sizes, count);
  const lbNames = observed.loadBalancers.map((lb) => lb.name);
  const tgArns = observed.targetGroups.map((tg) => tg.arn);
  const targets = [...lbNames, ...observed.targetGroups.map((tg) => tg.name)];
  const targetsText = targets.length > 0 ? targets.join(', ') : 'no load balancer';
  const drainingSeconds = Math.max(0, ...observed.loadBalancers.map((lb) => lb.drainingSeconds), ...observed.targetGroups.map((tg) => tg.drainingSeconds));
  const { timeoutSeconds, intervalSeconds } = c.health;
  const warnings: string[] = [];

  const launchRef: LaunchRef =
    launch.kind === 'configuration'
      ? { kind: 'configuration', name: launch.configuration.LaunchConfigurationName }
      : { kind: 'template', id: launch.version.LaunchTemplateId, version: launch.version.VersionNumber };
  const launchName =
    launch.kind === 'configuration' ? launch.configuration.LaunchConfigurationName : (launch.version.LaunchTemplateName ?? launch.version.LaunchTemplateId);
  const launchType = launch.kind === 'configuration' ? 'launch configuration' : 'launch template';
  const ownTags = ownInstanceTags(c.service, deploymentId);
  const toTemplate = c.launch === 'template' && launch.kind === 'configuration';

  if (launch.kind === 'configuration') {
    if (!toTemplate) {
      warnings.push(
        `${groupName} uses launch configuration ${launchName}; AWS no longer lets new accounts create launch configurations, so consider moving the group to a launch template`,
      );
    }
  } else if (/^\$/.test(launch.requested)) {
    warnings.push(
      `${groupName} uses launch template ${launchName} as ${launch.requested}; the new instances use version ${launch.version.VersionNumber}, and the group moves to its own template ${names.launch} version 1`,
    );
  }
  if (targets.length === 0) {
    warnings.push(`${groupName} has no load balancer or target group: health is the group's InService state only, and nothing drains before termination`);
  }
  warnings.push(
    `after the ${STEP.terminateOld} step, rollback cannot bring the old instances (${observed.inService.join(', ')}) back; until then it re-registers them and removes the new ones`,
  );

  const place = placements(group, count, c.service, deploymentId);

  const suspend: SuspendProcessesParams = { group: groupName, processes: [...SWAP_PROCESSES] };
  const launchParams: LaunchInstancesParams = {
    group: groupName,
    count,
    image: launchImage,
    launch: launchRef,
    placements: place,
    tags: [...propagatedTags(group.Tags), ...ownTags],
  };
  const running: WaitRunningParams = { timeoutSeconds: RUNNING_TIMEOUT_SECONDS, intervalSeconds };
  const raise: RaiseMaxSizeParams = { group: groupName, count, planned: sizes, maxSize };
  const attach: AttachInstancesParams = { group: groupName, loadBalancers: lbNames, targetGroups: tgArns, drainingSeconds, intervalSeconds };
  const healthy: WaitHealthyParams = { group: groupName, loadBalancers: lbNames, targetGroups: tgArns, timeoutSeconds, intervalSeconds };
  const update: UpdateLaunchParams =
    launch.kind === 'configuration'
      ? {
          kind: toTemplate ? 'template-from-configuration' : 'configuration',
          group: groupName,
          name: names.launch,
          source: launch.configuration.LaunchConfigurationName,
          image: finalImage,
          tags: ownTags,
        }
      : {
          kind: 'template',
          group: groupName,
          name: names.launch,
          source: { id: launch.version.LaunchTemplateId, version: launch.version.VersionNumber },
          image: finalImage,
          tags: ownTags,
        };
  const retire: WaitRetireParams = {
    seconds: c.retire.afterSeconds,
    intervalSeconds: Math.min(PROGRESS_SECONDS, Math.max(1, c.retire.afterSeconds)),
  };
  const deregister: DeregisterOldParams = {
    group: groupName,
    loadBalancers: lbNames,
    targetGroups: tgArns,
    planned: observed.inService,
    timeoutSeconds,
    intervalSeconds,
  };
  const draining: WaitDrainingParams = {
    seconds: drainingSeconds,
    intervalSeconds: Math.min(PROGRESS_SECONDS, Math.max(1, drainingSeconds)),
    reasons: [
      ...observed.loadBalancers.map((lb) => `${lb.name}: connection draining ${lb.drainingSeconds > 0 ? `${lb.drainingSeconds}s` : 'off'}`),
      ...observed.targetGroups.map((tg) => `${tg.name}: deregistration delay ${tg.drainingSeconds}s`),
    ],
  };
  const terminate: TerminateOldParams = { group: groupName, timeoutSeconds: TERMINATE_TIMEOUT_SECONDS, intervalSeconds };
  const restore: RestoreGroupParams = { group: groupName, sizes };

  const step = (id: StepId, rest: Omit<StepDescriptor, 'id' | 'kind'>): StepDescriptor => ({ id, kind: kindOf(id), ...rest });
  const instances = plural(count, 'instance', 'instances');

  const steps: StepDescriptor[] = [
    step(STEP.suspendProcesses, {
      title: `Suspend ${SWAP_PROCESSES.join(', ')} of ${groupName}`,
      params: asJson(suspend),
      changes: [{ what: `processes of ${groupName}`, from: 'as they are', to: `${SWAP_PROCESSES.join(', ')} suspended` }],
    }),
    step(STEP.launchInstances, {
      title: `Launch ${instances} like ${groupName}'s ${launchType} ${launchName} with image ${launchImage}`,
      params: asJson(launchParams),
      creates: [{ type: 'instances', name: `${instances} tagged bluegreen:deployment=${deploymentId}` }],
    }),
    step(STEP.waitRunning, {
      title: `Wait until the ${instances} are running`,
      params: asJson(running),
      waits: `until ${count} of ${count} instances are running (timeout ${RUNNING_TIMEOUT_SECONDS}s, every ${intervalSeconds}s)`,
    }),
  ];
  if (release.kind === 'commands') {
    const reach: WaitReachableParams = {
      via: release.via,
      address: c.ssh.address,
      connectTimeoutSeconds: c.ssh.connectTimeoutSeconds,
      attempts: c.ssh.connectionAttempts,
      parallel: c.ssh.parallel,
    };
    const run: RunCommandsParams = {
      via: release.via,
      address: c.ssh.address,
      commands: release.commands,
      env: commandEnv(c.service, deploymentId),
      parallel: c.ssh.parallel,
    };
    const bake: BakeImageParams = {
      name: names.image,
      description: `bluegreen ${deploymentId}: ${c.service} baked from a new instance of ${groupName}`,
      tags: [{ Key: 'Name', Value: names.image }, ...ownTags],
      timeoutSeconds: IMAGE_TIMEOUT_SECONDS,
      intervalSeconds: IMAGE_INTERVAL_SECONDS,
    };
    steps.push(
      step(STEP.waitReachable, {
        title: `Wait until the new instances answer over ${release.via}`,
        params: asJson(reach),
        waits:
          release.via === 'ssh'
            ? `until each answers over SSH (${c.ssh.connectionAttempts} attempts of ${c.ssh.connectTimeoutSeconds}s)`
            : 'until each is Online in SSM',
      }),
      step(STEP.runCommands, {
        title: `Run ${plural(release.commands.length, 'release command', 'release commands')} on the new instances over ${release.via}`,
        params: asJson(run),
      }),
      step(STEP.bakeImage, {
        title: `Bake image ${names.image} from a new instance (no reboot)`,
        params: asJson(bake),
        creates: [{ type: 'image', name: names.image }],
        waits: `until the image is available (timeout ${IMAGE_TIMEOUT_SECONDS}s)`,
      }),
    );
  }
  const newImage = finalImage ?? names.image;
  steps.push(
    step(STEP.raiseMaxSize, {
      title: maxSize > sizes.MaxSize ? `Raise MaxSize of ${groupName} to ${maxSize}` : `Check MaxSize of ${groupName} (${sizes.MaxSize}) leaves room for ${instances}`,
      params: asJson(raise),
      ...(maxSize > sizes.MaxSize ? { changes: [{ what: `MaxSize of ${groupName}`, from: String(sizes.MaxSize), to: String(maxSize) }] } : {}),
    }),
    step(STEP.attachInstances, {
      title: `Attach the new instances to ${groupName} and register them with ${targetsText}`,
      params: asJson(attach),
      changes: [{ what: `capacity of ${groupName}`, from: sizesText(sizes), to: sizesText({ ...sizes, MaxSize: maxSize, DesiredCapacity: sizes.DesiredCapacity + count }) }],
      pausePoint: true,
    }),
    step(STEP.waitHealthy, {
      title: `Wait until the new instances are InService in ${groupName}${targets.length > 0 ? ` and ${targetsText}` : ''}`,
      params: asJson(healthy),
      waits: `until ${count} of ${count} new instances are InService (timeout ${timeoutSeconds}s, every ${intervalSeconds}s)`,
    }),
    step(STEP.updateLaunch, {
      title: toTemplate
        ? `Point ${groupName} at launch template ${names.launch} (from launch configuration ${launchName} with image ${newImage})`
        : `Point ${groupName} at ${launchType} ${names.launch} (a copy of ${launchName} with image ${newImage})`,
      params: asJson(update),
      creates: [{ type: launch.kind === 'configuration' && !toTemplate ? 'launch-configuration' : 'launch-template', name: names.launch }],
      changes: [{ what: `launch of ${groupName}`, from: launchName, to: names.launch }],
    }),
    step(STEP.waitRetire, {
      title: `Wait ${c.retire.afterSeconds}s with old and new instances serving together`,
      params: asJson(retire),
      waits: `${c.retire.afterSeconds}s`,
    }),
    step(STEP.deregisterOld, {
      title: `Deregister the old instances from ${targetsText}`,
      params: asJson(deregister),
      changes: targets.map((t) => ({ what: `instances of ${t}`, from: 'old and new', to: 'new only' })),
    }),
    step(STEP.waitDraining, {
      title: drainingSeconds > 0 ? `Wait ${drainingSeconds}s for the old instances' connections to drain` : 'No draining to wait for',
      params: asJson(draining),
      waits: `${drainingSeconds}s (${draining.reasons.join('; ') || 'no load balancer'})`,
    }),
    step(STEP.terminateOld, {
      title: `Terminate the old instances in ${groupName}, decrementing its desired capacity`,
      params: asJson(terminate),
      changes: [{ what: `instances of ${groupName}`, from: observed.inService.join(', '), to: 'terminated' }],
      waits: `until they have left ${groupName} (timeout ${TERMINATE_TIMEOUT_SECONDS}s)`,
    }),
    step(STEP.restoreGroup, {
      title: `Restore ${groupName} to ${sizesText(sizes)} and resume the processes this deployment suspended`,
      params: asJson(restore),
      changes: [{ what: `capacity of ${groupName}`, from: sizesText({ ...sizes, MaxSize: maxSize }), to: sizesText(sizes) }],
    }),
  );

  return {
    deploymentId,
    steps,
    summary: {
      // For `status`: old instances (blue) serve until deregister-old, the new ones (green) after it.
      trafficStep: STEP.deregisterOld,
      blue: { color: 'blue', group: groupName, instances: [...observed.inService], launch: launchName },
      green: { color: 'green', group: groupName, instances: count, launch: names.launch },
      release: commands ? 'commands' : 'image',
      image: newImage,
      sizes: toJson(sizes),
    },
    warnings,
  };
}
