import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import {
  alarmCopy,
  builderPlacement,
  builderTags,
  groupCopy,
  lifecycleHookCopy,
  remapActions,
  scalingPolicyCopy,
} from '../../../src/strategies/replica/builders.js';
import { launchConfigurationCopy, launchTemplateCopy } from '../../../src/strategies/common/builders.js';
import { loadBalancerAttributesCopy, loadBalancerCopy } from '../../../src/strategies/replica/fronts/dns-classic-elb/builders.js';
import { alarmCopyName, bakeNames, colorOf } from '../../../src/strategies/replica/names.js';
import { stackNames } from '../../../src/strategies/replica/fronts/dns-classic-elb/names.js';
import { classicElbHostedZoneId, normaliseDnsName, regionOfElbDnsName } from '../../../src/strategies/replica/fronts/dns-classic-elb/elb-zones.js';

const TAGS = { service: 'shop', deploymentId: 'k3x9a', color: 'green' as const };
const OURS = [
  { Key: 'bluegreen:service', Value: 'shop' },
  { Key: 'bluegreen:deployment', Value: 'k3x9a' },
  { Key: 'bluegreen:color', Value: 'green' },
];
const NOW = new Date('2026-01-01T00:00:00Z');
const POLICY_UP = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:autoScalingGroupName/shop-web:policyName/up';

describe('names', () => {
  it('derives names from service, color and deployment id and checks the load balancer limit', () => {
    expect(stackNames('shop', 'green', 'k3x9a')).toEqual({
      color: 'green',
      group: 'shop-green-k3x9a',
      launch: 'shop-green-k3x9a',
      loadBalancer: 'shop-green-k3x9a',
    });
    expect(stackNames('a'.repeat(20), 'green', 'k3x9a').loadBalancer).toHaveLength(32);
    expect(() => stackNames('a'.repeat(21), 'green', 'k3x9a')).toThrow(/at most 32/);
    expect(() => stackNames('shop', 'blue', 'k3x9')).toThrow(/deployment id/);
  });

  it('strips an earlier copy prefix from alarm names', () => {
    expect(alarmCopyName('shop', 'green', 'k3x9a', 'cpu-high')).toBe('shop-green-k3x9a-cpu-high');
    expect(alarmCopyName('shop', 'blue', 'm2n4p', 'shop-green-k3x9a-cpu-high')).toBe('shop-blue-m2n4p-cpu-high');
  });

  it('reads the color tag; untagged counts as blue', () => {
    expect(colorOf(undefined)).toBe('blue');
    expect(colorOf([{ Key: 'bluegreen:color', Value: 'green' }])).toBe('green');
    expect(colorOf([{ Key: 'Name', Value: 'green' }])).toBe('blue');
  });

  it('normalises alias names and knows the classic ELB zones', () => {
    expect(normaliseDnsName('DualStack.Shop-1.us-east-1.ELB.amazonaws.com.')).toBe('shop-1.us-east-1.elb.amazonaws.com');
    expect(regionOfElbDnsName('internal-shop-1.eu-west-1.elb.amazonaws.com')).toBe('eu-west-1');
    expect(classicElbHostedZoneId({ DNSName: 'shop-1.us-east-1.elb.amazonaws.com' })).toBe('Z35SXDOTRQ7X7K');
    expect(classicElbHostedZoneId({ DNSName: 'shop-1.us-east-1.elb.amazonaws.com' }, 'eu-west-1')).toBe('Z32O12XQLNTSW2');
    expect(classicElbHostedZoneId({ CanonicalHostedZoneNameID: 'ZOWN', DNSName: 'x' })).toBe('ZOWN');
    expect(classicElbHostedZoneId({ DNSName: 'example.com' })).toBeUndefined();
  });
});

describe('launch configuration copy', () => {
  it('keeps every setting, swaps the image and drops read-only and empty fields', () => {
    expect(
      launchConfigurationCopy(
        {
          LaunchConfigurationName: 'shop-web-lc',
          LaunchConfigurationARN: 'arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:x',
          ImageId: 'ami-old',
          KeyName: 'ops',
          SecurityGroups: ['sg-1', 'sg-2'],
          ClassicLinkVPCSecurityGroups: [],
          UserData: 'IyEvYmluL3NoCg==',
          InstanceType: 'm5.large',
          KernelId: 'aki-1',
          RamdiskId: 'ari-1',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } }],
          InstanceMonitoring: { Enabled: false },
          SpotPrice: '0.05',
          IamInstanceProfile: 'shop-web',
          CreatedTime: NOW,
          EbsOptimized: true,
          AssociatePublicIpAddress: false,
          PlacementTenancy: 'dedicated',
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
        },
        'shop-green-k3x9a',
        'ami-new',
      ),
    ).toStrictEqual({
      LaunchConfigurationName: 'shop-green-k3x9a',
      ImageId: 'ami-new',
      InstanceType: 'm5.large',
      KeyName: 'ops',
      SecurityGroups: ['sg-1', 'sg-2'],
      IamInstanceProfile: 'shop-web',
      UserData: 'IyEvYmluL3NoCg==',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true } }],
      InstanceMonitoring: { Enabled: false },
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      SpotPrice: '0.05',
      EbsOptimized: true,
      AssociatePublicIpAddress: false,
      PlacementTenancy: 'dedicated',
      KernelId: 'aki-1',
      RamdiskId: 'ari-1',
    });
  });

  it('leaves out the empty strings AWS describes unset fields with', () => {
    expect(
      launchConfigurationCopy(
        {
          LaunchConfigurationName: 'lc',
          ImageId: 'ami-old',
          InstanceType: 't3.micro',
          KeyName: '',
          KernelId: '',
          RamdiskId: '',
          UserData: '',
          SecurityGroups: [],
          CreatedTime: NOW,
        },
        'shop-green-k3x9a',
        'ami-new',
      ),
    ).toStrictEqual({ LaunchConfigurationName: 'shop-green-k3x9a', ImageId: 'ami-new', InstanceType: 't3.micro' });
  });
});

describe('launch template copy', () => {
  it('turns the resolved version into request data with the new image and tags the template', () => {
    expect(
      launchTemplateCopy(
        {
          LaunchTemplateId: 'lt-1',
          LaunchTemplateName: 'shop-web-lt',
          VersionNumber: 7,
          CreateTime: NOW,
          DefaultVersion: false,
          LaunchTemplateData: {
            ImageId: 'ami-old',
            InstanceType: 't3.small',
            UserData: 'IyEvYmluL3NoCg==',
            SecurityGroupIds: ['sg-1'],
            IamInstanceProfile: { Name: 'shop-web' },
            MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpEndpoint: 'enabled' },
            Operator: { Managed: false },
            NetworkInterfaces: [{ DeviceIndex: 0, Ipv6Addresses: [{ Ipv6Address: '2001:db8::1', IsPrimaryIpv6: true }] }],
            CreditSpecification: { CpuCredits: 'unlimited' },
            ElasticGpuSpecifications: [{}],
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [
                  { Key: 'team', Value: 'web' },
                  { Key: 'bluegreen:color', Value: 'blue' },
                ],
              },
              { ResourceType: 'volume', Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
            ],
          },
        },
        'shop-green-k3x9a',
        'ami-new',
        TAGS,
      ),
    ).toStrictEqual({
      LaunchTemplateName: 'shop-green-k3x9a',
      VersionDescription: 'bluegreen k3x9a: shop-web-lt version 7 with ami-new',
      LaunchTemplateData: {
        ImageId: 'ami-new',
        InstanceType: 't3.small',
        UserData: 'IyEvYmluL3NoCg==',
        SecurityGroupIds: ['sg-1'],
        IamInstanceProfile: { Name: 'shop-web' },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        NetworkInterfaces: [{ DeviceIndex: 0, Ipv6Addresses: [{ Ipv6Address: '2001:db8::1' }] }],
        CreditSpecification: { CpuCredits: 'unlimited' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'web' }] }],
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: OURS }],
    });
  });
});

describe('load balancer copy', () => {
  const blue = {
    LoadBalancerName: 'shop-web-elb',
    DNSName: 'shop-web-elb-1.us-east-1.elb.amazonaws.com',
    CanonicalHostedZoneNameID: 'Z35SXDOTRQ7X7K',
    ListenerDescriptions: [
      { Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }, PolicyNames: [] },
      {
        Listener: { Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 8080, SSLCertificateId: 'arn:cert' },
        PolicyNames: ['p'],
      },
    ],
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    Subnets: ['subnet-a', 'subnet-b'],
    SecurityGroups: ['sg-lb'],
    Scheme: 'internal',
    Instances: [{ InstanceId: 'i-1' }],
    CreatedTime: NOW,
  };

  it('copies listeners, subnets, security groups, an internal scheme and tags but ours', () => {
    expect(
      loadBalancerCopy(
        blue,
        [
          { Key: 'team', Value: 'web' },
          { Key: 'bluegreen:color', Value: 'blue' },
        ],
        'shop-green-k3x9a',
        TAGS,
      ),
    ).toStrictEqual({
      LoadBalancerName: 'shop-green-k3x9a',
      Listeners: [
        { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 },
        { Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 8080, SSLCertificateId: 'arn:cert' },
      ],
      Subnets: ['subnet-a', 'subnet-b'],
      SecurityGroups: ['sg-lb'],
      Scheme: 'internal',
      Tags: [{ Key: 'team', Value: 'web' }, ...OURS],
    });
  });

  it('gives availability zones only without subnets and no scheme when internet-facing', () => {
    expect(loadBalancerCopy({ ...blue, Subnets: [], SecurityGroups: [], Scheme: 'internet-facing' }, [], 'lb', TAGS)).toStrictEqual({
      LoadBalancerName: 'lb',
      Listeners: expect.any(Array),
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      Tags: OURS,
    });
  });

  it('copies draining, cross-zone, idle timeout, access log and the additional attributes (desync mitigation)', () => {
    expect(
      loadBalancerAttributesCopy({
        ConnectionDraining: { Enabled: true, Timeout: 120 },
        CrossZoneLoadBalancing: { Enabled: true },
        ConnectionSettings: { IdleTimeout: 90 },
        AccessLog: { Enabled: true, S3BucketName: 'logs', S3BucketPrefix: 'shop', EmitInterval: 5 },
        AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' }],
      }),
    ).toStrictEqual({
      ConnectionDraining: { Enabled: true, Timeout: 120 },
      CrossZoneLoadBalancing: { Enabled: true },
      ConnectionSettings: { IdleTimeout: 90 },
      AccessLog: { Enabled: true, S3BucketName: 'logs', S3BucketPrefix: 'shop', EmitInterval: 5 },
      AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: 'strictest' }],
    });
    expect(loadBalancerAttributesCopy({ AdditionalAttributes: [] })).toStrictEqual({});
    const twice = [
      { Key: 'elb.http.desyncmitigationmode', Value: 'defensive' },
      { Key: 'elb.http.desyncmitigationmode', Value: 'strictest' },
    ];
    expect(loadBalancerAttributesCopy({ AdditionalAttributes: twice })).toStrictEqual({ AdditionalAttributes: [twice[1]] });
  });
});

describe('group copy', () => {
  const blue = {
    AutoScalingGroupName: 'shop-web',
    AutoScalingGroupARN: 'arn:group',
    LaunchConfigurationName: 'shop-web-lc',
    MinSize: 2,
    MaxSize: 6,
    DesiredCapacity: 3,
    DefaultCooldown: 120,
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    LoadBalancerNames: ['shop-web-elb'],
    TargetGroupARNs: [],
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: 90,
    Instances: [
      { InstanceId: 'i-1', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    ],
    CreatedTime: NOW,
    SuspendedProcesses: [{ ProcessName: 'AZRebalance' }],
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    EnabledMetrics: [{ Metric: 'GroupInServiceInstances', Granularity: '1Minute' }],
    Status: undefined,
    Tags: [
      { ResourceId: 'shop-web', ResourceType: 'auto-scaling-group', Key: 'Name', Value: 'shop', PropagateAtLaunch: true },
      { ResourceId: 'shop-web', ResourceType: 'auto-scaling-group', Key: 'cost', Value: 'web', PropagateAtLaunch: false },
      { ResourceId: 'shop-web', ResourceType: 'auto-scaling-group', Key: 'aws:cloudformation:stack-name', Value: 's', PropagateAtLaunch: true },
      { ResourceId: 'shop-web', ResourceType: 'auto-scaling-group', Key: 'bluegreen:color', Value: 'blue', PropagateAtLaunch: true },
    ],
    TerminationPolicies: ['OldestInstance', 'Default'],
    NewInstancesProtectedFromScaleIn: false,
    CapacityRebalance: true,
    MaxInstanceLifetime: 604800,
    DefaultInstanceWarmup: 60,
    ServiceLinkedRoleARN: 'arn:role',
    DeletionProtection: 'prevent-all-deletion',
  } satisfies AutoScalingGroup;
  const hook = {
    LifecycleHookName: 'drain',
    AutoScalingGroupName: 'shop-web',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    HeartbeatTimeout: 60,
    GlobalTimeout: 6000,
    DefaultResult: 'CONTINUE',
  };

  it("copies blue's settings with green's launch, load balancer, hooks and tags", () => {
    expect(groupCopy(blue, [hook], 'shop-green-k3x9a', { launchConfigurationName: 'shop-green-k3x9a' }, 'shop-green-k3x9a', TAGS)).toStrictEqual({
      AutoScalingGroupName: 'shop-green-k3x9a',
      LaunchConfigurationName: 'shop-green-k3x9a',
      MinSize: 2,
      MaxSize: 6,
      DesiredCapacity: 3,
      DefaultCooldown: 120,
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 90,
      TerminationPolicies: ['OldestInstance', 'Default'],
      NewInstancesProtectedFromScaleIn: false,
      CapacityRebalance: true,
      MaxInstanceLifetime: 604800,
      DefaultInstanceWarmup: 60,
      ServiceLinkedRoleARN: 'arn:role',
      LoadBalancerNames: ['shop-green-k3x9a'],
      LifecycleHookSpecificationList: [
        { LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' },
      ],
      Tags: [
        { Key: 'Name', Value: 'shop', PropagateAtLaunch: true },
        { Key: 'cost', Value: 'web', PropagateAtLaunch: false },
        ...OURS.map((t) => ({ ...t, PropagateAtLaunch: true })),
      ],
    });
  });

  it('uses a pinned template version, and availability zones when there are no subnets', () => {
    const out = groupCopy({ ...blue, VPCZoneIdentifier: '' }, [], 'g', { launchTemplateName: 'g', version: '1' }, 'lb', TAGS);
    expect(out.LaunchTemplate).toStrictEqual({ LaunchTemplateName: 'g', Version: '1' });
    expect(out.LaunchConfigurationName).toBeUndefined();
    expect(out.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(out.VPCZoneIdentifier).toBeUndefined();
    expect(out.LifecycleHookSpecificationList).toBeUndefined();
  });

  it('puts lifecycle hooks on green', () => {
    expect(lifecycleHookCopy(hook, 'g')).toStrictEqual({
      LifecycleHookName: 'drain',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      HeartbeatTimeout: 60,
      DefaultResult: 'CONTINUE',
      AutoScalingGroupName: 'g',
    });
  });
});

describe('scaling policy copy', () => {
  it('copies a step scaling policy without ARN or alarms', () => {
    expect(
      scalingPolicyCopy(
        {
          AutoScalingGroupName: 'shop-web',
          PolicyName: 'up',
          PolicyARN: POLICY_UP,
          PolicyType: 'StepScaling',
          AdjustmentType: 'PercentChangeInCapacity',
          MinAdjustmentMagnitude: 1,
          MetricAggregationType: 'Average',
          EstimatedInstanceWarmup: 60,
          StepAdjustments: [
            { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 10 },
            { MetricIntervalLowerBound: 10, ScalingAdjustment: 30 },
          ],
          Alarms: [{ AlarmName: 'cpu-high', AlarmARN: 'arn:alarm' }],
          Enabled: true,
        },
        'shop-web',
        'g',
      ),
    ).toStrictEqual({
      AutoScalingGroupName: 'g',
      PolicyName: 'up',
      PolicyType: 'StepScaling',
      AdjustmentType: 'PercentChangeInCapacity',
      MinAdjustmentMagnitude: 1,
      MetricAggregationType: 'Average',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 10 },
        { MetricIntervalLowerBound: 10, ScalingAdjustment: 30 },
      ],
      EstimatedInstanceWarmup: 60,
      Enabled: true,
    });
  });

  it('copies simple scaling and target tracking, pointing customised metrics at green', () => {
    expect(
      scalingPolicyCopy(
        { PolicyName: 'simple', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: -1, Cooldown: 300 },
        'shop-web',
        'g',
      ),
    ).toStrictEqual({
      AutoScalingGroupName: 'g',
      PolicyName: 'simple',
      PolicyType: 'SimpleScaling',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: -1,
      Cooldown: 300,
    });
    expect(
      scalingPolicyCopy(
        {
          PolicyName: 'tt',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            CustomizedMetricSpecification: {
              MetricName: 'Queue',
              Namespace: 'Shop',
              Statistic: 'Average',
              Dimensions: [
                { Name: 'AutoScalingGroupName', Value: 'shop-web' },
                { Name: 'Env', Value: 'prod' },
              ],
            },
            TargetValue: 10,
            DisableScaleIn: true,
          },
          Alarms: [{ AlarmName: 'TargetTracking-shop-web-AlarmHigh-1' }],
        },
        'shop-web',
        'g',
      ),
    ).toStrictEqual({
      AutoScalingGroupName: 'g',
      PolicyName: 'tt',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        CustomizedMetricSpecification: {
          MetricName: 'Queue',
          Namespace: 'Shop',
          Statistic: 'Average',
          Dimensions: [
            { Name: 'AutoScalingGroupName', Value: 'g' },
            { Name: 'Env', Value: 'prod' },
          ],
        },
        TargetValue: 10,
        DisableScaleIn: true,
      },
    });
  });
});

describe('alarm copy', () => {
  it('copies every setting, points the dimension at green and remaps policy actions', () => {
    expect(
      alarmCopy(
        {
          AlarmName: 'cpu-high',
          AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high',
          AlarmDescription: 'CPU high',
          AlarmConfigurationUpdatedTimestamp: NOW,
          ActionsEnabled: true,
          OKActions: ['arn:sns:ok'],
          AlarmActions: [POLICY_UP, 'arn:sns:page'],
          InsufficientDataActions: [POLICY_UP],
          StateValue: 'OK',
          StateReason: 'fine',
          StateUpdatedTimestamp: NOW,
          MetricName: 'CPUUtilization',
          Namespace: 'AWS/EC2',
          Statistic: 'Average',
          Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-web' }],
          Period: 60,
          Unit: 'Percent',
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          Threshold: 70,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'breaching',
          EvaluateLowSampleCountPercentile: 'ignore',
        },
        'shop-green-k3x9a-cpu-high',
        'shop-web',
        'g',
        { [POLICY_UP]: 'arn:green-up' },
        TAGS,
      ),
    ).toStrictEqual({
      AlarmName: 'shop-green-k3x9a-cpu-high',
      AlarmDescription: 'CPU high',
      ActionsEnabled: true,
      OKActions: ['arn:sns:ok'],
      AlarmActions: ['arn:green-up', 'arn:sns:page'],
      InsufficientDataActions: ['arn:green-up'],
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'g' }],
      Period: 60,
      Unit: 'Percent',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      EvaluateLowSampleCountPercentile: 'ignore',
      Tags: OURS,
    });
  });

  it('copies metric math and an extended statistic', () => {
    const out = alarmCopy(
      {
        AlarmName: 'p99',
        ExtendedStatistic: 'p99',
        Metrics: [
          {
            Id: 'm1',
            MetricStat: {
              Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-web' }] },
              Period: 60,
              Stat: 'p99',
            },
            ReturnData: false,
          },
          { Id: 'e1', Expression: 'm1 * 2', Label: 'double', ReturnData: true },
        ],
        ThresholdMetricId: undefined,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      },
      'x',
      'shop-web',
      'g',
      {},
      TAGS,
    );
    expect(out.ExtendedStatistic).toBe('p99');
    expect(out.Metrics).toStrictEqual([
      {
        Id: 'm1',
        MetricStat: {
          Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'g' }] },
          Period: 60,
          Stat: 'p99',
        },
        ReturnData: false,
      },
      { Id: 'e1', Expression: 'm1 * 2', Label: 'double', ReturnData: true },
    ]);
  });

  it('remaps only the actions it knows', () => {
    expect(remapActions(['a', 'b'], { a: 'A' })).toEqual(['A', 'b']);
    expect(remapActions(undefined, { a: 'A' })).toBeUndefined();
  });
});

describe('builder (release by commands)', () => {
  it('names the builder and the image after green', () => {
    expect(bakeNames(stackNames('shop', 'green', 'k3x9a'))).toEqual({ builder: 'shop-green-k3x9a-builder', image: 'shop-green-k3x9a' });
  });

  it("places the one builder in blue's first subnet, else its first zone, with a token stable for the deployment", () => {
    expect(builderPlacement({ VPCZoneIdentifier: ' subnet-b , subnet-a', AvailabilityZones: ['us-east-1a'] }, 'shop', 'k3x9a')).toEqual({
      subnetId: 'subnet-b',
      count: 1,
      clientToken: 'bluegreen-shop-k3x9a-builder',
    });
    expect(builderPlacement({ VPCZoneIdentifier: '', AvailabilityZones: ['us-east-1c', 'us-east-1a'] }, 'shop', 'k3x9a')).toEqual({
      availabilityZone: 'us-east-1c',
      count: 1,
      clientToken: 'bluegreen-shop-k3x9a-builder',
    });
    expect(builderPlacement({}, 'shop', 'k3x9a')).toEqual({ count: 1, clientToken: 'bluegreen-shop-k3x9a-builder' });
  });

  it("tags the builder like blue's instances, with its own Name, our tags and the builder role", () => {
    const blue = [
      { Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true },
      { Key: 'team', Value: 'web', PropagateAtLaunch: true },
      { Key: 'cost-center', Value: '42', PropagateAtLaunch: false },
      { Key: 'aws:cloudformation:stack-name', Value: 'shop', PropagateAtLaunch: true },
      { Key: 'bluegreen:color', Value: 'blue', PropagateAtLaunch: true },
    ];
    expect(builderTags(blue, 'shop-green-k3x9a-builder', TAGS)).toEqual([
      { Key: 'team', Value: 'web' },
      { Key: 'Name', Value: 'shop-green-k3x9a-builder' },
      ...OURS,
      { Key: 'bluegreen:role', Value: 'builder' },
    ]);
  });
});
