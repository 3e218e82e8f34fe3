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
import { candidateGroups, describeCandidates, early, observeBlueGroup, observeStart, readBlue, type ReplicaObserved } from '../../observe.js';
import { forwardGroups, liveTargetGroups } from './builders.js';
import { forwardingAmong, rulesForwardingTo, splits, type ForwardingListener } from './forwarding.js';

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

/**
 * Reads, in as few rounds as their data allow: first everything the config names (the listener, the
 * release image, the gate alarms, the candidate groups); then, from the listener's default action (blue's
 * target group, so blue's group), the listener's load balancer and rules, the other listeners of that load
 * balancer and every read of blue; then what needs those answers (blue's alarms, the other listeners' rules).
 * Errors come in the order of the checks, whatever answers first.
 */
export async function observe(config: ReplicaListenerConfig, ports: AwsPorts): Promise<Observed> {
  const arn = config.listener.arn;
  const listenerRead = early(ports.listeners.describe(arn));
  const groupsRead = early(candidateGroups(config, ports));
  // Each read goes out as soon as what it needs has answered: what the listener names once it has, and
  // blue's reads once the listener and the candidates have (blue's group follows from them alone).
  const wideRead = listenerRead.then(
    (l) => (l ? readListenerWide(ports, l, arn) : undefined),
    () => undefined,
  );
  const readsOf = (group: AutoScalingGroup, reads: ListenerReads, blueTgArn: string) =>
    readBlue(STRATEGY, config, ports, group, () => readTargetGroup(ports, arn, blueTgArn, reads));
  const earlyRead = Promise.all([wideRead, groupsRead]).then(
    ([reads, groups]) => {
      const tgArn = reads?.blueTgArn;
      const likely = tgArn ? [...groups.values()].find((g) => g.TargetGroupARNs?.includes(tgArn)) : undefined;
      return reads && tgArn && likely && (likely.DesiredCapacity ?? 0) >= 1 ? readsOf(likely, reads, tgArn) : undefined;
    },
    () => undefined,
  );
  const start = await observeStart(config, ports, () => listenerRead, `listener ${arn} (listener.arn) does not exist`);
  const { entry: listener } = start;
  const reads = (await wideRead) ?? readListenerWide(ports, listener, arn);
  const earlyReads = await earlyRead;
  const forwarding = await observeForwarding(config, listener, reads);
  const { blueTgArn } = forwarding;
  const others = await observeOthers(config, ports, forwarding, reads);
  const groups = await groupsRead;
  const blueGroup = [...groups.values()].find((g) => g.TargetGroupARNs?.includes(blueTgArn));
  requireBlueGroup(config, groups, blueGroup, blueTgArn);
  const alsoAttached = blueAttachments(config, blueGroup, blueTgArn);
  const observed = await observeBlueGroup({ ...start, groups }, blueGroup, () =>
    earlyReads?.group === blueGroup ? earlyReads : readsOf(blueGroup, reads, blueTgArn),
  );
  const { loadBalancer, network, rules } = forwarding;
  return { listener: { ...listener, ListenerArn: arn }, loadBalancer, network, rules, others, alsoAttached, ...observed };
}

/** What the listener alone tells to read, started at once (each with `early`). */
interface ListenerReads {
  /** Where the default action forwards, when it is one target group (observeForwarding refuses the rest). */
  blueTgArn: string | undefined;
  loadBalancer: Promise<LoadBalancer | undefined>;
  rules: Promise<Rule[]>;
  /** DescribeTargetGroups of blue's target group: its LoadBalancerArns, and blue's front. */
  targetGroup: Promise<TargetGroup[]>;
  /** The other listeners that forward to blue's target group (of the load balancers it serves), with their rules. */
  forwarding: Promise<ForwardingListener[]>;
}

function readListenerWide(ports: AwsPorts, listener: Listener, arn: string): ListenerReads {
  const live = liveTargetGroups(listener.DefaultActions);
  const blueTgArn = live.length === 1 ? live[0] : undefined;
  const lbArn = listener.LoadBalancerArn ?? '';
  const targetGroup = early(blueTgArn ? ports.targetGroups.describe([blueTgArn]) : Promise.resolve([]));
  const siblings = lbArn ? ports.listeners.ofLoadBalancer(lbArn) : Promise.resolve([]);
  return {
    blueTgArn,
    loadBalancer: early(ports.listeners.loadBalancer(lbArn)),
    rules: early(ports.listeners.rules(arn)),
    targetGroup,
    forwarding: early(blueTgArn ? otherForwarding(ports, arn, lbArn, blueTgArn, targetGroup, siblings) : Promise.resolve([])),
  };
}

/**
 * Every listener but `arn` of the load balancers blue's target group serves (its LoadBalancerArns, and
 * `lbArn`, the listener's own, which moto leaves out after a ModifyListener) that forwards to it.
 */
async function otherForwarding(
  ports: AwsPorts,
  arn: string,
  lbArn: string,
  blueTgArn: string,
  targetGroup: Promise<TargetGroup[]>,
  siblings: Promise<Listener[]>,
): Promise<ForwardingListener[]> {
  const [[tg], own] = await Promise.all([targetGroup, siblings]);
  const more = [...new Set(tg?.LoadBalancerArns ?? [])].filter((a) => a !== '' && a !== lbArn);
  const listeners = [...own, ...(await Promise.all(more.map((lb) => ports.listeners.ofLoadBalancer(lb)))).flat()];
  return forwardingAmong(ports, listeners, blueTgArn, arn);
}

/** Blue's front: its target group (as `reads` describes it), its attributes and tags. */
async function readTargetGroup(ports: AwsPorts, arn: string, blueTgArn: string, reads: ListenerReads): Promise<BlueTargetGroup> {
  const [[description], attributes, tagsByArn] = await Promise.all([
    reads.targetGroup,
    ports.targetGroups.attributes(blueTgArn),
    ports.targetGroups.tags([blueTgArn]),
  ]);
  if (!description) throw new InputError(`target group ${blueTgArn}, where listener ${arn} forwards, does not exist`);
  const named = { ...description, TargetGroupArn: blueTgArn, TargetGroupName: description.TargetGroupName ?? blueTgArn };
  return { targetGroup: { description: named, attributes, tags: tagsByArn[blueTgArn] ?? [] } };
}

/**
 * The other listeners that forward to blue's target group: every listener of the load balancers it serves
 * (its LoadBalancerArns, and listener.arn's own). Each moves with listener.arn; one that splits requests
 * between blue's and another target group, or (with traffic.steps) an NLB listener, is refused.
 */
async function observeOthers(
  config: ReplicaListenerConfig,
  ports: AwsPorts,
  forwarding: { blueTgArn: string; loadBalancer: LoadBalancer },
  reads: ListenerReads,
) {
  const { blueTgArn, loadBalancer } = forwarding;
  const known = loadBalancer.LoadBalancerArn ?? '';
  const found = await reads.forwarding;
  const lbs = new Map<string, LoadBalancer | undefined>([[known, loadBalancer]]);
  const more = [...new Set(found.map((f) => f.listener.LoadBalancerArn ?? ''))].filter((a) => !lbs.has(a));
  const described = await Promise.all(more.map((a) => ports.listeners.loadBalancer(a)));
  more.forEach((a, i) => lbs.set(a, described[i]));
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
async function observeForwarding(config: ReplicaListenerConfig, listener: Listener, reads: ListenerReads) {
  const arn = config.listener.arn;
  const lbArn = listener.LoadBalancerArn ?? '';
  const loadBalancer = await reads.loadBalancer;
  const allRules = await reads.rules;
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
