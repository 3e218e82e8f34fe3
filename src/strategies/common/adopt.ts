/**
 * A step's create on its first attempt, sent without looking first. The engine gives a handler what the
 * journal holds of the step (ctx.outputs): a handler records the name it is about to create (fsynced)
 * before the create call, so outputs without it mean no earlier attempt ever sent that call, and a
 * describe could only find nothing. A re-run (the name in outputs) looks and adopts as before.
 *
 * The one way a first attempt meets its name taken is a create the SDK retried after AWS made the resource
 * and the first answer was lost, or something made outside bluegreen under this deployment's name: the
 * answer (`taken`: its error codes) is then handled as a re-run would handle it: `ours` looks, and answers
 * what to adopt when it is this deployment's (by its tags, or by its name where there are none), else false,
 * and the error stands as it is.
 */
import type { StepContext } from '../../engine/types.js';
import { AwsCallError } from '../../errors.js';
import { TAG } from './names.js';

/** The answers that a name is taken, as AWS's wire code and the SDK's exception name give them. */
export const NAME_TAKEN = {
  /** CreateAutoScalingGroup, CreateLaunchConfiguration. */
  autoScaling: ['AlreadyExists', 'AlreadyExistsFault'],
  /** CreateLoadBalancer (classic), when one of that name has other listeners (AWS) or at all (moto). */
  classicElb: ['DuplicateLoadBalancerName', 'DuplicateAccessPointName', 'DuplicateAccessPointNameException'],
} as const;

export async function createOrAdopt<T>(create: () => Promise<T>, taken: readonly string[], ours: () => Promise<T | false>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof AwsCallError) || !taken.includes(error.code)) throw error;
    const found = await ours();
    if (found === false) throw error;
    return found;
  }
}

/** Whether tags (Key/Value, any service's shape) say the resource is this deployment's: its service and deployment id. */
export function taggedOurs(
  ctx: Pick<StepContext, 'service' | 'deploymentId'>,
  tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined,
): boolean {
  const value = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  return value(TAG.service) === ctx.service && value(TAG.deployment) === ctx.deploymentId;
}
