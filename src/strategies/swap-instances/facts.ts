/**
 * The decisions several swap-instances steps share, made once from config and observed state: the
 * group's name and sizes, how many instances, what fronts the group, the launch it uses now and the one it
 * moves to; and the words titles use for them. Pure. Each step planner takes the few of these it needs.
 */
import type { LaunchRef } from '../common/instance-steps.js';
import type { Tag } from '../common/builders.js';
import { plural, sizesText as sizesWords } from '../common/plan-helpers.js';
import { raisedMaxSize } from './builders.js';
import type { SwapInstancesConfig } from './config.js';
import type { Observed } from './observe.js';
import { ownInstanceTags, swapNames, type SwapNames } from './names.js';
import type { Sizes } from './params.js';

/** The launch configuration or template the group uses now: what the new instances launch from. */
export interface GroupLaunch {
  ref: LaunchRef;
  /** For people: the configuration's name, or the template's (its id when it has none). */
  name: string;
  type: 'launch configuration' | 'launch template';
  /** A template's version as the group asks for it ("$Latest", "$Default" or a number). */
  requested?: string;
}

export interface SwapFacts {
  service: string;
  deploymentId: string;
  group: string;
  names: SwapNames;
  /** The instances serving now (blue); as many new ones are launched. */
  old: string[];
  count: number;
  /** The group's sizes at plan time, and the MaxSize it needs while old and new are both in it. */
  sizes: Sizes;
  maxSize: number;
  loadBalancers: Observed['loadBalancers'];
  targetGroups: Observed['targetGroups'];
  /** The longest draining time of the load balancers and target groups. */
  drainingSeconds: number;
  health: { timeoutSeconds: number; intervalSeconds: number };
  launch: GroupLaunch;
  /** `launch: template` with the group on a launch configuration: the group moves to a new template. */
  toTemplate: boolean;
  /** The image the new instances start from, and the one the group's new launch gets (the baked one's name when commands). */
  launchImage: string;
  releaseImage: string | null;
  newImage: string;
  ownTags: Tag[];
}

export function groupLaunch(launch: Observed['launch']): GroupLaunch {
  if (launch.kind === 'configuration') {
    const name = launch.configuration.LaunchConfigurationName;
    return { ref: { kind: 'configuration', name }, name, type: 'launch configuration' };
  }
  const v = launch.version;
  return {
    ref: { kind: 'template', id: v.LaunchTemplateId, version: v.VersionNumber },
    name: v.LaunchTemplateName ?? v.LaunchTemplateId,
    type: 'launch template',
    requested: launch.requested,
  };
}

export function swapFacts(c: SwapInstancesConfig, observed: Observed, deploymentId: string): SwapFacts {
  const { group } = observed;
  const names = swapNames(c.service, deploymentId);
  const count = observed.inService.length;
  const sizes: Sizes = { MinSize: group.MinSize ?? 0, MaxSize: group.MaxSize ?? 0, DesiredCapacity: group.DesiredCapacity ?? 0 };
  const releaseImage = c.release.kind === 'image' ? c.release.image : null;
  return {
    service: c.service,
    deploymentId,
    group: group.AutoScalingGroupName,
    names,
    old: observed.inService,
    count,
    sizes,
    maxSize: raisedMaxSize(sizes, count),
    loadBalancers: observed.loadBalancers,
    targetGroups: observed.targetGroups,
    drainingSeconds: Math.max(0, ...observed.loadBalancers.map((lb) => lb.drainingSeconds), ...observed.targetGroups.map((tg) => tg.drainingSeconds)),
    health: { timeoutSeconds: c.health.timeoutSeconds, intervalSeconds: c.health.intervalSeconds },
    launch: groupLaunch(observed.launch),
    toTemplate: c.launch === 'template' && observed.launch.kind === 'configuration',
    launchImage: observed.image.ImageId,
    releaseImage,
    newImage: releaseImage ?? names.image,
    ownTags: ownInstanceTags(c.service, deploymentId),
  };
}

/** Where the group's instances are registered: classic load balancer names and target group ARNs (params). */
export function fronts(f: Pick<SwapFacts, 'loadBalancers' | 'targetGroups'>): { loadBalancers: string[]; targetGroups: string[] } {
  return { loadBalancers: f.loadBalancers.map((lb) => lb.name), targetGroups: f.targetGroups.map((tg) => tg.arn) };
}

/** Their names, for people: "shop-web-elb, shop-web". */
export function frontNames(f: Pick<SwapFacts, 'loadBalancers' | 'targetGroups'>): string[] {
  return [...f.loadBalancers.map((lb) => lb.name), ...f.targetGroups.map((tg) => tg.name)];
}

/** "shop-web-elb, shop-web", or "no load balancer". */
export function targetsText(f: Pick<SwapFacts, 'loadBalancers' | 'targetGroups'>): string {
  const names = frontNames(f);
  return names.length > 0 ? names.join(', ') : 'no load balancer';
}

/** A group's sizes for people: "min 2, max 4, desired 3". */
export const sizesText = (s: Sizes) => sizesWords(s.MinSize, s.MaxSize, s.DesiredCapacity);

/** "3 instances". */
export const instancesText = (count: number) => plural(count, 'instance', 'instances');
