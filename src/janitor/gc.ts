/**
 * The janitor's doing: deletes what planGc said to remove, in its order (oldest deployment first; within a
 * deployment users before what they use), one resource at a time, each through the port that owns it.
 * Every delete succeeds when the resource is already gone, so a run stopped by a failure is continued by
 * running gc again.
 */
import type { AwsPorts } from '../aws/ports.js';
import type { Clock } from '../engine/clock.js';
import { describeError } from '../engine/runner.js';
import { GROUP_DELETE_TIMEOUT_SECONDS, waitGroupGone } from '../strategies/common/group-gone.js';
import { DeploymentError } from '../errors.js';
import type { Leftover } from './plan.js';

export interface DeleteOptions {
  clock: Clock;
  signal: AbortSignal;
  /** Told before each deletion (index from 1). */
  onDeleting?: (resource: Leftover, index: number, total: number) => void;
  /** Told after each deletion. */
  onDeleted?: (resource: Leftover, index: number, total: number) => void;
  /** Told of what a wait sees (a group being deleted). */
  onProgress?: (resource: Leftover, message: string) => void;
  /** The command that continues after a failure, for the message: "bluegreen gc -c shop.yml --yes". */
  again: string;
  /** How long a group may take to go (its instances terminate first). Default GROUP_DELETE_TIMEOUT_SECONDS, polled every 5 s. */
  groupTimeoutSeconds?: number;
  intervalSeconds?: number;
}

export { GROUP_DELETE_TIMEOUT_SECONDS };
export const GROUP_DELETE_INTERVAL_SECONDS = 5;

/** "auto scaling group shop-blue-k3x9a", "image ami-0123...": a leftover as people read it. */
export function describeLeftover(r: Pick<Leftover, 'type' | 'name'>): string {
  return `${r.type.replace(/-/g, ' ')} ${r.name}`;
}

type DeletePorts = Pick<AwsPorts, 'instances' | 'alarms' | 'groups' | 'classicLoadBalancers' | 'targetGroups' | 'launch' | 'images'>;

/** Deletes one leftover (and for a group, waits until AWS has removed it). Idempotent. */
export async function deleteLeftover(r: Leftover, ports: DeletePorts, options: DeleteOptions): Promise<void> {
  switch (r.type) {
    case 'instance':
      // Found by the inventory, so EC2 knows it: a NotFound now means it is gone.
      await ports.instances.terminate([r.name]);
      return;
    case 'alarm':
      return ports.alarms.deleteAlarms([r.name]);
    case 'auto-scaling-group': {
      // ForceDelete (the port's default), unlike retire.action delete: a leftover's termination hooks are
      // copies of blue's, whose consumers complete actions for blue's group name only, so each instance would
      // wait out the heartbeat (3600 s by default: HeartbeatTimeout in
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html).
      await ports.groups.deleteGroup(r.name);
      const ctx = { clock: options.clock, signal: options.signal, progress: (message: string) => options.onProgress?.(r, message) };
      return waitGroupGone(
        ports,
        ctx,
        r.name,
        options.groupTimeoutSeconds ?? GROUP_DELETE_TIMEOUT_SECONDS,
        options.intervalSeconds ?? GROUP_DELETE_INTERVAL_SECONDS,
      );
    }
    case 'load-balancer':
      return ports.classicLoadBalancers.delete(r.name);
    case 'target-group':
      return ports.targetGroups.delete(r.arn ?? r.name);
    case 'launch-configuration':
      return ports.launch.deleteLaunchConfiguration(r.name);
    case 'launch-template':
      return ports.launch.deleteLaunchTemplate(r.name);
    case 'image':
      // Deregisters it, then deletes the snapshots behind it.
      return ports.images.deleteImage(r.name);
    case 'snapshot':
      // A snapshot whose image is gone (the inventory holds those behind an image).
      return ports.images.deleteSnapshot(r.name);
  }
}

/**
 * Deletes each leftover in order. A failure stops the run with a DeploymentError naming the resource, what
 * was deleted before it, and the command that continues (deleting is idempotent).
 */
export async function deleteLeftovers(remove: readonly Leftover[], ports: DeletePorts, options: DeleteOptions): Promise<number> {
  for (const [i, r] of remove.entries()) {
    options.onDeleting?.(r, i + 1, remove.length);
    try {
      options.signal.throwIfAborted();
      await deleteLeftover(r, ports, options);
    } catch (error) {
      const why = options.signal.aborted ? `interrupted (${describeError(options.signal.reason)})` : describeError(error);
      throw new DeploymentError(
        `gc stopped at ${describeLeftover(r)}${r.deploymentId ? ` (deployment ${r.deploymentId})` : ''}: ${why}. ` +
          `${i} of ${remove.length} resources were deleted before it; fix the cause and run \`${options.again}\` to go on (what is gone is skipped).`,
        { cause: error, next: options.again },
      );
    }
    options.onDeleted?.(r, i + 1, remove.length);
  }
  return remove.length;
}
