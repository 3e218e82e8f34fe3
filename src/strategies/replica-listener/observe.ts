/**
 * The read-only half of replica-listener: finds the live (blue) stack from where the listener's default
 * action forwards, and reads everything the planner and the builders need. Throws InputError (nothing
 * changed) for anything that makes a deployment impossible.
 */
import type { AutoScalingGroup, LifecycleHook, ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Image } from '@aws-sdk/client-ec2';
import type { Listener, LoadBalancer, Rule, Tag as ElbV2Tag, TargetGroup, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../aws/ports.js';
import type { Config, ReplicaListenerConfig } from '../../config/schema.js';
import { InputError } from '../../errors.js';
import { requireAlarms } from '../common/gates.js';
import { imageNotFound, observeLaunch, type BlueLaunch } from '../common/observe.js';
import { alarmsOf, builderImage } from '../replica-dns/observe.js';
import { forwardGroups, forwardsTo, liveTargetGroups } from './builders.js';
import { colorOf, TAG, type Color } from './names.js';

export const STRATEGY = 'replica-listener';

/** Listener protocols of a Network Load Balancer: a forward action there takes one target group, no weights. */
const NETWORK_PROTOCOLS = new Set(['TCP', 'UDP', 'TLS', 'TCP_UDP']);

export interface Observed {
  listener: Listener & { ListenerArn: string };
  /** The ALB or NLB of the listener. */
  loadBalancer: LoadBalancer & { LoadBalancerArn: string };
  /** An NLB listener: no weighted forwards, and new flows (not requests) are counted. */
  network: boolean;
  /** The listener's rules (not the default one) that forward to blue's target group now. */
  rules: (Rule & { RuleArn: string })[];
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
    targetGroup: {
      description: TargetGroup & { TargetGroupArn: string; TargetGroupName: string };
      attributes: TargetGroupAttribute[];
      tags: ElbV2Tag[];
    };
    policies: ScalingPolicy[];
    /** The alarms acting on blue's policies (target tracking ones included: the planner skips those). */
    alarms: MetricAlarm[];
    lifecycleHooks: LifecycleHook[];
  };
}

/** Narrows the config: replica-listener is only ever given its own (the strategy is picked by it). */
export function replicaListenerConfig(config: Config): ReplicaListenerConfig {
  if (config.strategy !== 'replica-listener') throw new Error(`replica-listener was given a config of strategy ${config.strategy}`);
  return config;
}

export async function observe(anyConfig: Config, ports: AwsPorts): Promise<Observed> {
  const config = replicaListenerConfig(anyConfig);
  const arn = config.listener.arn;
  const { release } = config;
  const [listener, releaseImage] = await Promise.all([
    ports.listeners.describe(arn),
    release.kind === 'image' ? ports.images.describeImage(release.image) : Promise.resolve(undefined),
  ]);
  if (!listener) throw new InputError(`listener ${arn} (listener.arn) does not exist`);
  if (release.kind === 'image' && !releaseImage) {
    throw imageNotFound(release.image);
  }
  const alarmsFiring = await requireAlarms(ports, config.gates?.alarms ?? []);

  const lbArn = listener.LoadBalancerArn ?? '';
  const [loadBalancer, allRules] = await Promise.all([ports.listeners.loadBalancer(lbArn), ports.listeners.rules(arn)]);
  if (!loadBalancer) throw new InputError(`load balancer ${lbArn} of listener ${arn} does not exist`);
  const network = loadBalancer.Type === 'network' || NETWORK_PROTOCOLS.has(listener.Protocol ?? '');
  if (network && config.traffic) {
    throw new InputError(
      `listener ${arn} is a Network Load Balancer listener (${listener.Protocol}), whose forward action takes one target group without weights; remove traffic.steps (traffic then moves all at once)`,
    );
  }

  // Blue's target group: where the default action forwards now.
  const live = liveTargetGroups(listener.DefaultActions);
  if (live.length > 1) {
    throw new InputError(
      `listener ${arn} forwards to ${live.length} target groups with weights (${live.join(', ')}): a traffic shift is in progress or was left half done; finish or roll back that deployment (bluegreen status) first`,
    );
  }
  const blueTgArn = live[0];
  if (!blueTgArn) {
    throw new InputError(
      `listener ${arn}'s default action forwards to no target group; replica-listener moves a listener whose default action forwards to blue's target group`,
    );
  }
  const rules = allRules.flatMap((r) => (!r.IsDefault && r.RuleArn && forwardsTo(r.Actions, blueTgArn) ? [{ ...r, RuleArn: r.RuleArn }] : []));
  for (const rule of rules) {
    const others = (rule.Actions ?? []).flatMap((a) => forwardGroups(a)).filter((g) => g.arn !== blueTgArn && g.weight > 0);
    if (others.length > 0) {
      throw new InputError(
        `rule ${rule.RuleArn} (priority ${rule.Priority}) splits requests between blue's target group ${blueTgArn} and ${[...new Set(others.map((g) => g.arn))].join(', ')}; replica-listener moves rules that forward to blue's target group alone`,
      );
    }
  }

  // Candidates: the configured group (first deployment) and every group this tool made for the service.
  const [configured, tagged] = await Promise.all([
    ports.groups.describeGroup(config.blue.autoScalingGroup),
    ports.groups.listGroupsByTag(TAG.service, config.service),
  ]);
  const groups = new Map<string, AutoScalingGroup>();
  for (const g of [...(configured ? [configured] : []), ...tagged]) if (g.AutoScalingGroupName) groups.set(g.AutoScalingGroupName, g);
  const candidates = [...groups.keys()];
  if (groups.size === 0) {
    throw new InputError(
      `Auto Scaling group ${config.blue.autoScalingGroup} (blue.autoScalingGroup) does not exist, and no group is tagged ${TAG.service}=${config.service}`,
    );
  }
  const blueGroup = [...groups.values()].find((g) => g.TargetGroupARNs?.includes(blueTgArn));
  if (!blueGroup) {
    const described = candidates.map((c) => `${c} (${(groups.get(c)?.TargetGroupARNs ?? []).join(', ') || 'no target group'})`).join(', ');
    throw new InputError(
      `listener ${arn} forwards to target group ${blueTgArn}, which is the target group of none of the candidate groups: ${described}; attach ${config.blue.autoScalingGroup} to it`,
    );
  }
  const blueName = blueGroup.AutoScalingGroupName as string;
  if ((blueGroup.TargetGroupARNs?.length ?? 0) !== 1) {
    throw new InputError(
      `group ${blueName} is in ${blueGroup.TargetGroupARNs?.length} target groups (${blueGroup.TargetGroupARNs?.join(', ')}); replica-listener needs exactly one, the one listener ${arn} forwards to`,
    );
  }
  if ((blueGroup.DesiredCapacity ?? 0) < 1) {
    throw new InputError(`group ${blueName} has DesiredCapacity 0: there is nothing serving traffic to replicate`);
  }

  const launch = await observeLaunch(blueGroup, blueName, ports, STRATEGY);
  const image = releaseImage ?? (await builderImage(launch, blueName, ports));

  const [[description], attributes, tagsByArn, policies, lifecycleHooks] = await Promise.all([
    ports.targetGroups.describe([blueTgArn]),
    ports.targetGroups.attributes(blueTgArn),
    ports.targetGroups.tags([blueTgArn]),
    ports.groups.describePolicies(blueName),
    ports.groups.describeLifecycleHooks(blueName),
  ]);
  if (!description) throw new InputError(`target group ${blueTgArn}, where listener ${arn} forwards, does not exist`);
  const alarms = await alarmsOf(policies, ports);

  return {
    listener: { ...listener, ListenerArn: arn },
    loadBalancer: { ...loadBalancer, LoadBalancerArn: lbArn },
    network,
    rules,
    image: { ...image, ImageId: image.ImageId ?? '' },
    ...(alarmsFiring.length > 0 ? { alarmsFiring } : {}),
    candidates,
    blue: {
      color: colorOf(blueGroup.Tags),
      group: { ...blueGroup, AutoScalingGroupName: blueName },
      launch,
      targetGroup: {
        description: { ...description, TargetGroupArn: blueTgArn, TargetGroupName: description.TargetGroupName ?? blueTgArn },
        attributes,
        tags: tagsByArn[blueTgArn] ?? [],
      },
      policies,
      alarms,
      lifecycleHooks,
    },
  };
}
