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
import type { AwsPorts } from '../../aws/ports.js';
import type { StepContext, StepRegistry } from '../../engine/types.js';
import { waitUntil } from '../../engine/wait.js';
import { DeploymentError, VerificationError } from '../../errors.js';
import { bakeImage, gone, launchInstances, membersOf, runCommands, waitReachable, waitRunning } from '../common/instance-steps.js';
import type { StrategyServices } from '../types.js';
import { raisedMaxSize } from './builders.js';
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
  type WaitDrainingParams,
  type WaitHealthyParams,
  type WaitRetireParams,
} from './params.js';
import {
  anyInService,
  deregisterEverywhere,
  groupOf,
  healthOf,
  newInstances,
  registerEverywhere,
  shortArn,
  sizesOf,
  waitRecordedTime,
  type Handler,
} from './step-support.js';
import { updateLaunch } from './update-launch.js';

export type { OutcomeRecord } from '../common/instance-steps.js';

export function handlers(ports: AwsPorts, services: StrategyServices): StepRegistry {
  return {
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
// ---------------------------------------------------------------- wait-healthy

function waitHealthy(ports: AwsPorts): Handler<WaitHealthyParams> {
  return {
    async apply(ctx, p) {
      const ids = newInstances(ctx);
      await waitUntil(
        ctx,
        {
          what: `${ids.length} new instances to be InService in ${[p.group, ...p.loadBalancers, ...p.targetGroups.map(shortArn)].join(', ')}`,
          timeoutSeconds: p.timeoutSeconds,
          intervalSeconds: p.intervalSeconds,
        },
        () => healthOf(ports, p, ids, 'new instances'),
      );
    },
    async undo() {},
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
        {
          what: `the old instances to be InService again in ${[...p.loadBalancers, ...p.targetGroups.map(shortArn)].join(', ')}`,
          timeoutSeconds: p.timeoutSeconds,
          intervalSeconds: p.intervalSeconds,
        },
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
      await waitUntil(
        ctx,
        { what: `the old instances to leave ${p.group}`, timeoutSeconds: p.timeoutSeconds, intervalSeconds: p.intervalSeconds },
        async () => {
          const left = membersOf(await groupOf(ports, p.group)).filter((id) => old.includes(id)).length;
          return {
            done: left === 0,
            message: `${old.length - left} of ${old.length} old instances terminated`,
            counts: { done: old.length - left, total: old.length },
          };
        },
      );
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
      ? [
          `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${p.group} --min-size ${original.MinSize} --max-size ${original.MaxSize} --desired-capacity ${original.DesiredCapacity}`,
        ]
      : []),
    ...(resume.length > 0 ? [`aws autoscaling resume-processes --auto-scaling-group-name ${p.group} --scaling-processes ${resume.join(' ')}`] : []),
  ];
  return (
    `the old instances ${lost.join(', ')} of ${p.group} were terminated by step ${STEP.terminateOld}; rollback cannot bring them back. ` +
    `The new instances (${newInstances(ctx).join(', ')}) keep serving and were left in place.` +
    (fix.length > 0
      ? ` To return the group to its sizes and processes, run: ${fix.join(' && ')}; then deploy again if another version is wanted`
      : '')
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
