/**
 * The part of create-group that gives green what else blue's group has besides its create request:
 * its warm pool, scheduled actions and notification configurations. Each call creates or replaces by name
 * (warm pool, action name, topic), so a resumed create-group repeats it harmlessly; all of it belongs to
 * green's group and goes with it when create-group is undone.
 */
import type { PutScheduledUpdateGroupActionCommandInput, PutWarmPoolCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../../aws/ports.js';
import type { JsonObject, StepContext } from '../../../engine/types.js';
import { scheduledActionAt } from '../builders.js';

/** create-group's `settings` (absent: blue has none of them, or the journal is of an older version). */
// A type, not an interface: the journal's JSON needs its implicit index signature.
export type GroupSettingsParams = {
  /** PutScheduledUpdateGroupActionCommandInput[] for green, times as ISO strings (scheduledActionAt decides at apply). */
  scheduledActions?: JsonObject[];
  /** One PutNotificationConfiguration per topic. */
  notifications?: { topicArn: string; types: string[] }[];
  /** PutWarmPoolCommandInput for green. */
  warmPool?: JsonObject;
};

export async function copyGroupSettings(
  ports: AwsPorts,
  ctx: Pick<StepContext, 'clock'>,
  group: string,
  s: GroupSettingsParams | undefined,
): Promise<void> {
  if (!s) return;
  if (s.warmPool) await ports.groups.putWarmPool(s.warmPool as unknown as PutWarmPoolCommandInput);
  for (const copy of (s.scheduledActions ?? []) as unknown as PutScheduledUpdateGroupActionCommandInput[]) {
    const input = scheduledActionAt(copy, ctx.clock.now());
    if (input) await ports.groups.putScheduledAction(input);
  }
  for (const n of s.notifications ?? []) await ports.groups.putNotification(group, n.topicArn, n.types);
}
