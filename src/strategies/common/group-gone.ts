/** Waiting for a deleted Auto Scaling group to disappear: shared by retire-blue, undo of create-group and gc. */
import type { AwsPorts } from '../../aws/ports.js';
import type { StepContext } from '../../engine/types.js';
import { waitUntil } from '../../engine/wait.js';

/** How long a deleted group may take to disappear (draining, then termination). */
export const GROUP_DELETE_TIMEOUT_SECONDS = 900;

export async function waitGroupGone(
  ports: Pick<AwsPorts, 'groups'>,
  ctx: Pick<StepContext, 'clock' | 'signal' | 'progress'>,
  group: string,
  timeoutSeconds: number,
  intervalSeconds: number,
): Promise<void> {
  await waitUntil(ctx, { what: `group ${group} to be deleted`, timeoutSeconds, intervalSeconds }, async () => {
    const g = await ports.groups.describeGroup(group);
    return g
      ? { done: false, message: `group ${group} is being deleted (${g.Instances?.length ?? 0} instances left)` }
      : { done: true, message: `group ${group} is deleted` };
  });
}
