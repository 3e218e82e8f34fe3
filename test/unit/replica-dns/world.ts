/** A blue stack in the in-memory AWS, and the config that deploys over it. Shared by the replica-dns tests. */
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { StrategyServices } from '../../../src/strategies/types.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeJournal, VirtualClock } from '../../support/virtual-clock.js';

export const ZONE = 'Z0123456789ABC';
export const RECORD = 'shop.example.com';
export const OLD_IMAGE = 'ami-0aaaaaaaaaaaaaaa1';
export const NEW_IMAGE = 'ami-0bbbbbbbbbbbbbbb2';
export const SNS = 'arn:aws:sns:us-east-1:123456789012:ops';
export const USER_DATA = Buffer.from('#!/bin/sh\nexport DB_PASSWORD=hunter2\n').toString('base64');

export function configFor(overrides: Partial<ReplicaDnsConfig> = {}): ReplicaDnsConfig {
  return {
    service: 'shop',
    strategy: 'replica-dns',
    blue: { autoScalingGroup: 'shop-web' },
    release: { kind: 'image', image: NEW_IMAGE },
    dns: { hostedZoneId: ZONE, name: RECORD },
    health: { timeoutSeconds: 300, intervalSeconds: 10 },
    retire: { afterSeconds: 300, action: 'scale-to-zero' },
    state: { dir: '/srv/shop/.bluegreen' },
    ssh: { address: 'private', connectTimeoutSeconds: 30, connectionAttempts: 4, parallel: 10, hostKeys: 'strict' },
    source: { file: '/srv/shop/bluegreen.yml', digest: 'sha256:test' },
    ...overrides,
  };
}

/** The gate alarm of the replica-dns tests: blue's classic ELB 5xx count (AWS/ELB), over `Threshold` (1) in a minute. */
export function addFiveXxAlarm(aws: FakeAws, overrides: Partial<PutMetricAlarmCommandInput> = {}): void {
  aws.addAlarm({
    AlarmName: 'shop-5xx',
    MetricName: 'HTTPCode_Backend_5XX',
    Namespace: 'AWS/ELB',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    ...overrides,
  });
}

export interface World {
  clock: VirtualClock;
  aws: FakeAws;
  journal: FakeJournal;
  blueLbDns: string;
}

export function blueWorld(
  options: { launch?: 'configuration' | 'template'; instances?: number; inServiceAfterSeconds?: number | null; omitCanonicalZone?: boolean } = {},
): World {
  const clock = new VirtualClock();
  const aws = new FakeAws({
    clock,
    inServiceAfterSeconds: options.inServiceAfterSeconds === undefined ? 30 : options.inServiceAfterSeconds,
    omitCanonicalZone: options.omitCanonicalZone ?? false,
  });
  const n = options.instances ?? 2;
  aws.addImage(OLD_IMAGE, 'shop-1.0');
  aws.addImage(NEW_IMAGE, 'shop-1.1');
  aws.addZone(ZONE, 'example.com');

  if ((options.launch ?? 'configuration') === 'configuration') {
    aws.addLaunchConfiguration({
      LaunchConfigurationName: 'shop-web-lc',
      ImageId: OLD_IMAGE,
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroups: ['sg-0123'],
      IamInstanceProfile: 'shop-web',
      UserData: USER_DATA,
      InstanceMonitoring: { Enabled: true },
    });
  } else {
    aws.addLaunchTemplate('shop-web-lt', [
      { ImageId: OLD_IMAGE, InstanceType: 't3.micro', UserData: USER_DATA },
      {
        ImageId: OLD_IMAGE,
        InstanceType: 't3.small',
        UserData: USER_DATA,
        SecurityGroupIds: ['sg-0123'],
        MetadataOptions: { HttpTokens: 'required', State: 'applied' },
      },
    ]);
  }
  const blueLbDns = aws.addLoadBalancer(
    {
      LoadBalancerName: 'shop-web-elb',
      Listeners: [
        { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 },
        {
          Protocol: 'HTTPS',
          LoadBalancerPort: 443,
          InstanceProtocol: 'HTTP',
          InstancePort: 8080,
          SSLCertificateId: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
        },
      ],
      Subnets: ['subnet-a', 'subnet-b'],
      SecurityGroups: ['sg-0lb'],
      Tags: [{ Key: 'team', Value: 'web' }],
    },
    { Target: 'HTTP:8080/up', Interval: 10, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 },
    { ConnectionDraining: { Enabled: true, Timeout: 120 }, CrossZoneLoadBalancing: { Enabled: true } },
  );
  aws.addGroup(
    {
      AutoScalingGroupName: 'shop-web',
      ...(options.launch === 'template'
        ? { LaunchTemplate: { LaunchTemplateName: 'shop-web-lt', Version: '$Latest' } }
        : { LaunchConfigurationName: 'shop-web-lc' }),
      MinSize: n,
      MaxSize: n * 2,
      DesiredCapacity: n,
      DefaultCooldown: 120,
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 90,
      LoadBalancerNames: ['shop-web-elb'],
      TerminationPolicies: ['OldestInstance'],
      Tags: [{ Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true }],
      LifecycleHookSpecificationList: [
        { LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' },
      ],
    },
    {
      SuspendedProcesses: [{ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended' }],
      EnabledMetrics: [{ Metric: 'GroupInServiceInstances', Granularity: '1Minute' }],
    },
  );
  const up = aws.addPolicy({
    AutoScalingGroupName: 'shop-web',
    PolicyName: 'scale-up',
    PolicyType: 'SimpleScaling',
    AdjustmentType: 'ChangeInCapacity',
    ScalingAdjustment: 1,
    Cooldown: 300,
  });
  aws.addPolicy({
    AutoScalingGroupName: 'shop-web',
    PolicyName: 'cpu-50',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
  });
  aws.addAlarm({
    AlarmName: 'shop-web-cpu-high',
    AlarmDescription: 'CPU above 70% for 2 minutes',
    AlarmActions: [up, SNS],
    MetricName: 'CPUUtilization',
    Namespace: 'AWS/EC2',
    Statistic: 'Average',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-web' }],
    Period: 60,
    EvaluationPeriods: 2,
    Threshold: 70,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  aws.putRecord(ZONE, {
    Name: RECORD,
    Type: 'A',
    AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: `dualstack.${blueLbDns}.`, EvaluateTargetHealth: true },
  });
  return { clock, aws, journal: new FakeJournal(clock), blueLbDns };
}

/** replica-dns runs no remote command (until it bakes images): its handlers get services that refuse. */
export const noRemote: StrategyServices = {
  remote: () => {
    throw new Error('replica-dns asked for a remote-command runner');
  },
};

export { engineRun } from '../../support/engine-run.js';
