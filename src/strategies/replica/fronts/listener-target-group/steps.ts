/**
 * The handlers of replica-listener's front: create-target-group, switch-listener and each traffic step,
 * and green's and blue's target groups as the core's handlers see them. Same rules as every handler:
 * idempotent, journal first, undo after a partial apply and twice, no secrets in outputs.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { CreateTargetGroupCommandInput, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../../engine/types.js';
import type { Observation } from '../../../../engine/wait.js';
import { AwsCallError, DeploymentError, VerificationError } from '../../../../errors.js';
import { capacityOf } from '../../../common/capacity.js';
import { checkAlarms } from '../../../common/gates.js';
import { plural, toJson } from '../../../common/plan-helpers.js';
import type { BlueFront, GreenFront } from '../../front.js';
import { holdShare } from '../../steps/traffic-hold.js';
import { forwardsTo, swapTargetGroupDimension, targetGroupDimension, trafficActions } from './builders.js';
import {
  forwardingOf,
  listenersForwardingTo,
  loadBalancersOf,
  readForwarding,
  setForwarding,
  splits,
  type Forwarding,
  type ListenerForwarding,
} from './forwarding.js';
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
async function healthOf(
  ports: AwsPorts,
  group: string,
  targetGroupArn: string,
  targetGroup: string,
): Promise<Observation & { group?: AutoScalingGroup }> {
  const [g, health] = await Promise.all([ports.groups.describeGroup(group), ports.targetGroups.health(targetGroupArn)]);
  if (!g) return { done: false, message: `group ${group} does not exist` };
  const healthy = new Set(health.filter((h) => h.TargetHealth?.State === 'healthy').map((h) => h.Target?.Id));
  const inService = (i: { LifecycleState?: string; InstanceId?: string }) => i.LifecycleState === 'InService' && healthy.has(i.InstanceId);
  const { units, desired, message } = capacityOf(g, inService, `InService and healthy in ${targetGroup}`);
  return { done: desired > 0 && units >= desired, message, counts: { done: units, total: desired }, group: g };
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

/** "arn:...:loadbalancer/app/shop/<id>" from "arn:...:listener/app/shop/<id>/<id>": the listener's load balancer. */
function loadBalancerArnOf(listenerArn: string): string {
  return listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[^/]+$/, '');
}

/**
 * The other listeners that forward to blue's target group now (the first traffic step reads them; the plan
 * named `p.others`). A forward that splits requests between blue and another target group cannot move: a
 * DeploymentError before any change.
 */
async function readOthers(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams): Promise<ListenerForwarding[]> {
  const blue = p.blueTargetGroupArn;
  const found = await listenersForwardingTo(ports, await loadBalancersOf(ports, blue, loadBalancerArnOf(p.listener)), blue, p.listener);
  const problems = found.flatMap((f) => [
    ...(f.moveDefault ? splits(`the default action of listener ${f.listener.ListenerArn}`, f.listener.DefaultActions, blue) : []),
    ...f.rules.flatMap((r) => splits(`rule ${r.RuleArn} (priority ${r.Priority})`, r.Actions, blue)),
  ]);
  if (problems.length > 0) {
    throw new DeploymentError(
      `${problems.join('; ')}: replica-listener moves forwards to blue's target group alone; make each forward to one target group, then resume (or roll back)`,
    );
  }
  for (const f of found.filter((x) => !(p.others ?? []).includes(x.listener.ListenerArn))) {
    ctx.progress(`listener ${f.listener.ListenerArn} forwards to blue's target group too (it did not when planned): it moves with the others`);
  }
  return found.map(forwardingOf);
}

/** The forwarding before the first traffic step changed anything: ours, the first step's, or (first step) now. */
async function originals(ports: AwsPorts, ctx: StepContext, p: ShiftTrafficParams): Promise<{ original: Forwarding; others: ListenerForwarding[] }> {
  const mine = ctx.outputs.original as unknown as Forwarding | undefined;
  if (mine) return { original: mine, others: (ctx.outputs.others as unknown as ListenerForwarding[] | undefined) ?? [] };
  if (!p.first) {
    const first = ctx.outputsOf(p.firstStep);
    const original = first.original as unknown as Forwarding | undefined;
    if (!original) throw new DeploymentError(`the ${p.firstStep} step recorded no original forwarding of listener ${p.listener}; run it first`);
    // A first step journaled before other listeners were moved recorded none: only listener.arn moves.
    return { original, others: (first.others as unknown as ListenerForwarding[] | undefined) ?? [] };
  }
  return { original: await readForwarding(ports, p.listener, p.blueTargetGroupArn), others: await readOthers(ports, ctx, p) };
}

/** Puts each listener as `wanted` says; a listener gone meanwhile is skipped with a progress line. Returns the calls made. */
async function setAll(ports: AwsPorts, ctx: StepContext, wanted: ListenerForwarding[], missing: 'fail' | 'skip'): Promise<number> {
  let calls = 0;
  for (const w of wanted) {
    const made = await setForwarding(ports, w.listener, w, missing);
    if (made === 'gone') ctx.progress(`listener ${w.listener} no longer exists; nothing to put back there`);
    else calls += made;
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

      const { original, others } = await originals(ports, ctx, p);
      const move = (f: Forwarding): Forwarding => ({
        ...(f.defaultActions
          ? { defaultActions: trafficActions(f.defaultActions, p.blueTargetGroupArn, green, p.percent, p.stickinessSeconds) }
          : {}),
        rules: f.rules.map((r) => ({ arn: r.arn, actions: trafficActions(r.actions, p.blueTargetGroupArn, green, p.percent, p.stickinessSeconds) })),
      });
      const target = move(original);
      // Journal first: every listener's forwarding as it was, so the undo puts each back exactly.
      await ctx.record({
        original: toJson(original),
        target: toJson(target),
        ...(others.length > 0 ? { others: others.map((o) => toJson(o)) } : {}),
      });
      const calls = await setAll(
        ports,
        ctx,
        [{ listener: p.listener, ...target }, ...others.map((o) => ({ ...move(o), listener: o.listener }))],
        'fail',
      );
      const where = others.length > 0 ? ` (${plural(others.length + 1, 'listener', 'listeners')})` : '';
      ctx.progress(
        calls > 0
          ? `${share(p)} forwarded to ${p.targetGroup}${where} (${calls} ${calls === 1 ? 'call' : 'calls'})`
          : `${share(p)} already forwarded to ${p.targetGroup}${where}`,
      );
      await holdShare(ports, ctx, p, 'green');
    },
    async undo(ctx, p) {
      const original = ctx.outputs.original as unknown as Forwarding | undefined;
      if (!original) return; // never changed anything
      const others = (ctx.outputs.others as unknown as ListenerForwarding[] | undefined) ?? [];
      if (!(await ports.listeners.describe(p.listener))) {
        ctx.progress(`listener ${p.listener} no longer exists; nothing to put back`);
        const calls = await setAll(ports, ctx, others, 'skip');
        if (calls > 0) ctx.progress(`${plural(others.length, 'other listener', 'other listeners')} forward to blue again`);
        return;
      }
      const calls = await setAll(ports, ctx, [{ listener: p.listener, ...original }, ...others], 'skip');
      const and = others.length > 0 ? ` and ${plural(others.length, 'other listener', 'other listeners')}` : '';
      const s = others.length > 0 ? '' : 's';
      ctx.progress(
        calls > 0 ? `listener ${p.listener}${and} forward${s} to blue again` : `listener ${p.listener}${and} already forward${s} as before`,
      );
    },
  };
}
