/** create-group, copy-scaling-policies, copy-alarms: green's group like blue's, with its policies and their alarms. Pure. */
import { GROUP_DELETE_TIMEOUT_SECONDS } from '../../common/group-gone.js';
import { asJson, plural, toJson } from '../../common/plan-helpers.js';
import { alarmCopy, groupCopy, isManagedAlarm, lifecycleHookCopy, scalingPolicyCopy, swapDimensions } from '../builders.js';
import { alarmCopyName } from '../names.js';
import type { CopyAlarmsParams, CopyScalingPoliciesParams, CreateGroupParams } from '../steps/build.js';
import { REPLICA_STEP } from '../step-ids.js';
import { step, type PlanContext, type Planned } from './context.js';
import { planGroupSettings } from './group-settings.js';
import { toTemplate } from './launch.js';
import { suspendedAtCreate } from './settle.js';

/** Blue's settings, hooks, suspended processes and metrics; in green's front (or, listener, its target group when the step runs). */
export function planCreateGroup(ctx: PlanContext): Planned {
  const { green, front } = ctx;
  const blue = ctx.observed.blue;
  const blueName = blue.group.AutoScalingGroupName;
  const launch =
    blue.launch.kind === 'configuration' && !toTemplate(ctx)
      ? { launchConfigurationName: green.launch }
      : { launchTemplateName: green.launch, version: '1' };
  const metrics = blue.group.EnabledMetrics?.flatMap((m) => (m.Metric ? [m.Metric] : [])) ?? [];
  const { settings, warnings } = planGroupSettings(ctx);
  const params: CreateGroupParams = {
    name: green.group,
    blueGroup: blueName,
    input: toJson({ ...groupCopy(blue.group, blue.lifecycleHooks, green.group, launch, front.group.loadBalancer, ctx.tags), ...front.group.input }),
    // Launch, AddToLoadBalancer and HealthCheck wait for settle-green: suspended now, green never serves.
    suspendedProcesses: suspendedAtCreate(ctx),
    metrics: metrics.length > 0 ? { metrics, granularity: blue.group.EnabledMetrics?.[0]?.Granularity ?? '1Minute' } : null,
    lifecycleHooks: blue.lifecycleHooks.map((h) => toJson(lifecycleHookCopy(h, green.group))),
    deleteTimeoutSeconds: GROUP_DELETE_TIMEOUT_SECONDS,
    intervalSeconds: ctx.config.health.intervalSeconds,
    ...(settings ? { settings } : {}),
    // MinSize held at blue's DesiredCapacity until settle-green (after the switch).
    holdMinSize: true,
  };
  const created = step(ctx, REPLICA_STEP.createGroup, {
    title: `Create Auto Scaling group ${green.group} like ${blueName}${front.group.title}`,
    params: asJson({ ...params, ...front.tail }),
    creates: [{ type: 'auto-scaling-group', name: green.group }],
  });
  return { steps: [created], warnings: [...front.group.warnings, ...warnings] };
}

export function planCopyPolicies(ctx: PlanContext): Planned {
  const { green, policies, front } = ctx;
  const blueName = ctx.observed.blue.group.AutoScalingGroupName;
  const params: CopyScalingPoliciesParams = {
    group: green.group,
    policies: policies.map((p) => toJson(swapDimensions(scalingPolicyCopy(p, blueName, green.group), front.dimensions ?? []))),
  };
  const copied = step(ctx, REPLICA_STEP.copyScalingPolicies, {
    title: `Copy ${plural(policies.length, 'scaling policy', 'scaling policies')} of ${blueName} to ${green.group}`,
    params: asJson({ ...params, ...front.rewrite, ...front.tail }),
    creates: policies.map((p) => ({ type: 'scaling-policy', name: `${green.group}/${p.PolicyName}` })),
  });
  return { steps: [copied], warnings: [] };
}

/**
 * The alarms of blue's policies, except those target tracking manages itself, watching green's group (and
 * green's front where the front names it: front.dimensions); their actions are remapped when the step runs.
 */
export function planCopyAlarms(ctx: PlanContext): Planned {
  const { green, policies, front, config, deploymentId } = ctx;
  const blue = ctx.observed.blue;
  const blueName = blue.group.AutoScalingGroupName;
  const policyNameByBlueArn: Record<string, string> = {};
  for (const p of policies) if (p.PolicyARN && p.PolicyName) policyNameByBlueArn[p.PolicyARN] = p.PolicyName;
  const copied = blue.alarms.filter((a) => a.AlarmName && !isManagedAlarm(a.AlarmName));
  const params: CopyAlarmsParams = {
    group: green.group,
    alarms: copied.map((a) => {
      const copy = alarmCopy(a, alarmCopyName(config.service, green.color, deploymentId, a.AlarmName as string), blueName, green.group, {}, ctx.tags);
      return toJson(swapDimensions(copy, front.dimensions ?? []));
    }),
    policyNameByBlueArn,
  };
  const named = new Set(blue.alarms.map((a) => a.AlarmName));
  const missing = policies.flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName)).filter((n) => n && !named.has(n));
  const warnings =
    missing.length > 0 ? [`alarms named by blue's policies were not found and will not be copied: ${[...new Set(missing)].join(', ')}`] : [];
  const alarms = step(ctx, REPLICA_STEP.copyAlarms, {
    title: `Copy ${plural(copied.length, 'alarm', 'alarms')} of ${blueName}'s policies to ${green.group}`,
    params: asJson({ ...params, ...front.rewrite, ...front.tail }),
    creates: params.alarms.map((a) => ({ type: 'alarm', name: a.AlarmName as string })),
  });
  return { steps: [alarms], warnings };
}
