/**
 * The read-only half of replica-listener's front: finds the live (blue) stack from where the listener's
 * default action forwards (blue's target group, then the group in it), the rules that forward there too,
 * and reads blue's target group. Throws InputError (nothing changed) for anything that makes a deployment
 * impossible.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Listener, LoadBalancer, Rule, Tag as ElbV2Tag, TargetGroup, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { Config, ReplicaListenerConfig } from '../../../../config/schema.js';
import { InputError } from '../../../../errors.js';
import { candidateGroups, describeCandidates, observeBlueGroup, observeStart, type ReplicaObserved } from '../../observe.js';
import { forwardGroups, forwardsTo, liveTargetGroups } from './builders.js';

export const STRATEGY = 'replica-listener';

/** Listener protocols of a Network Load Balancer: a forward action there takes one target group, no weights. */
const NETWORK_PROTOCOLS = new Set(['TCP', 'UDP', 'TLS', 'TCP_UDP']);

/** Blue's front: its target group. */
export interface BlueTargetGroup {
  targetGroup: {
    description: TargetGroup & { TargetGroupArn: string; TargetGroupName: string };
    attributes: TargetGroupAttribute[];
    tags: ElbV2Tag[];
  };
}

export type Observed = ReplicaObserved<BlueTargetGroup> & {
  listener: Listener & { ListenerArn: string };
  /** The ALB or NLB of the listener. */
  loadBalancer: LoadBalancer & { LoadBalancerArn: string };
  /** An NLB listener: no weighted forwards, and new flows (not requests) are counted. */
  network: boolean;
  /** The listener's rules (not the default one) that forward to blue's target group now. */
  rules: (Rule & { RuleArn: string })[];
};

/** Narrows the config: replica-listener is only ever given its own (the strategy is picked by it). */
export function replicaListenerConfig(config: Config): ReplicaListenerConfig {
  if (config.strategy !== 'replica-listener') throw new Error(`replica-listener was given a config of strategy ${config.strategy}`);
  return config;
}

export async function observe(config: ReplicaListenerConfig, ports: AwsPorts): Promise<Observed> {
  const arn = config.listener.arn;
  const start = await observeStart(config, ports, () => ports.listeners.describe(arn), `listener ${arn} (listener.arn) does not exist`);
  const { entry: listener } = start;
  const forwarding = await observeForwarding(config, ports, listener);
  const { blueTgArn } = forwarding;
  const groups = await candidateGroups(config, ports);
  const blueGroup = [...groups.values()].find((g) => g.TargetGroupARNs?.includes(blueTgArn));
  requireBlueGroup(config, groups, blueGroup, blueTgArn);
  const observed = await observeBlueGroup(STRATEGY, ports, { ...start, groups }, blueGroup, async () => {
    const [[description], attributes, tagsByArn] = await Promise.all([
      ports.targetGroups.describe([blueTgArn]),
      ports.targetGroups.attributes(blueTgArn),
      ports.targetGroups.tags([blueTgArn]),
    ]);
    if (!description) throw new InputError(`target group ${blueTgArn}, where listener ${arn} forwards, does not exist`);
    const named = { ...description, TargetGroupArn: blueTgArn, TargetGroupName: description.TargetGroupName ?? blueTgArn };
    return { targetGroup: { description: named, attributes, tags: tagsByArn[blueTgArn] ?? [] } };
  });
  const { loadBalancer, network, rules } = forwarding;
  return { listener: { ...listener, ListenerArn: arn }, loadBalancer, network, rules, ...observed };
}

/** The listener's load balancer, blue's target group (where the default action forwards), and the rules forwarding there. */
async function observeForwarding(config: ReplicaListenerConfig, ports: AwsPorts, listener: Listener) {
  const arn = config.listener.arn;
  const lbArn = listener.LoadBalancerArn ?? '';
  const [loadBalancer, allRules] = await Promise.all([ports.listeners.loadBalancer(lbArn), ports.listeners.rules(arn)]);
  if (!loadBalancer) throw new InputError(`load balancer ${lbArn} of listener ${arn} does not exist`);
  const network = loadBalancer.Type === 'network' || NETWORK_PROTOCOLS.has(listener.Protocol ?? '');
  if (network && config.traffic) {
    throw new InputError(
      `listener ${arn} is a Network Load Balancer listener (${listener.Protocol}), whose forward action takes one target group without weights; remove traffic.steps (traffic then moves all at once)`,
    );
  }
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
  return { loadBalancer: { ...loadBalancer, LoadBalancerArn: lbArn }, network, rules, blueTgArn };
}

/** Blue's group must be one of the candidates, in blue's target group alone. */
function requireBlueGroup(
  config: ReplicaListenerConfig,
  groups: Map<string, AutoScalingGroup>,
  blueGroup: AutoScalingGroup | undefined,
  blueTgArn: string,
): asserts blueGroup is AutoScalingGroup {
  const arn = config.listener.arn;
  if (!blueGroup) {
    throw new InputError(
      `listener ${arn} forwards to target group ${blueTgArn}, which is the target group of none of the candidate groups: ${describeCandidates(groups, (g) => g?.TargetGroupARNs, 'no target group')}; attach ${config.blue.autoScalingGroup} to it`,
    );
  }
  if ((blueGroup.TargetGroupARNs?.length ?? 0) !== 1) {
    throw new InputError(
      `group ${blueGroup.AutoScalingGroupName} is in ${blueGroup.TargetGroupARNs?.length} target groups (${blueGroup.TargetGroupARNs?.join(', ')}); replica-listener needs exactly one, the one listener ${arn} forwards to`,
    );
  }
}
