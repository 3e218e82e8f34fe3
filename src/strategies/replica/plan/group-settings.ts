/**
 * What else of blue's group green gets at create-group (scheduled actions, warm pool, notification
 * configurations; the group settings are in groupCopy), and what it does not get, each said in one plan
 * warning with the reason. Pure.
 */
import { toJson } from '../../common/plan-helpers.js';
import { notificationCopies, scheduledActionCopy, warmPoolCopy } from '../builders.js';
import type { GroupSettingsParams } from '../steps/group-settings.js';
import type { PlanContext } from './context.js';

export function planGroupSettings(ctx: PlanContext): { settings?: GroupSettingsParams; warnings: string[] } {
  const blue = ctx.observed.blue;
  const green = ctx.green.group;
  const scheduledActions = (blue.scheduledActions ?? []).map((a) => toJson(scheduledActionCopy(a, green)));
  const notifications = notificationCopies(blue.notifications ?? []);
  const warmPool = warmPoolCopy(blue.group, green);
  const settings: GroupSettingsParams = {
    ...(scheduledActions.length > 0 ? { scheduledActions } : {}),
    ...(notifications.length > 0 ? { notifications } : {}),
    ...(warmPool ? { warmPool: toJson(warmPool) } : {}),
  };
  return { ...(Object.keys(settings).length > 0 ? { settings } : {}), warnings: notCopied(ctx) };
}

/** One line for each thing of blue's group that green does not get as blue has it, and why. */
function notCopied(ctx: PlanContext): string[] {
  const g = ctx.observed.blue.group;
  const blue = g.AutoScalingGroupName;
  const green = ctx.green.group;
  const action = ctx.config.retire.action;
  const lattice = (g.TrafficSources ?? []).filter((t) => t.Type === 'vpc-lattice').flatMap((t) => (t.Identifier ? [t.Identifier] : []));
  const protection = g.DeletionProtection && g.DeletionProtection !== 'none' ? g.DeletionProtection : undefined;
  return [
    ...(lattice.length > 0
      ? [
          `blue's group ${blue} receives traffic from VPC Lattice (TrafficSources ${lattice.join(', ')}): green is not attached to it, since Lattice would send green requests before it is proven healthy and before the switch; Lattice clients stay on blue${action === 'keep' ? '' : ` and get no answer once retire.action ${action} retires it`}: attach green after the switch (aws autoscaling attach-traffic-sources --auto-scaling-group-name ${green} --traffic-sources ${lattice.map((id) => `Identifier=${id},Type=vpc-lattice`).join(' ')})`,
        ]
      : []),
    ...(protection
      ? [
          `blue's group ${blue} has DeletionProtection ${protection}: green is created without it, because a rollback deletes green and stays possible while blue exists (retire.action ${action}); set it on green when you no longer need one: aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${green} --deletion-protection ${protection}`,
        ]
      : []),
    ...(g.CapacityReservationSpecification?.CapacityReservationPreference === 'capacity-reservations-only'
      ? [
          `blue's group ${blue} launches into capacity reservations only (CapacityReservationSpecification): green gets the same, so the reservations need room for green's instances beside blue's, or green cannot launch and the deployment rolls back`,
        ]
      : []),
  ];
}
