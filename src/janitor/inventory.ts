/**
 * The janitor's inventory: everything that carries the service's `bluegreen:service` tag (exactly that
 * value), whatever strategy made it and whatever its name, each tied to the deployment that made it.
 * Read-only.
 *
 * Found first with one listing of the Resource Groups Tagging API (GetResources: instances, images,
 * snapshots, launch templates, classic load balancers, target groups, alarms), then with the describes of
 * what it does not reach: Auto Scaling groups (GetResources does not return them), launch templates (AWS
 * returns them, moto 5.2.1 does not), launch configurations (no tags at all: our names). What the listing
 * found is then described by its own service, which dates it and confirms it still exists (GetResources may
 * list a resource for a while after it was deleted). docs/state.md has the table.
 */
import type { Image, Instance, Snapshot } from '@aws-sdk/client-ec2';
import type { AwsPorts, TaggedResource } from '../aws/ports.js';
import { stackNameSource, TAG } from '../strategies/common/names.js';
import { LEFTOVER_TYPES, type Leftover, type LeftoverType } from './plan.js';

export { BUILDER_ROLE } from '../strategies/common/names.js';

/** How each leftover was found (the AWS call), for `gc --output json` and docs/state.md. */
export const FOUND_BY = {
  tagging: 'tag:GetResources',
  groups: 'autoscaling:DescribeAutoScalingGroups',
  templates: 'ec2:DescribeLaunchTemplates',
  configurations: 'autoscaling:DescribeLaunchConfigurations',
} as const;

type Tags = ReadonlyArray<{ Key?: string; Value?: string }> | undefined;

const tagValue = (tags: Tags, key: string) => tags?.find((t) => t.Key === key)?.Value || undefined;

/**
 * The names bluegreen gives what it makes for a service: `<service>-(blue|green)-<id>` (replica stacks,
 * their launch configurations and templates, baked images), `<service>-swap-<id>` (swap-instances' launch
 * and image). Launch configurations carry no tags, so this is how they are known; for tagged resources it
 * only says the deployment when the tag does not.
 */
export function ownNames(service: string): { stack: RegExp } {
  return { stack: new RegExp(`^${stackNameSource(service, { colors: ['blue', 'green', 'swap'], captureId: true })}$`) };
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

/** What an ARN names, among the kinds bluegreen makes; undefined for any other (an ALB, a volume, ...). */
export function kindOfArn(arn: string): { type: LeftoverType; id: string } | undefined {
  // arn:partition:service:region:account:resource
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const service = parts[2];
  const resource = parts.slice(5).join(':');
  const slash = (prefix: string) => (resource.startsWith(prefix) ? resource.slice(prefix.length) : undefined);
  if (service === 'ec2') {
    const kinds: [string, LeftoverType][] = [
      ['instance/', 'instance'],
      ['image/', 'image'],
      ['snapshot/', 'snapshot'],
      ['launch-template/', 'launch-template'],
    ];
    for (const [prefix, type] of kinds) {
      const id = slash(prefix);
      if (id) return { type, id };
    }
    return undefined;
  }
  if (service === 'elasticloadbalancing') {
    const lb = slash('loadbalancer/');
    // A classic load balancer is loadbalancer/<name>; an ALB/NLB is loadbalancer/app|net/<name>/<id>.
    if (lb && !lb.includes('/')) return { type: 'load-balancer', id: lb };
    if (slash('targetgroup/')) return { type: 'target-group', id: arn };
    return undefined;
  }
  if (service === 'cloudwatch' && resource.startsWith('alarm:')) return { type: 'alarm', id: resource.slice('alarm:'.length) };
  return undefined;
}

/** The image a snapshot was made for, as EC2's description says ("Created by CreateImage(i-...) for ami-..."). */
export function imageOfSnapshotDescription(description: string | undefined): string | undefined {
  return /\bfor (ami-[0-9a-f]+)\b/.exec(description ?? '')?.[1];
}

type InventoryPorts = Pick<AwsPorts, 'tagging' | 'groups' | 'instances' | 'inventory' | 'classicLoadBalancers' | 'targetGroups' | 'alarms'>;

/** What the tagging listing found, by kind: id (name, or ARN for target groups) -> tags. */
type Listed = Record<LeftoverType, Map<string, TaggedResource['tags']>>;

function byKind(resources: readonly TaggedResource[]): Listed {
  const listed = Object.fromEntries(LEFTOVER_TYPES.map((t) => [t, new Map<string, TaggedResource['tags']>()])) as Listed;
  for (const r of resources) {
    const kind = kindOfArn(r.arn);
    if (kind) listed[kind.type].set(kind.id, r.tags);
  }
  return listed;
}

const GONE = new Set(['shutting-down', 'terminated']);

/**
 * Everything of the service that AWS still holds, of every kind any strategy makes: instances (builders,
 * swap-instances' new ones, a group's), alarms, Auto Scaling groups (their scaling policies go with them),
 * classic load balancers, target groups, launch configurations and templates, images and the snapshots behind
 * them. An instance in a group and a snapshot behind an image are listed with `hold` (they go with it).
 */
export async function takeInventory(service: string, ports: InventoryPorts): Promise<Leftover[]> {
  const names = ownNames(service);
  const isOurs = (tags: Tags) => tagValue(tags, TAG.service) === service;
  const deploymentOf = (tags: Tags, name: string | undefined) => tagValue(tags, TAG.deployment) ?? deploymentOfName(names.stack, name);

  const [tagged, groups, configurations, templates] = await Promise.all([
    ports.tagging.resourcesTagged(TAG.service, service),
    ports.groups.listGroupsByTag(TAG.service, service),
    ports.inventory.launchConfigurationsByPrefix(`${service}-`),
    ports.inventory.launchTemplatesByTag(TAG.service, service),
  ]);
  const listed = byKind(tagged.filter((r) => isOurs(r.tags)));
  const ids = (type: LeftoverType) => [...listed[type].keys()];
  const none = <T>(list: string[], read: (l: string[]) => Promise<T>, empty: T): Promise<T> => (list.length ? read(list) : Promise.resolve(empty));

  const [instances, members, images, snapshots, loadBalancers, targetGroups, alarms] = await Promise.all([
    none(ids('instance'), (l) => ports.instances.describe(l), [] as Instance[]),
    none(ids('instance'), (l) => ports.inventory.groupsOfInstances(l), {}),
    none(ids('image'), (l) => ports.inventory.images(l), [] as Image[]),
    none(ids('snapshot'), (l) => ports.inventory.snapshots(l), [] as Snapshot[]),
    none(ids('load-balancer'), (l) => ports.classicLoadBalancers.describe(l), []),
    none(ids('target-group'), (l) => ports.targetGroups.describe(l), []),
    none(ids('alarm'), (l) => ports.alarms.describeAlarms(l), []),
  ]);

  const found: Leftover[] = [];
  /** `named`: the name that may carry the deployment id when no tag does (an image's Name). */
  const add = (
    type: LeftoverType,
    name: string,
    tags: Tags,
    foundBy: string,
    o: { at?: Date | string; named?: string; hold?: string; arn?: string } = {},
  ) => {
    const deploymentId = deploymentOf(tags, o.named ?? name);
    const createdAt = iso(o.at);
    found.push({
      type,
      name,
      ...(o.arn ? { arn: o.arn } : {}),
      ...(deploymentId ? { deploymentId } : {}),
      ...(createdAt ? { createdAt } : {}),
      ...(o.hold ? { hold: o.hold } : {}),
      foundBy,
    });
  };

  for (const i of instances) {
    if (!i.InstanceId || GONE.has(i.State?.Name ?? '')) continue;
    const tags = listed.instance.get(i.InstanceId);
    const group = members[i.InstanceId];
    add('instance', i.InstanceId, tags, FOUND_BY.tagging, {
      at: i.LaunchTime,
      ...(group ? { hold: `in Auto Scaling group ${group}: an instance of a group goes with its group, never alone` } : {}),
    });
  }
  for (const a of alarms) {
    if (a.AlarmName && listed.alarm.has(a.AlarmName)) {
      add('alarm', a.AlarmName, listed.alarm.get(a.AlarmName), FOUND_BY.tagging, { at: a.AlarmConfigurationUpdatedTimestamp });
    }
  }
  for (const g of groups) {
    if (g.AutoScalingGroupName && isOurs(g.Tags)) add('auto-scaling-group', g.AutoScalingGroupName, g.Tags, FOUND_BY.groups, { at: g.CreatedTime });
  }
  for (const lb of loadBalancers) {
    const name = lb.LoadBalancerName;
    if (name && listed['load-balancer'].has(name))
      add('load-balancer', name, listed['load-balancer'].get(name), FOUND_BY.tagging, { at: lb.CreatedTime });
  }
  for (const tg of targetGroups) {
    const arn = tg.TargetGroupArn;
    if (arn && tg.TargetGroupName && listed['target-group'].has(arn)) {
      add('target-group', tg.TargetGroupName, listed['target-group'].get(arn), FOUND_BY.tagging, { arn });
    }
  }
  for (const lc of configurations) {
    const name = lc.LaunchConfigurationName;
    // No tags: only our exact names, and the id in the name is the deployment.
    if (name && deploymentOfName(names.stack, name)) add('launch-configuration', name, undefined, FOUND_BY.configurations, { at: lc.CreatedTime });
  }
  for (const t of templates) {
    if (!t.LaunchTemplateName || !isOurs(t.Tags)) continue;
    const viaTagging = !!t.LaunchTemplateId && listed['launch-template'].has(t.LaunchTemplateId);
    add('launch-template', t.LaunchTemplateName, t.Tags, viaTagging ? FOUND_BY.tagging : FOUND_BY.templates, { at: t.CreateTime });
  }
  const behind = new Map<string, string>(); // snapshot -> the image of ours it backs
  for (const image of images) {
    if (!image.ImageId || !listed.image.has(image.ImageId)) continue;
    for (const m of image.BlockDeviceMappings ?? []) if (m.Ebs?.SnapshotId) behind.set(m.Ebs.SnapshotId, image.ImageId);
    add('image', image.ImageId, listed.image.get(image.ImageId), FOUND_BY.tagging, {
      at: image.CreationDate,
      ...(image.Name ? { named: image.Name } : {}),
    });
  }
  found.push(...(await snapshotLeftovers(snapshots, listed.snapshot, behind, ports, deploymentOf)));
  return found;
}

/**
 * The snapshots found by tag: one behind an image of ours goes with it (deleteImage deletes it); one whose
 * image still exists otherwise (as its description says) is held; the others are leftovers of their own
 * (an image deregistered whose snapshot deletion never ran).
 */
async function snapshotLeftovers(
  snapshots: readonly Snapshot[],
  listed: Map<string, TaggedResource['tags']>,
  behind: Map<string, string>,
  ports: InventoryPorts,
  deploymentOf: (tags: Tags, name: string | undefined) => string | undefined,
): Promise<Leftover[]> {
  const live = snapshots.filter((s) => s.SnapshotId && listed.has(s.SnapshotId) && s.State !== 'error');
  const otherImages = [
    ...new Set(
      live.flatMap((s) => (behind.has(s.SnapshotId as string) ? [] : [imageOfSnapshotDescription(s.Description)].filter((x) => x !== undefined))),
    ),
  ];
  const existing = new Set((otherImages.length ? await ports.inventory.images(otherImages) : []).map((i) => i.ImageId));
  return live.map((s) => {
    const id = s.SnapshotId as string;
    const tags = listed.get(id);
    const image = behind.get(id) ?? imageOfSnapshotDescription(s.Description);
    const hold = behind.has(id)
      ? `behind image ${image}: it goes with its image`
      : image && existing.has(image)
        ? `behind image ${image}, which still exists: AWS refuses to delete it before the image`
        : undefined;
    const deploymentId = deploymentOf(tags, undefined);
    const createdAt = iso(s.StartTime);
    return {
      type: 'snapshot' as const,
      name: id,
      ...(deploymentId ? { deploymentId } : {}),
      ...(createdAt ? { createdAt } : {}),
      ...(hold ? { hold } : {}),
      foundBy: FOUND_BY.tagging,
    };
  });
}
