/**
 * Deterministic names and tags of the replica-dns strategy. Everything a deployment creates is named from
 * the service, the color and the deployment id, so a re-run finds what an earlier attempt made.
 */

import { TAG } from '../common/names.js';

export { isOwnTagKey, TAG, TAG_PREFIX } from '../common/names.js';

export type Color = 'blue' | 'green';

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

export interface StackNames {
  color: Color;
  group: string;
  launch: string; // launch configuration or launch template
  loadBalancer: string;
}

export function stackNames(service: string, color: Color, deploymentId: string): StackNames {
  if (!DEPLOYMENT_ID.test(deploymentId)) {
    throw new Error(`deployment id must be 5 characters of [a-z0-9], got "${deploymentId}"`);
  }
  const base = `${service}-${color}-${deploymentId}`;
  if (!CLASSIC_ELB_NAME.test(base)) {
    throw new Error(
      `"${base}" is not a valid classic load balancer name (at most 32 letters, digits and hyphens, no hyphen at either end); the service name must be at most 20 characters`,
    );
  }
  return { color, group: base, launch: base, loadBalancer: base };
}

/**
 * What a release by commands makes before green: the builder instance (its Name tag), the image baked from
 * it (`<service>-<color>-<id>`, the stack's name), and the role tag the builder carries.
 */
export interface BakeNames {
  builder: string;
  image: string;
}

export const BUILDER_ROLE = 'builder';

export function bakeNames(stack: StackNames): BakeNames {
  return { builder: `${stack.group}-builder`, image: stack.group };
}

/** `${service}-${color}-${id}-` as a pattern: the prefix of a name an earlier deployment made. */
function ownPrefix(service: string): RegExp {
  return new RegExp(`^${escapeRegExp(service)}-(?:blue|green)-[a-z0-9]{5}-`);
}

/** Whether `name` is exactly a stack name this tool made for the service (group, LB, launch config/template). */
export function isOwnStackName(service: string, name: string | undefined): boolean {
  return !!name && new RegExp(`^${escapeRegExp(service)}-(?:blue|green)-[a-z0-9]{5}$`).test(name);
}

/** An alarm copy's name: the stack prefix plus the original's name without an earlier copy's prefix. */
export function alarmCopyName(service: string, color: Color, deploymentId: string, name: string): string {
  return `${service}-${color}-${deploymentId}-${name.replace(ownPrefix(service), '')}`;
}

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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
