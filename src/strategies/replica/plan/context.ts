/**
 * What every step planner of the replica strategies is given (decided once per plan, pure), what each
 * returns, and the words several of them use.
 */
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { JsonObject, StepDescriptor } from '../../../engine/types.js';
import type { FrontFacts, ReplicaFront } from '../front.js';
import { bakeNames, otherColor, replicaNames, type BakeNames, type OwnTags, type ReplicaNames } from '../names.js';
import type { ReplicaConfig, ReplicaObserved } from '../observe.js';

export interface PlanBase<O extends ReplicaObserved = ReplicaObserved, C extends ReplicaConfig = ReplicaConfig> {
  /** The strategy: the prefix of every step kind. */
  strategy: string;
  config: C;
  observed: O;
  deploymentId: string;
  green: ReplicaNames;
  /** Green's front: its classic load balancer or target group. */
  greenFront: string;
  tags: OwnTags;
  /** With release.commands: the builder and the image baked from it. */
  bake: BakeNames | null;
  /** release.image; null with release.commands (create-launch takes what bake-image recorded). */
  image: string | null;
  /** gates.alarms. */
  alarms: string[];
  /** Blue's policies that have a name: copied to green, deleted with blue. */
  policies: ScalingPolicy[];
}

export type PlanContext<O extends ReplicaObserved = ReplicaObserved, C extends ReplicaConfig = ReplicaConfig> = PlanBase<O, C> & {
  front: FrontFacts;
};

/** What a step planner returns: its steps (none when it does not apply) and the warnings it decided. */
export interface Planned {
  steps: StepDescriptor[];
  warnings: string[];
}

export function planContext<O extends ReplicaObserved, C extends ReplicaConfig>(
  front: ReplicaFront<O, C>,
  config: C,
  observed: O,
  deploymentId: string,
): PlanContext<O, C> {
  const green = replicaNames(config.service, otherColor(observed.blue.color), deploymentId);
  const { release } = config;
  const base: PlanBase<O, C> = {
    strategy: front.strategy,
    config,
    observed,
    deploymentId,
    green,
    greenFront: front.greenName(config.service, green, deploymentId),
    tags: { service: config.service, deploymentId, color: green.color },
    bake: release.kind === 'commands' ? bakeNames(green) : null,
    image: release.kind === 'image' ? release.image : null,
    alarms: config.gates?.alarms ?? [],
    policies: observed.blue.policies.filter((p) => p.PolicyName),
  };
  return { ...base, front: front.facts(base) };
}

/** A step of the strategy: its kind is `<strategy>/<id>`. */
export function step(ctx: Pick<PlanBase, 'strategy'>, id: string, rest: Omit<StepDescriptor, 'id' | 'kind'>): StepDescriptor {
  return { id, kind: `${ctx.strategy}/${id}`, ...rest };
}

/** ", watching alarm a" / ", watching alarms a, b" / "". */
export function watching(alarms: string[]): string {
  return alarms.length > 0 ? `, watching ${alarms.length === 1 ? 'alarm' : 'alarms'} ${alarms.join(', ')}` : '';
}

/** " unless alarm a is in ALARM" / " unless an alarm of a, b is in ALARM" / "". */
export function unlessAlarm(alarms: string[]): string {
  return alarms.length > 0 ? ` unless ${alarms.length === 1 ? 'alarm' : 'an alarm of'} ${alarms.join(', ')} is in ALARM` : '';
}

/** The id of the traffic step that leaves `percent` of requests on green: "traffic-10". */
export const trafficStepId = (percent: number) => `traffic-${percent}`;

/** The kind suffix of every traffic step (traffic-10, traffic-50, traffic-100). */
export const SHIFT_TRAFFIC = 'shift-traffic';

/** The one step that makes green's front (ctx.greenFront): `what` it is in words, its resource `type`, blue's it is `like`. */
export function planFrontCreated(ctx: PlanBase, id: string, front: { what: string; type: string; like: string }, params: object): Planned {
  const title = `Create ${front.what} ${ctx.greenFront} like ${front.like}`;
  return { steps: [step(ctx, id, { title, params: params as JsonObject, creates: [{ type: front.type, name: ctx.greenFront }] })], warnings: [] };
}
