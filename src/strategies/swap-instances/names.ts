/**
 * Deterministic names, tags and tokens of the swap-instances strategy. Everything a deployment makes is
 * named from the service and the deployment id, so a re-run finds what an earlier attempt made.
 */
import { TAG } from '../common/names.js';

export { clientToken, isOwnTagKey, propagatedTags, TAG } from '../common/names.js';

const DEPLOYMENT_ID = /^[a-z0-9]{5}$/;

/**
 * The processes that would fight a swap: AZRebalance moves instances between zones, AlarmNotification and
 * ScheduledActions change the capacity, ReplaceUnhealthy replaces instances while they are deregistered.
 */
export const SWAP_PROCESSES = ['AZRebalance', 'AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy'] as const;

export interface SwapNames {
  /** The launch configuration or launch template the group moves to. */
  launch: string;
  /** The AMI baked from a new instance (commands releases). */
  image: string;
}

export function swapNames(service: string, deploymentId: string): SwapNames {
  if (!DEPLOYMENT_ID.test(deploymentId)) {
    throw new Error(`deployment id must be 5 characters of [a-z0-9], got "${deploymentId}"`);
  }
  const base = `${service}-swap-${deploymentId}`;
  return { launch: base, image: base };
}

/** Our tags on the new instances: which service and deployment made them. */
export function ownInstanceTags(service: string, deploymentId: string): { Key: string; Value: string }[] {
  return [
    { Key: TAG.service, Value: service },
    { Key: TAG.deployment, Value: deploymentId },
  ];
}
