/**
 * Blue's suspended processes (issue 10, item 5): copied onto green when it is made, a suspension of Launch,
 * AddToLoadBalancer or HealthCheck keeps green from ever becoming healthy. Those are suspended on green
 * only once it serves (settle-green, after the last traffic step); plan says what blue has suspended.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/understand-how-suspending-processes-affects-other-processes.html
 */
import { describe, expect, it } from 'vitest';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { replicaListener, STEP as LISTENER_STEP } from '../../../src/strategies/replica-listener/index.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeJournal, VirtualClock } from '../../support/virtual-clock.js';
import { blueWorld, configFor, noRemote } from '../replica-dns/world.js';
import { configFor as listenerConfigFor, listenerWorld } from '../replica-listener/world.js';

const GREEN = 'shop-green-k3x9a';
const ids = (steps: StepDescriptor[]) => steps.map((s) => s.id);
const suspendedOf = async (aws: FakeAws, group: string) => (await aws.groups.describeGroup(group))?.SuspendedProcesses?.map((p) => p.ProcessName);

describe('the in-memory AWS with processes suspended', () => {
  it('launches nothing with Launch suspended, and what it could not once Launch is resumed', async () => {
    const aws = new FakeAws({ clock: new VirtualClock(), inServiceAfterSeconds: 0 });
    aws.addLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small' });
    await aws.groups.createGroup({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'lc', MinSize: 0, MaxSize: 4, DesiredCapacity: 1 });
    await aws.groups.suspendProcesses('g', ['Launch']);
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', DesiredCapacity: 3 });
    expect((await aws.groups.describeGroup('g'))?.Instances).toHaveLength(1);
    await aws.groups.resumeProcesses('g', ['Launch']);
    expect((await aws.groups.describeGroup('g'))?.Instances).toHaveLength(3);
  });

  it('never adds to its load balancer an instance not yet InService when AddToLoadBalancer was suspended', async () => {
    const clock = new VirtualClock();
    const aws = new FakeAws({ clock, inServiceAfterSeconds: 30 });
    aws.addLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small' });
    aws.addLoadBalancer({ LoadBalancerName: 'lb', Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }] });
    await aws.groups.createGroup({
      AutoScalingGroupName: 'g',
      LaunchConfigurationName: 'lc',
      MinSize: 1,
      MaxSize: 2,
      DesiredCapacity: 1,
      LoadBalancerNames: ['lb'],
    });
    await aws.groups.suspendProcesses('g', ['AddToLoadBalancer']);
    clock.advance(60_000);
    await aws.groups.resumeProcesses('g', ['AddToLoadBalancer']);
    expect((await aws.groups.describeGroup('g'))?.Instances?.map((i) => i.LifecycleState)).toEqual(['InService']);
    expect(await aws.classicLoadBalancers.instanceHealth('lb')).toEqual([]);
  });
});

describe('replica-dns, blue with AddToLoadBalancer and AZRebalance suspended', () => {
  async function world() {
    const w = blueWorld(); // AZRebalance suspended already
    await w.aws.groups.suspendProcesses('shop-web', ['AddToLoadBalancer']);
    const config = configFor({ retire: { afterSeconds: 0, action: 'keep' } });
    const plan = replicaDns.plan(config, await replicaDns.observe(config, w.aws), 'k3x9a');
    return { ...w, plan, registry: replicaDns.handlers(w.aws, noRemote) };
  }

  it("plans green's group with AZRebalance at once and AddToLoadBalancer after the switch, and says so", async () => {
    const { plan } = await world();
    expect(plan.steps.find((s) => s.id === STEP.createGroup)?.params.suspendedProcesses).toEqual(['AZRebalance']);
    expect(ids(plan.steps).slice(ids(plan.steps).indexOf(STEP.switchDns))).toEqual([
      STEP.switchDns,
      STEP.settleGreen,
      STEP.waitRetire,
      STEP.retireBlue,
    ]);
    expect(plan.steps.find((s) => s.id === STEP.settleGreen)).toMatchObject({
      title: `Let ${GREEN} scale as shop-web does, now that it serves: MinSize back to shop-web's; suspend AddToLoadBalancer as shop-web has it`,
      params: { group: GREEN, suspend: ['AddToLoadBalancer'] },
      changes: [{ what: `processes of ${GREEN}`, from: 'as they are', to: 'AddToLoadBalancer suspended' }],
    });
    expect(plan.warnings).toContain(
      'blue shop-web has 2 processes suspended (AZRebalance, AddToLoadBalancer); green gets them too, AddToLoadBalancer only after the switch (suspended before, green could never become healthy)',
    );
  });

  it('green becomes healthy and takes the traffic; then it gets the suspension, and undo resumes it', async () => {
    const { aws, journal, plan, registry } = await world();
    const upToSettle = plan.steps.slice(0, ids(plan.steps).indexOf(STEP.settleGreen));
    await journal.applyAll(registry, upToSettle);
    expect(await suspendedOf(aws, GREEN)).toEqual(['AZRebalance']);
    expect((await aws.classicLoadBalancers.instanceHealth(GREEN)).map((h) => h.State)).toEqual(['InService', 'InService']);
    const settle = plan.steps.find((s) => s.id === STEP.settleGreen) as StepDescriptor;
    await journal.apply(registry, settle);
    expect(await suspendedOf(aws, GREEN)).toEqual(['AZRebalance', 'AddToLoadBalancer']);
    await journal.undo(registry, settle);
    await journal.undo(registry, settle);
    expect(await suspendedOf(aws, GREEN)).toEqual(['AZRebalance']);
  });

  it('a blue without suspended processes gets no settle step for them and no warning', async () => {
    const w = blueWorld();
    await w.aws.groups.resumeProcesses('shop-web', ['AZRebalance']);
    const config = configFor();
    const plan = replicaDns.plan(config, await replicaDns.observe(config, w.aws), 'k3x9a');
    expect(plan.warnings.filter((x) => x.includes('suspended'))).toEqual([]);
    expect(plan.steps.find((s) => s.id === STEP.createGroup)?.params.suspendedProcesses).toEqual([]);
  });
});

describe('replica-listener, blue with Launch suspended', () => {
  it('green launches, serves, and gets Launch suspended after the listener moved', async () => {
    const w = listenerWorld();
    await w.aws.groups.suspendProcesses('shop-web', ['Launch']);
    const config = listenerConfigFor(w, { retire: { afterSeconds: 0, action: 'keep' } });
    const plan = replicaListener.plan(config, await replicaListener.observe(config, w.aws), 'k3x9a');
    expect(ids(plan.steps).indexOf(LISTENER_STEP.settleGreen)).toBe(ids(plan.steps).indexOf(LISTENER_STEP.switchListener) + 1);
    const journal = new FakeJournal(w.clock);
    await journal.applyAll(replicaListener.handlers(w.aws, noRemote), plan.steps);
    const green = await w.aws.groups.describeGroup(GREEN);
    expect(green?.Instances?.map((i) => i.LifecycleState)).toEqual(['InService', 'InService']);
    expect(green?.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['Launch']);
  });
});
