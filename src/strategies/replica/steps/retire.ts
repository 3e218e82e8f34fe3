/**
 * The end of both replica strategies: wait-retire (retire.after, and with retire.untilRequestsBelow until
 * blue's front is quiet, the gate alarms watched) and retire-blue (keep, scale to zero, or delete blue).
 * Same rules as every handler: idempotent, journal first, undo after a partial apply and twice.
 */
import type { AutoScalingGroup, PutScalingPolicyCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../engine/types.js';
import { waitUntil } from '../../../engine/wait.js';
import { DeploymentError } from '../../../errors.js';
import { waitDrainedWatching, type DrainWatch } from '../../common/gates.js';
import { waitGroupGone } from '../../common/group-gone.js';
import { holdEnd, holdWatching } from '../../common/hold.js';
import { toJson } from '../../common/plan-helpers.js';
import { RETIRE_SUSPENDS, scalesOnForecast, scalingPolicyCopy } from '../builders.js';
import type { BlueFront } from '../front.js';
import { blueHoldOf, releaseBlue } from './capacity.js';
import { sizesOf, type Sizes } from './build.js';

type Handler<P> = StepHandler<P & JsonObject>;

// ---------------------------------------------------------------- wait-retire

export interface WaitRetireParams {
  /** gates.alarms, read on every poll: one in ALARM rolls back. Absent in journals of older versions. */
  alarms?: string[];
  seconds: number;
  intervalSeconds: number;
  /**
   * retire.untilRequestsBelow: besides `seconds` (the floor), wait until blue's front got fewer requests
   * (NLB: new flows) than `below` in each of the last `windowMinutes` whole minutes; stop (blue untouched)
   * after `ceilingSeconds` past the floor. Absent: the timer alone.
   */
  drain?: DrainWatch & { ceilingSeconds: number };
}

/** `stopped`: what a drain watch that ran out leaves as it is, and what resume and rollback then do. */
export function waitRetire(ports: AwsPorts, stopped: (minutes: number) => string): Handler<WaitRetireParams> {
  return {
    async apply(ctx, p) {
      const alarms = p.alarms ?? [];
      if (p.drain) {
        // Done once the floor has passed and blue stayed quiet for the whole window. Reaching the ceiling
        // (counted from the floor's end, or from now when a resumed wait begins later; not journaled) stops
        // the deployment with a DeploymentError, not a rollback: blue still serving says nothing against green.
        return waitDrainedWatching(ports, ctx, {
          end: await holdEnd(ctx, { seconds: p.seconds, key: 'until' }),
          intervalSeconds: p.intervalSeconds,
          alarms,
          drain: p.drain,
          stopped: stopped(Math.round(p.drain.ceilingSeconds / 60)),
        });
      }
      await holdWatching(ports, ctx, {
        seconds: p.seconds,
        intervalSeconds: p.intervalSeconds,
        alarms,
        key: 'until',
        doing: 'while waiting to retire blue',
        label: 'before retiring blue',
      });
    },
    async undo() {},
  };
}

// ---------------------------------------------------------------- scale to zero, and back

/**
 * Blue to zero, and nothing left that scales it up again: the processes of RETIRE_SUSPENDS it did not have
 * suspended are suspended; its predictive scaling policies that launch are set to forecast only (suspending
 * no process stops them, and IncreaseMaxCapacity may raise MaxSize: "use forecast only mode", in
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/predictive-scaling-overriding-forecast-capacity.html);
 * then MinSize, MaxSize and DesiredCapacity 0 (a MaxSize of 0 also refuses any SetDesiredCapacity). What it
 * changes is journaled once, before the change, so a resume finds it and undo restores exactly that.
 */
async function scaleToZero(ports: AwsPorts, ctx: StepContext, group: string, blue: AutoScalingGroup): Promise<void> {
  if (!ctx.outputs.suspended) {
    const already = new Set(blue.SuspendedProcesses?.map((s) => s.ProcessName));
    await ctx.record({ suspended: RETIRE_SUSPENDS.filter((name) => !already.has(name)) });
  }
  const suspended = ctx.outputs.suspended as string[];
  if (suspended.length > 0) await ports.groups.suspendProcesses(group, suspended);
  if (!ctx.outputs.forecastOnly) {
    const predictive = (await ports.groups.describePolicies(group)).filter(scalesOnForecast);
    await ctx.record({ forecastOnly: predictive.map((policy) => toJson(scalingPolicyCopy(policy, group, group))) });
  }
  for (const input of ctx.outputs.forecastOnly as unknown as PutScalingPolicyCommandInput[]) {
    await ports.groups.putPolicy({ ...input, PredictiveScalingConfiguration: { ...input.PredictiveScalingConfiguration!, Mode: 'ForecastOnly' } });
  }
  await ports.groups.updateGroup({ AutoScalingGroupName: group, MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
}

/**
 * Undoes scaleToZero: blue's sizes, its predictive policies as they were, and only the processes the
 * retirement suspended (not those the user had suspended). Journals of older versions hold the sizes only.
 * False when blue was never scaled.
 */
async function restoreBlue(ports: AwsPorts, ctx: StepContext, group: string): Promise<boolean> {
  const sizes = ctx.outputs.blueSizes as Sizes | undefined;
  if (!sizes) return false;
  await ports.groups.updateGroup({ AutoScalingGroupName: group, ...sizes });
  for (const input of (ctx.outputs.forecastOnly ?? []) as unknown as PutScalingPolicyCommandInput[]) await ports.groups.putPolicy(input);
  const suspended = (ctx.outputs.suspended ?? []) as string[];
  if (suspended.length > 0) await ports.groups.resumeProcesses(group, suspended);
  return true;
}

// ---------------------------------------------------------------- retire.action delete

/**
 * What of blue a `retire.action: delete` has already removed (empty: nothing yet). Deletion goes alarms,
 * policies, group, then the load balancer or target group and the launch; so while the alarms, the policies
 * and the group (not being deleted) are all there, nothing is lost and a rollback can still return to blue.
 */
export async function blueRemoved(ports: AwsPorts, blue: { group: string; alarms: string[]; policies: string[] }): Promise<string[]> {
  const [group, states, policies] = await Promise.all([
    ports.groups.describeGroup(blue.group),
    blue.alarms.length > 0 ? ports.alarms.states(blue.alarms) : Promise.resolve({} as Record<string, unknown>),
    blue.policies.length > 0 ? ports.groups.describePolicies(blue.group) : Promise.resolve([]),
  ]);
  const present = new Set(policies.map((p) => p.PolicyName));
  return [
    ...blue.alarms.filter((a) => states[a] === undefined).map((a) => `alarm ${a}`),
    ...blue.policies.filter((p) => !present.has(p)).map((p) => `scaling policy ${p}`),
    ...(!group ? [`group ${blue.group}`] : group.Status ? [`group ${blue.group} (${group.Status})`] : []),
  ];
}

// ---------------------------------------------------------------- retire-blue

/** What both replica strategies journal for retire-blue; each adds where blue receives traffic. */
export interface RetireBlueCommon {
  action: 'scale-to-zero' | 'delete' | 'keep';
  group: string;
  /** Blue's launch configuration or template, deleted by `delete` only when an earlier deployment made it. */
  launch: { kind: 'configuration' | 'template'; name: string; own: boolean };
  policies: string[];
  alarms: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
  deleteTimeoutSeconds: number;
  /** The first traffic step, which held blue's MinSize at its DesiredCapacity (blueHold). Absent in older journals. */
  holdStep?: string;
}

/**
 * retire-blue: keep; scale to zero (scaleToZero: what it changes journaled for undo); or delete,
 * from what depends on others to what they depend on (alarms, policies, group, front, launch), after which
 * a rollback is refused (blocksUndo) as soon as anything of blue is gone.
 */
export function retireBlue<P extends RetireBlueCommon>(ports: AwsPorts, front: BlueFront<P>): Handler<P> {
  return {
    async apply(ctx, p) {
      // The first traffic step held blue's MinSize: keep lets it go; the others journal blue's own MinSize.
      const hold = blueHoldOf(ctx, p.holdStep);
      if (p.action === 'keep') {
        if (hold) await releaseBlue(ports, p.group, hold);
        return;
      }
      const blue = await ports.groups.describeGroup(p.group);
      if (!ctx.outputs.blueSizes && blue) await ctx.record({ blueSizes: { ...sizesOf(blue), ...(hold ? { MinSize: hold.MinSize } : {}) } });
      if (p.action === 'scale-to-zero') {
        if (!blue) throw new DeploymentError(`blue's group ${p.group} no longer exists`);
        await scaleToZero(ports, ctx, p.group, blue);
        return;
      }
      await ctx.record({ deleting: true });
      if (p.alarms.length > 0) await ports.alarms.deleteAlarms(p.alarms);
      for (const policy of p.policies) await ports.groups.deletePolicy(p.group, policy);
      await ports.groups.deleteGroup(p.group);
      await waitGroupGone(ports, ctx, p.group, p.deleteTimeoutSeconds, p.intervalSeconds);
      await front.delete(ctx, p);
      if (p.launch.own) {
        if (p.launch.kind === 'configuration') await ports.launch.deleteLaunchConfiguration(p.launch.name);
        else await ports.launch.deleteLaunchTemplate(p.launch.name);
      }
      await ctx.record({ deleted: true });
    },
    async blocksUndo(ctx, p) {
      if (p.action !== 'delete' || !ctx.outputs.deleting) return undefined;
      // Journaled before the first delete call: a crash may have come before AWS removed anything.
      const removed = ctx.outputs.deleted ? ['all of it'] : await blueRemoved(ports, p);
      return removed.length > 0
        ? `blue (${p.group}, ${front.name(p)}) was deleted by retire.action delete (gone: ${removed.join(', ')}); rollback cannot bring it back. Traffic stays on green; deploy again to replace it`
        : undefined;
    },
    async undo(ctx, p) {
      if (p.action === 'keep') return;
      if (p.action === 'delete') {
        const blocked = await this.blocksUndo?.(ctx, p);
        if (blocked) throw new DeploymentError(blocked);
        return; // nothing was touched
      }
      if (!(await restoreBlue(ports, ctx, p.group))) return; // never scaled
      await waitUntil(
        ctx,
        {
          what: `${p.group} to have all its instances InService in ${front.name(p)}`,
          timeoutSeconds: p.timeoutSeconds,
          intervalSeconds: p.intervalSeconds,
        },
        () => front.health(p),
      );
    },
  };
}
