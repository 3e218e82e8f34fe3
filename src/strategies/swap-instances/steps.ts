/**
 * The handlers of swap-instances: apply and undo for each step kind, bound to the AWS ports and the
 * remote-command runners.
 *
 * Rules every handler keeps:
 *  - idempotent: finds what an earlier attempt made (instances by ClientToken and deployment tag, the image
 *    and launch copy by name, group membership) and goes on from there;
 *  - journal first: ctx.record() what is about to be made or changed before the mutating call;
 *  - undo works after a partial apply, with things already gone, and twice;
 *  - no secrets (UserData, command output) in outputs.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler, StepRegistry } from '../../engine/types.js';
import { waitUntil, WaitTimeoutError, type Observation } from '../../engine/wait.js';
import { DeploymentError, VerificationError } from '../../errors.js';
import {
  bakeImage,
  gone,
  instancesOf,
  launchInstances,
  membersOf,
  runCommands,
  waitReachable,
  waitRunning,
} from '../common/instance-steps.js';
import type { StrategyServices } from '../types.js';
import { launchConfigurationCopy, launchTemplateSwapCopy, raisedMaxSize } from './builders.js';
import { launchTemplateFromConfiguration } from '../common/builders.js';
import {
  kindOf,
  STEP,
  type AttachInstancesParams,
  type DeregisterOldParams,
  type RaiseMaxSizeParams,
  type RestoreGroupParams,
  type Sizes,
  type SuspendProcessesParams,
  type TerminateOldParams,
  type UpdateLaunchParams,
  type WaitDrainingParams,
  type WaitHealthyParams,
  type WaitRetireParams,
} from './params.js';

export type { OutcomeRecord } from '../common/instance-steps.js';

type Handler<P> = StepHandler<P & JsonObject>;

export function handlers(ports: AwsPorts, services: StrategyServices): StepRegistry {
  const registry: Record<string, StepHandler<any>> = {
    [kindOf(STEP.suspendProcesses)]: suspendProcesses(ports),
    [kindOf(STEP.launchInstances)]: launchInstances(ports),
    [kindOf(STEP.waitRunning)]: waitRunning(ports, STEP.launchInstances),
    [kindOf(STEP.waitReachable)]: waitReachable(ports, services, STEP.launchInstances),
    [kindOf(STEP.runCommands)]: runCommands(ports, services, STEP.launchInstances),
    [kindOf(STEP.bakeImage)]: bakeImage(ports, STEP.launchInstances),
    [kindOf(STEP.raiseMaxSize)]: raiseMaxSize(ports),
    [kindOf(STEP.attachInstances)]: attachInstances(ports),
    [kindOf(STEP.waitHealthy)]: waitHealthy(ports),
    [kindOf(STEP.updateLaunch)]: updateLaunch(ports),
    [kindOf(STEP.waitRetire)]: timedWaitStep('old and new instances to serve together'),
    [kindOf(STEP.deregisterOld)]: deregisterOld(ports),
    [kindOf(STEP.waitDraining)]: timedWaitStep("the old instances' connections to drain"),
    [kindOf(STEP.terminateOld)]: terminateOld(ports),
    [kindOf(STEP.restoreGroup)]: restoreGroup(ports),
  };
  return registry;
}

// ---------------------------------------------------------------- shared

/** The new instances, as launch-instances recorded them. */
function newInstances(ctx: StepContext): string[] {
  return instancesOf(ctx, STEP.launchInstances);
}

async function groupOf(ports: AwsPorts, name: string): Promise<AutoScalingGroup> {
  const g = await ports.groups.describeGroup(name);
  if (!g) throw new DeploymentError(`Auto Scaling group ${name} no longer exists`);
  return g;
}


function sizesOf(g: AutoScalingGroup): Sizes {
  return { MinSize: g.MinSize ?? 0, MaxSize: g.MaxSize ?? 0, DesiredCapacity: g.DesiredCapacity ?? 0 };
}

/**
 * The health of instances in the group and behind every load balancer and target group: done when each
 * is InService in the group, InService in each classic load balancer and healthy in each target group.
 */
async function healthOf(
  ports: AwsPorts,
  p: { group: string; loadBalancers: string[]; targetGroups: string[] },
  ids: string[],
  what: string,
): Promise<Observation> {
  const [g, lbHealth, tgHealth] = await Promise.all([
    ports.groups.describeGroup(p.group),
    Promise.all(p.loadBalancers.map((lb) => ports.classicLoadBalancers.instanceHealth(lb))),
    Promise.all(p.targetGroups.map((arn) => ports.targetGroups.health(arn))),
  ]);
  const inGroup = new Set((g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId));
  const inLbs = lbHealth.map((h) => new Set(h.filter((s) => s.State === 'InService').map((s) => s.InstanceId)));
  const inTgs = tgHealth.map((h) => new Set(h.filter((d) => d.TargetHealth?.State === 'healthy').map((d) => d.Target?.Id)));
  const count = (set: Set<string | undefined>) => ids.filter((id) => set.has(id)).length;
  const ok = ids.filter((id) => inGroup.has(id) && inLbs.every((s) => s.has(id)) && inTgs.every((s) => s.has(id))).length;
  const detail = [
    `${count(inGroup)} in ${p.group}`,
    ...p.loadBalancers.map((lb, i) => `${count(inLbs[i] as Set<string | undefined>)} in ${lb}`),
    ...p.targetGroups.map((arn, i) => `${count(inTgs[i] as Set<string | undefined>)} healthy in ${shortArn(arn)}`),
  ].join(', ');
  return {
    done: ids.length > 0 && ok === ids.length,
    message: `${ok} of ${ids.length} ${what} InService (${detail})`,
    counts: { done: ok, total: ids.length },
  };
}

/** "targetgroup/shop-web/0123abcd" -> "shop-web". */
function shortArn(arn: string): string {
  return arn.match(/targetgroup\/([^/]+)/)?.[1] ?? arn;
}

/**
 * Waits until a time recorded in the outputs under `key` (recorded on the first run, so a resume does not
 * start the wait again), saying how long is left every `intervalSeconds`.
 */
async function waitRecordedTime(ctx: StepContext, key: string, seconds: number, intervalSeconds: number, what: string): Promise<void> {
  let until = ctx.outputs[key] as number | undefined;
  if (until === undefined) {
    until = ctx.clock.now() + seconds * 1000;
    await ctx.record({ [key]: until });
  }
  const end = until;
  const total = Math.max(1, seconds);
  const observe = async (): Promise<Observation> => {
    const left = Math.max(0, Math.ceil((end - ctx.clock.now()) / 1000));
    return left <= 0
      ? { done: true, message: `done waiting for ${what}` }
      : { done: false, message: `${left}s left waiting for ${what}`, counts: { done: total - Math.min(left, total), total } };
  };
  try {
    // The deadline is `until` itself, so the last sleep ends exactly there.
    await waitUntil(ctx, { what, timeoutSeconds: Math.max(0, end - ctx.clock.now()) / 1000, intervalSeconds: Math.max(1, intervalSeconds) }, observe);
  } catch (error) {
    // Reaching the deadline is this wait's success, however the loop saw it.
    if (!(error instanceof WaitTimeoutError) || ctx.clock.now() < end) throw error;
  }
}

async function deregisterEverywhere(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  for (const lb of p.loadBalancers) await ports.classicLoadBalancers.deregisterInstances(lb, ids);
  for (const arn of p.targetGroups) await ports.targetGroups.deregister(arn, ids);
}

async function registerEverywhere(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  for (const lb of p.loadBalancers) await ports.classicLoadBalancers.registerInstances(lb, ids);
  for (const arn of p.targetGroups) await ports.targetGroups.register(arn, ids);
}

// ---------------------------------------------------------------- suspend-processes

function suspendProcesses(ports: AwsPorts): Handler<SuspendProcessesParams> {
  return {
    async apply(ctx, p) {
      let suspended = ctx.outputs.suspended as string[] | undefined;
      if (!suspended) {
        // What was suspended before this deployment stays suspended: only the others are ours to resume.
        const g = await groupOf(ports, p.group);
        const before = (g.SuspendedProcesses ?? []).flatMap((s) => (s.ProcessName ? [s.ProcessName] : []));
        suspended = p.processes.filter((name) => !before.includes(name));
        await ctx.record({ suspendedBefore: before, suspended });
      }
      if (suspended.length > 0) await ports.groups.suspendProcesses(p.group, suspended);
    },
    async undo(ctx, p) {
      const suspended = ctx.outputs.suspended as string[] | undefined;
      if (suspended && suspended.length > 0) await ports.groups.resumeProcesses(p.group, suspended);
    },
  };
}

// ---------------------------------------------------------------- raise-max-size

function raiseMaxSize(ports: AwsPorts): Handler<RaiseMaxSizeParams> {
  return {
    async apply(ctx, p) {
      let original = ctx.outputs.original as Sizes | undefined;
      const g = await groupOf(ports, p.group);
      if (!original) {
        original = sizesOf(g);
        await ctx.record({ original: { ...original } });
      }
      const needed = raisedMaxSize(original, p.count);
      if ((g.MaxSize ?? 0) >= needed) {
        await ctx.record({ maxSize: g.MaxSize ?? 0 });
        return;
      }
      await ctx.record({ maxSize: needed });
      await ports.groups.updateGroup({ AutoScalingGroupName: p.group, MaxSize: needed });
    },
    async undo(ctx, p) {
      const original = ctx.outputs.original as Sizes | undefined;
      if (!original) return;
      const g = await ports.groups.describeGroup(p.group);
      if (!g) return;
      if (g.MaxSize !== original.MaxSize || g.DesiredCapacity !== original.DesiredCapacity) {
        await ports.groups.updateGroup({ AutoScalingGroupName: p.group, MaxSize: original.MaxSize, DesiredCapacity: original.DesiredCapacity });
      }
    },
  };
}

// ---------------------------------------------------------------- attach-instances

function attachInstances(ports: AwsPorts): Handler<AttachInstancesParams> {
  return {
    async apply(ctx, p) {
      const ids = newInstances(ctx);
      if (ids.length === 0) throw new DeploymentError(`no new instance recorded; run the ${STEP.launchInstances} step first`);
      const members = membersOf(await groupOf(ports, p.group));
      const missing = ids.filter((id) => !members.includes(id));
      await ctx.record({ attaching: ids });
      if (missing.length > 0) await ports.groups.attachInstances(p.group, missing);
      // The group registers attached instances itself; registering again is harmless and covers every target.
      await registerEverywhere(ports, p, ids);
      await ctx.record({ attached: ids });
    },
    async undo(ctx, p) {
      const ids = (ctx.outputs.attaching as string[] | undefined) ?? [];
      if (ids.length === 0) return;
      // Instances that served get their connections drained before they leave; unhealthy ones never served.
      if (ctx.outputs.drainUntil === undefined && p.drainingSeconds > 0) {
        if (await anyInService(ports, p, ids)) await ctx.record({ drainUntil: ctx.clock.now() + p.drainingSeconds * 1000 });
      }
      await deregisterEverywhere(ports, p, ids);
      if (ctx.outputs.drainUntil !== undefined) {
        await waitRecordedTime(ctx, 'drainUntil', p.drainingSeconds, Math.min(30, p.drainingSeconds), "the new instances' connections to drain");
      }
      const g = await ports.groups.describeGroup(p.group);
      const inGroup = g ? membersOf(g).filter((id) => ids.includes(id)) : [];
      if (inGroup.length > 0) await ports.groups.detachInstances(p.group, inGroup, true);
    },
  };
}

/** Whether any of `ids` is InService in a classic load balancer or healthy in a target group. */
async function anyInService(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<boolean> {
  for (const lb of p.loadBalancers) {
    if ((await ports.classicLoadBalancers.instanceHealth(lb)).some((h) => h.State === 'InService' && ids.includes(h.InstanceId ?? ''))) return true;
  }
  for (const arn of p.targetGroups) {
    if ((await ports.targetGroups.health(arn)).some((h) => h.TargetHealth?.State === 'healthy' && ids.includes(h.Target?.Id ?? ''))) return true;
  }
  return false;
}

// ---------------------------------------------------------------- wait-healthy

function waitHealthy(ports: AwsPorts): Handler<WaitHealthyParams> {
  return {
    async apply(ctx, p) {
      const ids = newInstances(ctx);
      await waitUntil(
        ctx,
        { what: `${ids.length} new instances to be InService in ${[p.group, ...p.loadBalancers, ...p.targetGroups.map(shortArn)].join(', ')}`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        () => healthOf(ports, p, ids, 'new instances'),
      );
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- update-launch

/** The group's launch before update-launch, as journaled: a template by id (AWS gives it) or, failing that, by name. */
type LaunchSpec = { kind: 'configuration'; name: string } | { kind: 'template'; id?: string; name?: string; version: string };

function launchSpecOf(g: AutoScalingGroup): LaunchSpec | null {
  if (g.LaunchConfigurationName) return { kind: 'configuration', name: g.LaunchConfigurationName };
  const t = g.LaunchTemplate;
  if (t?.LaunchTemplateId) return { kind: 'template', id: t.LaunchTemplateId, version: t.Version ?? '$Default' };
  if (t?.LaunchTemplateName) return { kind: 'template', name: t.LaunchTemplateName, version: t.Version ?? '$Default' };
  return null;
}

function pointsAtCopy(g: AutoScalingGroup, p: UpdateLaunchParams): boolean {
  return p.kind === 'configuration' ? g.LaunchConfigurationName === p.name : g.LaunchTemplate?.LaunchTemplateName === p.name;
}

function updateLaunch(ports: AwsPorts): Handler<UpdateLaunchParams> {
  return {
    async apply(ctx, p) {
      const image = p.image ?? (ctx.outputsOf(STEP.bakeImage).imageId as string | undefined);
      if (!image) throw new DeploymentError(`no image to point ${p.group} at: the ${STEP.bakeImage} step recorded none`);
      const g = await groupOf(ports, p.group);
      if (!('previous' in ctx.outputs) && !pointsAtCopy(g, p)) await ctx.record({ previous: launchSpecOf(g) });

      if (p.kind === 'configuration') {
        if (!(await ports.launch.describeLaunchConfiguration(p.name))) {
          const source = await ports.launch.describeLaunchConfiguration(p.source);
          if (!source) throw new DeploymentError(`launch configuration ${p.source} no longer exists; nothing to copy`);
          await ctx.record({ launchConfiguration: p.name, image });
          await ports.launch.createLaunchConfiguration(launchConfigurationCopy(source, p.name, image));
        }
        await ctx.record({ launchConfiguration: p.name, image });
        if (!pointsAtCopy(g, p)) await ports.groups.updateGroup({ AutoScalingGroupName: p.group, LaunchConfigurationName: p.name });
        return;
      }
      if (p.kind === 'template-from-configuration' && !(await ports.launch.findLaunchTemplate(p.name))) {
        const lc = await ports.launch.describeLaunchConfiguration(p.source);
        if (!lc) throw new DeploymentError(`launch configuration ${p.source} no longer exists; nothing to copy`);
        await ctx.record({ launchTemplate: p.name, image });
        await ports.launch.createLaunchTemplate(launchTemplateFromConfiguration(lc, p.name, image, p.tags));
      } else if (p.kind === 'template' && !(await ports.launch.findLaunchTemplate(p.name))) {
        const source = await ports.launch.describeLaunchTemplateVersion({ id: p.source.id }, String(p.source.version));
        if (!source) throw new DeploymentError(`launch template ${p.source.id} version ${p.source.version} no longer exists; nothing to copy`);
        await ctx.record({ launchTemplate: p.name, image });
        await ports.launch.createLaunchTemplate(launchTemplateSwapCopy(source, p.name, image, ctx.deploymentId, p.tags));
      }
      await ctx.record({ launchTemplate: p.name, image });
      if (!pointsAtCopy(g, p)) {
        await ports.groups.updateGroup({ AutoScalingGroupName: p.group, LaunchTemplate: { LaunchTemplateName: p.name, Version: '1' } });
      }
    },
    async undo(ctx, p) {
      const previous = ctx.outputs.previous as LaunchSpec | null | undefined;
      const g = await ports.groups.describeGroup(p.group);
      if (g && previous && pointsAtCopy(g, p)) {
        await ports.groups.updateGroup(
          previous.kind === 'configuration'
            ? { AutoScalingGroupName: p.group, LaunchConfigurationName: previous.name }
            : {
                AutoScalingGroupName: p.group,
                LaunchTemplate: previous.id
                  ? { LaunchTemplateId: previous.id, Version: previous.version }
                  : { LaunchTemplateName: previous.name, Version: previous.version },
              },
        );
      }
      if (p.kind === 'configuration') await ports.launch.deleteLaunchConfiguration(p.name);
      else await ports.launch.deleteLaunchTemplate(p.name);
    },
  };
}

// ---------------------------------------------------------------- wait-retire, wait-draining

function timedWaitStep(what: string): Handler<WaitRetireParams | WaitDrainingParams> {
  return {
    async apply(ctx, p) {
      await waitRecordedTime(ctx, 'until', p.seconds, p.intervalSeconds, what);
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- deregister-old

function deregisterOld(ports: AwsPorts): Handler<DeregisterOldParams> {
  return {
    async apply(ctx, p) {
      const ids = newInstances(ctx);
      let old = ctx.outputs.old as string[] | undefined;
      if (!old) {
        // Never take the old instances out of service unless every new one serves.
        const health = await healthOf(ports, p, ids, 'new instances');
        if (!health.done) throw new VerificationError(`refusing to deregister the old instances of ${p.group}: ${health.message}`);
        old = membersOf(await groupOf(ports, p.group)).filter((id) => !ids.includes(id));
        await ctx.record({ old });
      }
      await deregisterEverywhere(ports, p, old);
      await ctx.record({ deregistered: old });
    },
    async undo(ctx, p) {
      const old = ctx.outputs.old as string[] | undefined;
      if (!old || old.length === 0) return;
      const described = await ports.instances.describe(old);
      const alive = old.filter((id) => !gone(described.find((i) => i.InstanceId === id)));
      await registerEverywhere(ports, p, alive);
      if (alive.length === 0 || p.loadBalancers.length + p.targetGroups.length === 0) return;
      await waitUntil(
        ctx,
        { what: `the old instances to be InService again in ${[...p.loadBalancers, ...p.targetGroups.map(shortArn)].join(', ')}`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        () => healthOf(ports, p, alive, 'old instances'),
      );
    },
  };
}

// ---------------------------------------------------------------- terminate-old

function terminateOld(ports: AwsPorts): Handler<TerminateOldParams> {
  return {
    async apply(ctx, p) {
      const old = ctx.outputsOf(STEP.deregisterOld).old as string[] | undefined;
      if (!old) throw new DeploymentError(`no old instance recorded; run the ${STEP.deregisterOld} step first`);
      if (!ctx.outputs.terminating) await ctx.record({ terminating: old });
      const g = await groupOf(ports, p.group);
      let desired = g.DesiredCapacity ?? 0;
      for (const i of g.Instances ?? []) {
        if (!i.InstanceId || !old.includes(i.InstanceId) || /^Terminat/.test(i.LifecycleState ?? '')) continue;
        // With decrement: the group neither replaces it nor ends at another capacity. Only when the group
        // had instances that were not InService at plan time (more old than new) would that go below
        // MinSize, which AWS refuses: then the group replaces the instance from the new launch.
        const decrement = desired - 1 >= (g.MinSize ?? 0);
        if (decrement) desired--;
        await ports.groups.terminateInstanceInGroup(i.InstanceId, decrement);
      }
      await waitUntil(ctx, { what: `the old instances to leave ${p.group}`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds }, async () => {
        const left = membersOf(await groupOf(ports, p.group)).filter((id) => old.includes(id)).length;
        return { done: left === 0, message: `${old.length - left} of ${old.length} old instances terminated`, counts: { done: old.length - left, total: old.length } };
      });
    },
    async undo(ctx, p) {
      // Nothing lost: deregister-old's undo puts the old instances back in service.
      const reason = await lostOld(ports, ctx, p);
      if (reason) throw new DeploymentError(reason);
    },
    blocksUndo: (ctx, p) => lostOld(ports, ctx, p),
  };
}

/** Why a rollback cannot restore the old instances (some are terminated or terminating), or undefined. */
async function lostOld(ports: AwsPorts, ctx: StepContext, p: TerminateOldParams): Promise<string | undefined> {
  const old = ctx.outputs.terminating as string[] | undefined;
  if (!old || old.length === 0) return undefined;
  const [described, g] = await Promise.all([ports.instances.describe(old), ports.groups.describeGroup(p.group)]);
  const terminating = new Set((g?.Instances ?? []).filter((i) => /^Terminat/.test(i.LifecycleState ?? '')).map((i) => i.InstanceId));
  const lost = old.filter((id) => gone(described.find((i) => i.InstanceId === id)) || terminating.has(id));
  if (lost.length === 0) return undefined;
  const original = ctx.outputsOf(STEP.raiseMaxSize).original as Sizes | undefined;
  const resume = (ctx.outputsOf(STEP.suspendProcesses).suspended as string[] | undefined) ?? [];
  const fix = [
    ...(original
      ? [`aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${p.group} --min-size ${original.MinSize} --max-size ${original.MaxSize} --desired-capacity ${original.DesiredCapacity}`]
      : []),
    ...(resume.length > 0 ? [`aws autoscaling resume-processes --auto-scaling-group-name ${p.group} --scaling-processes ${resume.join(' ')}`] : []),
  ];
  return (
    `the old instances ${lost.join(', ')} of ${p.group} were terminated by step ${STEP.terminateOld}; rollback cannot bring them back. ` +
    `The new instances (${newInstances(ctx).join(', ')}) keep serving and were left in place.` +
    (fix.length > 0 ? ` To return the group to its sizes and processes, run: ${fix.join(' && ')}; then deploy again if another version is wanted` : '')
  );
}

// ---------------------------------------------------------------- restore-group

function restoreGroup(ports: AwsPorts): Handler<RestoreGroupParams> {
  return {
    async apply(ctx, p) {
      const sizes = (ctx.outputsOf(STEP.raiseMaxSize).original as Sizes | undefined) ?? p.sizes;
      const resume = (ctx.outputsOf(STEP.suspendProcesses).suspended as string[] | undefined) ?? [];
      await ctx.record({ sizes: { ...sizes }, resumed: resume });
      const g = await groupOf(ports, p.group);
      const now = sizesOf(g);
      if (now.MinSize !== sizes.MinSize || now.MaxSize !== sizes.MaxSize || now.DesiredCapacity !== sizes.DesiredCapacity) {
        await ports.groups.updateGroup({ AutoScalingGroupName: p.group, ...sizes });
      }
      if (resume.length > 0) await ports.groups.resumeProcesses(p.group, resume);
    },
    // Nothing to put back: the old instances are gone by now (terminate-old's undo says so), and
    // suspend-processes' undo resumes the processes again, harmlessly.
    async undo() {},
  };
}
