/**
 * The read-only half of replica-dns: finds the live (blue) stack from the DNS record and reads everything
 * the planner and the builders need. Throws InputError (nothing changed) for anything that makes a
 * deployment impossible.
 */
import type { AutoScalingGroup, LifecycleHook, ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Image } from '@aws-sdk/client-ec2';
import type { LoadBalancerAttributes, LoadBalancerDescription, Tag as ElbTag } from '@aws-sdk/client-elastic-load-balancing';
import type { HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AwsPorts } from '../../aws/ports.js';
import type { Config, ReplicaDnsConfig } from '../../config/schema.js';
import { InputError } from '../../errors.js';
import { requireAlarms } from '../common/gates.js';
import { imageNotFound, observeLaunch, type BlueLaunch } from '../common/observe.js';
import { normaliseDnsName } from './elb-zones.js';
import { colorOf, TAG, type Color } from './names.js';

export type { BlueLaunch } from '../common/observe.js';

export interface Observed {
  zone: HostedZone;
  /** The alias A record users resolve, as it is now. */
  record: ResourceRecordSet & { AliasTarget: NonNullable<ResourceRecordSet['AliasTarget']> };
  /** The image green runs: release.image; with release.commands, blue's image, which the builder starts from. */
  image: Image & { ImageId: string };
  /** The gates.alarms in ALARM when observed (absent: none). */
  alarmsFiring?: string[];
  /** Groups looked at to find blue. */
  candidates: string[];
  blue: {
    color: Color;
    group: AutoScalingGroup & { AutoScalingGroupName: string };
    launch: BlueLaunch;
    loadBalancer: {
      description: LoadBalancerDescription & { LoadBalancerName: string };
      attributes: LoadBalancerAttributes;
      tags: ElbTag[];
    };
    policies: ScalingPolicy[];
    /** The alarms acting on blue's policies (target tracking ones included: the planner skips those). */
    alarms: MetricAlarm[];
    lifecycleHooks: LifecycleHook[];
  };
}

/** Narrows the config: replica-dns is only ever given its own (the strategy is picked by it). */
export function replicaDnsConfig(config: Config): ReplicaDnsConfig {
  if (config.strategy !== 'replica-dns') throw new Error(`replica-dns was given a config of strategy ${config.strategy}`);
  return config;
}

export async function observe(anyConfig: Config, ports: AwsPorts): Promise<Observed> {
  const config = replicaDnsConfig(anyConfig);
  const { hostedZoneId, name: recordName } = config.dns;
  const { release } = config;
  const [zone, releaseImage] = await Promise.all([
    ports.dns.getHostedZone(hostedZoneId),
    release.kind === 'image' ? ports.images.describeImage(release.image) : Promise.resolve(undefined),
  ]);
  if (!zone) throw new InputError(`hosted zone ${hostedZoneId} (dns.hostedZoneId) does not exist`);
  if (release.kind === 'image' && !releaseImage) {
    throw imageNotFound(release.image);
  }
  // The alarms the gates watch must exist: a name that does not would never fire.
  const alarmsFiring = await requireAlarms(ports, config.gates?.alarms ?? []);

  const sets = await ports.dns.getRecordSets(hostedZoneId, recordName, 'A');
  const weighted = sets.filter((r) => r.SetIdentifier);
  if (weighted.length > 0) {
    // Left by a deployment in traffic steps that did not finish, or made by hand: which set is live is unclear.
    throw new InputError(
      `record ${recordName} (type A) in hosted zone ${hostedZoneId} is weighted (set identifiers ${weighted.map((r) => r.SetIdentifier).join(', ')}): replica-dns starts from one simple alias record. If a bluegreen deployment left it so, finish it with resume or undo it with rollback; else make it one alias A record pointing at the live load balancer`,
    );
  }
  const record = sets.find((r) => !r.SetIdentifier);
  if (!record) {
    throw new InputError(
      `record ${recordName} (type A) does not exist in hosted zone ${hostedZoneId}; create an alias A record pointing at the load balancer of ${config.blue.autoScalingGroup}`,
    );
  }
  if (!record.AliasTarget?.DNSName) {
    throw new InputError(
      `record ${recordName} in hosted zone ${hostedZoneId} is not an alias record; replica-dns switches an alias A record to a classic load balancer`,
    );
  }
  const aliasTarget = record.AliasTarget;

  // Candidates: the configured group (first deployment) and every group this tool made for the service.
  const [configured, tagged] = await Promise.all([
    ports.groups.describeGroup(config.blue.autoScalingGroup),
    ports.groups.listGroupsByTag(TAG.service, config.service),
  ]);
  const groups = new Map<string, AutoScalingGroup>();
  for (const g of [...(configured ? [configured] : []), ...tagged]) {
    if (g.AutoScalingGroupName) groups.set(g.AutoScalingGroupName, g);
  }
  const candidates = [...groups.keys()];
  if (groups.size === 0) {
    throw new InputError(
      `Auto Scaling group ${config.blue.autoScalingGroup} (blue.autoScalingGroup) does not exist, and no group is tagged ${TAG.service}=${config.service}`,
    );
  }

  const lbNames = [...new Set([...groups.values()].flatMap((g) => g.LoadBalancerNames ?? []))];
  const lbs = lbNames.length > 0 ? await ports.classicLoadBalancers.describe(lbNames) : [];
  const target = normaliseDnsName(aliasTarget.DNSName);
  const lbMatch = lbs.find((lb) => normaliseDnsName(lb.DNSName) === target);
  const blueGroup = lbMatch
    ? [...groups.values()].find((g) => g.LoadBalancerNames?.includes(lbMatch.LoadBalancerName ?? ''))
    : undefined;
  if (!blueGroup || !lbMatch) {
    const described = candidates
      .map((c) => `${c} (${(groups.get(c)?.LoadBalancerNames ?? []).join(', ') || 'no classic load balancer'})`)
      .join(', ');
    throw new InputError(
      `record ${recordName} points at ${aliasTarget.DNSName}, which is the load balancer of none of the candidate groups: ${described}`,
    );
  }
  const blueName = blueGroup.AutoScalingGroupName as string;

  if ((blueGroup.TargetGroupARNs?.length ?? 0) > 0) {
    throw new InputError(
      `group ${blueName} uses target groups (${blueGroup.TargetGroupARNs?.join(', ')}); replica-dns supports a group with exactly one classic load balancer for now`,
    );
  }
  if ((blueGroup.LoadBalancerNames?.length ?? 0) !== 1) {
    throw new InputError(
      `group ${blueName} has ${blueGroup.LoadBalancerNames?.length} classic load balancers (${blueGroup.LoadBalancerNames?.join(', ')}); replica-dns needs exactly one, the one the record points at`,
    );
  }
  if ((blueGroup.DesiredCapacity ?? 0) < 1) {
    throw new InputError(`group ${blueName} has DesiredCapacity 0: there is nothing serving traffic to replicate`);
  }

  const launch = await observeLaunch(blueGroup, blueName, ports, 'replica-dns');
  const image = releaseImage ?? (await builderImage(launch, blueName, ports));

  const lbName = lbMatch.LoadBalancerName as string;
  const [attributes, tagsByName, policies, lifecycleHooks] = await Promise.all([
    ports.classicLoadBalancers.describeAttributes(lbName),
    ports.classicLoadBalancers.describeTags([lbName]),
    ports.groups.describePolicies(blueName),
    ports.groups.describeLifecycleHooks(blueName),
  ]);
  const alarms = await alarmsOf(policies, ports);

  return {
    zone,
    record: { ...record, AliasTarget: aliasTarget },
    image: { ...image, ImageId: image.ImageId ?? '' },
    ...(alarmsFiring.length > 0 ? { alarmsFiring } : {}),
    candidates,
    blue: {
      color: colorOf(blueGroup.Tags),
      group: { ...blueGroup, AutoScalingGroupName: blueName },
      launch,
      loadBalancer: {
        description: { ...lbMatch, LoadBalancerName: lbName },
        attributes,
        tags: tagsByName[lbName] ?? [],
      },
      policies,
      alarms,
      lifecycleHooks,
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
