/**
 * The janitor's decision, apart from its doing: what `bluegreen gc` deletes of what carries the service's
 * `bluegreen:*` tags (or names), and what it keeps and why. Pure; the inventory and the protections come
 * from the caller (AWS reads, the live stack, the journal).
 *
 * A deployment's resources live and die together: one protected resource (the live group, the group a
 * rollback would return to, anything of a deployment in progress) protects everything of its deployment.
 * What cannot be tied to a deployment is kept: the janitor deletes only what it can account for.
 */

/** What gc can find and delete, in the order it deletes a deployment's remains (users before what they use). */
export const LEFTOVER_TYPES = [
  'instance',
  'alarm',
  'auto-scaling-group',
  'load-balancer',
  'target-group',
  'launch-configuration',
  'launch-template',
  'image',
  'snapshot',
] as const;
export type LeftoverType = (typeof LEFTOVER_TYPES)[number];

export interface Leftover {
  type: LeftoverType;
  /** What people read and the delete call takes: a name, or an id for instances and images. */
  name: string;
  /** The ARN of a target group (its delete call takes it); absent otherwise. */
  arn?: string;
  /** The deployment that made it (bluegreen:deployment tag, or its name); absent: unknown. */
  deploymentId?: string;
  /** When AWS says it was made (ISO 8601); absent: unknown. */
  createdAt?: string;
  /** The AWS call that found it ("tag:GetResources", "autoscaling:DescribeAutoScalingGroups", ...). */
  foundBy?: string;
  /**
   * Why it is never deleted on its own, whatever its deployment: an instance in a group goes with its group, a
   * snapshot with the image it backs. Unlike a Protection it keeps nothing else of its deployment.
   */
  hold?: string;
}

/**
 * `gc --older-than`: leftovers of a deployment younger than `seconds` are kept for inspection. A deployment's
 * age is from its journal (when it was created) when one is known, else from its oldest dated resource.
 */
export interface AgeRule {
  seconds: number;
  /** As the user wrote it ("7d"), for the reasons. */
  label: string;
  /** Now, in ms since the epoch. */
  now: number;
  /** When each deployment a journal knows was created (ISO 8601), by deployment id. */
  journalTimes: Readonly<Record<string, string>>;
}

export interface Protection {
  /** A resource that must stay (and with it everything of its deployment). */
  resource?: { type: LeftoverType; name: string };
  /** Or a whole deployment that must stay. */
  deploymentId?: string;
  /** For people: "the live stack", "rollback of 0a1b2 returns to it", "deployment 0a1b2 is paused". */
  why: string;
}

export interface GcPlan {
  /** Oldest deployment first; within a deployment, in LEFTOVER_TYPES order. */
  remove: Leftover[];
  keep: Array<Leftover & { why: string }>;
}

const rank = (t: LeftoverType) => LEFTOVER_TYPES.indexOf(t);

/** Why a deployment is kept by the age rule, or undefined when it is old enough to go. */
function tooYoung(id: string, resources: readonly Leftover[], rule: AgeRule): string | undefined {
  const journal = rule.journalTimes[id];
  const dated = resources.flatMap((r) => (r.deploymentId === id && r.createdAt ? [r.createdAt] : [])).sort()[0];
  const since = journal ?? dated;
  if (since === undefined) {
    return `--older-than ${rule.label}: the age of deployment ${id} is unknown (no journal knows it and AWS dates none of its resources)`;
  }
  if (rule.now - Date.parse(since) >= rule.seconds * 1000) return undefined;
  const by = journal ? 'by its journal' : 'by its oldest resource';
  return `younger than --older-than ${rule.label}: deployment ${id} started ${since} (${by})`;
}

export function planGc(found: readonly Leftover[], protections: readonly Protection[], ageRule?: AgeRule): GcPlan {
  // Whole deployments kept, and single resources, each with the first reason given (and its place in the list).
  const kept = new Map<string, { why: string; rank: number }>();
  const keepDeployment = (id: string, why: string, rank: number) => {
    if (!kept.has(id)) kept.set(id, { why, rank });
  };
  const byName = new Map<string, { why: string; rank: number }>(); // "type name" -> why
  for (const [rank, p] of protections.entries()) {
    if (p.deploymentId) keepDeployment(p.deploymentId, p.why, rank);
    const key = p.resource ? `${p.resource.type} ${p.resource.name}` : undefined;
    if (key && !byName.has(key)) byName.set(key, { why: p.why, rank }); // the first reason given wins, as for deployments
  }
  for (const r of found) {
    const own = byName.get(`${r.type} ${r.name}`);
    if (own && r.deploymentId) keepDeployment(r.deploymentId, own.why, own.rank);
  }
  if (ageRule) {
    // After every protection: a protected deployment says its protection.
    for (const id of new Set(found.flatMap((r) => (r.deploymentId && !kept.has(r.deploymentId) ? [r.deploymentId] : [])))) {
      const why = tooYoung(id, found, ageRule);
      if (why) keepDeployment(id, why, protections.length);
    }
  }

  const keep: GcPlan['keep'] = [];
  const remove: Leftover[] = [];
  for (const r of found) {
    const own = byName.get(`${r.type} ${r.name}`);
    const deployment = r.deploymentId ? kept.get(r.deploymentId) : undefined;
    // The reason given first: the resource's own, or its deployment's (named with it).
    if (own && (!deployment || own.rank <= deployment.rank || own.why === deployment.why)) keep.push({ ...r, why: own.why });
    else if (r.hold) keep.push({ ...r, why: r.hold });
    else if (!r.deploymentId) keep.push({ ...r, why: 'no bluegreen:deployment tag or name: which deployment made it is unknown' });
    else if (deployment) keep.push({ ...r, why: `${deployment.why} (deployment ${r.deploymentId})` });
    else remove.push(r);
  }

  // A deployment's age is that of its oldest dated resource; undated deployments go last.
  const age = new Map<string, string>();
  for (const r of remove) {
    const id = r.deploymentId as string;
    const before = age.get(id);
    if (r.createdAt && (!before || r.createdAt < before)) age.set(id, r.createdAt);
  }
  const ageOf = (r: Leftover) => age.get(r.deploymentId as string) ?? '\uffff';
  remove.sort(
    (a, b) =>
      ageOf(a).localeCompare(ageOf(b)) ||
      (a.deploymentId as string).localeCompare(b.deploymentId as string) ||
      rank(a.type) - rank(b.type) ||
      a.name.localeCompare(b.name),
  );
  keep.sort((a, b) => rank(a.type) - rank(b.type) || a.name.localeCompare(b.name));
  return { remove, keep };
}
