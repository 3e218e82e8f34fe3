/**
 * The handlers of replica-listener: apply and undo for each step kind, bound to the AWS ports.
 *
 * Rules every handler keeps (as replica-dns's):
 *  - idempotent: look the resource up by its deterministic name and adopt it when an earlier attempt made it;
 *  - journal first: ctx.record() what is about to be made or changed before the mutating call;
 *  - undo works after a partial apply, with resources already gone, and twice;
 *  - no secrets (UserData...) in outputs.
 */
import type { Action, CreateTargetGroupCommandInput, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler, StepRegistry } from '../../engine/types.js';
import { waitUntil, type Observation } from '../../engine/wait.js';
import { AwsCallError, DeploymentError, VerificationError } from '../../errors.js';
import { checkAlarms, runHttpCheck, waitDrainedWatching } from '../common/gates.js';
import { holdEnd, holdWatching } from '../common/hold.js';
import { httpGet, type HttpGet } from '../common/http.js';
import { bakeImage, launchInstances, runCommands, terminateInstances, waitReachable, waitRunning } from '../common/instance-steps.js';
import { copyAlarms, copyScalingPolicies, createGroup, createLaunch, retireBlue } from '../replica-dns/replica-steps.js';
import type { StrategyServices } from '../types.js';
import { forwardsTo, sameTraffic, sendable, swapTargetGroupDimension, targetGroupDimension, trafficActions } from './builders.js';
import {
  kindOf,
  SHIFT_TRAFFIC,
  STEP,
  toJson,
  type CheckHttpParams,
  type CopyListenerAlarmsParams,
  type CopyListenerPoliciesParams,
  type CreateListenerGroupParams,
  type CreateTargetGroupParams,
  type RetireBlueParams,
  type ShiftTrafficParams,
  type TargetGroupRef,
  type WaitHealthyParams,
  type WaitRetireParams,
} from './plan.js';

type Handler<P> = StepHandler<P & JsonObject>;

/** `http`: the GET of the HTTP gates (tests pass a fake; the default is the real one). */
export function handlers(ports: AwsPorts, services: StrategyServices, http: HttpGet = httpGet): StepRegistry {
  const registry: Record<string, StepHandler<any>> = {
    // Release by commands: the builder's steps, shared with the other strategies.
    [kindOf(STEP.launchBuilder)]: launchInstances(ports),
    [kindOf(STEP.waitRunning)]: waitRunning(ports, STEP.launchBuilder),
    [kindOf(STEP.waitReachable)]: waitReachable(ports, services, STEP.launchBuilder),
    [kindOf(STEP.runCommands)]: runCommands(ports, services, STEP.launchBuilder),
    [kindOf(STEP.bakeImage)]: bakeImage(ports, STEP.launchBuilder),
    [kindOf(STEP.terminateBuilder)]: terminateInstances(ports, STEP.launchBuilder),
    [kindOf(STEP.createLaunch)]: createLaunch(ports, STEP.bakeImage),
    [kindOf(STEP.createTargetGroup)]: createTargetGroup(ports),
    [kindOf(STEP.createGroup)]: createGroupInTargetGroup(ports),
    [kindOf(STEP.copyScalingPolicies)]: copyPoliciesToGreenTargetGroup(ports),
    [kindOf(STEP.copyAlarms)]: copyAlarmsToGreenTargetGroup(ports),
    [kindOf(STEP.waitHealthy)]: waitHealthy(ports),
    [kindOf(STEP.checkHttp)]: checkHttp(ports, http),
    [kindOf(STEP.switchListener)]: shiftTraffic(ports),
    [kindOf(SHIFT_TRAFFIC)]: shiftTraffic(ports),
    [kindOf(STEP.waitRetire)]: waitRetire(ports),
    [kindOf(STEP.retireBlue)]: retireBlueStack(ports),
  };
  return registry;
}

// ---------------------------------------------------------------- green's target group

/** Green's target group ARN, from the outputs of the step that made it; a DeploymentError when it has not run. */
function greenTargetGroupArn(ctx: StepContext, p: TargetGroupRef): string {
  const arn = ctx.outputsOf(p.targetGroupStep).targetGroupArn;
  if (typeof arn !== 'string' || !arn) {
    throw new DeploymentError(`green's target group ${p.targetGroup} is not known: the ${p.targetGroupStep} step recorded none; run it first`);
  }
  return arn;
}

/** Counts a group's InService instances that are also healthy in the target group. */
async function healthOf(ports: AwsPorts, group: string, targetGroupArn: string, targetGroup: string): Promise<Observation> {
  const [g, health] = await Promise.all([ports.groups.describeGroup(group), ports.targetGroups.health(targetGroupArn)]);
  if (!g) return { done: false, message: `group ${group} does not exist` };
  const desired = g.DesiredCapacity ?? 0;
  const healthy = new Set(health.filter((h) => h.TargetHealth?.State === 'healthy').map((h) => h.Target?.Id));
  const n = (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && healthy.has(i.InstanceId)).length;
  return {
    done: desired > 0 && n >= desired,
    message: `${n} of ${desired} instances InService and healthy in ${targetGroup}`,
    counts: { done: n, total: desired },
  };
}

// ---------------------------------------------------------------- create-target-group

function createTargetGroup(ports: AwsPorts): Handler<CreateTargetGroupParams> {
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

// ---------------------------------------------------------------- create-group, copy-scaling-policies, copy-alarms

/** replica-dns's create-group, with green's target group (known once create-target-group ran) in the input. */
function createGroupInTargetGroup(ports: AwsPorts): Handler<CreateListenerGroupParams> {
  const inner = createGroup(ports);
  return {
    async apply(ctx, p) {
      const arn = greenTargetGroupArn(ctx, p);
      await inner.apply(ctx, { ...p, input: { ...p.input, TargetGroupARNs: [arn] } });
    },
    undo: (ctx, p) => inner.undo(ctx, p),
  };
}

/** replica-dns's copy of the policies, with blue's target group in resource labels (ALBRequestCountPerTarget) made green's. */
function copyPoliciesToGreenTargetGroup(ports: AwsPorts): Handler<CopyListenerPoliciesParams> {
  const inner = copyScalingPolicies(ports);
  return {
    async apply(ctx, p) {
      const green = targetGroupDimension(greenTargetGroupArn(ctx, p));
      await inner.apply(ctx, { ...p, policies: swapTargetGroupDimension(p.policies, p.blueTargetGroupDimension, green) });
    },
    undo: (ctx, p) => inner.undo(ctx, p),
  };
}

/** replica-dns's copy of the alarms, with blue's TargetGroup dimension made green's. */
function copyAlarmsToGreenTargetGroup(ports: AwsPorts): Handler<CopyListenerAlarmsParams> {
  const inner = copyAlarms(ports, STEP.copyScalingPolicies);
  return {
    async apply(ctx, p) {
      const green = targetGroupDimension(greenTargetGroupArn(ctx, p));
      await inner.apply(ctx, { ...p, alarms: swapTargetGroupDimension(p.alarms, p.blueTargetGroupDimension, green) });
    },
    undo: (ctx, p) => inner.undo(ctx, p),
  };
}

// ---------------------------------------------------------------- wait-healthy

function waitHealthy(ports: AwsPorts): Handler<WaitHealthyParams> {
  return {
    async apply(ctx, p) {
      const arn = greenTargetGroupArn(ctx, p);
      await waitUntil(
        ctx,
        { what: `${p.group} to have all its instances InService and healthy in ${p.targetGroup}`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        () => healthOf(ports, p.group, arn, p.targetGroup),
      );
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- check-http

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

function checkHttp(ports: AwsPorts, http: HttpGet): Handler<CheckHttpParams> {
  return {
    async apply(ctx, p) {
      const targets = await healthyTargets(ports, greenTargetGroupArn(ctx, p));
      if (targets.length === 0) throw new VerificationError(`green's target group ${p.targetGroup} has no healthy target to check over HTTP`);
      // Journal: per check and target only its index in gates.http, the target, the last status and the tries (never a body).
      const results: JsonObject[] = [];
      for (const [index, check] of p.checks.entries()) {
        for (const target of targets) {
          const { result, failure } = await runHttpCheck(ctx, http, check, target.address, index);
          results.push({ ...result, target: target.id });
          await ctx.record({ http: results.map((r) => ({ ...r })) });
          if (failure) throw new VerificationError(`${failure.message} (target ${target.id} of ${p.targetGroup})`);
        }
      }
    },
    async undo() {},
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

function shiftTraffic(ports: AwsPorts): Handler<ShiftTrafficParams> {
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
      if (p.percent < 100 && p.holdSeconds > 0) {
        await holdWatching(ports, ctx, {
          seconds: p.holdSeconds,
          intervalSeconds: p.intervalSeconds,
          alarms: p.alarms,
          key: 'holdUntil',
          doing: `while holding ${p.percent}% of requests on green`,
          label: `of the ${p.percent}% hold`,
        });
      }
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

// ---------------------------------------------------------------- wait-retire

function waitRetire(ports: AwsPorts): Handler<WaitRetireParams> {
  return {
    async apply(ctx, p) {
      const alarms = p.alarms ?? [];
      if (p.drain) {
        const end = await holdEnd(ctx, { seconds: p.seconds, key: 'until' });
        await waitDrainedWatching(ports, ctx, {
          end,
          intervalSeconds: p.intervalSeconds,
          alarms,
          drain: p.drain,
          stopped: `blue is untouched and the listener stays on green. A resume watches for up to ${Math.round(p.drain.ceilingSeconds / 60)} minutes more; a rollback forwards the listener back to blue`,
        });
        return;
      }
      await holdWatching(ports, ctx, { seconds: p.seconds, intervalSeconds: p.intervalSeconds, alarms, key: 'until', doing: 'while waiting to retire blue', label: 'before retiring blue' });
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- retire-blue

function retireBlueStack(ports: AwsPorts): Handler<RetireBlueParams> {
  return retireBlue<RetireBlueParams>(ports, {
    name: (p) => `target group ${p.targetGroup.name}`,
    delete: async (ctx, p) => {
      if (p.targetGroup.own) await deleteUnusedTargetGroup(ports, ctx, p);
    },
    health: (p) => healthOf(ports, p.group, p.targetGroup.arn, p.targetGroup.name),
  });
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
