/** Configs and an observed group for the swap-instances tests (pure data: no AWS). */
import type { SwapInstancesConfig } from '../../../src/config/schema.js';
import type { SwapFacts } from '../../../src/strategies/swap-instances/facts.js';
import type { Observed } from '../../../src/strategies/swap-instances/observe.js';

export const GROUP = 'shop-web';
export const OLD_IMAGE = 'ami-0aaaaaaaaaaaaaaa1';
export const NEW_IMAGE = 'ami-0bbbbbbbbbbbbbbb2';
export const USER_DATA = Buffer.from('#!/bin/sh\nexport DB_PASSWORD=hunter2\n').toString('base64');
export const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef';
export const COMMANDS = ['sudo systemctl stop shop', 'sudo /opt/shop/update.sh', 'sudo systemctl start shop'];

export function swapConfig(overrides: Partial<SwapInstancesConfig> = {}): SwapInstancesConfig {
  return {
    service: 'shop',
    strategy: 'swap-instances',
    blue: { autoScalingGroup: GROUP },
    release: { kind: 'image', image: NEW_IMAGE },
    health: { timeoutSeconds: 300, intervalSeconds: 10 },
    retire: { afterSeconds: 120, action: 'keep' },
    state: { dir: '/srv/shop/.bluegreen' },
    ssh: { address: 'private', connectTimeoutSeconds: 10, connectionAttempts: 3, parallel: 4, hostKeys: 'accept-new' },
    source: { file: '/srv/shop/bluegreen.yml', digest: 'sha256:test' },
    ...overrides,
  };
}

export function commandsConfig(via: 'ssh' | 'ssm' = 'ssh'): SwapInstancesConfig {
  return swapConfig({ release: { kind: 'commands', commands: COMMANDS, via } });
}

/** What observe would see: 3 InService instances over 2 subnets, a classic LB and a target group. */
export function observedFixture(overrides: { inService?: string[]; maxSize?: number; desired?: number; template?: boolean } = {}): Observed {
  const inService = overrides.inService ?? ['i-0old1', 'i-0old2', 'i-0old3'];
  return {
    group: {
      AutoScalingGroupName: GROUP,
      ...(overrides.template
        ? { LaunchTemplate: { LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'shop-web-lt', Version: '$Latest' } }
        : { LaunchConfigurationName: 'shop-web-lc' }),
      MinSize: 2,
      MaxSize: overrides.maxSize ?? 4,
      DesiredCapacity: overrides.desired ?? inService.length,
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      LoadBalancerNames: ['shop-web-elb'],
      TargetGroupARNs: [TG_ARN],
      Tags: [
        { Key: 'Name', Value: 'shop-web', PropagateAtLaunch: true },
        { Key: 'cost-center', Value: 'web', PropagateAtLaunch: false },
        { Key: 'aws:cloudformation:stack-name', Value: 'shop', PropagateAtLaunch: true },
        { Key: 'bluegreen:deployment', Value: 'old01', PropagateAtLaunch: true },
      ],
      Instances: inService.map((id) => ({
        InstanceId: id,
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'us-east-1a',
        ProtectedFromScaleIn: false,
      })),
      HealthCheckType: 'ELB',
      DefaultCooldown: 300,
      CreatedTime: undefined,
    },
    inService,
    launch: overrides.template
      ? {
          kind: 'template',
          requested: '$Latest',
          version: {
            LaunchTemplateId: 'lt-0123',
            LaunchTemplateName: 'shop-web-lt',
            VersionNumber: 2,
            LaunchTemplateData: { ImageId: OLD_IMAGE, InstanceType: 't3.small', UserData: USER_DATA },
          },
        }
      : {
          kind: 'configuration',
          configuration: {
            LaunchConfigurationName: 'shop-web-lc',
            ImageId: OLD_IMAGE,
            InstanceType: 't3.small',
            UserData: USER_DATA,
            SecurityGroups: ['sg-0123'],
            CreatedTime: undefined,
          },
        },
    image: { ImageId: NEW_IMAGE, State: 'available' },
    loadBalancers: [{ name: 'shop-web-elb', drainingSeconds: 120 }],
    targetGroups: [{ arn: TG_ARN, name: 'shop-web', drainingSeconds: 45 }],
  };
}

/** The shared decisions of the plan for swapConfig() and observedFixture() with deployment k3x9a, written out: the step planners' exact input. */
export const FACTS: SwapFacts = {
  service: 'shop',
  deploymentId: 'k3x9a',
  group: GROUP,
  names: { launch: 'shop-swap-k3x9a', image: 'shop-swap-k3x9a' },
  old: ['i-0old1', 'i-0old2', 'i-0old3'],
  count: 3,
  sizes: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 },
  maxSize: 6,
  loadBalancers: [{ name: 'shop-web-elb', drainingSeconds: 120 }],
  targetGroups: [{ arn: TG_ARN, name: 'shop-web', drainingSeconds: 45 }],
  drainingSeconds: 120,
  health: { timeoutSeconds: 300, intervalSeconds: 10 },
  launch: { ref: { kind: 'configuration', name: 'shop-web-lc' }, name: 'shop-web-lc', type: 'launch configuration' },
  toTemplate: false,
  launchImage: NEW_IMAGE,
  releaseImage: NEW_IMAGE,
  newImage: NEW_IMAGE,
  ownTags: [
    { Key: 'bluegreen:service', Value: 'shop' },
    { Key: 'bluegreen:deployment', Value: 'k3x9a' },
  ],
};

/** FACTS for a group on launch template shop-web-lt ($Latest, resolved to version 2) and a commands release. */
export const TEMPLATE_FACTS: SwapFacts = {
  ...FACTS,
  launch: { ref: { kind: 'template', id: 'lt-0123', version: 2 }, name: 'shop-web-lt', type: 'launch template', requested: '$Latest' },
  launchImage: OLD_IMAGE,
  releaseImage: null,
  newImage: 'shop-swap-k3x9a',
};

/** FACTS without a load balancer or target group. */
export const NO_FRONT_FACTS: SwapFacts = { ...FACTS, loadBalancers: [], targetGroups: [], drainingSeconds: 0 };
