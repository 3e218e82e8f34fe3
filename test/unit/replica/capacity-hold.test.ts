/**
 * Capacity around traffic moves (issue 10, item 6). An idle group's copied target tracking policy scales
 * it in (the fake's idleScaleIn: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html):
 * green before the switch (and through --pause-before-switch), blue after it. Green is held at blue's
 * DesiredCapacity until the switch is in sync, every traffic change requires green to hold blue's capacity,
 * blue is held through wait-retire, and a rollback brings blue's capacity back before traffic returns.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { VerificationError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { replicaListener, STEP as LISTENER_STEP } from '../../../src/strategies/replica-listener/index.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeJournal } from '../../support/virtual-clock.js';
import { blueWorld, configFor, noRemote, RECORD, ZONE, type World } from '../replica-dns/world.js';
import { configFor as listenerConfigFor, listenerWorld } from '../replica-listener/world.js';

const GREEN = 'shop-green-k3x9a';
const MINUTES = 60_000;

const sizes = async (aws: FakeAws, group: string) => {
  const g = await aws.groups.describeGroup(group);
  return { min: g?.MinSize, desired: g?.DesiredCapacity, inService: g?.Instances?.filter((i) => i.LifecycleState === 'InService').length };
};

/** Blue at MinSize 1, DesiredCapacity 2 (its target tracking policy cpu-50 may take it down to 1), idle groups scaling in. */
async function idleWorld(): Promise<World> {
  const world = blueWorld();
  world.aws.idleScaleIn = true;
  await world.aws.groups.updateGroup({ AutoScalingGroupName: 'shop-web', MinSize: 1 });
  return world;
}

async function planned(world: World, overrides: Partial<ReplicaDnsConfig> = {}) {
  const config = configFor({ retire: { afterSeconds: 300, action: 'keep' }, ...overrides });
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const at = (id: string) => plan.steps.findIndex((s) => s.id === id);
  return { plan, registry: replicaDns.handlers(world.aws, noRemote), before: (id: string) => plan.steps.slice(0, at(id)), at };
}

describe('the in-memory AWS scales an idle group in (idleScaleIn)', () => {
  it('target tracking takes a group no traffic reaches down to MinSize, one instance a minute, and leaves one that serves', async () => {
    const world = await idleWorld();
    const { aws, clock } = world;
    aws.addLoadBalancer({ LoadBalancerName: 'idle-elb', Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }] });
    aws.addGroup({
      AutoScalingGroupName: 'idle',
      LaunchConfigurationName: 'shop-web-lc',
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 3,
      LoadBalancerNames: ['idle-elb'],
    });
    aws.addPolicy({
      AutoScalingGroupName: 'idle',
      PolicyName: 'cpu-50',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
    });
    clock.advance(MINUTES);
    expect((await sizes(aws, 'idle')).desired).toBe(2);
    clock.advance(10 * MINUTES);
    await aws.groups.describeGroup('idle');
    clock.advance(MINUTES);
    expect(await sizes(aws, 'idle')).toMatchObject({ min: 1, desired: 1 });
    // shop-web is where the record points: it keeps its capacity.
    expect((await sizes(aws, 'shop-web')).desired).toBe(2);
  });
});

describe('replica-dns holds capacity around the switch', () => {
  it("holds green at blue's DesiredCapacity while it waits for the switch (a long pause), then lets it scale as blue does", async () => {
    const world = await idleWorld();
    const { plan, registry, before } = await planned(world);
    await world.journal.applyAll(registry, before(STEP.switchDns));
    expect(await sizes(world.aws, GREEN)).toEqual({ min: 2, desired: 2, inService: 2 });
    // Paused before the switch for an hour: green is idle, its copied cpu-50 policy would take it to 1.
    for (let i = 0; i < 60; i++) {
      world.clock.advance(MINUTES);
      await world.aws.groups.describeGroup(GREEN);
    }
    expect(await sizes(world.aws, GREEN)).toEqual({ min: 2, desired: 2, inService: 2 });
    const switchDns = plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor;
    await world.journal.apply(registry, switchDns);
    expect((await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName).toContain(GREEN);
    const settle = plan.steps.find((s) => s.id === STEP.settleGreen) as StepDescriptor;
    expect(settle.changes).toEqual([{ what: `MinSize of ${GREEN}`, from: '2 (held since create-group)', to: '1' }]);
    await world.journal.apply(registry, settle);
    expect((await sizes(world.aws, GREEN)).min).toBe(1);
  });

  it("refuses to move traffic to a green short of blue's capacity in service, touching neither blue nor the record", async () => {
    const world = await idleWorld();
    const { plan, registry, before } = await planned(world);
    await world.journal.applyAll(registry, before(STEP.switchDns));
    const [one] = (await world.aws.groups.describeGroup(GREEN))?.Instances ?? [];
    world.aws.setHealthy(one?.InstanceId as string, false); // OutOfService in green's load balancer
    const switchDns = plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor;
    await expect(world.journal.apply(registry, switchDns)).rejects.toThrow(
      new VerificationError(`refusing to move traffic to ${GREEN}: 1 of 2 instances InService in ${GREEN}; 2 needed (shop-web's DesiredCapacity)`),
    );
    expect(world.aws.callsTo('dns.change')).toEqual([]);
    expect((await sizes(world.aws, 'shop-web')).min).toBe(1);
  });

  it('raises a green that shrank back to what blue holds, and waits for it before the switch', async () => {
    const world = await idleWorld();
    const { plan, registry, before } = await planned(world);
    await world.journal.applyAll(registry, before(STEP.switchDns));
    await world.aws.groups.updateGroup({ AutoScalingGroupName: GREEN, MinSize: 1, DesiredCapacity: 1 }); // shrunk by hand
    await world.journal.apply(registry, plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor);
    expect(await sizes(world.aws, GREEN)).toEqual({ min: 2, desired: 2, inService: 2 });
    expect(world.journal.progressOf(STEP.switchDns)).toContain(`1 of 2 instances InService in ${GREEN}; 2 needed (shop-web's DesiredCapacity)`);
  });

  it('raises green to what blue grew to since green was made, and waits for it before the switch', async () => {
    const world = await idleWorld();
    const { plan, registry, before } = await planned(world);
    await world.journal.applyAll(registry, before(STEP.switchDns));
    await world.aws.groups.updateGroup({ AutoScalingGroupName: 'shop-web', DesiredCapacity: 3 }); // blue scaled out meanwhile
    world.aws.beforeMutation = (operation) => {
      if (operation === 'dns.change') expect(world.aws.state.groups.get(GREEN)?.instances).toHaveLength(3);
    };
    await world.journal.apply(registry, plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor);
    expect(await sizes(world.aws, GREEN)).toEqual({ min: 3, desired: 3, inService: 3 });
    expect(world.journal.outputs[STEP.switchDns]?.greenRaisedTo).toBe(3);
    expect(world.aws.callsTo('dns.change')).toHaveLength(1);
  });

  it('holds blue at its DesiredCapacity through wait-retire, so a rollback from there finds it whole', async () => {
    const world = await idleWorld();
    const { plan, registry, at } = await planned(world, { retire: { afterSeconds: 3600, action: 'scale-to-zero' } });
    await world.journal.applyAll(registry, plan.steps.slice(0, at(STEP.waitRetire) + 1)); // an hour idle after the switch
    expect(world.journal.outputs[STEP.switchDns]?.blueHold).toEqual({ MinSize: 1, DesiredCapacity: 2 });
    expect(await sizes(world.aws, 'shop-web')).toEqual({ min: 2, desired: 2, inService: 2 });
    expect(plan.steps.find((s) => s.id === STEP.switchDns)?.changes).toContainEqual({
      what: 'MinSize of shop-web',
      from: '1',
      to: '2 (its DesiredCapacity, until it is retired or this step undone)',
    });

    // Retired, then rolled back: blue comes back with its own MinSize (1), not the hold's.
    await world.journal.apply(registry, plan.steps[at(STEP.retireBlue)] as StepDescriptor);
    expect(world.journal.outputs[STEP.retireBlue]?.blueSizes).toEqual({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2 });
    await world.journal.undoAll(registry, plan.steps);
    expect(await sizes(world.aws, 'shop-web')).toEqual({ min: 1, desired: 2, inService: 2 });
  });

  it('a rollback never sends all traffic to a blue that its own policies shrank: blue is whole and InService first', async () => {
    const world = await idleWorld();
    const { plan, registry } = await planned(world, { retire: { afterSeconds: 0, action: 'keep' } });
    await world.journal.applyAll(registry, plan.steps);
    // keep lets blue go: idle, its cpu-50 policy takes it to its MinSize.
    expect((await sizes(world.aws, 'shop-web')).min).toBe(1);
    world.clock.advance(5 * MINUTES);
    expect((await sizes(world.aws, 'shop-web')).desired).toBe(1);

    world.aws.beforeMutation = (operation) => {
      if (operation === 'dns.change') {
        const blue = world.aws.state.groups.get('shop-web');
        expect(blue?.instances.filter((i) => world.clock.now() >= i.readyAt)).toHaveLength(2);
      }
    };
    await world.journal.undoAll(registry, plan.steps);
    expect((await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName).toContain('shop-web-elb');
    expect(await sizes(world.aws, 'shop-web')).toEqual({ min: 1, desired: 2, inService: 2 });
    expect(world.journal.progressOf(STEP.switchDns)).toContain('1 of 2 instances InService in shop-web-elb');
  });
});

describe('replica-listener holds capacity around the switch', () => {
  it('green held while idle, blue held after the switch and whole again before a rollback forwards to it', async () => {
    const world = listenerWorld();
    world.aws.idleScaleIn = true;
    await world.aws.groups.updateGroup({ AutoScalingGroupName: 'shop-web', MinSize: 1 });
    const config = listenerConfigFor(world, { retire: { afterSeconds: 3600, action: 'keep' } });
    const plan = replicaListener.plan(config, await replicaListener.observe(config, world.aws), 'k3x9a');
    const journal = new FakeJournal(world.clock);
    const registry = replicaListener.handlers(world.aws, noRemote);
    const upTo = (id: string) =>
      plan.steps.slice(
        0,
        plan.steps.findIndex((s) => s.id === id),
      );
    await journal.applyAll(registry, upTo(LISTENER_STEP.switchListener));
    world.clock.advance(60 * MINUTES);
    expect(await sizes(world.aws, GREEN)).toMatchObject({ min: 2, desired: 2 });
    await journal.applyAll(
      registry,
      plan.steps.slice(
        upTo(LISTENER_STEP.switchListener).length,
        plan.steps.findIndex((s) => s.id === LISTENER_STEP.retireBlue),
      ),
    );
    expect(await sizes(world.aws, 'shop-web')).toMatchObject({ min: 2, desired: 2 });
    await journal.undoAll(registry, upTo(LISTENER_STEP.retireBlue));
    expect(await sizes(world.aws, 'shop-web')).toEqual({ min: 1, desired: 2, inService: 2 });
    const listener = await world.aws.listeners.describe(world.listenerArn);
    expect(listener?.DefaultActions?.[0]?.TargetGroupArn ?? listener?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn).toBe(
      world.blueTg,
    );
  });
});
