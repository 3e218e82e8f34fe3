/**
 * Tags and tokens every strategy shares: the `bluegreen:*` tag keys this tool owns, the idempotency token
 * of a RunInstances call, and which of a group's tags reach the instances launched beside it.
 */

export const TAG = {
  service: 'bluegreen:service',
  deployment: 'bluegreen:deployment',
  color: 'bluegreen:color',
  /** What an instance is for, when it is not a member of a group (e.g. "builder": launched to bake an image). */
  role: 'bluegreen:role',
} as const;

/** Prefix of every tag key this tool owns; copies drop these and add their own. */
export const TAG_PREFIX = 'bluegreen:';

export function isOwnTagKey(key: string | undefined): boolean {
  return !!key && key.startsWith(TAG_PREFIX);
}

/**
 * The ClientToken of one RunInstances call: the same on every attempt of this deployment, so a retry
 * after a crash returns the instances the first call made (at most 64 characters).
 */
export function clientToken(service: string, deploymentId: string, call: number | string): string {
  return `bluegreen-${service}-${deploymentId}-${call}`;
}

/** The group's tags that reach its instances (PropagateAtLaunch), without AWS's and ours. */
export function propagatedTags(
  tags: ReadonlyArray<{ Key?: string; Value?: string; PropagateAtLaunch?: boolean }> | undefined,
): { Key: string; Value: string }[] {
  return (tags ?? []).flatMap((t) =>
    t.PropagateAtLaunch && t.Key && !t.Key.startsWith('aws:') && !isOwnTagKey(t.Key) ? [{ Key: t.Key, Value: t.Value ?? '' }] : [],
  );
}
