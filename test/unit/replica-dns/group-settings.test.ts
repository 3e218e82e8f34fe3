/**
 * What else of blue's group green gets (scheduled actions, warm pool, notification configurations, the
 * group settings of the create request), and what plan says it does not get (VPC Lattice traffic sources,
 * DeletionProtection) and why, against the in-memory AWS.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, noRemote, SNS, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const HOUR = 3_600_000;
const LATTICE = 'arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789abcdef0';

async function planned(world: World, config: Config = configFor()) {
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  return { plan, steps: plan.steps, registry: replicaDns.handlers(world.aws, noRemote) };
}
const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);

/** blueWorld whose group has everything a create request alone does not copy. */
function richWorld(): World {
  const world = blueWorld();
  const { aws, clock } = world;
  const g = aws.state.groups.get('shop-web')!;
  Object.assign(g.group, {
    WarmPoolConfiguration: { MaxGroupPreparedCapacity: 4, MinSize: 1, PoolState: 'Stopped' },
    CapacityReservationSpecification: { CapacityReservationPreference: 'capacity-reservations-first' },
    AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-best-effort' },
    AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: true, ImpairedZoneHealthCheckBehavior: 'ReplaceUnhealthy' },
    InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: 'retain' } },
  });
  aws.addScheduledAction({
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'launch-day',
    StartTime: new Date(clock.now() + 2 * HOUR),
    DesiredCapacity: 3,
  });
  aws.addScheduledAction({
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'mornings',
    Recurrence: '0 7 * * *',
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 3,
  });
  void aws.groups.putNotification('shop-web', SNS, ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_TERMINATE']);
  return world;
}

describe('create-group gives green the rest of blue group', () => {
  it('its scheduled actions, warm pool, notifications and the settings of its create request', async () => {
    const world = richWorld();
    const { steps, registry } = await planned(world);
    world.clock.advance(HOUR); // the plan was shown, then approved
    await world.journal.applyAll(registry, upTo(steps, STEP.createGroup));
    const green = await world.aws.groups.describeGroup(GREEN);
    expect(green).toMatchObject({
      WarmPoolConfiguration: { MaxGroupPreparedCapacity: 4, MinSize: 1, PoolState: 'Stopped' },
      CapacityReservationSpecification: { CapacityReservationPreference: 'capacity-reservations-first' },
      AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-best-effort' },
      AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: true, ImpairedZoneHealthCheckBehavior: 'ReplaceUnhealthy' },
      InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: 'retain' } },
    });
    const actions = await world.aws.groups.describeScheduledActions(GREEN);
    expect(actions.map((a) => [a.ScheduledActionName, a.Recurrence, a.DesiredCapacity])).toEqual([
      ['launch-day', undefined, 3],
      ['mornings', '0 7 * * *', 3],
    ]);
    expect((await world.aws.groups.describeNotifications(GREEN)).map((n) => n.NotificationType)).toEqual([
      'autoscaling:EC2_INSTANCE_LAUNCH',
      'autoscaling:EC2_INSTANCE_TERMINATE',
    ]);
  });

  it('a resumed create-group puts them again harmlessly, and a one-time action whose time passed in between is not put (AWS refuses it)', async () => {
    const world = richWorld();
    const { steps, registry } = await planned(world);
    world.clock.advance(3 * HOUR); // launch-day ran on blue while the plan waited
    await world.journal.applyAll(registry, upTo(steps, STEP.createGroup));
    await world.journal.apply(
      registry,
      steps.find((s) => s.id === STEP.createGroup)!,
    );
    expect((await world.aws.groups.describeScheduledActions(GREEN)).map((a) => a.ScheduledActionName)).toEqual(['mornings']);
    expect(await world.aws.groups.describeNotifications(GREEN)).toHaveLength(2);
  });
});

describe('plan says, one line each, what green does not get and why', () => {
  it('VPC Lattice traffic sources, DeletionProtection, and reservations-only capacity', async () => {
    const world = blueWorld();
    Object.assign(world.aws.state.groups.get('shop-web')!.group, {
      TrafficSources: [
        { Identifier: 'shop-web-elb', Type: 'elb' },
        { Identifier: LATTICE, Type: 'vpc-lattice' },
      ],
      DeletionProtection: 'prevent-force-deletion',
      CapacityReservationSpecification: { CapacityReservationPreference: 'capacity-reservations-only' },
    });
    const { plan } = await planned(world);
    const about = (what: RegExp) => plan.warnings.filter((w) => what.test(w));
    expect(about(/VPC Lattice/)).toEqual([
      `blue's group shop-web receives traffic from VPC Lattice (TrafficSources ${LATTICE}): green is not attached to it, since Lattice would send green requests before it is proven healthy and before the switch; Lattice clients stay on blue and get no answer once retire.action scale-to-zero retires it: attach green after the switch (aws autoscaling attach-traffic-sources --auto-scaling-group-name ${GREEN} --traffic-sources Identifier=${LATTICE},Type=vpc-lattice)`,
    ]);
    expect(about(/DeletionProtection/)).toEqual([
      `blue's group shop-web has DeletionProtection prevent-force-deletion: green is created without it, because a rollback deletes green and stays possible while blue exists (retire.action scale-to-zero); set it on green when you no longer need one: aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${GREEN} --deletion-protection prevent-force-deletion`,
    ]);
    expect(about(/capacity reservations only/)).toHaveLength(1);
    const create = plan.steps.find((s) => s.id === STEP.createGroup)!;
    expect(create.params.input).not.toHaveProperty('DeletionProtection');
    expect(create.params.input).not.toHaveProperty('TrafficSources');
  });

  it('nothing to say of a group that has none of them', async () => {
    const { plan } = await planned(blueWorld());
    expect(plan.warnings.filter((w) => /Lattice|DeletionProtection|reservations/.test(w))).toEqual([]);
    expect(plan.steps.find((s) => s.id === STEP.createGroup)!.params).not.toHaveProperty('settings');
  });
});
