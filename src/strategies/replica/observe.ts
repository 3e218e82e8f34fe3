/**
 * The read-only half both replica strategies share: the release image, the gate alarms, the candidate
 * groups, and everything about blue's group (its launch, image, policies, their alarms, lifecycle hooks).
 * Each front finds blue from where traffic goes now (record or listener) and reads blue's front. Throws
 * InputError (nothing changed) for anything that makes a deployment impossible.
 */
import type {
  AutoScalingGroup,
  LifecycleHook,
  NotificationConfiguration,
  ScalingPolicy,
  ScheduledUpdateGroupAction,
} from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Image } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import type { ReplicaDnsConfig, ReplicaListenerConfig } from '../../config/schema.js';
import { InputError } from '../../errors.js';
import { requireAlarms } from '../common/gates.js';
import { TAG } from '../common/names.js';
import { early, imageNotFound, observeLaunch, type BlueLaunch } from '../common/observe.js';
import { colorOf, type Color } from './names.js';

export type { BlueLaunch } from '../common/observe.js';
export { early } from '../common/observe.js';

/** The config of either replica strategy: what the core reads of it is the same. */
export type ReplicaConfig = ReplicaDnsConfig | ReplicaListenerConfig;

/** Blue's stack as both strategies observe it; each front adds blue's front (`loadBalancer`, `targetGroup`). */
export interface BlueStack {
  color: Color;
  group: AutoScalingGroup & { AutoScalingGroupName: string };
  launch: BlueLaunch;
  policies: ScalingPolicy[];
  /** The alarms acting on blue's policies (target tracking ones included: the planner skips those). */
  alarms: MetricAlarm[];
  lifecycleHooks: LifecycleHook[];
  /** Its scheduled actions and notification configurations, copied onto green (absent: observed by an older version, none). */
  scheduledActions?: ScheduledUpdateGroupAction[];
  notifications?: NotificationConfiguration[];
}

/** What every replica strategy observes; `Front` is blue's front, added to `blue`. */
export interface ReplicaObserved<Front extends object = object> {
  /** The image green runs: release.image; with release.commands, blue's image, which the builder starts from. */
  image: Image & { ImageId: string };
  /** The gates.alarms in ALARM when observed (absent: none). */
  alarmsFiring?: string[];
  /** Groups looked at to find blue. */
  candidates: string[];
  blue: BlueStack & Front;
}

/**
 * Reads where traffic goes (`read`: the hosted zone, the listener), the release image and the gate
 * alarms, all at once; then InputError when where traffic goes is missing (`missing`), or the image is,
 * or a gate alarm is (one that does not exist would never fire).
 */
export async function observeStart<T>(
  config: ReplicaConfig,
  ports: AwsPorts,
  read: () => Promise<T | undefined>,
  missing: string,
): Promise<{ entry: T; releaseImage: Image | undefined; alarmsFiring: string[] }> {
  const { release } = config;
  const entryRead = early(read());
  const imageRead = early(release.kind === 'image' ? ports.images.describeImage(release.image) : Promise.resolve(undefined));
  const alarmsRead = early(requireAlarms(ports, config.gates?.alarms ?? []));
  const entry = await entryRead;
  if (!entry) throw new InputError(missing);
  const releaseImage = await imageRead;
  if (release.kind === 'image' && !releaseImage) throw imageNotFound(release.image);
  return { entry, releaseImage, alarmsFiring: await alarmsRead };
}

/** Candidates for blue: the configured group (first deployment) and every group this tool made for the service. */
export async function candidateGroups(config: ReplicaConfig, ports: AwsPorts): Promise<Map<string, AutoScalingGroup>> {
  const [configured, tagged] = await Promise.all([
    ports.groups.describeGroup(config.blue.autoScalingGroup),
    ports.groups.listGroupsByTag(TAG.service, config.service),
  ]);
  const groups = new Map<string, AutoScalingGroup>();
  for (const g of [...(configured ? [configured] : []), ...tagged]) if (g.AutoScalingGroupName) groups.set(g.AutoScalingGroupName, g);
  if (groups.size === 0) {
    throw new InputError(
      `Auto Scaling group ${config.blue.autoScalingGroup} (blue.autoScalingGroup) does not exist, and no group is tagged ${TAG.service}=${config.service}`,
    );
  }
  return groups;
}

/** "shop-a (lb-a), shop-b (no classic load balancer)": the candidates and what `frontsOf` each is in. */
export function describeCandidates(
  groups: Map<string, AutoScalingGroup>,
  frontsOf: (g: AutoScalingGroup | undefined) => string[] | undefined,
  none: string,
): string {
  return [...groups.keys()].map((c) => `${c} (${(frontsOf(groups.get(c)) ?? []).join(', ') || none})`).join(', ');
}

/** Blue's reads, started (each with `early`) as soon as blue's group is known; `observeBlueGroup` awaits them in order. */
export interface BlueReads<Front extends object> {
  group: AutoScalingGroup;
  launch: Promise<BlueLaunch>;
  /** With release.commands: the image of blue's launch, which the builder starts from (release.image: undefined). */
  builderImage: Promise<Image> | undefined;
  front: Promise<Front>;
  policies: Promise<ScalingPolicy[]>;
  alarms: Promise<MetricAlarm[]>;
  lifecycleHooks: Promise<LifecycleHook[]>;
  scheduledActions: Promise<ScheduledUpdateGroupAction[]>;
  notifications: Promise<NotificationConfiguration[]>;
}

/**
 * Starts every read of blue's group at once: its launch (then, with release.commands, that launch's image),
 * its front (`readFront`), its policies (then the alarms acting on them), lifecycle hooks, scheduled
 * actions and notification configurations. Nothing is awaited here.
 */
export function readBlue<Front extends object>(
  strategy: string,
  config: ReplicaConfig,
  ports: AwsPorts,
  group: AutoScalingGroup,
  readFront: () => Promise<Front>,
): BlueReads<Front> {
  const name = group.AutoScalingGroupName as string;
  const launch = early(observeLaunch(group, name, ports, strategy));
  const policies = early(ports.groups.describePolicies(name));
  return {
    group,
    launch,
    builderImage: config.release.kind === 'image' ? undefined : early(launch.then((l) => builderImage(l, name, ports))),
    front: early(readFront()),
    policies,
    alarms: early(policies.then((p) => alarmsOf(p, ports))),
    lifecycleHooks: early(ports.groups.describeLifecycleHooks(name)),
    scheduledActions: early(ports.groups.describeScheduledActions(name)),
    notifications: early(ports.groups.describeNotifications(name)),
  };
}

/**
 * The one candidate that serves (DesiredCapacity >= 1), when only one does: the only group that can be
 * blue, since a blue with nothing to replicate is refused. Its reads can then start before its front
 * confirms it is blue. Undefined when several serve, or none.
 */
export function onlyServing(groups: Map<string, AutoScalingGroup>): AutoScalingGroup | undefined {
  const serving = [...groups.values()].filter((g) => (g.DesiredCapacity ?? 0) >= 1);
  return serving.length === 1 ? serving[0] : undefined;
}

/**
 * Blue's group once its front found it: refuses a group with nothing to replicate, then awaits blue's
 * reads (`reads`: those started early for this group, else started now) in order: its launch and image,
 * its front, its policies, their alarms, its lifecycle hooks, scheduled actions and notification configurations.
 */
export async function observeBlueGroup<Front extends object>(
  start: { releaseImage: Image | undefined; alarmsFiring: string[]; groups: Map<string, AutoScalingGroup> },
  blueGroup: AutoScalingGroup,
  reads: () => BlueReads<Front>,
): Promise<ReplicaObserved<Front>> {
  const blueName = blueGroup.AutoScalingGroupName as string;
  if ((blueGroup.DesiredCapacity ?? 0) < 1) {
    throw new InputError(`group ${blueName} has DesiredCapacity 0: there is nothing serving traffic to replicate`);
  }
  const read = reads();
  if (read.group !== blueGroup)
    throw new Error(`observeBlueGroup was given the reads of group ${read.group.AutoScalingGroupName}, not ${blueName}'s`);
  const launch = await read.launch;
  const image = start.releaseImage ?? (await read.builderImage);
  if (!image) throw new Error('observeBlueGroup: release.image was not read, and no builder image either');
  const front = await read.front;
  const policies = await read.policies;
  const lifecycleHooks = await read.lifecycleHooks;
  const scheduledActions = await read.scheduledActions;
  const notifications = await read.notifications;
  const alarms = await read.alarms;
  return {
    image: { ...image, ImageId: image.ImageId ?? '' },
    ...(start.alarmsFiring.length > 0 ? { alarmsFiring: start.alarmsFiring } : {}),
    candidates: [...start.groups.keys()],
    blue: {
      color: colorOf(blueGroup.Tags),
      group: { ...blueGroup, AutoScalingGroupName: blueName },
      launch,
      ...front,
      policies,
      alarms,
      lifecycleHooks,
      scheduledActions,
      notifications,
    },
  };
}

/**
 * The alarms that act on blue's policies: those the policies name (Alarms) and those whose actions
 * name a policy's ARN (moto's DescribePolicies leaves Alarms out). One list, by name, in policy order.
 */
export async function alarmsOf(policies: ScalingPolicy[], ports: AwsPorts): Promise<MetricAlarm[]> {
  const named = [...new Set(policies.flatMap((p) => (p.Alarms ?? []).flatMap((a) => (a.AlarmName ? [a.AlarmName] : []))))];
  const arns = policies.flatMap((p) => (p.PolicyARN ? [p.PolicyARN] : []));
  const found = await Promise.all([
    named.length > 0 ? ports.alarms.describeAlarms(named) : Promise.resolve([]),
    ...arns.map(async (arn) => {
      const acting = await ports.alarms.describeAlarmsForAction(arn);
      // A prefix match: keep only alarms acting on exactly this policy.
      return acting.filter((a) => [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].includes(arn));
    }),
  ]);
  const byName = new Map<string, MetricAlarm>();
  for (const alarm of found.flat()) if (alarm.AlarmName && !byName.has(alarm.AlarmName)) byName.set(alarm.AlarmName, alarm);
  return [...byName.values()];
}

/** The image of blue's launch configuration or template: what the builder of a release by commands starts from. */
export async function builderImage(launch: BlueLaunch, group: string, ports: AwsPorts): Promise<Image> {
  const what =
    launch.kind === 'configuration'
      ? `launch configuration ${launch.configuration.LaunchConfigurationName}`
      : `launch template ${launch.version.LaunchTemplateName ?? launch.version.LaunchTemplateId} version ${launch.version.VersionNumber}`;
  const id = launch.kind === 'configuration' ? launch.configuration.ImageId : launch.version.LaunchTemplateData?.ImageId;
  if (!id) throw new InputError(`${what} of group ${group} names no image id; release.commands needs one to start the builder from`);
  const image = await ports.images.describeImage(id);
  if (!image) throw new InputError(`image ${id} of ${what} (group ${group}) no longer exists; the builder cannot start from it`);
  if (image.State && image.State !== 'available') {
    throw new InputError(`image ${id} of ${what} (group ${group}) is ${image.State}, not available; the builder cannot start from it`);
  }
  return image;
}
