/**
 * Deterministic names of the replica-listener strategy: the group, launch configuration or template and
 * alarm copies are named as replica-dns names them (`<service>-<color>-<id>`); green's target group gets a
 * name of at most 32 characters of [A-Za-z0-9-] made from the same parts, so a re-run finds it.
 */
import { type Color, stackNames, TAG } from '../replica-dns/names.js';

export {
  alarmCopyName,
  bakeNames,
  colorOf,
  isOwnStackName,
  otherColor,
  ownTags,
  TAG,
  type BakeNames,
  type Color,
  type OwnTags,
} from '../replica-dns/names.js';

const TARGET_GROUP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
const TARGET_GROUP_MAX = 32;

/**
 * A target group name for the stack: `<service>-<color>-<id>`, the service cut (and any hyphen it then ends
 * with dropped) when the whole would be longer than 32 characters; the color and the deployment id are kept.
 */
export function targetGroupName(service: string, color: Color, deploymentId: string): string {
  const tail = `-${color}-${deploymentId}`;
  const head = service.slice(0, Math.max(1, TARGET_GROUP_MAX - tail.length)).replace(/-+$/, '');
  const name = `${head}${tail}`;
  if (!TARGET_GROUP_NAME.test(name)) throw new Error(`"${name}" is not a valid target group name`);
  return name;
}

export interface ListenerStackNames {
  color: Color;
  group: string;
  /** Launch configuration or launch template. */
  launch: string;
  targetGroup: string;
}

export function listenerStackNames(service: string, color: Color, deploymentId: string): ListenerStackNames {
  const { group, launch } = stackNames(service, color, deploymentId);
  return { color, group, launch, targetGroup: targetGroupName(service, color, deploymentId) };
}

/** Whether a target group was made by this tool for the service: by its name, or by its bluegreen:service tag. */
export function isOwnTargetGroup(service: string, name: string | undefined, tags: ReadonlyArray<{ Key?: string; Value?: string }>): boolean {
  const tagged = tags.some((t) => t.Key === TAG.service && t.Value === service);
  const cut = service.slice(0, TARGET_GROUP_MAX - 12).replace(/-+$/, '');
  const named = !!name && new RegExp(`^(?:${escape(service)}|${escape(cut)})-(?:blue|green)-[a-z0-9]{5}$`).test(name);
  return tagged && named;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
