/**
 * Weighted capacity (issue 10, item 3): with a mixed instances policy whose overrides have a
 * WeightedCapacity, or a DesiredCapacityType of vcpu or memory-mib, DesiredCapacity is a number of units.
 * Green copies DesiredCapacityType, and every "n of m InService" counts units as the group does
 * (Instances[].WeightedCapacity): https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html
 */
import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { greenTargetGroup } from '../../../src/strategies/replica/fronts/listener-target-group/steps.js';
import { capacityOf } from '../../../src/strategies/common/capacity.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeJournal, VirtualClock } from '../../support/virtual-clock.js';
import { blueWorld, configFor, noRemote, type World } from '../replica-dns/world.js';
import { swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

const GREEN = 'shop-green-k3x9a';

/** Blue again, with a mixed instances policy over its template: `sizes` in units, `extra` (DesiredCapacityType...). */
function weightedWorld(
  overrides: { InstanceType: string; WeightedCapacity?: string }[],
  sizes: number,
  extra: Partial<CreateAutoScalingGroupCommandInput> = {},
) {
  const world = blueWorld({ launch: 'template' });
  world.aws.state.groups.delete('shop-web');
  world.aws.addGroup({
    AutoScalingGroupName: 'shop-web',
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'shop-web-lt', Version: '$Latest' }, Overrides: overrides },
    },
    MinSize: sizes,
    MaxSize: sizes * 2,
    DesiredCapacity: sizes,
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    HealthCheckType: 'ELB',
    LoadBalancerNames: ['shop-web-elb'],
    ...extra,
  });
  return world;
}

async function upToWaitHealthy(world: World) {
  const config = configFor({ retire: { afterSeconds: 0, action: 'keep' } });
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const registry = replicaDns.handlers(world.aws, noRemote);
  const wait = plan.steps.find((s) => s.id === STEP.waitHealthy) as StepDescriptor;
  await world.journal.applyAll(registry, plan.steps.slice(0, plan.steps.indexOf(wait)));
  return { plan, registry, wait };
}

describe('the in-memory AWS weighs instances as Auto Scaling does', () => {
  it('launches until the units reach DesiredCapacity and describes each instance with its WeightedCapacity', async () => {
    const aws = new FakeAws({ clock: new VirtualClock(), inServiceAfterSeconds: 0 });
    aws.addLaunchTemplate('lt', [{ ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small' }]);
    const mixed = (overrides: { InstanceType: string; WeightedCapacity?: string }[]) => ({
      LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'lt', Version: '1' }, Overrides: overrides },
    });
    await aws.groups.createGroup({
      AutoScalingGroupName: 'w',
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: 5,
      MixedInstancesPolicy: mixed([{ InstanceType: 'm5.large', WeightedCapacity: '2' }]),
    });
    const w = await aws.groups.describeGroup('w');
    // 5 units with instances of 2: three instances, one unit past DesiredCapacity, as AWS allows.
    expect(w?.Instances?.map((i) => [i.InstanceType, i.WeightedCapacity])).toEqual([
      ['m5.large', '2'],
      ['m5.large', '2'],
      ['m5.large', '2'],
    ]);
    await aws.groups.updateGroup({ AutoScalingGroupName: 'w', DesiredCapacity: 2 });
    expect((await aws.groups.describeGroup('w'))?.Instances).toHaveLength(1);

    await aws.groups.createGroup({
      AutoScalingGroupName: 'v',
      MinSize: 0,
      MaxSize: 32,
      DesiredCapacity: 8,
      DesiredCapacityType: 'vcpu',
      MixedInstancesPolicy: mixed([{ InstanceType: 'm5.xlarge' }]),
    });
    const v = await aws.groups.describeGroup('v');
    expect(v?.DesiredCapacityType).toBe('vcpu');
    expect(v?.Instances?.map((i) => i.WeightedCapacity)).toEqual(['4', '4']);

    // A group that weighs nothing counts instances, and AWS says nothing of weights.
    await aws.groups.createGroup({
      AutoScalingGroupName: 'u',
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 2,
      LaunchTemplate: { LaunchTemplateName: 'lt', Version: '1' },
    });
    expect((await aws.groups.describeGroup('u'))?.Instances?.map((i) => i.WeightedCapacity)).toEqual([undefined, undefined]);
  });
});

describe('capacityOf', () => {
  it('counts instances in a group without weights, units (and says which) in one with them', () => {
    const inService = (i: { LifecycleState?: string }) => i.LifecycleState === 'InService';
    expect(
      capacityOf(
        { DesiredCapacity: 2, Instances: [{ LifecycleState: 'InService' }, { LifecycleState: 'Pending' }] } as never,
        inService,
        'InService in lb',
      ),
    ).toEqual({ units: 1, desired: 2, message: '1 of 2 instances InService in lb' });
    expect(
      capacityOf(
        {
          DesiredCapacity: 8,
          DesiredCapacityType: 'vcpu',
          Instances: [
            { LifecycleState: 'InService', WeightedCapacity: '4' },
            { LifecycleState: 'Pending', WeightedCapacity: '4' },
          ],
        } as never,
        inService,
        'InService in lb',
      ),
    ).toEqual({ units: 4, desired: 8, message: '4 of 8 vCPUs InService in lb (1 instance)' });
  });
});

describe('replica-dns with weighted capacity', () => {
  it('wait-healthy is done when the InService instances make up DesiredCapacity in units, not when their number does', async () => {
    const world = weightedWorld([{ InstanceType: 'm5.large', WeightedCapacity: '2' }], 4);
    const { registry, wait } = await upToWaitHealthy(world);
    const green = await world.aws.groups.describeGroup(GREEN);
    expect(green?.Instances).toHaveLength(2); // 4 units, 2 each
    expect(wait.waits).toBe(`until 4 of 4 capacity units are InService in ${GREEN} (timeout 300s, every 10s)`);

    await world.journal.apply(registry, wait);
    expect(world.journal.progressOf(STEP.waitHealthy).at(-1)).toBe(`4 of 4 capacity units InService in ${GREEN} (2 instances)`);
  });

  it('copies DesiredCapacityType, so green holds as many vCPUs as blue, not as many instances as blue has vCPUs', async () => {
    const world = weightedWorld([{ InstanceType: 'm5.large' }], 8, { DesiredCapacityType: 'vcpu' });
    const { plan, registry, wait } = await upToWaitHealthy(world);
    const params = plan.steps.find((s) => s.id === STEP.createGroup)?.params as { input: Record<string, unknown> };
    expect(params.input.DesiredCapacityType).toBe('vcpu');
    const green = await world.aws.groups.describeGroup(GREEN);
    expect(green?.DesiredCapacityType).toBe('vcpu');
    expect(green?.Instances).toHaveLength(4); // 8 vCPUs of m5.large (2 each), not 8 instances
    expect(wait.waits).toBe(`until 8 of 8 vCPUs are InService in ${GREEN} (timeout 300s, every 10s)`);
    await world.journal.apply(registry, wait);
    expect(world.journal.progressOf(STEP.waitHealthy).at(-1)).toBe(`8 of 8 vCPUs InService in ${GREEN} (4 instances)`);
  });
});

describe('replica-listener with weighted capacity', () => {
  it("green's target group health counts the units of the instances healthy in it", async () => {
    const clock = new VirtualClock();
    const aws = new FakeAws({ clock, inServiceAfterSeconds: 0 });
    aws.addLaunchTemplate('lt', [{ ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small' }]);
    const tg = aws.addTargetGroup('green-tg');
    await aws.groups.createGroup({
      AutoScalingGroupName: 'g',
      MinSize: 6,
      MaxSize: 12,
      DesiredCapacity: 6,
      TargetGroupARNs: [tg],
      MixedInstancesPolicy: {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateName: 'lt', Version: '1' },
          Overrides: [{ InstanceType: 'm5.xlarge', WeightedCapacity: '3' }],
        },
      },
    });
    const journal = new FakeJournal(clock);
    await journal.context('create-target-group').record({ targetGroupArn: tg });
    const front = greenTargetGroup(aws, journal.context('wait-healthy'), { targetGroup: 'green-tg', targetGroupStep: 'create-target-group' });
    const { group, ...seen } = await front.health('g');
    expect(seen).toEqual({
      done: true,
      message: '6 of 6 capacity units InService and healthy in green-tg (2 instances)',
      counts: { done: 6, total: 6 },
    });
    expect(group?.AutoScalingGroupName).toBe('g'); // the description counted, for the capacity check's sizes
  });
});

describe('swap-instances with weighted capacity', () => {
  it('refuses a group that counts vCPUs: it swaps instances one for one', async () => {
    const world = swapWorld();
    const g = world.aws.state.groups.get('shop-web') as { group: Record<string, unknown> };
    g.group.DesiredCapacityType = 'vcpu';
    await expect(swapInstances.observe(swapConfig(), world.aws)).rejects.toThrow(/counts its capacity in vCPUs, not instances; swap-instances/);
  });
});
