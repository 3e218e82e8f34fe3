/** The builders of what else of blue's group green gets: exact inputs and outputs. */
import { describe, expect, it } from 'vitest';
import {
  groupSettingsCopy,
  notificationCopies,
  scheduledActionAt,
  scheduledActionCopy,
  warmPoolCopy,
} from '../../../src/strategies/replica/builders.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

describe('group settings green gets in its create request', () => {
  it('capacity reservations, zone distribution and impairment policy, instance lifecycle policy: as blue has them; nothing when blue has none', () => {
    expect(
      groupSettingsCopy({
        AutoScalingGroupName: 'shop-web',
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 2,
        DefaultCooldown: 300,
        AvailabilityZones: [],
        HealthCheckType: 'EC2',
        CreatedTime: new Date(0),
        CapacityReservationSpecification: {
          CapacityReservationPreference: 'capacity-reservations-first',
          CapacityReservationTarget: { CapacityReservationIds: ['cr-1'] },
        },
        AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-only' },
        AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: true, ImpairedZoneHealthCheckBehavior: 'IgnoreUnhealthy' },
        InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: 'retain' } },
      }),
    ).toEqual({
      CapacityReservationSpecification: {
        CapacityReservationPreference: 'capacity-reservations-first',
        CapacityReservationTarget: { CapacityReservationIds: ['cr-1'] },
      },
      AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-only' },
      AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: true, ImpairedZoneHealthCheckBehavior: 'IgnoreUnhealthy' },
      InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: 'retain' } },
    });
    expect(
      groupSettingsCopy({
        AutoScalingGroupName: 'g',
        MinSize: 0,
        MaxSize: 0,
        DesiredCapacity: 0,
        DefaultCooldown: 0,
        AvailabilityZones: [],
        HealthCheckType: 'EC2',
        CreatedTime: new Date(0),
      }),
    ).toEqual({});
  });
});

describe('scheduled actions', () => {
  const blue = {
    AutoScalingGroupName: 'shop-web',
    ScheduledActionName: 'peak',
    ScheduledActionARN: 'arn:aws:autoscaling:us-east-1:123456789012:scheduledUpdateGroupAction:x',
    Time: new Date(NOW + 3_600_000),
    StartTime: new Date(NOW + 3_600_000),
    Recurrence: '0 8 * * MON-FRI',
    MinSize: 2,
    MaxSize: 8,
    DesiredCapacity: 4,
    TimeZone: 'Europe/Paris',
  };

  it('the copy names green and keeps the times, sizes, recurrence and time zone (no ARN, no Time)', () => {
    expect(scheduledActionCopy(blue, 'shop-green-k3x9a')).toEqual({
      AutoScalingGroupName: 'shop-green-k3x9a',
      ScheduledActionName: 'peak',
      StartTime: new Date(NOW + 3_600_000),
      Recurrence: '0 8 * * MON-FRI',
      MinSize: 2,
      MaxSize: 8,
      DesiredCapacity: 4,
      TimeZone: 'Europe/Paris',
    });
  });

  it('put as it can be at apply time: a start in the past is dropped from a recurring action; a passed one-time or ended action is not put', () => {
    const copy = { AutoScalingGroupName: 'g', ScheduledActionName: 'a', DesiredCapacity: 3 };
    const future = { ...copy, StartTime: iso(NOW + 60_000) } as never;
    expect(scheduledActionAt(future, NOW)).toEqual({ ...copy, StartTime: new Date(NOW + 60_000) });
    expect(scheduledActionAt({ ...copy, StartTime: iso(NOW - 60_000) } as never, NOW)).toBeUndefined();
    expect(scheduledActionAt({ ...copy, Recurrence: '0 8 * * *', StartTime: iso(NOW - 60_000), EndTime: iso(NOW + 60_000) } as never, NOW)).toEqual({
      ...copy,
      Recurrence: '0 8 * * *',
      EndTime: new Date(NOW + 60_000),
    });
    expect(scheduledActionAt({ ...copy, Recurrence: '0 8 * * *', EndTime: iso(NOW - 1) } as never, NOW)).toBeUndefined();
    expect(scheduledActionAt({ ...copy, Recurrence: '0 8 * * *' }, NOW)).toEqual({ ...copy, Recurrence: '0 8 * * *' });
  });
});

describe('warm pool and notifications', () => {
  const group = {
    AutoScalingGroupName: 'shop-web',
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: [],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
  };

  it("blue's warm pool for green (not its Status); none without one, or while blue's is being deleted", () => {
    const pool = { MaxGroupPreparedCapacity: 6, MinSize: 1, PoolState: 'Hibernated' as const, InstanceReusePolicy: { ReuseOnScaleIn: true } };
    expect(warmPoolCopy({ ...group, WarmPoolConfiguration: pool }, 'shop-green-k3x9a')).toEqual({
      AutoScalingGroupName: 'shop-green-k3x9a',
      ...pool,
    });
    expect(warmPoolCopy(group, 'g')).toBeUndefined();
    expect(warmPoolCopy({ ...group, WarmPoolConfiguration: { ...pool, Status: 'PendingDelete' } }, 'g')).toBeUndefined();
  });

  it('one notification configuration per topic, with every type blue sends it', () => {
    expect(
      notificationCopies([
        { AutoScalingGroupName: 'shop-web', TopicARN: 'arn:sns:ops', NotificationType: 'autoscaling:EC2_INSTANCE_LAUNCH' },
        { AutoScalingGroupName: 'shop-web', TopicARN: 'arn:sns:audit', NotificationType: 'autoscaling:EC2_INSTANCE_TERMINATE' },
        { AutoScalingGroupName: 'shop-web', TopicARN: 'arn:sns:ops', NotificationType: 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR' },
      ]),
    ).toEqual([
      { topicArn: 'arn:sns:ops', types: ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR'] },
      { topicArn: 'arn:sns:audit', types: ['autoscaling:EC2_INSTANCE_TERMINATE'] },
    ]);
  });
});
