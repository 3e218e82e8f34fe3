/**
 * The handlers of replica-listener's front: create-target-group, switch-listener and each traffic step,
 * and green's and blue's target groups as the core's handlers see them. Same rules as every handler:
 * idempotent, journal first, undo after a partial apply and twice, no secrets in outputs.
 */
import type { Action, CreateTargetGroupCommandInput, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../../engine/types.js';
import type { Observation } from '../../../../engine/wait.js';
import { AwsCallError, DeploymentError, VerificationError } from '../../../../errors.js';
import { capacityOf } from '../../../common/capacity.js';
import { checkAlarms } from '../../../common/gates.js';
import { toJson } from '../../../common/plan-helpers.js';
import type { BlueFront, GreenFront } from '../../front.js';
import { holdShare } from '../../steps/traffic-hold.js';
import { forwardsTo, sameTraffic, sendable, swapTargetGroupDimension, targetGroupDimension, trafficActions } from './builders.js';
import type { BlueDimension, CreateTargetGroupParams, RetireBlueParams, ShiftTrafficParams, TargetGroupRef } from './plan.js';

type Handler<P> = StepHandler<P & JsonObject>;

// ---------------------------------------------------------------- green's and blue's target groups

/** Green's target group ARN, from the outputs of the step that made it; a DeploymentError when it has not run. */
function greenTargetGroupArn(ctx: StepContext, p: TargetGroupRef): string {
  const arn = ctx.outputsOf(p.targetGroupStep).targetGroupArn;
  if (typeof arn !== 'string' || !arn) {
    throw new DeploymentError(`green's target group ${p.targetGroup} is not known: the ${p.targetGroupStep} step recorded none; run it first`);
  }
  return arn;
}

/** Counts the capacity (units, as the group counts them) of a group's InService instances that are also healthy in the target group. */
async function healthOf(ports: AwsPorts, group: string, targetGroupArn: string, targetGroup: string): Promise<Observation> {
  const [g, health] = await Promise.all([ports.groups.describeGroup(group), ports.targetGroups.health(targetGroupArn)]);
  if (!g) return { done: false, message: `group ${group} does not exist` };
  const healthy = new Set(health.filter((h) => h.TargetHealth?.State === 'healthy').map((h) => h.Target?.Id));
  const inService = (i: { LifecycleState?: string; InstanceId?: string }) => i.LifecycleState === 'InService' && healthy.has(i.InstanceId);
  const { units, desired, message } = capacityOf(g, inService, `InService and healthy in ${targetGroup}`);
  return { done: desired > 0 && units >= desired, message, counts: { done: units, total: desired } };
}

/** `<private ip>:<port>` of each healthy target of the target group, by instance id. */
async function healthyTargets(ports: AwsPorts, arn: string): Promise<{ id: string; address: string }[]> {
  const healthy = (await ports.targetGroups.health(arn)).filter((h) => h.TargetHealth?.State === 'healthy' && h.Target?.Id);
  const ids = healthy.flatMap((h) => (h.Target?.Id?.startsWith('i-') ? [h.Target.Id] : []));
  const instances = ids.length > 0 ? await ports.instances.describe(ids) : [];
  const ipOf = new Map(instances.map((i) => [i.InstanceId, i.PrivateIpAddress]));
  return healthy.flatMap((h) => {
    const id = h.Target?.Id as string;
    const ip = id.startsWith('i-') ? ipOf.get(id) : id; // ip targets are addresses already
    const port = h.Target?.Port;
    return ip ? [{ id, address: port === undefined ? ip : `${ip}:${port}` }] : [];
  });
}

/** Green's target group, known once create-target-group ran (else a DeploymentError: run it first). */
export function greenTargetGroup(ports: AwsPorts, ctx: StepContext, params: JsonObject): GreenFront {
  const p = params as unknown as TargetGroupRef & Partial<BlueDimension>;
  const arn = greenTargetGroupArn(ctx, p);
  return {
    name: p.targetGroup,
    healthy: 'InService and healthy',
    health: (group) => healthOf(ports, group, arn, p.targetGroup),
    async httpTargets() {
      const targets = await healthyTargets(ports, arn);
      if (targets.length === 0) throw new VerificationError(`green's target group ${p.targetGroup} has no healthy target to check over HTTP`);
      return targets;
    },
    groupInput: (input) => ({ ...input, TargetGroupARNs: [arn] }),
    // Blue's target group in resource labels (ALBRequestCountPerTarget) and TargetGroup dimensions made green's.
    rewrite: (value) => swapTargetGroupDimension(value, p.blueTargetGroupDimension ?? '', targetGroupDimension(arn)),
  };
}

/** Blue's target group at retire-blue: deleted with blue only when bluegreen made it and nothing forwards to it. */
export function blueTargetGroup(ports: AwsPorts): BlueFront<RetireBlueParams> {
  return {
    name: (p) => `target group ${p.targetGroup.name}`,
    delete: async (ctx, p) => {
      if (p.targetGroup.own) await deleteUnusedTargetGroup(ports, ctx, p);
    },
    health: (p) => healthOf(ports, p.group, p.targetGroup.arn, p.targetGroup.name),
  };
}

/** Deletes blue's target group unless the listener (or another, as AWS says with ResourceInUse) still forwards to it. */
async function deleteUnusedTargetGroup(ports: AwsPorts, ctx: StepContext, p: RetireBlueParams): Promise<void> {
  const [listener, rules] = await Promise.all([ports.listeners.describe(p.listener), ports.listeners.rules(p.listener)]);
  if (forwardsTo(listener?.DefaultActions, p.targetGroup.arn) || rules.some((r) => forwardsTo(r.Actions, p.targetGroup.arn))) {
    ctx.progress(`target group ${p.targetGroup.name} kept: listener ${p.listener} still forwards to it`);
    return;
  }
  try {
    await ports.targetGroups.delete(p.targetGroup.arn);
  } catch (error) {
    if (!(error instanceof AwsCallError) || error.code !== 'ResourceInUse') throw error;
    ctx.progress(`target group ${p.targetGroup.name} kept: another listener or rule forwards to it`);
  }
}

// ---------------------------------------------------------------- create-target-group

export function createTargetGroup(ports: AwsPorts): Handler<CreateTargetGroupParams> {
  return {
    async apply(ctx, p) {
      let arn = (await ports.targetGroups.findByName(p.name))?.TargetGroupArn;
      if (!arn) {
        await ctx.record({ targetGroup: p.name });
        arn = (await ports.targetGroups.create(p.input as unknown as CreateTargetGroupCommandInput)).TargetGroupArn;
        if (!arn) throw new DeploymentError(`CreateTargetGroup of ${p.name} answered no ARN`);
      }
      await ctx.record({ targetGroup: p.name, targetGroupArn: arn });
      // Adopted or new: make sure its attributes are blue's.
      const attributes = p.attributes as unknown as TargetGroupAttribute[];
      if (attributes.length > 0) await ports.targetGroups.modifyAttributes(arn, attributes);
    },
    async undo(ctx, p) {
      const arn = (ctx.outputs.targetGroupArn as string | undefined) ?? (await ports.targetGroups.findByName(p.name))?.TargetGroupArn;
      if (arn) await ports.targetGroups.delete(arn);
    },
  };
}

// ---------------------------------------------------------------- switch-listener and traffic-<percent>

/** The listener's default actions and each moved rule's actions. */
interface Forwarding {
  defaultActions: Action[];
  rules: { arn: string; actions: Action[] }[];
}

/** The listener and the rules that forward to blue's target group, as they are now. */
async function readForwarding(ports: AwsPorts, listenerArn: string, blueArn: string): Promise<Forwarding> {
  const [listener, rules] = await Promise.all([ports.listeners.describe(listenerArn), ports.listeners.rules(listenerArn)]);
  if (!listener) throw new DeploymentError(`listener ${listenerArn} no longer exists`);
  return {
    defaultActions: listener.DefaultActions ?? [],
    rules: rules.flatMap((r) => (!r.IsDefault && r.RuleArn && forwardsTo(r.Actions, blueArn) ? [{ arn: r.RuleArn, actions: r.Actions ?? [] }] : [])),
  };
}

/**
 * Sets the listener and the rules to `wanted` where they differ from it: one ModifyListener, one ModifyRule
 * per rule; a rule deleted meanwhile is left alone. Returns how many calls it made.
 */
async function setForwarding(ports: AwsPorts, listenerArn: string, wanted: Forwarding): Promise<number> {
  const [listener, rules] = await Promise.all([ports.listeners.describe(listenerArn), ports.listeners.rules(listenerArn)]);
  if (!listener) throw new DeploymentError(`listener ${listenerArn} no longer exists`);
  let calls = 0;
  if (!sameTraffic(listener.DefaultActions, wanted.defaultActions)) {
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

export function shiftTraffic(ports: AwsPorts): Handler<ShiftTrafficParams> {
  const share = (p: ShiftTrafficParams) => (p.percent >= 100 ? 'all requests' : `${p.percent}% of requests`);
  return {
    async apply(ctx, p) {
      // Never move traffic while a gate alarm is in ALARM (a VerificationError: the engine rolls back).
      await checkAlarms(ports, p.alarms, `before sending ${share(p)} to green`);
      const green = greenTargetGroupArn(ctx, p);
      // Never send traffic to nothing.
      const healthy = (await ports.targetGroups.health(green)).filter((h) => h.TargetHealth?.State === 'healthy').length;
      if (healthy < 1) throw new VerificationError(`refusing to send ${share(p)} to green: its target group ${p.targetGroup} has no healthy target`);

      // The forwarding before the first traffic step changed anything: ours, the first step's, or now.
      let original = ctx.outputs.original as unknown as Forwarding | undefined;
      if (!original && !p.first) {
        original = ctx.outputsOf(p.firstStep).original as unknown as Forwarding | undefined;
        if (!original) throw new DeploymentError(`the ${p.firstStep} step recorded no original forwarding of listener ${p.listener}; run it first`);
      }
      original ??= await readForwarding(ports, p.listener, p.blueTargetGroupArn);
      const target: Forwarding = {
        defaultActions: trafficActions(original.defaultActions, p.blueTargetGroupArn, green, p.percent),
        rules: original.rules.map((r) => ({ arn: r.arn, actions: trafficActions(r.actions, p.blueTargetGroupArn, green, p.percent) })),
      };
      await ctx.record({ original: toJson(original), target: toJson(target) });
      const calls = await setForwarding(ports, p.listener, target);
      ctx.progress(
        calls > 0
          ? `${share(p)} forwarded to ${p.targetGroup} (${calls} ${calls === 1 ? 'call' : 'calls'})`
          : `${share(p)} already forwarded to ${p.targetGroup}`,
      );
      await holdShare(ports, ctx, p, 'green');
    },
    async undo(ctx, p) {
      const original = ctx.outputs.original as unknown as Forwarding | undefined;
      if (!original) return; // never changed anything
      if (!(await ports.listeners.describe(p.listener))) {
        ctx.progress(`listener ${p.listener} no longer exists; nothing to put back`);
        return;
      }
      const calls = await setForwarding(ports, p.listener, original);
      ctx.progress(calls > 0 ? `listener ${p.listener} forwards to blue again` : `listener ${p.listener} already forwards as before`);
    },
  };
}
