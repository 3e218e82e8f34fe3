/**
 * settle-green: what green gets from blue only once it serves (after the last traffic step). Blue's
 * suspension of Launch, AddToLoadBalancer or HealthCheck, copied when green is made, keeps green from ever
 * becoming healthy (no instances, none in its load balancer, none checked):
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/understand-how-suspending-processes-affects-other-processes.html.
 * create-group suspends the others at once. And green's MinSize, held at blue's DesiredCapacity since
 * create-group (idle, its copied policies would scale it in before traffic arrives), goes back to blue's.
 * Pure.
 */
import { asJson, plural } from '../../common/plan-helpers.js';
import type { SettleGreenParams } from '../steps/settle.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, type PlanContext, type Planned } from './context.js';

/** The processes green suspends only after the switch. */
export const AFTER_SWITCH_PROCESSES: readonly string[] = ['Launch', 'AddToLoadBalancer', 'HealthCheck'];

/** Blue's suspended processes, in its order. */
export function blueSuspended(ctx: Pick<PlanContext, 'observed'>): string[] {
  return ctx.observed.blue.group.SuspendedProcesses?.flatMap((p) => (p.ProcessName ? [p.ProcessName] : [])) ?? [];
}

/** What create-group suspends on green: blue's suspended processes but those that wait for the switch. */
export function suspendedAtCreate(ctx: Pick<PlanContext, 'observed'>): string[] {
  return blueSuspended(ctx).filter((p) => !AFTER_SWITCH_PROCESSES.includes(p));
}

export function planSettleGreen(ctx: PlanContext): Planned {
  const blue = ctx.observed.blue.group.AutoScalingGroupName;
  const suspended = blueSuspended(ctx);
  const later = suspended.filter((p) => AFTER_SWITCH_PROCESSES.includes(p));
  const warnings =
    suspended.length === 0
      ? []
      : [
          `blue ${blue} has ${plural(suspended.length, 'process', 'processes')} suspended (${suspended.join(', ')}); green gets ${suspended.length === 1 ? 'it' : 'them'} too${later.length > 0 ? `, ${later.join(', ')} only after the switch (suspended before, green could never become healthy)` : ''}`,
        ];
  const { green } = ctx;
  const min = ctx.observed.blue.group.MinSize ?? 0;
  const desired = ctx.observed.blue.group.DesiredCapacity ?? 0;
  // create-group held green's MinSize at blue's DesiredCapacity: the switch is in sync, green scales as blue does.
  const params: SettleGreenParams = { group: green.group, suspend: later, minSize: min, groupStep: REPLICA_STEP.createGroup };
  const suspend = later.length > 0 ? `; suspend ${later.join(', ')} as ${blue} has ${later.length === 1 ? 'it' : 'them'}` : '';
  const settle = step(ctx, REPLICA_STEP.settleGreen, {
    title: `Let ${green.group} scale as ${blue} does, now that it serves: MinSize back to ${blue}'s${suspend}`,
    params: asJson(params),
    changes: [
      ...(min < desired ? [{ what: `MinSize of ${green.group}`, from: `${desired} (held since create-group)`, to: String(min) }] : []),
      ...(later.length > 0 ? [{ what: `processes of ${green.group}`, from: 'as they are', to: `${later.join(', ')} suspended` }] : []),
    ],
  });
  return { steps: [settle], warnings };
}
