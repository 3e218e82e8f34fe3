/**
 * Deterministic names of the replica strategies. Everything a deployment creates is named from the
 * service, the color and the deployment id (`<service>-<color>-<id>`), so a re-run finds what an earlier
 * attempt made. Each front adds the name of green's front (classic load balancer, target group).
 */
import { stackNameSource, TAG, type Color } from '../common/names.js';

export { ownTags, type Color, type OwnTags } from '../common/names.js';

const DEPLOYMENT_ID = /^[a-z0-9]{5}$/;
const CLASSIC_ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

/** The color of a live group: its bluegreen:color tag; untagged (a stack made by hand or IaC) counts as blue. */
export function colorOf(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Color {
  const value = tags?.find((t) => t.Key === TAG.color)?.Value;
  return value === 'green' ? 'green' : 'blue';
}

/** The names of one side's group and launch (configuration or template). */
export interface ReplicaNames {
  color: Color;
  group: string;
  launch: string;
}

/**
 * `<service>-<color>-<id>` for the group and the launch. The name must also be a valid classic load
 * balancer name (at most 32 characters), which limits the service name to 20 characters.
 */
export function replicaNames(service: string, color: Color, deploymentId: string): ReplicaNames {
  if (!DEPLOYMENT_ID.test(deploymentId)) {
    throw new Error(`deployment id must be 5 characters of [a-z0-9], got "${deploymentId}"`);
  }
  const base = `${service}-${color}-${deploymentId}`;
  if (!CLASSIC_ELB_NAME.test(base)) {
    throw new Error(
      `"${base}" is not a valid classic load balancer name (at most 32 letters, digits and hyphens, no hyphen at either end); the service name must be at most 20 characters`,
    );
  }
  return { color, group: base, launch: base };
}

/**
 * What a release by commands makes before green: the builder instance (its Name tag) and the image baked
 * from it (`<service>-<color>-<id>`, the stack's name).
 */
export interface BakeNames {
  builder: string;
  image: string;
}

export function bakeNames(stack: Pick<ReplicaNames, 'group'>): BakeNames {
  return { builder: `${stack.group}-builder`, image: stack.group };
}

/** Whether `name` is exactly a stack name this tool made for the service (group, LB, launch config/template). */
export function isOwnStackName(service: string, name: string | undefined): boolean {
  return !!name && new RegExp(`^${stackNameSource(service)}$`).test(name);
}

/** An alarm copy's name: the stack prefix plus the original's name without an earlier copy's prefix. */
export function alarmCopyName(service: string, color: Color, deploymentId: string, name: string): string {
  return `${service}-${color}-${deploymentId}-${name.replace(new RegExp(`^${stackNameSource(service)}-`), '')}`;
}
