/**
 * The pure planner of replica-dns: config and observed state in, an ordered list of steps out. Every
 * decision (names, what is copied, timeouts) is made here and stored in the steps' params, so resume and
 * rollback need only the journal. Secrets (UserData) are not in params: the launch steps read blue's
 * launch configuration or template version again when they run.
 *
 * A release by commands (the seed's approach 2, step 1) first makes green's image: one builder launched
 * like blue, the commands run on it, an image baked from it, the builder terminated; create-launch then
 * takes the image bake-image recorded.
 */
import type { HealthCheck } from '@aws-sdk/client-elastic-load-balancing';
import type { Config } from '../../config/schema.js';
import type { JsonObject, StepDescriptor } from '../../engine/types.js';
import type { Plan, PlanSummary } from '../types.js';
import { formatDuration } from '../../config/duration.js';
import { BAKE_STEP, planBake } from './bake-plan.js';
import {
  ALARM_POLL_SECONDS,
  DRAIN_CEILING_SECONDS,
  DRAIN_WINDOW_MINUTES,
  HTTP_GATE_TIMEOUT_SECONDS,
  METRIC_DELAY_SECONDS,
  type DrainWatch,
  type HttpCheck,
} from '../common/gates.js';
import {
  alarmCopy,
  groupCopy,
  isManagedAlarm,
  lifecycleHookCopy,
  loadBalancerAttributesCopy,
  loadBalancerCopy,
  scalingPolicyCopy,
} from './builders.js';
import { replicaDnsConfig, type Observed } from './observe.js';
import { alarmCopyName, bakeNames, isOwnStackName, otherColor, stackNames, type OwnTags } from './names.js';

export const STRATEGY = 'replica-dns';

/** Step ids: the stable keys of the journal and the events. */
export const STEP = {
  // Only with release.commands: green's image, made before green.
  ...BAKE_STEP,
  // Always.
  createLaunch: 'create-launch',
  createLoadBalancer: 'create-load-balancer',
  createGroup: 'create-group',
  copyScalingPolicies: 'copy-scaling-policies',
  copyAlarms: 'copy-alarms',
  waitHealthy: 'wait-healthy',
  // Only with gates.http.
  checkHttp: 'check-http',
  switchDns: 'switch-dns',
  waitRetire: 'wait-retire',
  retireBlue: 'retire-blue',
} as const;
export type StepId = (typeof STEP)[keyof typeof STEP];

export const kindOf = (id: StepId) => `${STRATEGY}/${id}`;

/** With traffic.steps, switch-dns is replaced by one step per percent, all of this kind. */
export const SHIFT_TRAFFIC_KIND = `${STRATEGY}/shift-traffic`;
/** The id of the traffic step that leaves `percent` of requests on green: "traffic-10". */
export const trafficStepId = (percent: number) => `traffic-${percent}`;
/** How often a traffic hold says how long is left when no alarm is watched. */
export const HOLD_PROGRESS_SECONDS = 30;
/** How long clients may cache an alias record to a load balancer (its TTL); a shorter hold may not move them. */
export const ALIAS_CACHE_SECONDS = 60;

/** How long a Route 53 change may take to be INSYNC (usually under a minute). */
export const DNS_SYNC_TIMEOUT_SECONDS = 300;
/** How long a deleted group may take to disappear (draining, then termination). */
export const GROUP_DELETE_TIMEOUT_SECONDS = 900;
/** How often the retire wait says how long is left. */
export const RETIRE_PROGRESS_SECONDS = 30;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export type { CopyAlarmsParams, CopyScalingPoliciesParams, CreateGroupParams, CreateLaunchParams } from './replica-steps.js';
import type { CopyAlarmsParams, CopyScalingPoliciesParams, CreateGroupParams, CreateLaunchParams, RetireBlueCommon } from './replica-steps.js';

export type {
  BakeImageParams,
  LaunchInstancesParams,
  RunCommandsParams,
  TerminateInstancesParams,
  WaitReachableParams,
  WaitRunningParams,
} from '../common/instance-steps.js';
import { asJson, plural, sizesText, toJson } from '../common/plan-helpers.js';

export interface CreateLoadBalancerParams {
  name: string;
  input: JsonObject; // CreateLoadBalancerCommandInput
  healthCheck: JsonObject | null; // HealthCheck
  attributes: JsonObject; // LoadBalancerAttributes
}

export interface WaitHealthyParams {
  group: string;
  loadBalancer: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** The HTTP gates, checked against green's load balancer before the switch. */
export interface CheckHttpParams {
  loadBalancer: string;
  checks: HttpCheck[];
}

export interface SwitchDnsParams {
  /** gates.alarms: none may be in ALARM when the record is switched. Absent in journals of older versions. */
  alarms?: string[];
  zoneId: string;
  recordName: string;
  loadBalancer: string;
  /** Where the record points now (blue's load balancer), for messages. */
  from: string;
  region: string | null;
  evaluateTargetHealth: boolean;
  syncTimeoutSeconds: number;
}

/**
 * One traffic step: `percent` of requests on green, then a hold of `holdSeconds` (0 for the 100 step)
 * while the gate alarms are watched. The first traffic step (`firstStep`) records the original simple
 * alias record; the others copy it from there, and the undo of any of them puts it back in one batch.
 */
export interface ShiftTrafficParams {
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
  zoneId: string;
  recordName: string;
  /** Green's load balancer. */
  loadBalancer: string;
  /** Where the record points before the first step (blue's load balancer), for messages. */
  from: string;
  region: string | null;
  evaluateTargetHealth: boolean;
  syncTimeoutSeconds: number;
}

export interface WaitRetireParams {
  /** gates.alarms, read on every poll: one in ALARM rolls back. Absent in journals of older versions. */
  alarms?: string[];
  seconds: number;
  intervalSeconds: number;
  /**
   * retire.untilRequestsBelow: besides `seconds` (the floor), wait until blue's load balancer got fewer
   * requests than `below` in each of the last `windowMinutes` whole minutes; stop (blue untouched) after
   * `ceilingSeconds` past the floor. Absent: the timer alone.
   */
  drain?: DrainWatch & { ceilingSeconds: number };
}

export interface RetireBlueParams extends RetireBlueCommon {
  loadBalancer: string;
}

export { toJson } from '../common/plan-helpers.js';


export function plan(anyConfig: Config, observed: Observed, deploymentId: string): Plan<PlanSummary> {
  const config = replicaDnsConfig(anyConfig);
  const { blue } = observed;
  const blueGroupName = blue.group.AutoScalingGroupName;
  const blueLb = blue.loadBalancer.description;
  const green = stackNames(config.service, otherColor(blue.color), deploymentId);
  const tags: OwnTags = { service: config.service, deploymentId, color: green.color };
  const { release } = config;
  const bake = release.kind === 'commands' ? bakeNames(green) : null;
  const image = release.kind === 'image' ? release.image : null;
  const imageText = bake ? `the image baked from builder ${bake.builder}` : `image ${image}`;
  const warnings: string[] = [];

  // create-launch
  const toTemplate = config.launch === 'template' && blue.launch.kind === 'configuration';
  const launchParams: CreateLaunchParams =
    blue.launch.kind === 'configuration'
      ? {
          kind: toTemplate ? 'template-from-configuration' : 'configuration',
          name: green.launch,
          image,
          source: blue.launch.configuration.LaunchConfigurationName ?? '',
          tags,
        }
      : {
          kind: 'template',
          name: green.launch,
          image,
          source: { id: blue.launch.version.LaunchTemplateId, version: blue.launch.version.VersionNumber },
          tags,
        };
  const blueLaunchName =
    blue.launch.kind === 'configuration'
      ? (blue.launch.configuration.LaunchConfigurationName ?? '')
      : (blue.launch.version.LaunchTemplateName ?? blue.launch.version.LaunchTemplateId);
  const launchType = blue.launch.kind === 'configuration' ? 'launch-configuration' : 'launch-template';
  const greenLaunchType = toTemplate ? 'launch-template' : launchType;
  if (blue.launch.kind === 'template' && /^\$/.test(blue.launch.requested)) {
    warnings.push(
      `blue's launch template ${blueLaunchName} is used as ${blue.launch.requested}; green copies version ${blue.launch.version.VersionNumber} and is pinned to its own template ${green.launch} version 1`,
    );
  }
  if (blue.launch.kind === 'configuration' && !toTemplate) {
    warnings.push(
      `blue uses launch configuration ${blueLaunchName}; AWS no longer lets new accounts create launch configurations, so consider moving ${blueGroupName} to a launch template`,
    );
  }

  // create-load-balancer
  const lbParams: CreateLoadBalancerParams = {
    name: green.loadBalancer,
    input: toJson(loadBalancerCopy(blueLb, blue.loadBalancer.tags, green.loadBalancer, tags)),
    healthCheck: blueLb.HealthCheck ? toJson<HealthCheck>(blueLb.HealthCheck) : null,
    attributes: toJson(loadBalancerAttributesCopy(blue.loadBalancer.attributes)),
  };

  // create-group
  const groupLaunch =
    blue.launch.kind === 'configuration' && !toTemplate
      ? { launchConfigurationName: green.launch }
      : { launchTemplateName: green.launch, version: '1' };
  const metrics = blue.group.EnabledMetrics?.flatMap((m) => (m.Metric ? [m.Metric] : [])) ?? [];
  const groupParams: CreateGroupParams = {
    name: green.group,
    blueGroup: blueGroupName,
    input: toJson(groupCopy(blue.group, blue.lifecycleHooks, green.group, groupLaunch, green.loadBalancer, tags)),
    suspendedProcesses: blue.group.SuspendedProcesses?.flatMap((p) => (p.ProcessName ? [p.ProcessName] : [])) ?? [],
    metrics: metrics.length > 0 ? { metrics, granularity: blue.group.EnabledMetrics?.[0]?.Granularity ?? '1Minute' } : null,
    lifecycleHooks: blue.lifecycleHooks.map((h) => toJson(lifecycleHookCopy(h, green.group))),
    deleteTimeoutSeconds: GROUP_DELETE_TIMEOUT_SECONDS,
    intervalSeconds: config.health.intervalSeconds,
  };

  // copy-scaling-policies
  const policies = blue.policies.filter((p) => p.PolicyName);
  const policyParams: CopyScalingPoliciesParams = {
    group: green.group,
    policies: policies.map((p) => toJson(scalingPolicyCopy(p, blueGroupName, green.group))),
  };

  // copy-alarms: alarms of blue's policies, except those target tracking manages itself
  const policyNameByBlueArn: Record<string, string> = {};
  for (const p of policies) if (p.PolicyARN && p.PolicyName) policyNameByBlueArn[p.PolicyARN] = p.PolicyName;
  const copied = blue.alarms.filter((a) => a.AlarmName && !isManagedAlarm(a.AlarmName));
  const alarmParams: CopyAlarmsParams = {
    group: green.group,
    alarms: copied.map((a) =>
      toJson(alarmCopy(a, alarmCopyName(config.service, green.color, deploymentId, a.AlarmName as string), blueGroupName, green.group, {}, tags)),
    ),
    policyNameByBlueArn,
  };
  const named = new Set(blue.alarms.map((a) => a.AlarmName));
  const missing = policies.flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName)).filter((n) => n && !named.has(n));
  if (missing.length > 0) warnings.push(`alarms named by blue's policies were not found and will not be copied: ${[...new Set(missing)].join(', ')}`);

  // wait-healthy
  const waitParams: WaitHealthyParams = {
    group: green.group,
    loadBalancer: green.loadBalancer,
    timeoutSeconds: config.health.timeoutSeconds,
    intervalSeconds: config.health.intervalSeconds,
  };

  // check-http (gates.http)
  const gateAlarms = config.gates?.alarms ?? [];
  const httpChecks = config.gates?.http ?? [];
  const httpParams: CheckHttpParams = {
    loadBalancer: green.loadBalancer,
    checks: httpChecks.map((h) => ({ url: h.url, expect: h.expect, tries: h.tries, intervalSeconds: h.intervalSeconds })),
  };

  // switch-dns
  const dnsParams: SwitchDnsParams = {
    ...(gateAlarms.length > 0 ? { alarms: gateAlarms } : {}),
    zoneId: config.dns.hostedZoneId,
    recordName: config.dns.name,
    loadBalancer: green.loadBalancer,
    from: observed.record.AliasTarget.DNSName ?? '',
    region: config.region ?? null,
    evaluateTargetHealth: observed.record.AliasTarget.EvaluateTargetHealth ?? false,
    syncTimeoutSeconds: DNS_SYNC_TIMEOUT_SECONDS,
  };

  // traffic-<percent> (traffic.steps), instead of switch-dns
  const traffic = config.traffic;
  const holdInterval = (hold: number) =>
    Math.max(1, Math.min(gateAlarms.length > 0 ? ALARM_POLL_SECONDS : HOLD_PROGRESS_SECONDS, hold));
  const trafficParams: ShiftTrafficParams[] = (traffic?.steps ?? []).map((percent, i, all) => ({
    percent,
    fromPercent: i === 0 ? 0 : (all[i - 1] as number),
    holdSeconds: percent < 100 ? traffic?.holdSeconds ?? 0 : 0,
    intervalSeconds: holdInterval(percent < 100 ? traffic?.holdSeconds ?? 0 : 0),
    alarms: gateAlarms,
    firstStep: trafficStepId(all[0] as number),
    sets: { blue: blue.color, green: green.color },
    zoneId: dnsParams.zoneId,
    recordName: dnsParams.recordName,
    loadBalancer: green.loadBalancer,
    from: dnsParams.from,
    region: dnsParams.region,
    evaluateTargetHealth: dnsParams.evaluateTargetHealth,
    syncTimeoutSeconds: DNS_SYNC_TIMEOUT_SECONDS,
  }));
  const firstTrafficStep = traffic ? trafficStepId(traffic.steps[0] as number) : STEP.switchDns;
  const blueTarget = blueLb.DNSName ?? dnsParams.from;
  if (traffic && traffic.steps.some((p) => p < 100) && traffic.holdSeconds < ALIAS_CACHE_SECONDS) {
    warnings.push(
      `traffic.hold is ${traffic.holdSeconds}s: clients cache alias records to load balancers for ${ALIAS_CACHE_SECONDS}s and many resolvers longer, so green may get less than each step's share of requests before the hold ends`,
    );
  }

  // wait-retire, retire-blue
  const below = config.retire.untilRequestsBelow;
  const retireWait: WaitRetireParams = {
    ...(gateAlarms.length > 0 ? { alarms: gateAlarms } : {}),
    seconds: config.retire.afterSeconds,
    intervalSeconds: Math.min(
      gateAlarms.length > 0 ? ALARM_POLL_SECONDS : RETIRE_PROGRESS_SECONDS,
      // With a drain to watch the wait outlasts the floor, so the floor does not shorten the poll.
      below === undefined ? Math.max(1, config.retire.afterSeconds) : RETIRE_PROGRESS_SECONDS,
    ),
    ...(below === undefined
      ? {}
      : { drain: { loadBalancer: blueLb.LoadBalancerName, below, windowMinutes: DRAIN_WINDOW_MINUTES, ceilingSeconds: DRAIN_CEILING_SECONDS } }),
  };
  const draining =
    below === undefined
      ? ''
      : ` and until ${blueLb.LoadBalancerName} gets fewer than ${below} requests a minute for ${DRAIN_WINDOW_MINUTES} whole minutes in a row (CloudWatch RequestCount, minutes ended ${METRIC_DELAY_SECONDS}s ago or more; at most ${DRAIN_CEILING_SECONDS / 60} minutes past the floor)`;
  if (observed.alarmsFiring && observed.alarmsFiring.length > 0) {
    const n = observed.alarmsFiring.length;
    warnings.push(
      `gates.alarms: ${n === 1 ? 'alarm' : 'alarms'} ${observed.alarmsFiring.join(', ')} ${n === 1 ? 'is' : 'are'} in ALARM now; unless ${n === 1 ? 'it returns' : 'they return'} to OK before the ${firstTrafficStep} step, green will be built and then rolled back without the switch`,
    );
  }
  const watching = gateAlarms.length > 0 ? `, watching ${gateAlarms.length === 1 ? 'alarm' : 'alarms'} ${gateAlarms.join(', ')}` : '';
  const action = config.retire.action;
  const blueOwnAlarms = blue.alarms.flatMap((a) => (a.AlarmName && !isManagedAlarm(a.AlarmName) ? [a.AlarmName] : []));
  const retireParams: RetireBlueParams = {
    action,
    group: blueGroupName,
    loadBalancer: blueLb.LoadBalancerName,
    launch: {
      kind: blue.launch.kind,
      name: blueLaunchName,
      own: isOwnStackName(config.service, blueLaunchName),
    },
    policies: policies.map((p) => p.PolicyName as string),
    alarms: blueOwnAlarms,
    timeoutSeconds: config.health.timeoutSeconds,
    intervalSeconds: config.health.intervalSeconds,
    deleteTimeoutSeconds: GROUP_DELETE_TIMEOUT_SECONDS,
  };
  const blueSizes = sizesText(blue.group.MinSize, blue.group.MaxSize, blue.group.DesiredCapacity);
  if (action === 'delete') {
    warnings.push(
      `retire.action delete: after the ${STEP.retireBlue} step, rollback cannot bring blue (${blueGroupName}) back; use scale-to-zero to keep that possibility`,
    );
    if (!retireParams.launch.own) {
      warnings.push(`retire.action delete keeps blue's ${launchType} ${blueLaunchName}: bluegreen did not create it`);
    }
  }
  if (config.retire.afterSeconds < 60) {
    warnings.push(
      `retire.after is ${config.retire.afterSeconds}s: clients cache alias records to load balancers for 60s and many resolvers longer, so blue may still get traffic when it is retired`,
    );
  }

  const step = (id: StepId, rest: Omit<StepDescriptor, 'id' | 'kind'>): StepDescriptor => ({ id, kind: kindOf(id), ...rest });

  const steps: StepDescriptor[] = [
    step(STEP.createLaunch, {
      title: toTemplate
        ? `Create launch template ${green.launch} from launch configuration ${blueLaunchName} with ${imageText}`
        : `Create ${launchType.replace('-', ' ')} ${green.launch} from ${blueLaunchName} with ${imageText}`,
      params: asJson(launchParams),
      creates: [{ type: greenLaunchType, name: green.launch }],
    }),
    step(STEP.createLoadBalancer, {
      title: `Create classic load balancer ${green.loadBalancer} like ${blueLb.LoadBalancerName}`,
      params: asJson(lbParams),
      creates: [{ type: 'load-balancer', name: green.loadBalancer }],
    }),
    step(STEP.createGroup, {
      title: `Create Auto Scaling group ${green.group} like ${blueGroupName}`,
      params: asJson(groupParams),
      creates: [{ type: 'auto-scaling-group', name: green.group }],
    }),
    step(STEP.copyScalingPolicies, {
      title: `Copy ${plural(policies.length, 'scaling policy', 'scaling policies')} of ${blueGroupName} to ${green.group}`,
      params: asJson(policyParams),
      creates: policies.map((p) => ({ type: 'scaling-policy', name: `${green.group}/${p.PolicyName}` })),
    }),
    step(STEP.copyAlarms, {
      title: `Copy ${plural(copied.length, 'alarm', 'alarms')} of ${blueGroupName}'s policies to ${green.group}`,
      params: asJson(alarmParams),
      creates: alarmParams.alarms.map((a) => ({ type: 'alarm', name: String(a.AlarmName) })),
    }),
    step(STEP.waitHealthy, {
      title: `Wait until ${green.group} has all its instances InService in ${green.loadBalancer}`,
      params: asJson(waitParams),
      waits: `until ${blue.group.DesiredCapacity} of ${blue.group.DesiredCapacity} instances are InService in ${green.loadBalancer} (timeout ${config.health.timeoutSeconds}s, every ${config.health.intervalSeconds}s)`,
    }),
    ...(httpChecks.length > 0
      ? [
          step(STEP.checkHttp, {
            title: `Check ${green.loadBalancer} over HTTP: ${plural(httpChecks.length, 'check', 'checks')}`,
            params: asJson(httpParams),
            waits: httpChecks
              .map((h) => `GET ${h.url} answers ${h.expect} (${plural(h.tries, 'try', 'tries')}, every ${h.intervalSeconds}s, ${HTTP_GATE_TIMEOUT_SECONDS}s each)`)
              .join('; '),
          }),
        ]
      : []),
    ...(trafficParams.length > 0
      ? trafficParams.map((t, i): StepDescriptor => {
          const hold = t.holdSeconds > 0 ? ` and hold ${formatDuration(t.holdSeconds)}` : '';
          const first = i === 0;
          const last = t.percent >= 100;
          return {
            id: trafficStepId(t.percent),
            kind: SHIFT_TRAFFIC_KIND,
            title: last
              ? `Send all requests to ${green.color} (${green.loadBalancer}): ${config.dns.name} points at it alone${gateAlarms.length > 0 ? ` unless ${gateAlarms.length === 1 ? 'alarm' : 'an alarm of'} ${gateAlarms.join(', ')} is in ALARM` : ''}`
              : `Send ${t.percent}% of requests to ${green.color} (${green.loadBalancer})${hold}${watching}`,
            params: asJson(t),
            changes:
              first && last
                ? [{ what: `DNS record ${config.dns.name}`, from: blueTarget, to: green.loadBalancer }]
                : [
                    ...(first
                      ? [{ what: `DNS record ${config.dns.name}`, from: `alias to ${blueTarget}`, to: `weighted alias records ${blue.color} (${blueTarget}) and ${green.color} (${green.loadBalancer})` }]
                      : []),
                    {
                      what: `weights of ${config.dns.name}`,
                      from: `${blue.color} ${100 - t.fromPercent} / ${green.color} ${t.fromPercent}`,
                      to: `${blue.color} ${100 - t.percent} / ${green.color} ${t.percent}`,
                    },
                    ...(last
                      ? [{ what: `DNS record ${config.dns.name}`, from: `weighted alias records ${blue.color} and ${green.color}`, to: `alias to ${green.loadBalancer}` }]
                      : []),
                  ],
            waits: `until the change is INSYNC (timeout ${DNS_SYNC_TIMEOUT_SECONDS}s)${t.holdSeconds > 0 ? `, then ${formatDuration(t.holdSeconds)}${watching}` : ''}`,
            ...(first ? { pausePoint: true } : {}),
          };
        })
      : [
          step(STEP.switchDns, {
            title: `Point ${config.dns.name} at ${green.loadBalancer}${gateAlarms.length > 0 ? ` unless ${gateAlarms.length === 1 ? 'alarm' : 'an alarm of'} ${gateAlarms.join(', ')} is in ALARM` : ''}`,
            params: asJson(dnsParams),
            changes: [{ what: `DNS record ${config.dns.name}`, from: blueTarget, to: green.loadBalancer }],
            waits: `until the change is INSYNC (timeout ${DNS_SYNC_TIMEOUT_SECONDS}s)`,
            pausePoint: true,
          }),
        ]),
    step(STEP.waitRetire, {
      title: `Wait ${config.retire.afterSeconds}s${below === undefined ? '' : ` and until ${blue.color} gets fewer than ${below} requests a minute`} for clients to move to ${green.color} before retiring ${blue.color}`,
      params: asJson(retireWait),
      waits: `${config.retire.afterSeconds}s${draining}${watching}`,
    }),
    step(STEP.retireBlue, {
      title:
        action === 'scale-to-zero'
          ? `Scale ${blueGroupName} to zero`
          : action === 'delete'
            ? `Delete ${blue.color} stack ${blueGroupName}`
            : `Keep ${blueGroupName} as it is`,
      params: asJson(retireParams),
      ...(action === 'keep'
        ? {}
        : {
            changes: [
              action === 'scale-to-zero'
                ? { what: `capacity of ${blueGroupName}`, from: blueSizes, to: sizesText(0, blue.group.MaxSize, 0) }
                : {
                    what: `${blue.color} stack`,
                    from: [
                      `group ${blueGroupName}`,
                      `load balancer ${blueLb.LoadBalancerName}`,
                      ...(retireParams.launch.own ? [`${launchType} ${blueLaunchName}`] : []),
                      plural(retireParams.policies.length, 'policy', 'policies'),
                      plural(retireParams.alarms.length, 'alarm', 'alarms'),
                    ].join(', '),
                    to: 'deleted',
                  },
            ],
          }),
    }),
  ];

  if (bake && release.kind === 'commands') {
    steps.unshift(
      ...planBake({
        strategy: STRATEGY,
        config,
        release,
        deploymentId,
        blueGroup: blue.group,
        blueLaunch: blue.launch,
        sourceImage: observed.image.ImageId,
        bake,
        tags,
      }),
    );
  }

  return {
    deploymentId,
    steps,
    summary: {
      blue: { color: blue.color, group: blueGroupName, loadBalancer: blueLb.LoadBalancerName },
      green: { color: green.color, group: green.group, loadBalancer: green.loadBalancer, launch: green.launch },
      ...(bake ? { release: 'commands', image: `${bake.image} (image baked from builder ${bake.builder})` } : { image }),
      record: { zone: config.dns.hostedZoneId, name: config.dns.name },
      ...(traffic
        ? { traffic: { steps: [...traffic.steps], holdSeconds: traffic.holdSeconds }, trafficStep: trafficStepId(traffic.steps.at(-1) as number) }
        : {}),
    },
    warnings,
  };
}
