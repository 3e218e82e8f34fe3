/**
 * retire-blue against an in-memory AWS whose groups scale by themselves (scheduled actions, alarm-driven
 * and predictive policies): scale-to-zero must leave nothing that brings blue back on the old code, and its
 * undo must restore exactly what it changed.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { InputError } from '../../../src/errors.js';
import { awsError } from '../../fakes/aws.js';
import { blueWorld, configFor, noRemote, type World } from './world.js';

const HOUR = 3_600_000;

async function planned(world: World, config: Config = configFor()) {
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  return { plan, steps: plan.steps, registry: replicaDns.handlers(world.aws, noRemote) };
}
const step = (steps: StepDescriptor[], id: string) => steps.find((s) => s.id === id) as StepDescriptor;

/** blueWorld with what scales blue up by itself: a scheduled action, and a predictive policy that launches. */
function scalingWorld(): World {
  const world = blueWorld();
  world.aws.addScheduledAction({
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'weekday-peak',
    Recurrence: '0 8 * * *',
    MinSize: 2,
    MaxSize: 6,
    DesiredCapacity: 3,
  });
  world.aws.addPolicy({
    AutoScalingGroupName: 'shop-web',
    PolicyName: 'forecast',
    PolicyType: 'PredictiveScaling',
    PredictiveScalingConfiguration: {
      Mode: 'ForecastAndScale',
      MaxCapacityBreachBehavior: 'IncreaseMaxCapacity',
      MetricSpecifications: [{ TargetValue: 50, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ASGCPUUtilization' } }],
    },
  });
  return world;
}

async function blueState(world: World) {
  const g = await world.aws.groups.describeGroup('shop-web');
  const policies = await world.aws.groups.describePolicies('shop-web');
  return {
    sizes: [g?.MinSize, g?.MaxSize, g?.DesiredCapacity],
    suspended: g?.SuspendedProcesses?.map((p) => p.ProcessName),
    forecast: policies.find((p) => p.PolicyName === 'forecast')?.PredictiveScalingConfiguration?.Mode,
  };
}

describe('retire-blue scale-to-zero', () => {
  it('keeps blue at zero while its scheduled action comes due and the alarm on its scaling policy fires', async () => {
    const world = scalingWorld();
    const { steps, registry, plan } = await planned(world);
    await world.journal.applyAll(registry, steps);
    expect(step(plan.steps, STEP.retireBlue).changes).toEqual([
      { what: 'capacity of shop-web', from: 'min 2, max 4, desired 2', to: 'min 0, max 0, desired 0' },
      {
        what: 'suspended processes of shop-web (scheduled actions and alarm-driven policies would scale it up)',
        from: 'AZRebalance',
        to: 'AZRebalance, AlarmNotification, ScheduledActions',
      },
      { what: 'predictive scaling policy forecast of shop-web', from: 'ForecastAndScale', to: 'ForecastOnly' },
    ]);

    world.aws.setAlarmState('shop-web-cpu-high', 'ALARM');
    world.clock.advance(24 * HOUR);
    expect(await blueState(world)).toEqual({
      sizes: [0, 0, 0],
      suspended: ['AZRebalance', 'AlarmNotification', 'ScheduledActions'],
      forecast: 'ForecastOnly',
    });
    expect((await world.aws.groups.describeGroup('shop-web'))?.Instances).toEqual([]);
  });

  it('undo restores the sizes, the predictive policy and only the processes it suspended (not those the user had)', async () => {
    const world = scalingWorld();
    await world.aws.groups.suspendProcesses('shop-web', ['AlarmNotification']); // the user's, before the deployment
    const before = await blueState(world);
    const { steps, registry } = await planned(world);
    await world.journal.applyAll(registry, steps);
    expect(world.journal.outputs[STEP.retireBlue]).toMatchObject({
      blueSizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 2 },
      suspended: ['ScheduledActions'],
      forecastOnly: [
        expect.objectContaining({ PolicyName: 'forecast', PredictiveScalingConfiguration: expect.objectContaining({ Mode: 'ForecastAndScale' }) }),
      ],
    });

    await world.journal.undo(registry, step(steps, STEP.retireBlue));
    expect(await blueState(world)).toEqual(before);
    expect(before).toEqual({ sizes: [2, 4, 2], suspended: ['AZRebalance', 'AlarmNotification'], forecast: 'ForecastAndScale' });
    const g = await world.aws.groups.describeGroup('shop-web');
    expect(g?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
  });

  it("resumed after a failure, it keeps what it journaled first (its own suspension is not taken for the user's)", async () => {
    const world = scalingWorld();
    const { steps, registry } = await planned(world);
    await world.journal.applyAll(registry, steps.slice(0, -1));
    world.aws.failOn('groups.updateGroup', awsError('groups.updateGroup'));
    await expect(world.journal.apply(registry, step(steps, STEP.retireBlue))).rejects.toThrow(/injected failure/);
    await world.journal.apply(registry, step(steps, STEP.retireBlue));
    expect(world.journal.outputs[STEP.retireBlue]?.suspended).toEqual(['AlarmNotification', 'ScheduledActions']);
    expect(world.journal.outputs[STEP.retireBlue]?.forecastOnly).toHaveLength(1);

    await world.journal.undo(registry, step(steps, STEP.retireBlue));
    expect(await blueState(world)).toEqual({ sizes: [2, 4, 2], suspended: ['AZRebalance'], forecast: 'ForecastAndScale' });
  });
});

describe('retire-blue delete', () => {
  const deleteConfig = configFor({ retire: { afterSeconds: 300, action: 'delete' } });
  const OTHER = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0:autoScalingGroupName/batch:policyName/up';

  /** blueWorld plus a warm pool, an alarm on blue's policy alone, and one that also drives another group's policy. */
  function deleteWorld(): World {
    const world = blueWorld();
    const { aws } = world;
    const up = aws.state.groups.get('shop-web')!.policies.get('scale-up')!.PolicyARN!;
    Object.assign(aws.state.groups.get('shop-web')!.group, { WarmPoolConfiguration: { MinSize: 0, PoolState: 'Stopped' } });
    aws.addAlarm({ AlarmName: 'shop-web-queue-deep', AlarmActions: [up], MetricName: 'Depth', Namespace: 'Queue', Threshold: 100 });
    aws.addAlarm({
      AlarmName: 'queue-deep-everywhere',
      AlarmActions: [up, OTHER],
      OKActions: [OTHER],
      MetricName: 'Depth',
      Namespace: 'Queue',
      Threshold: 500,
    });
    return world;
  }

  it('empties blue through its termination hooks, deletes its warm pool, then the group without ForceDelete', async () => {
    const world = deleteWorld();
    const { steps, registry } = await planned(world, deleteConfig);
    await world.journal.applyAll(registry, steps);
    const calls = world.aws.calls.filter(
      (c) => c.args[0] === 'shop-web' || (c.args[0] as { AutoScalingGroupName?: string })?.AutoScalingGroupName === 'shop-web',
    );
    const at = (operation: string) => calls.findIndex((c) => c.operation === operation);
    expect(calls.filter((c) => c.operation === 'groups.deleteGroup').map((c) => c.args)).toEqual([['shop-web', { force: false }]]);
    expect(at('groups.updateGroup')).toBeLessThan(at('groups.deleteWarmPool'));
    expect(at('groups.deleteWarmPool')).toBeLessThan(at('groups.deleteGroup'));
    // blue's drain hook held its instances 60s: the step waited them out, as the progress says
    expect(world.journal.progressOf(STEP.retireBlue)).toContain('2 instances of shop-web still terminating (termination hooks run)');
    expect(await world.aws.groups.describeGroup('shop-web')).toBeUndefined();
  });

  it('deletes an alarm that acts on blue alone; one that also drives another group keeps that, without blue', async () => {
    const world = deleteWorld();
    const { steps, registry } = await planned(world, deleteConfig);
    await world.journal.applyAll(registry, steps);
    expect(await world.aws.alarms.describeAlarms(['shop-web-queue-deep'])).toEqual([]);
    expect((await world.aws.alarms.describeAlarms(['queue-deep-everywhere']))[0]).toMatchObject({
      AlarmActions: [OTHER],
      OKActions: [OTHER],
      Threshold: 500,
    });
    expect(world.journal.outputs[STEP.retireBlue]?.editedAlarms).toEqual({
      'queue-deep-everywhere': [expect.stringContaining(':policyName/scale-up') as string],
      'shop-web-cpu-high': [expect.stringContaining(':policyName/scale-up') as string],
    });
  });

  it('a rollback while blue is only emptied restores it (sizes, processes, warm pool); after an alarm lost blue, it is refused', async () => {
    const world = deleteWorld();
    const before = await blueState(world);
    const { steps, registry } = await planned(world, deleteConfig);
    await world.journal.applyAll(registry, steps.slice(0, -1));
    world.aws.failOn('alarms.putAlarm', awsError('alarms.putAlarm'));
    await expect(world.journal.apply(registry, step(steps, STEP.retireBlue))).rejects.toThrow(/injected failure/);
    await world.journal.undo(registry, step(steps, STEP.retireBlue));
    expect(await blueState(world)).toEqual(before);
    const g = await world.aws.groups.describeGroup('shop-web');
    expect(g?.WarmPoolConfiguration).toMatchObject({ MinSize: 0, PoolState: 'Stopped' });
    expect(g?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);

    world.aws.failOn('alarms.deleteAlarms', awsError('alarms.deleteAlarms'));
    await expect(world.journal.apply(registry, step(steps, STEP.retireBlue))).rejects.toThrow(/injected failure/);
    const refused = await world.journal.undo(registry, step(steps, STEP.retireBlue)).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/^blue \(shop-web, shop-web-elb\) was deleted by retire.action delete \(gone: /);
    expect(refused).toContain("the actions of alarm queue-deep-everywhere on blue's policies");
    expect(refused).toContain("the actions of alarm shop-web-cpu-high on blue's policies");
  });

  it('plan refuses a blue group with DeletionProtection before anything is made or deleted', async () => {
    for (const protection of ['prevent-force-deletion', 'prevent-all-deletion']) {
      const world = blueWorld();
      world.aws.state.groups.get('shop-web')!.group.DeletionProtection = protection as 'prevent-all-deletion';
      const observed = await replicaDns.observe(deleteConfig, world.aws);
      expect(() => replicaDns.plan(deleteConfig, observed, 'k3x9a')).toThrow(InputError);
      expect(() => replicaDns.plan(deleteConfig, observed, 'k3x9a')).toThrow(
        `retire.action delete: blue's group shop-web has DeletionProtection ${protection}, and bluegreen does not remove a protection you set; use retire.action scale-to-zero (or keep), or lift it first: aws autoscaling update-auto-scaling-group --auto-scaling-group-name shop-web --deletion-protection none`,
      );
      expect(() => replicaDns.plan(configFor(), observed, 'k3x9a')).not.toThrow();
    }
  });
});
