/**
 * Where requests to blue's target group come from: every listener (and rule) that forwards to it, on every
 * load balancer it serves. Read when the plan is made (observe) and again by the first traffic step, and set
 * (and put back) by every traffic step. A target group serves one load balancer on AWS ("Load balancers per
 * target group: 1", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html),
 * so these are the listeners of that load balancer; listeners of others (an emulator allows them) are read
 * the same way, from the target group's LoadBalancerArns.
 */
import type { Action, Listener, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../../../aws/ports.js';
import { DeploymentError } from '../../../../errors.js';
import { forwardGroups, forwardsTo, sameTraffic, sendable } from './builders.js';

/** One listener's forwards to blue before a change: its default actions, and each rule that forwarded to blue. */
export interface Forwarding {
  /** Absent: the listener's default action does not forward to blue, and is left alone. */
  defaultActions?: Action[];
  rules: { arn: string; actions: Action[] }[];
}

/** Another listener's Forwarding, by its ARN (the step's `others` output). */
export type ListenerForwarding = Forwarding & { listener: string };

/** A listener that forwards to blue's target group, as described. */
export interface ForwardingListener {
  listener: Listener & { ListenerArn: string };
  /** Its default action forwards to blue. */
  moveDefault: boolean;
  /** Its rules (not the default one) that forward to blue. */
  rules: (Rule & { RuleArn: string })[];
}

/** The rules of a listener (not the default one) that forward requests to the target group. */
export function rulesForwardingTo(rules: Rule[], targetGroupArn: string): (Rule & { RuleArn: string })[] {
  return rules.flatMap((r) => (!r.IsDefault && r.RuleArn && forwardsTo(r.Actions, targetGroupArn) ? [{ ...r, RuleArn: r.RuleArn }] : []));
}

/**
 * The load balancers whose listeners may forward to blue's target group: its LoadBalancerArns
 * (DescribeTargetGroups), and `known` (the configured listener's, which moto leaves out after a ModifyListener).
 */
export async function loadBalancersOf(ports: AwsPorts, targetGroupArn: string, known: string): Promise<string[]> {
  const [group] = await ports.targetGroups.describe([targetGroupArn]);
  return [...new Set([known, ...(group?.LoadBalancerArns ?? [])])].filter((arn) => arn !== '');
}

/** Every listener of these load balancers, but `except`, that forwards to the target group (default action or a rule). */
export async function listenersForwardingTo(
  ports: AwsPorts,
  loadBalancerArns: string[],
  targetGroupArn: string,
  except: string,
): Promise<ForwardingListener[]> {
  const listeners = (await Promise.all(loadBalancerArns.map((lb) => ports.listeners.ofLoadBalancer(lb)))).flat();
  return forwardingAmong(ports, listeners, targetGroupArn, except);
}

/** Those of these listeners, but `except`, that forward to the target group, in their order (their rules read at once). */
export async function forwardingAmong(ports: AwsPorts, listeners: Listener[], targetGroupArn: string, except: string): Promise<ForwardingListener[]> {
  const candidates = listeners.flatMap((l) => (l.ListenerArn && l.ListenerArn !== except ? [{ ...l, ListenerArn: l.ListenerArn }] : []));
  const rulesOf = await Promise.all(candidates.map((l) => ports.listeners.rules(l.ListenerArn)));
  return candidates.flatMap((listener, i) => {
    const rules = rulesForwardingTo(rulesOf[i] ?? [], targetGroupArn);
    const moveDefault = forwardsTo(listener.DefaultActions, targetGroupArn);
    return moveDefault || rules.length > 0 ? [{ listener, moveDefault, rules }] : [];
  });
}

/**
 * What would be moved but cannot be, one line each: an action that splits requests between blue's target
 * group and another (moving it would drop the other, or leave blue in it). Empty when all can move.
 */
export function splits(where: string, actions: Action[] | undefined, targetGroupArn: string): string[] {
  const others = (actions ?? [])
    .filter((a) => forwardGroups(a).some((g) => g.arn === targetGroupArn && g.weight > 0))
    .flatMap((a) => forwardGroups(a))
    .filter((g) => g.arn !== targetGroupArn && g.weight > 0)
    .map((g) => g.arn);
  return others.length > 0 ? [`${where} splits requests between blue's target group ${targetGroupArn} and ${[...new Set(others)].join(', ')}`] : [];
}

/** A ForwardingListener's actions as they are, to record before a change. */
export function forwardingOf(found: ForwardingListener): ListenerForwarding {
  return {
    listener: found.listener.ListenerArn,
    ...(found.moveDefault ? { defaultActions: found.listener.DefaultActions ?? [] } : {}),
    rules: found.rules.map((r) => ({ arn: r.RuleArn, actions: r.Actions ?? [] })),
  };
}

/** The listener and the rules that forward to blue's target group, as they are now (the configured listener: its default actions always). */
export async function readForwarding(ports: AwsPorts, listenerArn: string, blueArn: string): Promise<Forwarding> {
  const [listener, rules] = await Promise.all([ports.listeners.describe(listenerArn), ports.listeners.rules(listenerArn)]);
  if (!listener) throw new DeploymentError(`listener ${listenerArn} no longer exists`);
  return {
    defaultActions: listener.DefaultActions ?? [],
    rules: rulesForwardingTo(rules, blueArn).map((r) => ({ arn: r.RuleArn, actions: r.Actions ?? [] })),
  };
}

/**
 * Sets the listener and the rules to `wanted` where they differ from it: one ModifyListener (when `wanted`
 * has default actions), one ModifyRule per rule; a rule deleted meanwhile is left alone. Returns how many
 * calls it made; `gone` (the listener no longer exists) when `missing` is 'skip', else a DeploymentError.
 */
export async function setForwarding(
  ports: AwsPorts,
  listenerArn: string,
  wanted: Forwarding,
  missing: 'fail' | 'skip' = 'fail',
): Promise<number | 'gone'> {
  const listener = await ports.listeners.describe(listenerArn);
  if (!listener) {
    if (missing === 'skip') return 'gone';
    throw new DeploymentError(`listener ${listenerArn} no longer exists`);
  }
  const rules = wanted.rules.length > 0 ? await ports.listeners.rules(listenerArn) : [];
  let calls = 0;
  if (wanted.defaultActions && !sameTraffic(listener.DefaultActions, wanted.defaultActions)) {
    await ports.listeners.modify(listenerArn, sendable(wanted.defaultActions));
    calls++;
  }
  for (const rule of wanted.rules) {
    const now = rules.find((r) => r.RuleArn === rule.arn);
    if (now && !sameTraffic(now.Actions, rule.actions)) {
      await ports.listeners.modifyRule(rule.arn, sendable(rule.actions));
      calls++;
    }
  }
  return calls;
}
