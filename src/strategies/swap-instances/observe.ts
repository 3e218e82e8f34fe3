/**
 * The read-only half of swap-instances: reads the group, its launch configuration or template, the image
 * the new instances start from, and the load balancers and target groups (with their draining times).
 * Throws InputError (nothing changed) for anything that makes a deployment impossible.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Image } from '@aws-sdk/client-ec2';
import type { AwsPorts } from '../../aws/ports.js';
import type { Config } from '../../config/schema.js';
import { InputError } from '../../errors.js';
import { isWeighted, unitName } from '../common/capacity.js';
import { early, imageNotFound, observeLaunch, type BlueLaunch } from '../common/observe.js';
import { classicDrainingSeconds, targetGroupDelaySeconds } from './builders.js';
import { asSwapConfig } from './config.js';

export type { BlueLaunch } from '../common/observe.js';

export interface Observed {
  group: AutoScalingGroup & { AutoScalingGroupName: string };
  /** The group's InService instances now: as many new ones are launched. */
  inService: string[];
  launch: BlueLaunch;
  /** The image the new instances start from: the release's (image) or the group's (commands). */
  image: Image & { ImageId: string };
  loadBalancers: { name: string; drainingSeconds: number }[];
  targetGroups: { arn: string; name: string; drainingSeconds: number }[];
}

/**
 * Reads in as few rounds as their data allow: the group and (release.image) the release image at once;
 * then everything of the group (its launch, its load balancers and target groups with their attributes);
 * with release.commands, then the image of its launch. Errors come in the order of the checks.
 */
export async function observe(config: Config, ports: AwsPorts): Promise<Observed> {
  const c = asSwapConfig(config);
  const name = c.blue.autoScalingGroup;
  const releaseImage = early(c.release.kind === 'image' ? ports.images.describeImage(c.release.image) : Promise.resolve(undefined));
  const group = await ports.groups.describeGroup(name);
  if (!group) throw new InputError(`Auto Scaling group ${name} (blue.autoScalingGroup) does not exist`);
  const lbNames = group.LoadBalancerNames ?? [];
  const tgArns = group.TargetGroupARNs ?? [];
  const fronts = early(readFronts(ports, lbNames, tgArns));
  const inService = (group.Instances ?? []).flatMap((i) => (i.LifecycleState === 'InService' && i.InstanceId ? [i.InstanceId] : []));
  if (inService.length === 0) {
    throw new InputError(`group ${name} has no InService instance: there is nothing serving to replace (deploy with a group that serves)`);
  }
  if (group.MixedInstancesPolicy) {
    throw new InputError(`group ${name} uses a mixed instances policy, which swap-instances does not support yet`);
  }
  if (isWeighted(group)) {
    // Its sizes are units (DesiredCapacityType, or instances that carry a weight): the swap's arithmetic
    // (one new instance for each InService one, DesiredCapacity + count) counts instances.
    throw new InputError(
      `group ${name} counts its capacity in ${unitName(group)}, not instances; swap-instances replaces instances one for one and cannot deploy it (use replica-dns or replica-listener)`,
    );
  }
  const launch = await observeLaunch(group, name, ports, 'swap-instances');
  const image = await imageOf(c, ports, name, launch, releaseImage);
  const { lbs, tgs, lbAttributes, tgAttributes } = await fronts;
  const missingLbs = lbNames.filter((n) => !lbs.some((lb) => lb.LoadBalancerName === n));
  if (missingLbs.length > 0) throw new InputError(`group ${name} names load balancers that do not exist: ${missingLbs.join(', ')}`);
  const missingTgs = tgArns.filter((a) => !tgs.some((tg) => tg.TargetGroupArn === a));
  if (missingTgs.length > 0) throw new InputError(`group ${name} names target groups that do not exist: ${missingTgs.join(', ')}`);
  const nonInstance = tgs.filter((tg) => tg.TargetType && tg.TargetType !== 'instance');
  if (nonInstance.length > 0) {
    throw new InputError(
      `target groups ${nonInstance.map((t) => t.TargetGroupName).join(', ')} of group ${name} register targets by ${nonInstance[0]?.TargetType}; swap-instances needs instance targets`,
    );
  }
  return {
    group: { ...group, AutoScalingGroupName: name },
    inService,
    launch,
    image: { ...image, ImageId: image.ImageId ?? '' },
    loadBalancers: lbNames.map((n, i) => ({ name: n, drainingSeconds: classicDrainingSeconds(lbAttributes[i] ?? {}) })),
    targetGroups: tgArns.map((arn, i) => ({
      arn,
      name: tgs.find((t) => t.TargetGroupArn === arn)?.TargetGroupName ?? arn,
      drainingSeconds: targetGroupDelaySeconds(tgAttributes[i] ?? []),
    })),
  };
}

/**
 * The group's load balancers and target groups, and their attributes, all at once. An attribute read of
 * one that does not exist fails; its error is then left for the check that names what is missing.
 */
async function readFronts(ports: AwsPorts, lbNames: string[], tgArns: string[]) {
  const lbsRead = lbNames.length > 0 ? ports.classicLoadBalancers.describe(lbNames) : Promise.resolve([]);
  const tgsRead = tgArns.length > 0 ? ports.targetGroups.describe(tgArns) : Promise.resolve([]);
  const attributesRead = Promise.all([
    Promise.all(lbNames.map((n) => ports.classicLoadBalancers.describeAttributes(n))),
    Promise.all(tgArns.map((a) => ports.targetGroups.attributes(a))),
  ]);
  attributesRead.catch(() => undefined);
  const [lbs, tgs] = await Promise.all([lbsRead, tgsRead]);
  const missing = lbNames.some((n) => !lbs.some((lb) => lb.LoadBalancerName === n)) || tgArns.some((a) => !tgs.some((tg) => tg.TargetGroupArn === a));
  if (missing) return { lbs, tgs, lbAttributes: [], tgAttributes: [] };
  const [lbAttributes, tgAttributes] = await attributesRead;
  return { lbs, tgs, lbAttributes, tgAttributes };
}

/** The image the new instances start from: the release's (already being read), or that of the group's launch. */
async function imageOf(
  c: ReturnType<typeof asSwapConfig>,
  ports: AwsPorts,
  name: string,
  launch: BlueLaunch,
  releaseImage: Promise<Image | undefined>,
) {
  let image: Image | undefined;
  if (c.release.kind === 'image') {
    image = await releaseImage;
    if (!image) throw imageNotFound(c.release.image);
  } else {
    const id = launch.kind === 'configuration' ? launch.configuration.ImageId : launch.version.LaunchTemplateData?.ImageId;
    if (!id)
      throw new InputError(`the launch ${launch.kind} of group ${name} names no image id; swap-instances needs one to start new instances from`);
    image = await ports.images.describeImage(id);
    if (!image) throw new InputError(`image ${id} of group ${name}'s launch ${launch.kind} no longer exists; new instances cannot start from it`);
  }
  if (image.State && image.State !== 'available') {
    throw new InputError(`image ${image.ImageId} is ${image.State}, not available`);
  }
  return image;
}
