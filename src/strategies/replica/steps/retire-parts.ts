/**
 * The parts retire-blue is made of: blue to zero and back (scale-to-zero, and the first half of delete),
 * and what retire.action delete removes, in an order that keeps a rollback possible for as long as nothing
 * of blue is gone. Each part journals what it changes before the call, once, so a resume finds it and an
 * undo restores exactly that.
 */
import type {
  AutoScalingGroup,
  PredictiveScalingConfiguration,
  PutScalingPolicyCommandInput,
  PutWarmPoolCommandInput,
  ScalingPolicy,
} from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../../aws/ports.js';
import type { StepContext } from '../../../engine/types.js';
import { waitUntil } from '../../../engine/wait.js';
import { toJson } from '../../common/plan-helpers.js';
import { alarmActionsOf, alarmWithout, RETIRE_SUSPENDS, scalesOnForecast, scalingPolicyCopy, warmPoolCopy } from '../builders.js';
import type { Sizes } from './build.js';

type Ctx = Pick<StepContext, 'outputs' | 'record' | 'clock' | 'signal' | 'progress'>;

// ---------------------------------------------------------------- scale to zero, and back

/**
 * Blue to zero, and nothing left that scales it up again: the processes of RETIRE_SUSPENDS it did not have
 * suspended are suspended; its predictive scaling policies that launch are set to forecast only (suspending
 * no process stops them, and IncreaseMaxCapacity may raise MaxSize: "use forecast only mode", in
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/predictive-scaling-overriding-forecast-capacity.html);
 * then MinSize, MaxSize and DesiredCapacity 0 (a MaxSize of 0 also refuses any SetDesiredCapacity).
 * `policies`: blue's, when the caller read them together with `blue`.
 */
export async function scaleToZero(ports: AwsPorts, ctx: Ctx, group: string, blue: AutoScalingGroup, policies?: ScalingPolicy[]): Promise<void> {
  if (!ctx.outputs.suspended) {
    const already = new Set(blue.SuspendedProcesses?.map((s) => s.ProcessName));
    await ctx.record({ suspended: RETIRE_SUSPENDS.filter((name) => !already.has(name)) });
  }
  const suspended = ctx.outputs.suspended as string[];
  if (suspended.length > 0) await ports.groups.suspendProcesses(group, suspended);
  if (!ctx.outputs.forecastOnly) {
    const predictive = (policies ?? (await ports.groups.describePolicies(group))).filter(scalesOnForecast);
    await ctx.record({ forecastOnly: predictive.map((policy) => toJson(scalingPolicyCopy(policy, group, group))) });
  }
  for (const input of ctx.outputs.forecastOnly as unknown as PutScalingPolicyCommandInput[]) {
    const forecast = { ...input.PredictiveScalingConfiguration, Mode: 'ForecastOnly' } as PredictiveScalingConfiguration;
    await ports.groups.putPolicy({ ...input, PredictiveScalingConfiguration: forecast });
  }
  await ports.groups.updateGroup({ AutoScalingGroupName: group, MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
}

/**
 * Undoes scaleToZero (and a warm pool that delete removed): blue's sizes, its warm pool, its predictive
 * policies as they were, and only the processes the retirement suspended (not those the user had
 * suspended). Journals of older versions hold the sizes only. False when blue was never scaled.
 */
export async function restoreBlue(ports: AwsPorts, ctx: Pick<StepContext, 'outputs'>, group: string): Promise<boolean> {
  const sizes = ctx.outputs.blueSizes as Sizes | undefined;
  if (!sizes) return false;
  await ports.groups.updateGroup({ AutoScalingGroupName: group, ...sizes });
  const pool = ctx.outputs.warmPool as unknown as PutWarmPoolCommandInput | undefined;
  if (pool && !(await ports.groups.describeGroup(group))?.WarmPoolConfiguration) await ports.groups.putWarmPool(pool);
  for (const input of (ctx.outputs.forecastOnly ?? []) as unknown as PutScalingPolicyCommandInput[]) await ports.groups.putPolicy(input);
  const suspended = (ctx.outputs.suspended ?? []) as string[];
  if (suspended.length > 0) await ports.groups.resumeProcesses(group, suspended);
  return true;
}

// ---------------------------------------------------------------- retire.action delete

/** What delete needs to know of blue (retire-blue's params). */
export interface BlueParts {
  group: string;
  alarms: string[];
  policies: string[];
  /** Blue's policy ARNs (absent in journals of older versions: read from the group). */
  policyArns?: string[];
  deleteTimeoutSeconds: number;
  intervalSeconds: number;
}

/**
 * Blue at zero, waited for until no instance is left: each goes through blue's termination hooks (log
 * shipping, draining), which ForceDelete would skip ("without executing termination lifecycle hooks",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/resource-deletion-protection.html); then its warm
 * pool, deleted without ForceDelete for the same reason (journaled, a rollback puts it back).
 */
export async function emptyBlue(ports: AwsPorts, ctx: Ctx, p: BlueParts, blue: AutoScalingGroup, policies?: ScalingPolicy[]): Promise<void> {
  await scaleToZero(ports, ctx, p.group, blue, policies);
  const waits = { timeoutSeconds: p.deleteTimeoutSeconds, intervalSeconds: p.intervalSeconds };
  await waitUntil(ctx, { what: `every instance of ${p.group} to terminate (its termination hooks run)`, ...waits }, async () => {
    const n = (await ports.groups.describeGroup(p.group))?.Instances?.length ?? 0;
    return n === 0
      ? { done: true, message: `${p.group} has no instance left` }
      : { done: false, message: `${n} ${n === 1 ? 'instance' : 'instances'} of ${p.group} still terminating (termination hooks run)` };
  });
  const now = await ports.groups.describeGroup(p.group);
  if (!now?.WarmPoolConfiguration) return;
  if (now.WarmPoolConfiguration.Status !== 'PendingDelete') {
    if (!ctx.outputs.warmPool) await ctx.record({ warmPool: toJson(warmPoolCopy(now, p.group)) });
    await ports.groups.deleteWarmPool(p.group);
  }
  await waitUntil(ctx, { what: `the warm pool of ${p.group} to be deleted`, ...waits }, async () =>
    (await ports.groups.describeGroup(p.group))?.WarmPoolConfiguration
      ? { done: false, message: `the warm pool of ${p.group} is being deleted` }
      : { done: true, message: `the warm pool of ${p.group} is deleted` },
  );
}

/**
 * Blue's alarms: one that acts on blue's policies alone is deleted; one that also notifies SNS or drives
 * another group's policy keeps those actions and loses only blue's (PutMetricAlarm; journaled first as
 * `editedAlarms`, alarm name -> the actions removed). An alarm left without blue's actions is done.
 */
export async function retireAlarms(ports: AwsPorts, ctx: Pick<StepContext, 'outputs' | 'record'>, p: BlueParts): Promise<void> {
  if (p.alarms.length === 0) return;
  const arns = new Set(p.policyArns ?? (await ports.groups.describePolicies(p.group)).flatMap((x) => (x.PolicyARN ? [x.PolicyARN] : [])));
  const alarms = await ports.alarms.describeAlarms(p.alarms);
  const ours = (a: (typeof alarms)[number]) => alarmActionsOf(a).filter((x) => arns.has(x));
  const alone = alarms.filter((a) => ours(a).length > 0 && alarmActionsOf(a).every((x) => arns.has(x)));
  const shared = alarms.filter((a) => ours(a).length > 0 && !alone.includes(a));
  if (shared.length > 0) {
    const edited = { ...((ctx.outputs.editedAlarms ?? {}) as Record<string, string[]>) };
    for (const a of shared) edited[a.AlarmName as string] = [...new Set(ours(a))];
    await ctx.record({ editedAlarms: edited });
    for (const a of shared) await ports.alarms.putAlarm(alarmWithout(a, arns));
  }
  if (alone.length > 0) await ports.alarms.deleteAlarms(alone.map((a) => a.AlarmName as string));
}

/**
 * What of blue a `retire.action: delete` has already removed (empty: nothing yet). Deletion first empties
 * blue (undone by restoreBlue), then edits or deletes its alarms, deletes its policies, its group, then
 * the load balancer or target group and the launch; so while the alarms (with their actions on blue's
 * policies), the policies and the group (not being deleted) are all there, a rollback can return to blue.
 */
export async function blueRemoved(
  ports: AwsPorts,
  blue: { group: string; alarms: string[]; policies: string[] },
  edited: Record<string, string[]> = {},
): Promise<string[]> {
  const [group, alarms, policies] = await Promise.all([
    ports.groups.describeGroup(blue.group),
    blue.alarms.length > 0 ? ports.alarms.describeAlarms(blue.alarms) : Promise.resolve([]),
    blue.policies.length > 0 ? ports.groups.describePolicies(blue.group) : Promise.resolve([]),
  ]);
  const present = new Set(policies.map((p) => p.PolicyName));
  const byName = new Map(alarms.map((a) => [a.AlarmName, a]));
  const lostActions = Object.entries(edited).filter(([name, removed]) => {
    const alarm = byName.get(name);
    return alarm !== undefined && removed.some((arn) => !alarmActionsOf(alarm).includes(arn));
  });
  return [
    ...blue.alarms.filter((a) => !byName.has(a)).map((a) => `alarm ${a}`),
    ...lostActions.map(([name]) => `the actions of alarm ${name} on blue's policies`),
    ...blue.policies.filter((p) => !present.has(p)).map((p) => `scaling policy ${p}`),
    ...(!group ? [`group ${blue.group}`] : group.Status ? [`group ${blue.group} (${group.Status})`] : []),
  ];
}
