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

/** The role tag value of the instances a release by commands bakes its image from. */
export const BUILDER_ROLE = 'builder';

export type Color = 'blue' | 'green';

/** The three tags of what a deployment makes. */
export interface OwnTags {
  service: string;
  deploymentId: string;
  color: Color;
}

/** Our three tags as Key/Value pairs (ELB, EC2, CloudWatch shape). */
export function ownTags(t: OwnTags): { Key: string; Value: string }[] {
  return [
    { Key: TAG.service, Value: t.service },
    { Key: TAG.deployment, Value: t.deploymentId },
    { Key: TAG.color, Value: t.color },
  ];
}

// ---------------------------------------------------------------- the names bluegreen gives

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `-<color>-<id>` as a RegExp source (unanchored): blue or green (or `colors`), and the 5-character
 * deployment id, captured with `captureId`.
 */
export function colorIdSource(options: { colors?: readonly string[]; captureId?: boolean } = {}): string {
  const id = '[a-z0-9]{5}';
  return `-(?:${(options.colors ?? ['blue', 'green']).join('|')})-${options.captureId ? `(${id})` : id}`;
}

/**
 * `<service>-<color>-<id>` as a RegExp source (unanchored): the name of a stack a deployment made for the
 * service (group, launch, load balancer, image), any of `services` (escaped) followed by colorIdSource.
 */
export function stackNameSource(services: string | readonly string[], options: { colors?: readonly string[]; captureId?: boolean } = {}): string {
  const list = typeof services === 'string' ? [services] : services;
  const service = list.length === 1 ? escapeRegExp(list[0] as string) : `(?:${list.map(escapeRegExp).join('|')})`;
  return `${service}${colorIdSource(options)}`;
}
