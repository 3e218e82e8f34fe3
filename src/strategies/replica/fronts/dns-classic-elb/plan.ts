/**
 * The pure planning of replica-dns's front: green's classic load balancer (create-load-balancer), the move
 * of the alias record (switch-dns, or with traffic.steps one weighted step per percent), and the facts the
 * core's planners need about the front. Its params are the journal's: their shape stays as it is.
 */
import type { HealthCheck } from '@aws-sdk/client-elastic-load-balancing';
import { formatDuration } from '../../../../config/duration.js';
import type { JsonObject, StepDescriptor } from '../../../../engine/types.js';
import { ALARM_POLL_SECONDS } from '../../../common/gates.js';
import { asJson, toJson } from '../../../common/plan-helpers.js';
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
import type { RetireBlueCommon } from '../../steps/retire.js';
import { loadBalancerAttributesCopy, loadBalancerCopy, loadBalancerPoliciesCopy } from './builders.js';
import type { Observed } from './observe.js';
import type { ReplicaDnsConfig } from '../../../../config/schema.js';

/** The front's step ids. With traffic.steps, switch-dns is replaced by one step per percent (trafficStepId). */
export const DNS_STEP = { createLoadBalancer: 'create-load-balancer', switchDns: 'switch-dns' } as const;
/** How often a traffic hold says how long is left when no alarm is watched. */
export const HOLD_PROGRESS_SECONDS = 30;
/** How long clients may cache an alias record to a load balancer (its TTL); a shorter hold may not move them. */
export const ALIAS_CACHE_SECONDS = 60;
/** How long a Route 53 change may take to be INSYNC (usually under a minute). */
export const DNS_SYNC_TIMEOUT_SECONDS = 300;

export type DnsPlan = PlanContext<Observed, ReplicaDnsConfig>;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export interface CreateLoadBalancerParams {
  name: string;
  input: JsonObject; // CreateLoadBalancerCommandInput
  healthCheck: JsonObject | null; // HealthCheck
  attributes: JsonObject; // LoadBalancerAttributes
  /** Blue's listener and backend policies (LoadBalancerPolicies). Absent in journals of older versions: none copied. */
  policies?: JsonObject;
}

/** Where the record is and what it points at: in switch-dns's params and every traffic step's. */
interface RecordTarget {
  zoneId: string;
  recordName: string;
  /** Green's load balancer. */
  loadBalancer: string;
  /** Where the record points before the first change (blue's load balancer), for messages. */
  from: string;
  region: string | null;
  evaluateTargetHealth: boolean;
  syncTimeoutSeconds: number;
  /**
   * The record types that move together, in one change batch: ["A", "AAAA"] when the AAAA record of the
   * name aliases blue's load balancer too (dual-stack). Absent: the A record alone.
   */
  types?: string[];
  /**
   * dns.alsoHostedZoneIds: the other hosted zones of the same name whose record moves too, each with its
   * types; one change batch per zone (a batch is of one zone), after the main zone's. Absent: none.
   */
  zones?: { zoneId: string; types: string[] }[];
  /** Blue's load balancer by name. Absent in journals of older versions. */
  blueLoadBalancer?: string;
  /**
   * How long after the record moves off a load balancer requests may still arrive there: the alias TTL
   * clients cache (ALIAS_CACHE_SECONDS) plus its connection draining. Absent in journals of older versions.
   */
  clientSeconds?: number;
  /**
   * How long a rollback waits, once the record is back on blue and INSYNC, before green's group and load
   * balancer are deleted (retire.after). Absent in journals of older versions: ALIAS_CACHE_SECONDS.
   */
  rollbackWaitSeconds?: number;
}

export interface SwitchDnsParams extends RecordTarget {
  /** gates.alarms: none may be in ALARM when the record is switched. Absent in journals of older versions. */
  alarms?: string[];
}

/**
 * One traffic step: `percent` of requests on green, then a hold of `holdSeconds` (0 for the 100 step)
 * while the gate alarms are watched. The first traffic step (`firstStep`) records the original simple
 * alias record; the others copy it from there, and the undo of any of them puts it back in one batch.
 */
export interface ShiftTrafficParams extends RecordTarget {
  percent: number;
  /** The percent on green before this step (0 for the first), for messages. */
  fromPercent: number;
  holdSeconds: number;
  /** How often the alarms are read and progress said during the hold. */
  intervalSeconds: number;
  /** gates.alarms: read before the change and during the hold; one in ALARM rolls back. */
  alarms: string[];
  /** The id of the first traffic step of the deployment. */
  firstStep: string;
  /** The set identifiers of the weighted records: the live stack's color, and the new stack's. */
  sets: { blue: string; green: string };
}

/** wait-healthy and check-http name green's load balancer. */
export interface GreenLoadBalancer {
  loadBalancer: string;
}

export interface RetireBlueParams extends RetireBlueCommon {
  loadBalancer: string;
}

// ---------------------------------------------------------------- planners

export function dnsFacts(ctx: PlanBase<Observed, ReplicaDnsConfig>): FrontFacts {
  const { config, greenFront: green } = ctx;
  const lb = ctx.observed.blue.loadBalancer.description.LoadBalancerName;
  const traffic = config.traffic;
  const after = config.retire.afterSeconds;
  return {
    blue: lb,
    lead: { loadBalancer: green },
    tail: {},
    group: { loadBalancer: green, input: {}, title: '', warnings: [] },
    rewrite: {},
    // An alarm (or a customised target tracking metric) on AWS/ELB with blue's LoadBalancerName must watch green's.
    dimensions: [{ name: 'LoadBalancerName', from: lb, to: green }],
    healthy: 'InService',
    http: { what: green, on: '' },
    firstTraffic: { step: traffic ? trafficStepId(traffic.steps[0] as number) : DNS_STEP.switchDns, without: 'the switch' },
    wait: { seconds: after, warnings: [], drain: { loadBalancer: lb }, metricName: 'RequestCount', unit: 'requests' },
    retire: {
      params: { loadBalancer: lb },
      deletes: [`load balancer ${lb}`],
      warnings:
        after < 60
          ? [
              `retire.after is ${after}s: clients cache alias records to load balancers for 60s and many resolvers longer, so blue may still get traffic when it is retired`,
            ]
          : [],
    },
    summary: {
      blue: { loadBalancer: lb },
      green: { loadBalancer: green },
      rest: {
        record: { zone: config.dns.hostedZoneId, name: config.dns.name },
        ...(traffic
          ? { traffic: { steps: [...traffic.steps], holdSeconds: traffic.holdSeconds }, trafficStep: trafficStepId(traffic.steps.at(-1) as number) }
          : {}),
      },
    },
  };
}

/** create-load-balancer: a classic load balancer like blue's (listeners, subnets, health check, attributes, policies). */
export function planCreateLoadBalancer(ctx: DnsPlan): Planned {
  const { description: blue, tags, attributes, policies } = ctx.observed.blue.loadBalancer;
  const copied = loadBalancerPoliciesCopy(blue, policies);
  const params: CreateLoadBalancerParams = {
    name: ctx.greenFront,
    input: toJson(loadBalancerCopy(blue, tags, ctx.greenFront, ctx.tags)),
    healthCheck: blue.HealthCheck ? toJson<HealthCheck>(blue.HealthCheck) : null,
    attributes: toJson(loadBalancerAttributesCopy(attributes)),
    policies: toJson(copied.copy),
  };
  const planned = planFrontCreated(
    ctx,
    DNS_STEP.createLoadBalancer,
    { what: 'classic load balancer', type: 'load-balancer', like: blue.LoadBalancerName },
    params,
  );
  return { ...planned, warnings: [...planned.warnings, ...copied.warnings] };
}

/** The record and its alias as the traffic steps journal them. */
function recordTarget(ctx: DnsPlan): RecordTarget {
  const alias = ctx.observed.record.AliasTarget;
  return {
    zoneId: ctx.config.dns.hostedZoneId,
    recordName: ctx.config.dns.name,
    loadBalancer: ctx.greenFront,
    from: alias.DNSName ?? '',
    region: ctx.config.region ?? null,
    evaluateTargetHealth: alias.EvaluateTargetHealth ?? false,
    syncTimeoutSeconds: DNS_SYNC_TIMEOUT_SECONDS,
    ...(ctx.observed.aaaa?.moves ? { types: ['A', 'AAAA'] } : {}),
    ...(ctx.observed.otherZones ? { zones: ctx.observed.otherZones.map((z) => ({ zoneId: z.zoneId, types: [...z.types] })) } : {}),
    blueLoadBalancer: ctx.observed.blue.loadBalancer.description.LoadBalancerName,
    clientSeconds: clientSecondsOf(ctx),
    rollbackWaitSeconds: ctx.config.retire.afterSeconds,
  };
}

/** The alias TTL plus green's connection draining (copied from blue's): how long requests may still arrive after the record moves. */
function clientSecondsOf(ctx: DnsPlan): number {
  const draining = ctx.observed.blue.loadBalancer.attributes.ConnectionDraining;
  return ALIAS_CACHE_SECONDS + (draining?.Enabled ? (draining.Timeout ?? 300) : 0);
}

/** A rollback after the switch deletes green retire.after after the record is back on blue: warned of when clients may still reach it then. */
function rollbackWarnings(ctx: DnsPlan): string[] {
  const wait = ctx.config.retire.afterSeconds;
  const needed = clientSecondsOf(ctx);
  if (wait >= needed) return [];
  return [
    `retire.after is ${formatDuration(wait)}: a rollback after traffic moved deletes green that long after ${ctx.config.dns.name} points back at blue, but clients cache the alias for ${ALIAS_CACHE_SECONDS}s (many resolvers longer) and green drains connections for ${needed - ALIAS_CACHE_SECONDS}s; set retire.after to ${formatDuration(needed)} or more so their requests are not lost`,
  ];
}

/** Where the record points now, for the plan: blue's load balancer's DNS name. */
const blueTargetOf = (ctx: DnsPlan) => ctx.observed.blue.loadBalancer.description.DNSName ?? recordTarget(ctx).from;

export function planTraffic(ctx: DnsPlan): Planned {
  const planned = ctx.config.traffic ? planTrafficSteps(ctx) : planSwitchDns(ctx);
  return { ...planned, warnings: [...aaaaWarnings(ctx), ...planned.warnings, ...rollbackWarnings(ctx)] };
}

/** An AAAA record of the name that does not alias blue's load balancer is not moved: said in one line. */
function aaaaWarnings(ctx: DnsPlan): string[] {
  const aaaa = ctx.observed.aaaa;
  if (!aaaa || aaaa.moves) return [];
  const where = aaaa.record.AliasTarget?.DNSName ? `points at ${aaaa.record.AliasTarget.DNSName}` : 'is not an alias record';
  return [
    `record ${ctx.config.dns.name} (type AAAA) ${where}, not at blue's load balancer ${ctx.front.blue}: it is left as it is, and IPv6 clients keep going where it points`,
  ];
}

/** "DNS record shop.example.com", "DNS records shop.example.com (A and AAAA)", and the other zones where it moves too. */
function recordWords(ctx: DnsPlan): string {
  const words = ctx.observed.aaaa?.moves ? `DNS records ${ctx.config.dns.name} (A and AAAA)` : `DNS record ${ctx.config.dns.name}`;
  const others = (ctx.observed.otherZones ?? []).map((z) => `${z.zoneId} (${z.private ? 'private' : 'public'}, ${z.types.join(' and ')})`);
  return others.length > 0 ? `${words} in hosted zone ${ctx.config.dns.hostedZoneId} and ${others.join(', ')}` : words;
}

/** switch-dns: the record points at green's load balancer at once. */
export function planSwitchDns(ctx: DnsPlan): Planned {
  const { alarms, greenFront: green } = ctx;
  const params: SwitchDnsParams = { ...(alarms.length > 0 ? { alarms } : {}), ...recordTarget(ctx) };
  const { recordName } = params;
  const switched = step(ctx, DNS_STEP.switchDns, {
    title: `Point ${recordName} at ${green}${unlessAlarm(alarms)}`,
    params: asJson(params),
    changes: [{ what: recordWords(ctx), from: blueTargetOf(ctx), to: green }],
    waits: `until the change is INSYNC (timeout ${DNS_SYNC_TIMEOUT_SECONDS}s)`,
    pausePoint: true,
  });
  return { steps: [switched], warnings: [] };
}

/** traffic-<percent>: weighted alias records, each share held while the gate alarms are watched. */
export function planTrafficSteps(ctx: DnsPlan): Planned {
  const { alarms, greenFront: green } = ctx;
  const traffic = ctx.config.traffic ?? { steps: [100], holdSeconds: 0 };
  const target = recordTarget(ctx);
  const { recordName } = target;
  const steps = traffic.steps.map((percent, i, all): StepDescriptor => {
    const holdSeconds = percent < 100 ? traffic.holdSeconds : 0;
    const params: ShiftTrafficParams = {
      percent,
      fromPercent: i === 0 ? 0 : (all[i - 1] as number),
      holdSeconds,
      intervalSeconds: Math.max(1, Math.min(alarms.length > 0 ? ALARM_POLL_SECONDS : HOLD_PROGRESS_SECONDS, holdSeconds)),
      alarms,
      firstStep: trafficStepId(all[0] as number),
      sets: { blue: ctx.observed.blue.color, green: ctx.green.color },
      ...target,
    };
    const hold = holdSeconds > 0 ? ` and hold ${formatDuration(holdSeconds)}` : '';
    return {
      id: trafficStepId(percent),
      kind: `${ctx.strategy}/${SHIFT_TRAFFIC}`,
      title:
        percent >= 100
          ? `Send all requests to ${ctx.green.color} (${green}): ${recordName} points at it alone${unlessAlarm(alarms)}`
          : `Send ${percent}% of requests to ${ctx.green.color} (${green})${hold}${watching(alarms)}`,
      params: asJson(params),
      changes: trafficChanges(ctx, params, i === 0),
      waits: `until the change is INSYNC (timeout ${DNS_SYNC_TIMEOUT_SECONDS}s)${holdSeconds > 0 ? `, then ${formatDuration(holdSeconds)}${watching(alarms)}` : ''}`,
      ...(i === 0 ? { pausePoint: true } : {}),
    };
  });
  const warnings =
    traffic.steps.some((p) => p < 100) && traffic.holdSeconds < ALIAS_CACHE_SECONDS
      ? [
          `traffic.hold is ${traffic.holdSeconds}s: clients cache alias records to load balancers for ${ALIAS_CACHE_SECONDS}s and many resolvers longer, so green may get less than each step's share of requests before the hold ends`,
        ]
      : [];
  return { steps, warnings };
}

/** A traffic step's changes: the record made weighted (first), the weights, the record made simple again (100). */
export function trafficChanges(ctx: DnsPlan, t: Pick<ShiftTrafficParams, 'percent' | 'fromPercent'>, first: boolean): StepDescriptor['changes'] {
  const record = recordWords(ctx);
  const { blue, green } = { blue: ctx.observed.blue.color, green: ctx.green.color };
  const blueTarget = blueTargetOf(ctx);
  const last = t.percent >= 100;
  if (first && last) return [{ what: record, from: blueTarget, to: ctx.greenFront }];
  return [
    ...(first
      ? [{ what: record, from: `alias to ${blueTarget}`, to: `weighted alias records ${blue} (${blueTarget}) and ${green} (${ctx.greenFront})` }]
      : []),
    {
      what: `weights of ${ctx.config.dns.name}`,
      from: `${blue} ${100 - t.fromPercent} / ${green} ${t.fromPercent}`,
      to: `${blue} ${100 - t.percent} / ${green} ${t.percent}`,
    },
    ...(last ? [{ what: record, from: `weighted alias records ${blue} and ${green}`, to: `alias to ${ctx.greenFront}` }] : []),
  ];
}
