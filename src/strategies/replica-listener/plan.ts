/**
 * The pure planner of replica-listener: config and observed state in, an ordered list of steps out. Every
 * decision (names, what is copied, the percents, timeouts) is made here and stored in the steps' params,
 * so resume and rollback need only the journal. What only exists at apply time (green's target group ARN)
 * is taken from the outputs of the step that made it (create-target-group).
 *
 * A release by commands first makes green's image, as replica-dns does (launch-builder ... terminate-builder).
 */
import type { Config } from '../../config/schema.js';
import { formatDuration } from '../../config/duration.js';
import type { JsonObject, StepDescriptor } from '../../engine/types.js';
import type { Plan, PlanSummary } from '../types.js';
import { BAKE_STEP, planBake } from '../replica-dns/bake-plan.js';
import {
  ALARM_POLL_SECONDS,
  DRAIN_CEILING_SECONDS,
  DRAIN_WINDOW_MINUTES,
  GREEN_TARGET_PLACEHOLDER,
  HTTP_GATE_TIMEOUT_SECONDS,
  METRIC_DELAY_SECONDS,
  type DrainWatch,
  type HttpCheck,
} from '../common/gates.js';
import { alarmCopy, groupCopy, isManagedAlarm, lifecycleHookCopy, scalingPolicyCopy } from '../replica-dns/builders.js';
import type { CopyAlarmsParams, CopyScalingPoliciesParams, CreateGroupParams, CreateLaunchParams, RetireBlueCommon } from '../replica-dns/replica-steps.js';
import { deregistrationDelaySeconds, loadBalancerDimension, targetGroupAttributesCopy, targetGroupCopy, targetGroupDimension } from './builders.js';
import { replicaListenerConfig, STRATEGY, type Observed } from './observe.js';
import { alarmCopyName, bakeNames, isOwnStackName, isOwnTargetGroup, listenerStackNames, otherColor, type OwnTags } from './names.js';

export { STRATEGY } from './observe.js';

/** Step ids: the stable keys of the journal and the events. A traffic step's id is trafficStepId(percent). */
export const STEP = {
  // Only with release.commands: green's image, made before green.
  ...BAKE_STEP,
  // Always.
  createLaunch: 'create-launch',
  createTargetGroup: 'create-target-group',
  createGroup: 'create-group',
  copyScalingPolicies: 'copy-scaling-policies',
  copyAlarms: 'copy-alarms',
  waitHealthy: 'wait-healthy',
  // Only with gates.http.
  checkHttp: 'check-http',
  // Without traffic.steps; with them, one shift-traffic step per percent.
  switchListener: 'switch-listener',
  waitRetire: 'wait-retire',
  retireBlue: 'retire-blue',
} as const;
export type StepId = (typeof STEP)[keyof typeof STEP];

/** The kind of every traffic step (traffic-10, traffic-50, traffic-100). */
export const SHIFT_TRAFFIC = 'shift-traffic';

export const kindOf = (id: StepId | typeof SHIFT_TRAFFIC) => `${STRATEGY}/${id}`;
export const trafficStepId = (percent: number) => `traffic-${percent}`;

/** How long a deleted group may take to disappear (draining, then termination). */
export const GROUP_DELETE_TIMEOUT_SECONDS = 900;
/** How often the retire wait says how long is left. */
export const RETIRE_PROGRESS_SECONDS = 30;

// ---------------------------------------------------------------- params (JSON, stored in the journal)

export type {
  BakeImageParams,
  LaunchInstancesParams,
  RunCommandsParams,
  TerminateInstancesParams,
  WaitReachableParams,
  WaitRunningParams,
} from '../common/instance-steps.js';
import { asJson, plural, sizesText, toJson } from '../common/plan-helpers.js';
export type { CopyAlarmsParams, CopyScalingPoliciesParams, CreateGroupParams, CreateLaunchParams } from '../replica-dns/replica-steps.js';

export interface CreateTargetGroupParams {
  name: string;
  input: JsonObject; // CreateTargetGroupCommandInput
  attributes: JsonObject[]; // TargetGroupAttribute[]
}

/** Where green's target group ARN comes from (the outputs of create-target-group), and what blue's is. */
export interface TargetGroupRef {
  /** The step whose outputs.targetGroupArn is green's target group. */
  targetGroupStep: string;
  /** Green's target group name, for messages. */
  targetGroup: string;
}

/** create-group: green's group goes into green's target group (known when the step runs). */
export type CreateListenerGroupParams = CreateGroupParams & TargetGroupRef;

/** copy-scaling-policies and copy-alarms: blue's target group dimension, rewritten to green's when they run. */
export type CopyListenerPoliciesParams = CopyScalingPoliciesParams & TargetGroupRef & { blueTargetGroupDimension: string };
export type CopyListenerAlarmsParams = CopyAlarmsParams & TargetGroupRef & { blueTargetGroupDimension: string };

export interface WaitHealthyParams extends TargetGroupRef {
  group: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** The HTTP gates, checked against every healthy target of green's target group before traffic moves. */
export interface CheckHttpParams extends TargetGroupRef {
  checks: HttpCheck[];
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
}

export interface WaitRetireParams {
  /** gates.alarms, read on every poll: one in ALARM rolls back. */
  alarms?: string[];
  seconds: number;
  intervalSeconds: number;
  /** retire.untilRequestsBelow: blue's target group's RequestCount (NLB: NewFlowCount) must stay below. */
  drain?: DrainWatch & { ceilingSeconds: number };
}

export interface RetireBlueParams extends RetireBlueCommon {
  listener: string;
  /** Blue's target group, deleted by `delete` only when an earlier deployment made it and nothing forwards to it. */
  targetGroup: { arn: string; name: string; own: boolean };
}

export { toJson } from '../common/plan-helpers.js';


export function plan(anyConfig: Config, observed: Observed, deploymentId: string): Plan<PlanSummary> {
  const config = replicaListenerConfig(anyConfig);
  const { blue } = observed;
  const blueGroupName = blue.group.AutoScalingGroupName;
  const blueTg = blue.targetGroup.description;
  const green = listenerStackNames(config.service, otherColor(blue.color), deploymentId);
  const tags: OwnTags = { service: config.service, deploymentId, color: green.color };
  const { release } = config;
  const bake = release.kind === 'commands' ? bakeNames({ ...green, loadBalancer: green.targetGroup }) : null;
  const image = release.kind === 'image' ? release.image : null;
  const imageText = bake ? `the image baked from builder ${bake.builder}` : `image ${image}`;
  const listenerArn = observed.listener.ListenerArn;
  const listenerName = `${observed.loadBalancer.LoadBalancerName ?? loadBalancerDimension(listenerArn)}:${observed.listener.Port ?? ''}`;
  const warnings: string[] = [];
  const ref: TargetGroupRef = { targetGroupStep: STEP.createTargetGroup, targetGroup: green.targetGroup };
  const blueTgDimension = targetGroupDimension(blueTg.TargetGroupArn);

  // create-launch
  const toTemplate = config.launch === 'template' && blue.launch.kind === 'configuration';
  const launchParams: CreateLaunchParams =
    blue.launch.kind === 'configuration'
      ? { kind: toTemplate ? 'template-from-configuration' : 'configuration', name: green.launch, image, source: blue.launch.configuration.LaunchConfigurationName, tags }
      : { kind: 'template', name: green.launch, image, source: { id: blue.launch.version.LaunchTemplateId, version: blue.launch.version.VersionNumber }, tags };
  const blueLaunchName =
    blue.launch.kind === 'configuration' ? blue.launch.configuration.LaunchConfigurationName : (blue.launch.version.LaunchTemplateName ?? blue.launch.version.LaunchTemplateId);
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

  // create-target-group
  const tgParams: CreateTargetGroupParams = {
    name: green.targetGroup,
    input: toJson(targetGroupCopy(blueTg, blue.targetGroup.tags, green.targetGroup, tags)),
    attributes: targetGroupAttributesCopy(blue.targetGroup.attributes).map((a) => toJson(a)),
  };

  // create-group: blue's settings, in green's target group only (its ARN is set when the step runs)
  const groupLaunch =
    blue.launch.kind === 'configuration' && !toTemplate ? { launchConfigurationName: green.launch } : { launchTemplateName: green.launch, version: '1' };
  const metrics = blue.group.EnabledMetrics?.flatMap((m) => (m.Metric ? [m.Metric] : [])) ?? [];
  const { LoadBalancerNames: _classic, ...groupInput } = groupCopy(blue.group, blue.lifecycleHooks, green.group, groupLaunch, '', tags);
  const groupParams: CreateListenerGroupParams = {
    name: green.group,
    blueGroup: blueGroupName,
    input: toJson({ ...groupInput, TargetGroupARNs: [] }),
    suspendedProcesses: blue.group.SuspendedProcesses?.flatMap((p) => (p.ProcessName ? [p.ProcessName] : [])) ?? [],
    metrics: metrics.length > 0 ? { metrics, granularity: blue.group.EnabledMetrics?.[0]?.Granularity ?? '1Minute' } : null,
    lifecycleHooks: blue.lifecycleHooks.map((h) => toJson(lifecycleHookCopy(h, green.group))),
    deleteTimeoutSeconds: GROUP_DELETE_TIMEOUT_SECONDS,
    intervalSeconds: config.health.intervalSeconds,
    ...ref,
  };
  const classic = blue.group.LoadBalancerNames ?? [];
  if (classic.length > 0) {
    warnings.push(`${blueGroupName} is also in classic load balancers ${classic.join(', ')}; green is not registered with them`);
  }

  // copy-scaling-policies
  const policies = blue.policies.filter((p) => p.PolicyName);
  const policyParams: CopyListenerPoliciesParams = {
    group: green.group,
    policies: policies.map((p) => toJson(scalingPolicyCopy(p, blueGroupName, green.group))),
    blueTargetGroupDimension: blueTgDimension,
    ...ref,
  };

  // copy-alarms: alarms of blue's policies, except those target tracking manages itself
  const policyNameByBlueArn: Record<string, string> = {};
  for (const p of policies) if (p.PolicyARN && p.PolicyName) policyNameByBlueArn[p.PolicyARN] = p.PolicyName;
  const copied = blue.alarms.filter((a) => a.AlarmName && !isManagedAlarm(a.AlarmName));
  const alarmParams: CopyListenerAlarmsParams = {
    group: green.group,
    alarms: copied.map((a) =>
      toJson(alarmCopy(a, alarmCopyName(config.service, green.color, deploymentId, a.AlarmName as string), blueGroupName, green.group, {}, tags)),
    ),
    policyNameByBlueArn,
    blueTargetGroupDimension: blueTgDimension,
    ...ref,
  };
  const named = new Set(blue.alarms.map((a) => a.AlarmName));
  const missing = policies.flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName)).filter((n) => n && !named.has(n));
  if (missing.length > 0) warnings.push(`alarms named by blue's policies were not found and will not be copied: ${[...new Set(missing)].join(', ')}`);

  // wait-healthy
  const waitParams: WaitHealthyParams = { group: green.group, timeoutSeconds: config.health.timeoutSeconds, intervalSeconds: config.health.intervalSeconds, ...ref };

  // check-http (gates.http)
  const gateAlarms = config.gates?.alarms ?? [];
  const httpChecks = config.gates?.http ?? [];
  const httpParams: CheckHttpParams = {
    checks: httpChecks.map((h) => ({ url: h.url, expect: h.expect, tries: h.tries, intervalSeconds: h.intervalSeconds })),
    ...ref,
  };

  // switch-listener, or one traffic step per percent
  const percents = config.traffic?.steps ?? [100];
  const firstStep = config.traffic ? trafficStepId(percents[0] ?? 100) : STEP.switchListener;
  const holdSeconds = config.traffic?.holdSeconds ?? 0;
  const watching = gateAlarms.length > 0 ? `, watching ${gateAlarms.length === 1 ? 'alarm' : 'alarms'} ${gateAlarms.join(', ')}` : '';
  const moved = observed.rules.length;
  const where = `listener ${listenerName}${moved > 0 ? ` and ${plural(moved, 'rule', 'rules')}` : ''}`;
  const trafficSteps: StepDescriptor[] = percents.map((percent, i) => {
    const hold = percent < 100 ? holdSeconds : 0;
    const params: ShiftTrafficParams = {
      percent,
      holdSeconds: hold,
      // Alarms are read every ALARM_POLL_SECONDS; without any, the hold only says how long is left.
      intervalSeconds: Math.max(1, Math.min(gateAlarms.length > 0 ? ALARM_POLL_SECONDS : RETIRE_PROGRESS_SECONDS, hold || ALARM_POLL_SECONDS)),
      alarms: gateAlarms,
      listener: listenerArn,
      blueTargetGroupArn: blueTg.TargetGroupArn,
      firstStep,
      first: i === 0,
      ...ref,
    };
    const before = i === 0 ? `blue ${blueTg.TargetGroupName}` : `${100 - (percents[i - 1] ?? 0)}% blue, ${percents[i - 1]}% green`;
    const after = percent >= 100 ? `green ${green.targetGroup}` : `${100 - percent}% blue, ${percent}% green`;
    return {
      id: config.traffic ? trafficStepId(percent) : STEP.switchListener,
      kind: config.traffic ? kindOf(SHIFT_TRAFFIC) : kindOf(STEP.switchListener),
      title: config.traffic
        ? `Send ${percent}% of requests to green (${green.targetGroup})${hold > 0 ? ` and hold ${formatDuration(hold)}` : ''}${watching}`
        : `Forward ${where} to ${green.targetGroup}${gateAlarms.length > 0 ? ` unless ${gateAlarms.length === 1 ? 'alarm' : 'an alarm of'} ${gateAlarms.join(', ')} is in ALARM` : ''}`,
      params: asJson(params),
      changes: [{ what: `forward of ${where}`, from: before, to: after }],
      ...(hold > 0 ? { waits: `${hold}s${watching}` } : {}),
      ...(i === 0 ? { pausePoint: true } : {}),
    };
  });

  // wait-retire: at least blue's deregistration delay
  const delay = deregistrationDelaySeconds(blue.targetGroup.attributes);
  const retireSeconds = Math.max(config.retire.afterSeconds, delay);
  const below = config.retire.untilRequestsBelow;
  const metricName = observed.network ? 'NewFlowCount' : 'RequestCount';
  const drain: (DrainWatch & { ceilingSeconds: number }) | undefined =
    below === undefined
      ? undefined
      : {
          namespace: observed.network ? 'AWS/NetworkELB' : 'AWS/ApplicationELB',
          metricName,
          dimensions: [
            { name: 'LoadBalancer', value: loadBalancerDimension(observed.loadBalancer.LoadBalancerArn) },
            { name: 'TargetGroup', value: blueTgDimension },
          ],
          label: blueTg.TargetGroupName,
          below,
          windowMinutes: DRAIN_WINDOW_MINUTES,
          ceilingSeconds: DRAIN_CEILING_SECONDS,
        };
  const retireWait: WaitRetireParams = {
    ...(gateAlarms.length > 0 ? { alarms: gateAlarms } : {}),
    seconds: retireSeconds,
    intervalSeconds: Math.min(
      gateAlarms.length > 0 ? ALARM_POLL_SECONDS : RETIRE_PROGRESS_SECONDS,
      below === undefined ? Math.max(1, retireSeconds) : RETIRE_PROGRESS_SECONDS,
    ),
    ...(drain ? { drain } : {}),
  };
  const unit = observed.network ? 'new connections' : 'requests';
  const draining =
    below === undefined
      ? ''
      : ` and until ${blueTg.TargetGroupName} gets fewer than ${below} ${unit} a minute for ${DRAIN_WINDOW_MINUTES} whole minutes in a row (CloudWatch ${metricName}, minutes ended ${METRIC_DELAY_SECONDS}s ago or more; at most ${DRAIN_CEILING_SECONDS / 60} minutes past the floor)`;
  if (delay > config.retire.afterSeconds) {
    warnings.push(
      `retire.after is ${config.retire.afterSeconds}s, less than the deregistration delay of ${blueTg.TargetGroupName} (${delay}s): blue is retired after ${delay}s`,
    );
  }
  if (observed.alarmsFiring && observed.alarmsFiring.length > 0) {
    const n = observed.alarmsFiring.length;
    warnings.push(
      `gates.alarms: ${n === 1 ? 'alarm' : 'alarms'} ${observed.alarmsFiring.join(', ')} ${n === 1 ? 'is' : 'are'} in ALARM now; unless ${n === 1 ? 'it returns' : 'they return'} to OK before the ${firstStep} step, green will be built and then rolled back without moving traffic`,
    );
  }

  // retire-blue
  const action = config.retire.action;
  const blueOwnAlarms = blue.alarms.flatMap((a) => (a.AlarmName && !isManagedAlarm(a.AlarmName) ? [a.AlarmName] : []));
  const retireParams: RetireBlueParams = {
    action,
    group: blueGroupName,
    listener: listenerArn,
    targetGroup: {
      arn: blueTg.TargetGroupArn,
      name: blueTg.TargetGroupName,
      own: isOwnTargetGroup(config.service, blueTg.TargetGroupName, blue.targetGroup.tags),
    },
    launch: { kind: blue.launch.kind, name: blueLaunchName, own: isOwnStackName(config.service, blueLaunchName) },
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
    if (!retireParams.launch.own) warnings.push(`retire.action delete keeps blue's ${launchType} ${blueLaunchName}: bluegreen did not create it`);
    if (!retireParams.targetGroup.own) warnings.push(`retire.action delete keeps blue's target group ${blueTg.TargetGroupName}: bluegreen did not create it`);
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
    step(STEP.createTargetGroup, {
      title: `Create target group ${green.targetGroup} like ${blueTg.TargetGroupName}`,
      params: asJson(tgParams),
      creates: [{ type: 'target-group', name: green.targetGroup }],
    }),
    step(STEP.createGroup, {
      title: `Create Auto Scaling group ${green.group} like ${blueGroupName}, in target group ${green.targetGroup}`,
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
      title: `Wait until ${green.group} has all its instances InService and healthy in ${green.targetGroup}`,
      params: asJson(waitParams),
      waits: `until ${blue.group.DesiredCapacity} of ${blue.group.DesiredCapacity} instances are InService and healthy in ${green.targetGroup} (timeout ${config.health.timeoutSeconds}s, every ${config.health.intervalSeconds}s)`,
    }),
    ...(httpChecks.length > 0
      ? [
          step(STEP.checkHttp, {
            title: `Check each healthy target of ${green.targetGroup} over HTTP: ${plural(httpChecks.length, 'check', 'checks')}`,
            params: asJson(httpParams),
            waits: httpChecks
              .map((h) => `GET ${h.url} answers ${h.expect} on each target as ${GREEN_TARGET_PLACEHOLDER} (${plural(h.tries, 'try', 'tries')}, every ${h.intervalSeconds}s, ${HTTP_GATE_TIMEOUT_SECONDS}s each)`)
              .join('; '),
          }),
        ]
      : []),
    ...trafficSteps,
    step(STEP.waitRetire, {
      title: `Wait ${retireSeconds}s${below === undefined ? '' : ` and until ${blue.color} gets fewer than ${below} ${unit} a minute`} for clients to move to ${green.color} before retiring ${blue.color}`,
      params: asJson(retireWait),
      waits: `${retireSeconds}s${draining}${watching}`,
    }),
    step(STEP.retireBlue, {
      title:
        action === 'scale-to-zero' ? `Scale ${blueGroupName} to zero` : action === 'delete' ? `Delete ${blue.color} stack ${blueGroupName}` : `Keep ${blueGroupName} as it is`,
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
                      ...(retireParams.targetGroup.own ? [`target group ${blueTg.TargetGroupName}`] : []),
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
      blue: { color: blue.color, group: blueGroupName, targetGroup: blueTg.TargetGroupName },
      green: { color: green.color, group: green.group, targetGroup: green.targetGroup, launch: green.launch },
      ...(bake ? { release: 'commands', image: `${bake.image} (image baked from builder ${bake.builder})` } : { image }),
      listener: { arn: listenerArn, rules: observed.rules.map((r) => r.RuleArn) },
      ...(config.traffic ? { traffic: { steps: percents, holdSeconds } } : {}),
      // status: green is live once this step (every request on green) is done.
      trafficStep: trafficSteps.at(-1)?.id ?? STEP.switchListener,
    },
    warnings,
  };
}

