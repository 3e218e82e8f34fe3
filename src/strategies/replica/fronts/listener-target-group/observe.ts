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
import { forwardGroups, liveTargetGroups } from './builders.js';
import { listenersForwardingTo, loadBalancersOf, rulesForwardingTo, splits, type ForwardingListener } from './forwarding.js';

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
  /** The other listeners (of the load balancers blue's target group serves) that forward to it: they move too. */
  others: (ForwardingListener & { loadBalancerName: string })[];
  /** The load balancers blue's group is in besides blue's target group, named in listener.alsoAttached: left as they are. */
  alsoAttached: { targetGroups: { arn: string; name: string }[]; classic: string[] };
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
  const others = await observeOthers(config, ports, forwarding);
  const groups = await candidateGroups(config, ports);
  const blueGroup = [...groups.values()].find((g) => g.TargetGroupARNs?.includes(blueTgArn));
  requireBlueGroup(config, groups, blueGroup, blueTgArn);
  const alsoAttached = blueAttachments(config, blueGroup, blueTgArn);
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
  return { listener: { ...listener, ListenerArn: arn }, loadBalancer, network, rules, others, alsoAttached, ...observed };
}

/**
 * The other listeners that forward to blue's target group: every listener of the load balancers it serves
 * (its LoadBalancerArns, and listener.arn's own). Each moves with listener.arn; one that splits requests
 * between blue's and another target group, or (with traffic.steps) an NLB listener, is refused.
 */
async function observeOthers(config: ReplicaListenerConfig, ports: AwsPorts, forwarding: { blueTgArn: string; loadBalancer: LoadBalancer }) {
  const { blueTgArn, loadBalancer } = forwarding;
  const lbArns = await loadBalancersOf(ports, blueTgArn, loadBalancer.LoadBalancerArn ?? '');
  const found = await listenersForwardingTo(ports, lbArns, blueTgArn, config.listener.arn);
  const lbs = new Map<string, LoadBalancer | undefined>([[loadBalancer.LoadBalancerArn ?? '', loadBalancer]]);
  for (const f of found) {
    const lbArn = f.listener.LoadBalancerArn ?? '';
    if (!lbs.has(lbArn)) lbs.set(lbArn, await ports.listeners.loadBalancer(lbArn));
  }
  const problems = found.flatMap((f) => [
    ...(f.moveDefault ? splits(`the default action of listener ${f.listener.ListenerArn}`, f.listener.DefaultActions, blueTgArn) : []),
    ...f.rules.flatMap((r) => splits(`rule ${r.RuleArn} (priority ${r.Priority}) of listener ${f.listener.ListenerArn}`, r.Actions, blueTgArn)),
    ...(config.traffic && isNetwork(lbs.get(f.listener.LoadBalancerArn ?? ''), f.listener)
      ? [`listener ${f.listener.ListenerArn} is a Network Load Balancer listener (${f.listener.Protocol}), whose forward action takes no weights`]
      : []),
  ]);
  if (problems.length > 0) {
    throw new InputError(
      `${problems.join('; ')}: replica-listener moves every listener that forwards to blue's target group ${blueTgArn} with listener ${config.listener.arn}, and each must forward to blue's target group alone${config.traffic ? ' (with traffic.steps, with weights)' : ''}`,
    );
  }
  return found.map((f) => {
    const lb = lbs.get(f.listener.LoadBalancerArn ?? '');
    return { ...f, loadBalancerName: lb?.LoadBalancerName ?? f.listener.LoadBalancerArn ?? '' };
  });
}

const isNetwork = (lb: LoadBalancer | undefined, listener: Listener) => lb?.Type === 'network' || NETWORK_PROTOCOLS.has(listener.Protocol ?? '');

/**
 * The load balancers blue's group is in besides blue's target group: each must be named in
 * listener.alsoAttached (by target group name or ARN, classic load balancer name), else an InputError naming
 * them: green is not registered there, so what reaches blue through them would not move.
 */
function blueAttachments(config: ReplicaListenerConfig, blueGroup: AutoScalingGroup, blueTgArn: string): Observed['alsoAttached'] {
  const named = new Set(config.listener.alsoAttached ?? []);
  const targetGroups = (blueGroup.TargetGroupARNs ?? []).filter((a) => a !== blueTgArn).map((a) => ({ arn: a, name: targetGroupNameOf(a) }));
  const classic = blueGroup.LoadBalancerNames ?? [];
  const unnamed = [
    ...targetGroups.filter((t) => !named.has(t.arn) && !named.has(t.name)).map((t) => `target group ${t.name} (${t.arn})`),
    ...classic.filter((n) => !named.has(n)).map((n) => `classic load balancer ${n}`),
  ];
  if (unnamed.length > 0) {
    const them = unnamed.length === 1 ? 'it' : 'them';
    throw new InputError(
      `group ${blueGroup.AutoScalingGroupName} is also in ${unnamed.join(', ')}, besides target group ${targetGroupNameOf(blueTgArn)} that listener ${config.listener.arn} forwards to: green would not be registered with ${them}, so what reaches blue through ${them} would not move to green. Name ${them} in listener.alsoAttached to leave ${them} as ${unnamed.length === 1 ? 'it is' : 'they are'}, or detach ${blueGroup.AutoScalingGroupName} from ${them}`,
    );
  }
  return { targetGroups, classic };
}

/** "shop-web" from "arn:...:targetgroup/shop-web/0123456789abcdef". */
export function targetGroupNameOf(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

/** The listener's load balancer, blue's target group (where the default action forwards), and the rules forwarding there. */
async function observeForwarding(config: ReplicaListenerConfig, ports: AwsPorts, listener: Listener) {
  const arn = config.listener.arn;
  const lbArn = listener.LoadBalancerArn ?? '';
  const [loadBalancer, allRules] = await Promise.all([ports.listeners.loadBalancer(lbArn), ports.listeners.rules(arn)]);
  if (!loadBalancer) throw new InputError(`load balancer ${lbArn} of listener ${arn} does not exist`);
  const network = isNetwork(loadBalancer, listener);
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
  const rules = rulesForwardingTo(allRules, blueTgArn);
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

/** Blue's group must be one of the candidates, in blue's target group. */
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
}
