/**
 * What the swap-instances handlers share: the group read again, the new instances launch-instances
 * recorded, the registration and health of instances in the group and behind its load balancers and
 * target groups, and a timed wait that a resume does not start again.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AwsPorts } from '../../aws/ports.js';
import type { JsonObject, StepContext, StepHandler } from '../../engine/types.js';
import { waitUntil, WaitTimeoutError, type Observation } from '../../engine/wait.js';
import { DeploymentError } from '../../errors.js';
import { isWeighted, unitName, unitsWhere } from '../common/capacity.js';
import { instancesOf } from '../common/instance-steps.js';
import { STEP, type Sizes } from './params.js';

export type Handler<P> = StepHandler<P & JsonObject>;

/** The new instances, as launch-instances recorded them. */
export function newInstances(ctx: StepContext): string[] {
  return instancesOf(ctx, STEP.launchInstances);
}

export async function groupOf(ports: AwsPorts, name: string): Promise<AutoScalingGroup> {
  const g = await ports.groups.describeGroup(name);
  if (!g) throw new DeploymentError(`Auto Scaling group ${name} no longer exists`);
  return g;
}

export function sizesOf(g: AutoScalingGroup): Sizes {
  return { MinSize: g.MinSize ?? 0, MaxSize: g.MaxSize ?? 0, DesiredCapacity: g.DesiredCapacity ?? 0 };
}

/**
 * The health of instances in the group and behind every load balancer and target group: done when each
 * is InService in the group, InService in each classic load balancer and healthy in each target group.
 */
export async function healthOf(
  ports: AwsPorts,
  p: { group: string; loadBalancers: string[]; targetGroups: string[] },
  ids: string[],
  what: string,
): Promise<Observation> {
  const [g, lbHealth, tgHealth] = await Promise.all([
    ports.groups.describeGroup(p.group),
    Promise.all(p.loadBalancers.map((lb) => ports.classicLoadBalancers.instanceHealth(lb))),
    Promise.all(p.targetGroups.map((arn) => ports.targetGroups.health(arn))),
  ]);
  const inGroup = new Set((g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId));
  const inLbs = lbHealth.map((h) => new Set(h.filter((s) => s.State === 'InService').map((s) => s.InstanceId)));
  const inTgs = tgHealth.map((h) => new Set(h.filter((d) => d.TargetHealth?.State === 'healthy').map((d) => d.Target?.Id)));
  const count = (set: Set<string | undefined>) => ids.filter((id) => set.has(id)).length;
  const serving = new Set(ids.filter((id) => inGroup.has(id) && inLbs.every((s) => s.has(id)) && inTgs.every((s) => s.has(id))));
  const ok = serving.size;
  // A group that weighs its instances counts units: say how many of them the instances make up.
  const units = g && isWeighted(g) ? unitsWhere(g, (i) => ids.includes(i.InstanceId ?? '')) : undefined;
  const detail = [
    ...(g && units ? [`${unitsWhere(g, (i) => serving.has(i.InstanceId ?? '')).units} of ${units.units} ${unitName(g)}`] : []),
    `${count(inGroup)} in ${p.group}`,
    ...p.loadBalancers.map((lb, i) => `${count(inLbs[i] as Set<string | undefined>)} in ${lb}`),
    ...p.targetGroups.map((arn, i) => `${count(inTgs[i] as Set<string | undefined>)} healthy in ${shortArn(arn)}`),
  ].join(', ');
  return {
    done: ids.length > 0 && ok === ids.length,
    message: `${ok} of ${ids.length} ${what} InService (${detail})`,
    counts: { done: ok, total: ids.length },
  };
}

/** "targetgroup/shop-web/0123abcd" -> "shop-web". */
export function shortArn(arn: string): string {
  return arn.match(/targetgroup\/([^/]+)/)?.[1] ?? arn;
}

/**
 * Waits until a time recorded in the outputs under `key` (recorded on the first run, so a resume does not
 * start the wait again), saying how long is left every `intervalSeconds`.
 */
export async function waitRecordedTime(ctx: StepContext, key: string, seconds: number, intervalSeconds: number, what: string): Promise<void> {
  let until = ctx.outputs[key] as number | undefined;
  if (until === undefined) {
    until = ctx.clock.now() + seconds * 1000;
    await ctx.record({ [key]: until });
  }
  const end = until;
  const total = Math.max(1, seconds);
  // Only the clock to read: nothing to await.
  const observe = (): Promise<Observation> => {
    const left = Math.max(0, Math.ceil((end - ctx.clock.now()) / 1000));
    return Promise.resolve(
      left <= 0
        ? { done: true, message: `done waiting for ${what}` }
        : { done: false, message: `${left}s left waiting for ${what}`, counts: { done: total - Math.min(left, total), total } },
    );
  };
  try {
    // The deadline is `until` itself, so the last sleep ends exactly there.
    await waitUntil(ctx, { what, timeoutSeconds: Math.max(0, end - ctx.clock.now()) / 1000, intervalSeconds: Math.max(1, intervalSeconds) }, observe);
  } catch (error) {
    // Reaching the deadline is this wait's success, however the loop saw it.
    if (!(error instanceof WaitTimeoutError) || ctx.clock.now() < end) throw error;
  }
}

export async function deregisterEverywhere(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  for (const lb of p.loadBalancers) await ports.classicLoadBalancers.deregisterInstances(lb, ids);
  for (const arn of p.targetGroups) await ports.targetGroups.deregister(arn, ids);
}

export async function registerEverywhere(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  for (const lb of p.loadBalancers) await ports.classicLoadBalancers.registerInstances(lb, ids);
  for (const arn of p.targetGroups) await ports.targetGroups.register(arn, ids);
}

/** Whether any of `ids` is InService in a classic load balancer or healthy in a target group. */
export async function anyInService(ports: AwsPorts, p: { loadBalancers: string[]; targetGroups: string[] }, ids: string[]): Promise<boolean> {
  for (const lb of p.loadBalancers) {
    if ((await ports.classicLoadBalancers.instanceHealth(lb)).some((h) => h.State === 'InService' && ids.includes(h.InstanceId ?? ''))) return true;
  }
  for (const arn of p.targetGroups) {
    if ((await ports.targetGroups.health(arn)).some((h) => h.TargetHealth?.State === 'healthy' && ids.includes(h.Target?.Id ?? ''))) return true;
  }
  return false;
}
