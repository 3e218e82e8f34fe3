/**
 * Capacity around every traffic change of both replica strategies. An idle group's own target tracking or
 * step policies scale it in (it is below any target: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html),
 * so green, held at blue's DesiredCapacity since create-group (MinSize), must still hold blue's capacity
 * now (in the group's units, InService in its front) before any traffic moves; the first traffic step holds
 * blue the same way (MinSize = its DesiredCapacity, journaled as `blueHold`) for as long as it may take
 * traffic back: through wait-retire, until retire-blue or the undo of that first step lets it go. The undo
 * of every traffic step brings blue back to what it held, InService, before traffic returns to it.
 *
 * The front's traffic handlers are wrapped (withCapacity) when their params carry `capacity`; journals of
 * older versions do not, and run as they did.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../../engine/types.js';
import { waitUntil, type Observation } from '../../../engine/wait.js';
import { DeploymentError, VerificationError } from '../../../errors.js';
import type { ReplicaFront } from '../front.js';
import type { RetireBlueCommon } from './retire.js';

export interface CapacityParams {
  /** Green's group. */
  green: string;
  /** Blue's group and its front, as retire-blue names them (how blue's health is read). */
  blue: JsonObject & { group: string };
  /** The first traffic step: it holds blue and journals what it changed (`blueHold`). */
  holdStep: string;
  /** Whether this step is that first one. */
  holds: boolean;
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** What the first traffic step changed of blue: its MinSize before, and the DesiredCapacity it holds. */
export interface BlueHold {
  MinSize: number;
  DesiredCapacity: number;
}

/** The hold the first traffic step journaled, if it ran. */
export function blueHoldOf(ctx: StepContext, holdStep: string | undefined): BlueHold | undefined {
  return holdStep ? (ctx.outputsOf(holdStep).blueHold as BlueHold | undefined) : undefined;
}

/** A front's traffic handler with the capacity checks and blue's hold around it. */
export function withCapacity<P extends JsonObject>(
  inner: StepHandler<P>,
  front: Pick<ReplicaFront, 'green' | 'blue'>,
  ports: AwsPorts,
): StepHandler<P> {
  return {
    ...inner,
    async apply(ctx, p) {
      const capacity = p.capacity as unknown as CapacityParams | undefined;
      if (capacity) {
        // Green first: a refusal leaves blue untouched.
        const blue = await requireGreenCapacity(ports, ctx, front, p, capacity);
        if (capacity.holds) await holdBlue(ports, ctx, capacity, blue);
      }
      await inner.apply(ctx, p);
    },
    async undo(ctx, p) {
      const capacity = p.capacity as unknown as CapacityParams | undefined;
      const hold = capacity ? blueHoldOf(ctx, capacity.holdStep) : undefined;
      if (capacity && hold) await restoreBlueCapacity(ports, ctx, front, capacity, hold);
      await inner.undo(ctx, p);
      if (capacity?.holds && hold) await releaseBlue(ports, capacity.blue.group, hold);
    },
  };
}

/**
 * Journals blue's MinSize and DesiredCapacity (once), then holds MinSize at that DesiredCapacity. `seen`:
 * blue as the green check just described it (no wait since), so it is not described again.
 */
async function holdBlue(ports: AwsPorts, ctx: StepContext, c: CapacityParams, seen: AutoScalingGroup | undefined): Promise<void> {
  let hold = ctx.outputs.blueHold as BlueHold | undefined;
  const blue = seen ?? (await ports.groups.describeGroup(c.blue.group));
  if (!blue) throw new DeploymentError(`blue's group ${c.blue.group} no longer exists`);
  if (!hold) {
    hold = { MinSize: blue.MinSize ?? 0, DesiredCapacity: blue.DesiredCapacity ?? 0 };
    await ctx.record({ blueHold: { ...hold } });
  }
  if ((blue.MinSize ?? 0) < hold.DesiredCapacity) {
    await ports.groups.updateGroup({ AutoScalingGroupName: c.blue.group, MinSize: hold.DesiredCapacity });
  }
}

/** Blue's MinSize back to what it was before the hold (its DesiredCapacity stays where it is). */
export async function releaseBlue(ports: AwsPorts, group: string, hold: BlueHold): Promise<void> {
  const blue = await ports.groups.describeGroup(group);
  if (blue && (blue.MinSize ?? 0) !== hold.MinSize) await ports.groups.updateGroup({ AutoScalingGroupName: group, MinSize: hold.MinSize });
}

/** The units `g` must be raised to for `target` (within MaxSize raised to it), or undefined when it holds them. */
function raise(g: AutoScalingGroup, target: number): { MinSize: number; MaxSize: number; DesiredCapacity: number } | undefined {
  if ((g.DesiredCapacity ?? 0) >= target && (g.MinSize ?? 0) >= target) return undefined;
  return { MinSize: target, MaxSize: Math.max(g.MaxSize ?? 0, target), DesiredCapacity: Math.max(g.DesiredCapacity ?? 0, target) };
}

/**
 * Before traffic moves: green holds blue's DesiredCapacity now, that many units InService in its front. A
 * green whose DesiredCapacity (or held MinSize) is below it (blue grew since, or green shrank) is raised to
 * it and waited for, within health.timeout; a green that holds it but has fewer InService refuses at once
 * (VerificationError: rollback). Green's health (with its description) and blue are read at once; blue as
 * read is returned when nothing was waited for (holdBlue needs no second look), else undefined.
 */
async function requireGreenCapacity(
  ports: AwsPorts,
  ctx: StepContext,
  front: Pick<ReplicaFront, 'green'>,
  p: JsonObject,
  c: CapacityParams,
): Promise<AutoScalingGroup | undefined> {
  const health = front.green(ports, ctx, p);
  const [first, blue] = await Promise.all([health.health(c.green), ports.groups.describeGroup(c.blue.group)]);
  const green = first.group;
  if (!green) throw new DeploymentError(`green's group ${c.green} no longer exists`);
  const target = Math.max(blue?.DesiredCapacity ?? 0, 1);
  const judge = (seen: Observation): Observation => ({
    ...seen,
    done: (seen.counts?.done ?? 0) >= target,
    message: `${seen.message}; ${target} needed (${c.blue.group}'s DesiredCapacity)`,
  });
  const raised = raise(green, target);
  if (!raised || ctx.outputs.greenRaisedTo === undefined) {
    const seen = judge(first);
    if (seen.done) return blue;
    if (!raised) throw new VerificationError(`refusing to move traffic to ${c.green}: ${seen.message}`);
  }
  if (raised) {
    await ctx.record({ greenRaisedTo: target });
    await ports.groups.updateGroup({ AutoScalingGroupName: c.green, ...raised });
  }
  await waitUntil(
    ctx,
    {
      what: `${c.green} to hold ${c.blue.group}'s capacity (${target}) ${health.healthy} in ${health.name} before traffic moves`,
      timeoutSeconds: c.timeoutSeconds,
      intervalSeconds: c.intervalSeconds,
    },
    async () => judge(await health.health(c.green)),
  );
  return undefined;
}

/**
 * Before traffic goes back to blue: blue holds what it held at the first traffic step again (its own
 * policies may have shrunk it, retire-blue's undo restored it), InService in its front, within
 * health.timeout. A blue that is gone is left to the front's undo (it says what it does then).
 */
async function restoreBlueCapacity(ports: AwsPorts, ctx: StepContext, front: Pick<ReplicaFront, 'blue'>, c: CapacityParams, hold: BlueHold) {
  const blue = await ports.groups.describeGroup(c.blue.group);
  if (!blue) return;
  const raised = raise(blue, hold.DesiredCapacity);
  if (raised) await ports.groups.updateGroup({ AutoScalingGroupName: c.blue.group, ...raised });
  const health = front.blue(ports);
  const p = c.blue as unknown as RetireBlueCommon;
  await waitUntil(
    ctx,
    {
      what: `${c.blue.group} to hold ${hold.DesiredCapacity} InService in ${health.name(p)} before traffic goes back to it`,
      timeoutSeconds: c.timeoutSeconds,
      intervalSeconds: c.intervalSeconds,
    },
    async () => {
      const seen = await health.health(p);
      return { ...seen, done: seen.done && (seen.counts?.done ?? 0) >= hold.DesiredCapacity };
    },
  );
}
