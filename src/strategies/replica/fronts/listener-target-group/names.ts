/**
 * Names of replica-listener: the group, launch and alarm copies are named as the core names them
 * (`<service>-<color>-<id>`); green's target group gets a name of at most 32 characters of [A-Za-z0-9-]
 * made from the same parts, so a re-run finds it.
 */
import { stackNameSource, TAG, type Color } from '../../../common/names.js';

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

/** Whether a target group was made by this tool for the service: by its name, or by its bluegreen:service tag. */
export function isOwnTargetGroup(service: string, name: string | undefined, tags: ReadonlyArray<{ Key?: string; Value?: string }>): boolean {
  const tagged = tags.some((t) => t.Key === TAG.service && t.Value === service);
  const cut = service.slice(0, TARGET_GROUP_MAX - 12).replace(/-+$/, '');
  const named = !!name && new RegExp(`^${stackNameSource([service, cut])}$`).test(name);
  return tagged && named;
}
