/**
 * Pure request builders of the replica strategies: blue's descriptions in, green's create inputs out (the
 * group, its lifecycle hooks, policies and alarms, the builder of a release by commands). No I/O; tested
 * with exact inputs and outputs. Shapes are the SDK's own (response shapes in, request shapes out). The
 * launch copies are in common/builders.ts; each front builds its own front.
 */
import type {
  AutoScalingGroup,
  CreateAutoScalingGroupCommandInput,
  LifecycleHook,
  LifecycleHookSpecification,
  NotificationConfiguration,
  PutLifecycleHookCommandInput,
  PutScalingPolicyCommandInput,
  PutScheduledUpdateGroupActionCommandInput,
  PutWarmPoolCommandInput,
  ScalingPolicy,
  ScheduledUpdateGroupAction,
  Tag as GroupTag,
} from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { defined, nonEmpty, nonEmptyList, type Placement, type Tag } from '../common/builders.js';
import { BUILDER_ROLE, clientToken, isOwnTagKey, ownTags, propagatedTags, TAG, type OwnTags } from '../common/names.js';

const GROUP_DIMENSION = 'AutoScalingGroupName';

/**
 * Replaces every { Name: name, Value: from } dimension anywhere in a structure (alarm dimensions, metric
 * math, customised target tracking metrics) with `to`.
 */
export function swapDimension<T>(value: T, name: string, from: string, to: string): T {
  if (Array.isArray(value)) return (value as unknown[]).map((v) => swapDimension(v, name, from, to)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const o = value as Record<string, unknown>;
    if (o.Name === name && o.Value === from && Object.keys(o).length === 2) return { Name: name, Value: to } as T;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, swapDimension(v, name, from, to)])) as T;
  }
  return value;
}

/** Replaces every { Name: "AutoScalingGroupName", Value: from } dimension anywhere in a structure with `to`. */
export function swapGroupDimension<T>(value: T, from: string, to: string): T {
  return swapDimension(value, GROUP_DIMENSION, from, to);
}

/** A dimension of blue's front that becomes green's in copied policies and alarms, known when planning. */
export interface DimensionSwap {
  name: string;
  from: string;
  to: string;
}

/** Every swap applied in turn (swapDimension). */
export function swapDimensions<T>(value: T, swaps: readonly DimensionSwap[]): T {
  return swaps.reduce((v, s) => swapDimension(v, s.name, s.from, s.to), value);
}

// ---------------------------------------------------------------- builder (release by commands)

/**
 * Where the builder runs: the first of blue's subnets (VPCZoneIdentifier), else the first of its zones.
 * One instance, with a ClientToken stable for the deployment, so a retry returns the same builder.
 */
export function builderPlacement(
  blue: { VPCZoneIdentifier?: string; AvailabilityZones?: string[] },
  service: string,
  deploymentId: string,
): Placement {
  const subnet = (blue.VPCZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .find(Boolean);
  const zone = subnet ? undefined : blue.AvailabilityZones?.[0];
  return defined({ subnetId: subnet, availabilityZone: zone, count: 1, clientToken: clientToken(service, deploymentId, BUILDER_ROLE) });
}

/**
 * The builder's tags: blue's tags that reach its instances (but Name), its own Name, our three tags and
 * the role tag that tells it from green's instances (same deployment, same color).
 */
export function builderTags(blueTags: Parameters<typeof propagatedTags>[0], name: string, tags: OwnTags): Tag[] {
  return [
    ...propagatedTags(blueTags).filter((t) => t.Key !== 'Name'),
    { Key: 'Name', Value: name },
    ...ownTags(tags),
    { Key: TAG.role, Value: BUILDER_ROLE },
  ];
}

// ---------------------------------------------------------------- group

export type GroupLaunch = { launchConfigurationName: string } | { launchTemplateName: string; version: string };

/**
 * Green's group: blue's settings with green's launch and classic load balancer (none: `loadBalancer`
 * undefined; replica-listener adds green's target group when the step runs). Sizes are blue's (the handler
 * replaces them with blue's sizes at the moment of creation). Lifecycle hooks are part of the request so
 * the first instances pass through launch hooks too; suspended processes and enabled metrics follow after.
 */
export function groupCopy(
  blue: AutoScalingGroup,
  hooks: LifecycleHook[],
  name: string,
  launch: GroupLaunch,
  loadBalancer: string | undefined,
  tags: OwnTags,
): CreateAutoScalingGroupCommandInput {
  const vpcZones = nonEmpty(blue.VPCZoneIdentifier);
  const blueTags: GroupTag[] = (blue.Tags ?? [])
    .filter((t) => !isOwnTagKey(t.Key) && !t.Key?.startsWith('aws:'))
    .map((t) => defined({ Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch }));
  return defined({
    AutoScalingGroupName: name,
    ...groupLaunchOf(blue, launch),
    MinSize: blue.MinSize,
    MaxSize: blue.MaxSize,
    DesiredCapacity: blue.DesiredCapacity,
    // Sizes in vCPUs or MiB count as blue's do (absent: units, instances or weights).
    DesiredCapacityType: blue.DesiredCapacityType,
    DefaultCooldown: blue.DefaultCooldown,
    AvailabilityZones: vpcZones ? undefined : nonEmptyList(blue.AvailabilityZones),
    VPCZoneIdentifier: vpcZones,
    HealthCheckType: blue.HealthCheckType,
    HealthCheckGracePeriod: blue.HealthCheckGracePeriod,
    TerminationPolicies: nonEmptyList(blue.TerminationPolicies),
    NewInstancesProtectedFromScaleIn: blue.NewInstancesProtectedFromScaleIn,
    PlacementGroup: nonEmpty(blue.PlacementGroup),
    CapacityRebalance: blue.CapacityRebalance,
    MaxInstanceLifetime: blue.MaxInstanceLifetime,
    DefaultInstanceWarmup: blue.DefaultInstanceWarmup,
    ServiceLinkedRoleARN: blue.ServiceLinkedRoleARN,
    InstanceMaintenancePolicy: blue.InstanceMaintenancePolicy,
    Context: nonEmpty(blue.Context),
    LoadBalancerNames: loadBalancer === undefined ? undefined : [loadBalancer],
    LifecycleHookSpecificationList: nonEmptyList(hooks.map(lifecycleHookSpecification)),
    Tags: [...blueTags, ...ownTags(tags).map((t) => ({ ...t, PropagateAtLaunch: true }))],
    ...groupSettingsCopy(blue),
  });
}

/**
 * Green's launch in the group request. A mixed instances policy is kept as blue has it (overrides,
 * instances distribution) with green's template in place of blue's.
 */
function groupLaunchOf(blue: AutoScalingGroup, launch: GroupLaunch): Partial<CreateAutoScalingGroupCommandInput> {
  if ('launchConfigurationName' in launch) return { LaunchConfigurationName: launch.launchConfigurationName };
  const template = { LaunchTemplateName: launch.launchTemplateName, Version: launch.version };
  const mixed = blue.MixedInstancesPolicy;
  if (!mixed) return { LaunchTemplate: template };
  return { MixedInstancesPolicy: { ...mixed, LaunchTemplate: { ...mixed.LaunchTemplate, LaunchTemplateSpecification: template } } };
}

function lifecycleHookSpecification(h: LifecycleHook): LifecycleHookSpecification {
  return defined({
    LifecycleHookName: h.LifecycleHookName,
    LifecycleTransition: h.LifecycleTransition,
    NotificationMetadata: h.NotificationMetadata,
    HeartbeatTimeout: h.HeartbeatTimeout,
    DefaultResult: h.DefaultResult,
    NotificationTargetARN: h.NotificationTargetARN,
    RoleARN: h.RoleARN,
  });
}

/** PutLifecycleHook for green (used after create, so an adopted group gets them too). */
export function lifecycleHookCopy(h: LifecycleHook, group: string): PutLifecycleHookCommandInput {
  return { ...lifecycleHookSpecification(h), AutoScalingGroupName: group };
}

// ---------------------------------------------------------------- policies and alarms

/** PutScalingPolicy for green from one of blue's policies: every type-specific field, no ARN, no alarms. */
export function scalingPolicyCopy(blue: ScalingPolicy, blueGroup: string, greenGroup: string): PutScalingPolicyCommandInput {
  return defined({
    AutoScalingGroupName: greenGroup,
    PolicyName: blue.PolicyName,
    PolicyType: blue.PolicyType,
    AdjustmentType: blue.AdjustmentType,
    MinAdjustmentStep: blue.MinAdjustmentStep,
    MinAdjustmentMagnitude: blue.MinAdjustmentMagnitude,
    ScalingAdjustment: blue.ScalingAdjustment,
    Cooldown: blue.Cooldown,
    MetricAggregationType: blue.MetricAggregationType,
    StepAdjustments: blue.StepAdjustments,
    EstimatedInstanceWarmup: blue.EstimatedInstanceWarmup,
    TargetTrackingConfiguration: swapGroupDimension(blue.TargetTrackingConfiguration, blueGroup, greenGroup),
    Enabled: blue.Enabled,
    PredictiveScalingConfiguration: swapGroupDimension(blue.PredictiveScalingConfiguration, blueGroup, greenGroup),
  });
}

/** Alarms that target tracking policies make and delete themselves: never copied. */
export function isManagedAlarm(name: string | undefined): boolean {
  return !!name && name.startsWith('TargetTracking-');
}

/**
 * PutMetricAlarm for green from one of blue's alarms: the group dimension points at green, actions that
 * are blue's policy ARNs become green's (`policyArns`: blue ARN -> green ARN), other actions (SNS...) stay.
 */
export function alarmCopy(
  blue: MetricAlarm,
  copyName: string,
  blueGroup: string,
  greenGroup: string,
  policyArns: Readonly<Record<string, string>>,
  tags: OwnTags,
): PutMetricAlarmCommandInput {
  return defined({
    AlarmName: copyName,
    AlarmDescription: blue.AlarmDescription,
    ActionsEnabled: blue.ActionsEnabled,
    OKActions: remapActions(blue.OKActions, policyArns),
    AlarmActions: remapActions(blue.AlarmActions, policyArns),
    InsufficientDataActions: remapActions(blue.InsufficientDataActions, policyArns),
    MetricName: blue.MetricName,
    Namespace: blue.Namespace,
    Statistic: blue.Statistic,
    ExtendedStatistic: blue.ExtendedStatistic,
    Dimensions: swapGroupDimension(blue.Dimensions, blueGroup, greenGroup),
    Period: blue.Period,
    Unit: blue.Unit,
    EvaluationPeriods: blue.EvaluationPeriods,
    DatapointsToAlarm: blue.DatapointsToAlarm,
    Threshold: blue.Threshold,
    ComparisonOperator: blue.ComparisonOperator,
    TreatMissingData: blue.TreatMissingData,
    EvaluateLowSampleCountPercentile: blue.EvaluateLowSampleCountPercentile,
    Metrics: swapGroupDimension(blue.Metrics, blueGroup, greenGroup),
    ThresholdMetricId: blue.ThresholdMetricId,
    EvaluationWindow: blue.EvaluationWindow,
    WarmUpConfiguration: blue.WarmUpConfiguration,
    EvaluationCriteria: blue.EvaluationCriteria,
    EvaluationInterval: blue.EvaluationInterval,
    ActionConfiguration: blue.ActionConfiguration,
    Tags: ownTags(tags),
  });
}

/** The actions an alarm takes in every state (ALARM, OK, INSUFFICIENT_DATA). */
export function alarmActionsOf(alarm: MetricAlarm): string[] {
  return [...(alarm.AlarmActions ?? []), ...(alarm.OKActions ?? []), ...(alarm.InsufficientDataActions ?? [])];
}

/**
 * PutMetricAlarm that leaves an alarm as it is but for the actions in `drop` (a retired group's policy
 * ARNs): what keeps an alarm that also notifies SNS or drives another group's policy. PutMetricAlarm
 * replaces the whole alarm, so every setting is given again; the tags of an existing alarm stay (the
 * request's Tags would be ignored, so none are sent).
 */
export function alarmWithout(alarm: MetricAlarm, drop: ReadonlySet<string>): PutMetricAlarmCommandInput {
  const keep = (actions: string[] | undefined) => actions?.filter((a) => !drop.has(a));
  return defined({
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription,
    ActionsEnabled: alarm.ActionsEnabled,
    OKActions: keep(alarm.OKActions),
    AlarmActions: keep(alarm.AlarmActions),
    InsufficientDataActions: keep(alarm.InsufficientDataActions),
    MetricName: alarm.MetricName,
    Namespace: alarm.Namespace,
    Statistic: alarm.Statistic,
    ExtendedStatistic: alarm.ExtendedStatistic,
    Dimensions: alarm.Dimensions,
    Period: alarm.Period,
    Unit: alarm.Unit,
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm,
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    TreatMissingData: alarm.TreatMissingData,
    EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile,
    Metrics: alarm.Metrics,
    ThresholdMetricId: alarm.ThresholdMetricId,
    EvaluationWindow: alarm.EvaluationWindow,
    WarmUpConfiguration: alarm.WarmUpConfiguration,
    EvaluationCriteria: alarm.EvaluationCriteria,
    EvaluationInterval: alarm.EvaluationInterval,
    ActionConfiguration: alarm.ActionConfiguration,
  });
}

/** Replaces the actions found in `arns` and keeps the others. */
export function remapActions(actions: string[] | undefined, arns: Readonly<Record<string, string>>): string[] | undefined {
  return actions?.map((a) => arns[a] ?? a);
}

// ---------------------------------------------------------------- the rest of blue's group (settings, scheduled actions, warm pool, notifications)

/**
 * Settings of blue's group that CreateAutoScalingGroup takes in the shape DescribeAutoScalingGroups gives
 * them: where it launches (capacity reservations), how it spreads over zones and reacts to an impaired one,
 * and what it keeps of instances whose termination hook is abandoned. Copied as they are.
 */
export function groupSettingsCopy(blue: AutoScalingGroup): Partial<CreateAutoScalingGroupCommandInput> {
  return defined({
    CapacityReservationSpecification: blue.CapacityReservationSpecification,
    AvailabilityZoneDistribution: blue.AvailabilityZoneDistribution,
    AvailabilityZoneImpairmentPolicy: blue.AvailabilityZoneImpairmentPolicy,
    InstanceLifecyclePolicy: blue.InstanceLifecyclePolicy,
  });
}

/** PutScheduledUpdateGroupAction for green from one of blue's scheduled actions (times as blue has them). */
export function scheduledActionCopy(blue: ScheduledUpdateGroupAction, greenGroup: string): PutScheduledUpdateGroupActionCommandInput {
  return defined({
    AutoScalingGroupName: greenGroup,
    ScheduledActionName: blue.ScheduledActionName,
    StartTime: blue.StartTime,
    EndTime: blue.EndTime,
    Recurrence: nonEmpty(blue.Recurrence),
    MinSize: blue.MinSize,
    MaxSize: blue.MaxSize,
    DesiredCapacity: blue.DesiredCapacity,
    TimeZone: nonEmpty(blue.TimeZone),
  });
}

/**
 * A scheduled action copy as it can be put at `now` (journal JSON: times are ISO strings). AWS refuses a
 * StartTime in the past: a recurring action then starts from its recurrence alone, and a one-time action
 * whose time has passed (blue ran it) or a recurring one that has ended is not put (undefined).
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html
 */
export function scheduledActionAt(
  copy: PutScheduledUpdateGroupActionCommandInput,
  now: number,
): PutScheduledUpdateGroupActionCommandInput | undefined {
  const start = copy.StartTime === undefined ? undefined : new Date(copy.StartTime);
  const end = copy.EndTime === undefined ? undefined : new Date(copy.EndTime);
  if (end && end.getTime() <= now) return undefined;
  if (!start || start.getTime() > now) return defined({ ...copy, StartTime: start, EndTime: end });
  return copy.Recurrence ? defined({ ...copy, StartTime: undefined, EndTime: end }) : undefined;
}

/** PutWarmPool for green from blue's warm pool; none when blue has none or its pool is being deleted. */
export function warmPoolCopy(blue: AutoScalingGroup, greenGroup: string): PutWarmPoolCommandInput | undefined {
  const pool = blue.WarmPoolConfiguration;
  if (!pool || pool.Status === 'PendingDelete') return undefined;
  return defined({
    AutoScalingGroupName: greenGroup,
    MaxGroupPreparedCapacity: pool.MaxGroupPreparedCapacity,
    MinSize: pool.MinSize,
    PoolState: pool.PoolState,
    InstanceReusePolicy: pool.InstanceReusePolicy,
  });
}

/** Blue's notification configurations (one per topic and type) as one PutNotificationConfiguration per topic. */
export function notificationCopies(blue: NotificationConfiguration[]): { topicArn: string; types: string[] }[] {
  const byTopic = new Map<string, string[]>();
  for (const n of blue) if (n.TopicARN && n.NotificationType) byTopic.set(n.TopicARN, [...(byTopic.get(n.TopicARN) ?? []), n.NotificationType]);
  return [...byTopic].map(([topicArn, types]) => ({ topicArn, types }));
}

// ---------------------------------------------------------------- retire

/**
 * The processes that would scale a group at zero back up on its old code: its scheduled actions
 * (ScheduledActions) and its target tracking, step and simple scaling policies (AlarmNotification).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html
 */
export const RETIRE_SUSPENDS = ['AlarmNotification', 'ScheduledActions'] as const;

/** A predictive scaling policy that launches instances (Mode ForecastAndScale; ForecastOnly is the default). */
export function scalesOnForecast(policy: ScalingPolicy): boolean {
  return policy.PolicyType === 'PredictiveScaling' && policy.PredictiveScalingConfiguration?.Mode === 'ForecastAndScale';
}
