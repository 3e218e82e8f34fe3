/**
 * The end of both replica strategies: wait-retire (retire.after, and with retire.untilRequestsBelow until
 * blue's front is quiet, the gate alarms watched) and retire-blue (keep, scale to zero, or delete blue).
 * Same rules as every handler: idempotent, journal first, undo after a partial apply and twice.
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepHandler } from '../../../engine/types.js';
import { waitUntil } from '../../../engine/wait.js';
import { DeploymentError } from '../../../errors.js';
import { waitDrainedWatching, type DrainWatch } from '../../common/gates.js';
import { waitGroupGone } from '../../common/group-gone.js';
import { holdEnd, holdWatching } from '../../common/hold.js';
import type { BlueFront } from '../front.js';
import { sizesOf } from './build.js';
import { blueHoldOf, releaseBlue } from './capacity.js';
import { blueRemoved, emptyBlue, restoreBlue, retireAlarms, scaleToZero } from './retire-parts.js';

export { blueRemoved } from './retire-parts.js';

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

// ---------------------------------------------------------------- retire-blue

/** What both replica strategies journal for retire-blue; each adds where blue receives traffic. */
export interface RetireBlueCommon {
  action: 'scale-to-zero' | 'delete' | 'keep';
  group: string;
  /** Blue's launch configuration or template, deleted by `delete` only when an earlier deployment made it. */
  launch: { kind: 'configuration' | 'template'; name: string; own: boolean };
  policies: string[];
  /** The ARNs of blue's policies: `delete` removes them from alarms that other actions keep (absent before). */
  policyArns?: string[];
  alarms: string[];
  timeoutSeconds: number;
  intervalSeconds: number;
  /** delete: how long blue's instances (with their termination hooks), its warm pool and then its group may take to go. */
  deleteTimeoutSeconds: number;
  /** The first traffic step, which held blue's MinSize at its DesiredCapacity (blueHold). Absent in older journals. */
  holdStep?: string;
}

/**
 * retire-blue: keep; scale to zero (scaleToZero: what it changes journaled for undo); or delete: first
 * blue emptied through its termination hooks (emptyBlue, undone like scale-to-zero), then from what
 * depends on others to what they depend on (alarms, policies, the group without ForceDelete, front,
 * launch), after which a rollback is refused (blocksUndo) as soon as anything of blue is gone.
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
      // Blue and, unless journaled, its policies (scaleToZero sets the predictive ones to forecast only) at once.
      const [blue, policies] = await Promise.all([
        ports.groups.describeGroup(p.group),
        ctx.outputs.forecastOnly ? undefined : ports.groups.describePolicies(p.group).catch(() => undefined),
      ]);
      if (!ctx.outputs.blueSizes && blue) await ctx.record({ blueSizes: { ...sizesOf(blue), ...(hold ? { MinSize: hold.MinSize } : {}) } });
      if (p.action === 'scale-to-zero') {
        if (!blue) throw new DeploymentError(`blue's group ${p.group} no longer exists`);
        await scaleToZero(ports, ctx, p.group, blue, policies);
        return;
      }
      await ctx.record({ deleting: true });
      // A group already being deleted (an earlier attempt's call) is only waited for.
      if (blue && !blue.Status) await emptyBlue(ports, ctx, p, blue, policies);
      await retireAlarms(ports, ctx, p);
      for (const policy of p.policies) await ports.groups.deletePolicy(p.group, policy);
      if (!blue?.Status) await ports.groups.deleteGroup(p.group, { force: false });
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
      const edited = (ctx.outputs.editedAlarms ?? {}) as Record<string, string[]>;
      const removed = ctx.outputs.deleted ? ['all of it'] : await blueRemoved(ports, p, edited);
      return removed.length > 0
        ? `blue (${p.group}, ${front.name(p)}) was deleted by retire.action delete (gone: ${removed.join(', ')}); rollback cannot bring it back. Traffic stays on green; deploy again to replace it`
        : undefined;
    },
    async undo(ctx, p) {
      if (p.action === 'keep') return;
      if (p.action === 'delete') {
        const blocked = await this.blocksUndo?.(ctx, p);
        if (blocked) throw new DeploymentError(blocked);
        // Nothing is gone: blue may have been emptied, which is undone as scale-to-zero is.
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
