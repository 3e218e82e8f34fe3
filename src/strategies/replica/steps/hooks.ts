/**
 * Green's launch lifecycle hooks during wait-healthy. Copied from blue, they hold each new instance in
 * Pending:Wait until something completes the hook or its heartbeat timeout runs out (an hour by default,
 * then the hook's DefaultResult): https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html.
 * Whatever completes them for blue usually filters on blue's group, so with hooks.launching wait the
 * progress says how many instances wait and for which hook; with complete, bluegreen completes each with
 * CONTINUE for green's waiting instances (journaled first, as `completedHooks`).
 */
import type { AwsPorts } from '../../../aws/ports.js';
import type { StepContext } from '../../../engine/types.js';
import type { Observation } from '../../../engine/wait.js';

/** "hook warmup", "hooks warmup, register". */
export const hookWords = (hooks: string[]) => `${hooks.length === 1 ? 'hook' : 'hooks'} ${hooks.join(', ')}`;

/** The observation of green's health, with what its launch hooks hold (and, to complete, their completion). */
export async function withLaunchHooks(
  ports: AwsPorts,
  ctx: StepContext,
  p: { group: string; launchHooks?: string[]; completeHooks?: boolean },
  seen: Observation,
): Promise<Observation> {
  const hooks = p.launchHooks ?? [];
  if (hooks.length === 0 || seen.done) return seen;
  const g = await ports.groups.describeGroup(p.group);
  const waiting = (g?.Instances ?? []).flatMap((i) => (i.LifecycleState === 'Pending:Wait' && i.InstanceId ? [i.InstanceId] : []));
  if (waiting.length === 0) return seen;
  if (!p.completeHooks) return { ...seen, message: `${seen.message}; ${waiting.length} in Pending:Wait for ${hookWords(hooks)}` };
  const completed = (ctx.outputs.completedHooks as string[] | undefined) ?? [];
  await ctx.record({ completedHooks: [...new Set([...completed, ...waiting])] });
  for (const id of waiting) for (const hook of hooks) await ports.groups.completeLifecycleAction(p.group, hook, id, 'CONTINUE');
  return { ...seen, message: `${seen.message}; completed ${hookWords(hooks)} (CONTINUE) for ${waiting.length} in Pending:Wait` };
}
