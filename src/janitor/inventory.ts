/**
 * The janitor's inventory: what carries the service's `bluegreen:*` tags (or, for what AWS cannot tag here,
 * our names), read with describe calls only, each item tied to the deployment that made it. Which kinds are
 * looked for depends on the strategy: only what that strategy can make (so the IAM policy for a config
 * grows by no permission the strategy does not need; docs/iam.md).
 */
import type { AwsPorts } from '../aws/ports.js';
import type { StrategyName } from '../config/schema.js';
import { BUILDER_ROLE, colorIdSource, stackNameSource, TAG } from '../strategies/common/names.js';
import type { Leftover, LeftoverType } from './plan.js';

export { BUILDER_ROLE } from '../strategies/common/names.js';

/** The kinds of leftover each strategy can make, in LEFTOVER_TYPES order. */
export const SCOPE: Readonly<Record<StrategyName, readonly LeftoverType[]>> = {
  'replica-dns': ['instance', 'alarm', 'auto-scaling-group', 'load-balancer', 'launch-configuration', 'launch-template', 'image'],
  'replica-listener': ['instance', 'alarm', 'auto-scaling-group', 'target-group', 'launch-configuration', 'launch-template', 'image'],
  'swap-instances': ['instance', 'launch-configuration', 'launch-template', 'image'],
};

type Tags = ReadonlyArray<{ Key?: string; Value?: string }> | undefined;

const tagValue = (tags: Tags, key: string) => tags?.find((t) => t.Key === key)?.Value || undefined;

/**
 * The names bluegreen gives what it makes for a service: `<service>-(blue|green)-<id>` (replica stacks,
 * their launch configurations and templates, baked images), `<service>-swap-<id>` (swap-instances' launch
 * and image), and alarm copies `<service>-(blue|green)-<id>-<original name>`.
 */
export function ownNames(service: string): { stack: RegExp; alarm: RegExp; targetGroup: RegExp } {
  return {
    stack: new RegExp(`^${stackNameSource(service, { colors: ['blue', 'green', 'swap'], captureId: true })}$`),
    alarm: new RegExp(`^(${stackNameSource(service, { captureId: true })})-.+$`),
    // Target group names are cut to 32 characters from the service's end: the color and id stay.
    targetGroup: new RegExp(`${colorIdSource({ captureId: true })}$`),
  };
}

/** The deployment id in one of our names (the pattern's last group), or undefined. */
export function deploymentOfName(pattern: RegExp, name: string | undefined): string | undefined {
  const match = name ? pattern.exec(name) : null;
  return match ? match[match.length - 1] : undefined;
}

const iso = (d: Date | string | undefined): string | undefined => {
  if (d === undefined) return undefined;
  const date = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

function leftover(type: LeftoverType, name: string, deploymentId: string | undefined, createdAt: Date | string | undefined, arn?: string): Leftover {
  const when = iso(createdAt);
  return { type, name, ...(arn ? { arn } : {}), ...(deploymentId ? { deploymentId } : {}), ...(when ? { createdAt: when } : {}) };
}

/**
 * Everything of the service that the strategy can make and that AWS still holds: builder instances left
 * running, alarm copies, groups, load balancers or target groups, launch configurations and templates,
 * and baked images. Read-only.
 */
export async function takeInventory(
  service: string,
  strategy: StrategyName,
  ports: Pick<AwsPorts, 'groups' | 'instances' | 'inventory'>,
): Promise<Leftover[]> {
  const scope = new Set(SCOPE[strategy]);
  const names = ownNames(service);
  const fromTagOrName = (tags: Tags, pattern: RegExp, name: string | undefined) => tagValue(tags, TAG.deployment) ?? deploymentOfName(pattern, name);
  const want = <T>(type: LeftoverType, read: () => Promise<T[]>): Promise<T[]> => (scope.has(type) ? read() : Promise.resolve([]));

  const [instances, alarms, groups, loadBalancers, targetGroups, configurations, templates, images] = await Promise.all([
    want('instance', () => ports.instances.listByTag(TAG.role, BUILDER_ROLE)),
    want('alarm', () => ports.inventory.alarmsByPrefix(`${service}-`)),
    want('auto-scaling-group', () => ports.groups.listGroupsByTag(TAG.service, service)),
    want('load-balancer', () => ports.inventory.loadBalancersByTag(TAG.service, service)),
    want('target-group', () => ports.inventory.targetGroupsByTag(TAG.service, service)),
    want('launch-configuration', () => ports.inventory.launchConfigurationsByPrefix(`${service}-`)),
    want('launch-template', () => ports.inventory.launchTemplatesByTag(TAG.service, service)),
    want('image', () => ports.inventory.imagesByTag(TAG.service, service)),
  ]);

  const found: Leftover[] = [];
  for (const i of instances) {
    if (!i.InstanceId || tagValue(i.Tags, TAG.service) !== service) continue;
    found.push(leftover('instance', i.InstanceId, tagValue(i.Tags, TAG.deployment), i.LaunchTime));
  }
  for (const a of alarms) {
    const match = a.AlarmName ? names.alarm.exec(a.AlarmName) : null;
    if (!a.AlarmName || !match) continue;
    // A copy watches its own stack's group. One that watches another group (e.g. service shop-blue's
    // shop-blue-green-k3x9a-cpu, which service shop's pattern also matches) is not ours.
    const group = a.Dimensions?.find((d) => d.Name === 'AutoScalingGroupName')?.Value;
    if (group !== undefined && group !== match[1]) continue;
    found.push(leftover('alarm', a.AlarmName, match[2], a.AlarmConfigurationUpdatedTimestamp));
  }
  for (const g of groups) {
    if (!g.AutoScalingGroupName) continue;
    found.push(leftover('auto-scaling-group', g.AutoScalingGroupName, fromTagOrName(g.Tags, names.stack, g.AutoScalingGroupName), g.CreatedTime));
  }
  for (const { description: lb, tags } of loadBalancers) {
    if (!lb.LoadBalancerName) continue;
    found.push(leftover('load-balancer', lb.LoadBalancerName, fromTagOrName(tags, names.stack, lb.LoadBalancerName), lb.CreatedTime));
  }
  for (const { targetGroup: tg, tags } of targetGroups) {
    if (!tg.TargetGroupName || !tg.TargetGroupArn) continue;
    found.push(
      leftover('target-group', tg.TargetGroupName, fromTagOrName(tags, names.targetGroup, tg.TargetGroupName), undefined, tg.TargetGroupArn),
    );
  }
  for (const lc of configurations) {
    const id = deploymentOfName(names.stack, lc.LaunchConfigurationName);
    if (lc.LaunchConfigurationName && id) found.push(leftover('launch-configuration', lc.LaunchConfigurationName, id, lc.CreatedTime));
  }
  for (const t of templates) {
    if (!t.LaunchTemplateName) continue;
    found.push(leftover('launch-template', t.LaunchTemplateName, fromTagOrName(t.Tags, names.stack, t.LaunchTemplateName), t.CreateTime));
  }
  for (const image of images) {
    if (!image.ImageId) continue;
    found.push(leftover('image', image.ImageId, fromTagOrName(image.Tags, names.stack, image.Name), image.CreationDate));
  }
  return found;
}
