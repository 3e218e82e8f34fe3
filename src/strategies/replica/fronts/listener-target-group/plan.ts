/**
 * The pure planning of replica-listener's front: green's target group (create-target-group), the move of
 * the listener and its rules (switch-listener, or with traffic.steps one weighted step per percent), and
 * the facts the core's planners need about the front. What only exists at apply time (green's target group
 * ARN) is taken from the outputs of create-target-group. Its params are the journal's: their shape stays.
 */
import { MAX_STICKINESS_SECONDS, type ReplicaListenerConfig } from '../../../../config/schema.js';
import { formatDuration } from '../../../../config/duration.js';
import type { JsonObject, StepDescriptor } from '../../../../engine/types.js';
import { ALARM_POLL_SECONDS, GREEN_TARGET_PLACEHOLDER, type DrainWatch } from '../../../common/gates.js';
import { asJson, plural, toJson } from '../../../common/plan-helpers.js';
import type { FrontFacts } from '../../front.js';
import {
  planFrontCreated,
  SHIFT_TRAFFIC,
  step,
  trafficStepId,
  unlessAlarm,
  watching,
  type PlanBase,
  type PlanContext,
  type Planned,
} from '../../plan/context.js';
import { RETIRE_PROGRESS_SECONDS } from '../../plan/retire.js';
import type { RetireBlueCommon } from '../../steps/retire.js';
import {
  deregistrationDelaySeconds,
  loadBalancerDimension,
  targetGroupAttributesCopy,
  targetGroupCopy,
  targetGroupDimension,
  targetStickiness,
} from './builders.js';
import { isOwnTargetGroup } from './names.js';
import type { Observed } from './observe.js';

/** The front's step ids. With traffic.steps, switch-listener is replaced by one step per percent (trafficStepId). */
export const LISTENER_STEP = { createTargetGroup: 'create-target-group', switchListener: 'switch-listener' } as const;

type ListenerBase = PlanBase<Observed, ReplicaListenerConfig>;
export type ListenerPlan = PlanContext<Observed, ReplicaListenerConfig>;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export interface CreateTargetGroupParams {
  name: string;
  input: JsonObject; // CreateTargetGroupCommandInput
  attributes: JsonObject[]; // TargetGroupAttribute[]
}

/** Where green's target group ARN comes from (the outputs of create-target-group): in each step after it. */
export interface TargetGroupRef {
  /** The step whose outputs.targetGroupArn is green's target group. */
  targetGroupStep: string;
  /** Green's target group name, for messages. */
  targetGroup: string;
}

/** copy-scaling-policies and copy-alarms: blue's target group dimension, rewritten to green's when they run. */
export interface BlueDimension {
  blueTargetGroupDimension: string;
}

/** switch-listener (percent 100, no hold) and each traffic-<percent> step. */
export interface ShiftTrafficParams extends TargetGroupRef {
  percent: number;
  /** The hold after the change (0 for 100 and for switch-listener). */
  holdSeconds: number;
  intervalSeconds: number;
  /** gates.alarms: none may be in ALARM before the change nor during the hold. */
  alarms: string[];
  listener: string;
  blueTargetGroupArn: string;
  /** The first traffic step: its outputs keep the listener's and rules' actions as they were before any change. */
  firstStep: string;
  /** This is the first traffic step (it reads the original forwarding itself). */
  first: boolean;
  /** The other listeners that forwarded to blue's target group when planned (they move too; the first step reads them again). */
  others?: string[];
  /** Target group stickiness (seconds) given to each weighted forward that has none of its own; absent: none. */
  stickinessSeconds?: number;
}

export interface RetireBlueParams extends RetireBlueCommon {
  listener: string;
  /** Blue's target group, deleted by `delete` only when an earlier deployment made it and nothing forwards to it. */
  targetGroup: { arn: string; name: string; own: boolean };
}

// ---------------------------------------------------------------- planners

export function listenerFacts(ctx: ListenerBase): FrontFacts {
  const { config, observed, greenFront: green } = ctx;
  const blueTg = observed.blue.targetGroup.description;
  const traffic = config.traffic;
  const percents = traffic?.steps ?? [100];
  return {
    blue: blueTg.TargetGroupName,
    lead: {},
    tail: { targetGroupStep: LISTENER_STEP.createTargetGroup, targetGroup: green } satisfies TargetGroupRef,
    group: {
      input: { TargetGroupARNs: [] },
      title: `, in target group ${green}`,
      warnings: alsoAttachedWarnings(ctx),
    },
    rewrite: { blueTargetGroupDimension: targetGroupDimension(blueTg.TargetGroupArn) } satisfies BlueDimension,
    healthy: 'InService and healthy',
    http: { what: `each healthy target of ${green}`, on: ` on each target as ${GREEN_TARGET_PLACEHOLDER}` },
    firstTraffic: { step: traffic ? trafficStepId(percents[0] ?? 100) : LISTENER_STEP.switchListener, without: 'moving traffic' },
    wait: retireWaitFacts(ctx),
    retire: retireFacts(ctx),
    summary: {
      blue: { targetGroup: blueTg.TargetGroupName },
      green: { targetGroup: green },
      rest: {
        listener: { arn: observed.listener.ListenerArn, rules: observed.rules.map((r) => r.RuleArn) },
        ...(traffic ? { traffic: { steps: percents, holdSeconds: traffic.holdSeconds } } : {}),
        // status: green is live once this step (every request on green) is done.
        trafficStep: traffic ? trafficStepId(percents.at(-1) ?? 100) : LISTENER_STEP.switchListener,
      },
    },
  };
}

/** One line per load balancer blue is in that listener.alsoAttached leaves as it is, and per name there that matches none. */
function alsoAttachedWarnings(ctx: ListenerBase): string[] {
  const { config, observed } = ctx;
  const group = observed.blue.group.AutoScalingGroupName;
  const { targetGroups, classic } = observed.alsoAttached;
  const left = [...targetGroups.map((t) => `target group ${t.name}`), ...classic.map((n) => `classic load balancer ${n}`)].map(
    (what) =>
      `${group} is also in ${what} (listener.alsoAttached): green is not registered with it, and it keeps blue's instances until blue is retired`,
  );
  const known = new Set([...targetGroups.flatMap((t) => [t.arn, t.name]), ...classic]);
  const stale = (config.listener.alsoAttached ?? [])
    .filter((name) => !known.has(name))
    .map((name) => `listener.alsoAttached names ${name}, which ${group} is not in: nothing to leave as it is`);
  return [...left, ...stale];
}

/** wait-retire: at least blue's deregistration delay; the drain is read from blue's target group (NLB: new flows). */
function retireWaitFacts(ctx: ListenerBase): FrontFacts['wait'] {
  const { config, observed } = ctx;
  const blueTg = observed.blue.targetGroup.description;
  const after = config.retire.afterSeconds;
  const delay = deregistrationDelaySeconds(observed.blue.targetGroup.attributes);
  const metricName = observed.network ? 'NewFlowCount' : 'RequestCount';
  const drain: Omit<DrainWatch, 'below' | 'windowMinutes'> = {
    namespace: observed.network ? 'AWS/NetworkELB' : 'AWS/ApplicationELB',
    metricName,
    dimensions: [
      { name: 'LoadBalancer', value: loadBalancerDimension(observed.loadBalancer.LoadBalancerArn) },
      { name: 'TargetGroup', value: targetGroupDimension(blueTg.TargetGroupArn) },
    ],
    label: blueTg.TargetGroupName,
  };
  return {
    seconds: Math.max(after, delay),
    warnings:
      delay > after
        ? [`retire.after is ${after}s, less than the deregistration delay of ${blueTg.TargetGroupName} (${delay}s): blue is retired after ${delay}s`]
        : [],
    drain: toJson(drain),
    metricName,
    unit: observed.network ? 'new connections' : 'requests',
  };
}

/** retire-blue: blue's listener and target group, deleted with blue only when bluegreen made it. */
function retireFacts(ctx: ListenerBase): FrontFacts['retire'] {
  const { config, observed } = ctx;
  const { description, tags } = observed.blue.targetGroup;
  const own = isOwnTargetGroup(config.service, description.TargetGroupName, tags);
  return {
    params: { listener: observed.listener.ListenerArn, targetGroup: { arn: description.TargetGroupArn, name: description.TargetGroupName, own } },
    deletes: own ? [`target group ${description.TargetGroupName}`] : [],
    warnings:
      config.retire.action === 'delete' && !own
        ? [`retire.action delete keeps blue's target group ${description.TargetGroupName}: bluegreen did not create it`]
        : [],
  };
}

/** create-target-group: a target group like blue's (protocol, port, health check, attributes). */
export function planCreateTargetGroup(ctx: ListenerPlan): Planned {
  const name = ctx.greenFront;
  const blue = ctx.observed.blue.targetGroup;
  const params: CreateTargetGroupParams = {
    name,
    input: toJson(targetGroupCopy(blue.description, blue.tags, name, ctx.tags)),
    attributes: targetGroupAttributesCopy(blue.attributes).map((a) => toJson(a)),
  };
  return planFrontCreated(
    ctx,
    LISTENER_STEP.createTargetGroup,
    { what: 'target group', type: 'target-group', like: blue.description.TargetGroupName },
    params,
  );
}

/**
 * The target group stickiness of the weighted forwards (seconds; undefined: none) and the plan's line about
 * it: traffic.stickiness when given, else blue's own when blue's target group is sticky, so that a client
 * that blue's cookie keeps on one target is not weighed to green and back on its next request.
 */
export function trafficStickiness(ctx: ListenerBase): { seconds?: number; warnings: string[] } {
  const { config, observed } = ctx;
  const wanted = config.traffic?.stickiness;
  const blueTg = observed.blue.targetGroup.description.TargetGroupName;
  const blue = targetStickiness(observed.blue.targetGroup.attributes);
  if (!config.traffic || config.traffic.steps.every((p) => p >= 100)) return { warnings: [] };
  if (wanted?.enabled === false) {
    return {
      warnings: blue
        ? [
            `traffic.stickiness.enabled is false while blue's target group ${blueTg} is sticky (${blue.type}): during the weighted steps a client may be sent to blue and green in turn`,
          ]
        : [],
    };
  }
  if (!wanted && !blue) return { warnings: [] };
  const seconds = Math.min(MAX_STICKINESS_SECONDS, Math.max(1, wanted?.durationSeconds ?? blue?.seconds ?? 86400));
  return { seconds, warnings: [] };
}

/** The listeners and rules a traffic step moves, in a few words: "listener shop:80 and 1 rule", "listeners shop:80, shop:443 and 3 rules". */
function movedWhere(ctx: ListenerPlan): string {
  const { observed } = ctx;
  const others = observed.others;
  const rules = observed.rules.length + others.reduce((n, o) => n + o.rules.length, 0);
  const names = [listenerName(ctx), ...others.filter((o) => o.moveDefault).map((o) => `${o.loadBalancerName}:${o.listener.Port ?? ''}`)];
  const listeners = names.length === 1 ? `listener ${names[0]}` : `listeners ${names.join(', ')}`;
  return `${listeners}${rules > 0 ? ` and ${plural(rules, 'rule', 'rules')}` : ''}`;
}

/** switch-listener, or one traffic step per percent: the listener's default action and the moved rules forward to green. */
export function planTraffic(ctx: ListenerPlan): Planned {
  const { config, observed, alarms, greenFront: green } = ctx;
  const percents = config.traffic?.steps ?? [100];
  const holdSeconds = config.traffic?.holdSeconds ?? 0;
  const listenerArn = observed.listener.ListenerArn;
  const where = movedWhere(ctx);
  const blueTg = observed.blue.targetGroup.description;
  const stickiness = trafficStickiness(ctx);
  const others = observed.others.map((o) => o.listener.ListenerArn);
  const sticky = stickiness.seconds ? ` (each client kept on one for ${formatDuration(stickiness.seconds)})` : '';
  const steps = percents.map((percent, i): StepDescriptor => {
    const hold = percent < 100 ? holdSeconds : 0;
    const params: ShiftTrafficParams = {
      percent,
      holdSeconds: hold,
      // Alarms are read every ALARM_POLL_SECONDS; without any, the hold only says how long is left.
      intervalSeconds: Math.max(1, Math.min(alarms.length > 0 ? ALARM_POLL_SECONDS : RETIRE_PROGRESS_SECONDS, hold || ALARM_POLL_SECONDS)),
      alarms,
      listener: listenerArn,
      blueTargetGroupArn: blueTg.TargetGroupArn,
      firstStep: ctx.front.firstTraffic.step,
      first: i === 0,
      ...(others.length > 0 ? { others } : {}),
      ...(stickiness.seconds && percent < 100 ? { stickinessSeconds: stickiness.seconds } : {}),
      ...(ctx.front.tail as unknown as TargetGroupRef),
    };
    const before = i === 0 ? `blue ${blueTg.TargetGroupName}` : `${100 - (percents[i - 1] ?? 0)}% blue, ${percents[i - 1]}% green${sticky}`;
    const after = percent >= 100 ? `green ${green}` : `${100 - percent}% blue, ${percent}% green${sticky}`;
    return {
      ...step(ctx, config.traffic ? trafficStepId(percent) : LISTENER_STEP.switchListener, {
        title: config.traffic
          ? `Send ${percent}% of requests to green (${green})${hold > 0 ? ` and hold ${formatDuration(hold)}` : ''}${watching(alarms)}`
          : `Forward ${where} to ${green}${unlessAlarm(alarms)}`,
        params: asJson(params),
        changes: [{ what: `forward of ${where}`, from: before, to: after }],
        ...(hold > 0 ? { waits: `${hold}s${watching(alarms)}` } : {}),
        ...(i === 0 ? { pausePoint: true } : {}),
      }),
      ...(config.traffic ? { kind: `${ctx.strategy}/${SHIFT_TRAFFIC}` } : {}),
    };
  });
  return { steps, warnings: stickiness.warnings };
}

/** "shop:443": the listener by its load balancer's name and port. */
function listenerName(ctx: ListenerPlan): string {
  const { observed } = ctx;
  return `${observed.loadBalancer.LoadBalancerName ?? loadBalancerDimension(observed.listener.ListenerArn)}:${observed.listener.Port ?? ''}`;
}
