/** Small, exact inputs for the step planners of the replica core: one blue stack, one config, a front's facts. */
import type { ReplicaDnsConfig } from '../../../../src/config/schema.js';
import type { FrontFacts } from '../../../../src/strategies/replica/front.js';
import type { ReplicaObserved } from '../../../../src/strategies/replica/observe.js';
import type { PlanContext } from '../../../../src/strategies/replica/plan/context.js';

export const POLICY_ARN = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:p1:autoScalingGroupName/shop-web:policyName/scale-out';

export function config(overrides: Partial<ReplicaDnsConfig> = {}): ReplicaDnsConfig {
  return {
    service: 'shop',
    strategy: 'replica-dns',
    blue: { autoScalingGroup: 'shop-web' },
    release: { kind: 'image', image: 'ami-new' },
    dns: { hostedZoneId: 'Z1', name: 'shop.example.com' },
    health: { timeoutSeconds: 300, intervalSeconds: 10 },
    retire: { afterSeconds: 300, action: 'scale-to-zero' },
    state: { dir: '/srv/shop/.bluegreen' },
    ssh: { address: 'private', connectTimeoutSeconds: 30, connectionAttempts: 4, parallel: 10, hostKeys: 'strict' },
    source: { file: '/srv/shop/bluegreen.yml', digest: 'sha256:test' },
    ...overrides,
  };
}

export function observed(overrides: Partial<ReplicaObserved['blue']> = {}): ReplicaObserved {
  return {
    image: { ImageId: 'ami-old' },
    candidates: ['shop-web'],
    blue: {
      color: 'blue',
      group: {
        AutoScalingGroupName: 'shop-web',
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 2,
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'],
        HealthCheckType: 'EC2',
        CreatedTime: new Date(0),
        VPCZoneIdentifier: 'subnet-a',
        LaunchConfigurationName: 'shop-web-lc',
      },
      launch: {
        kind: 'configuration',
        configuration: { LaunchConfigurationName: 'shop-web-lc', ImageId: 'ami-old', InstanceType: 't3.small', CreatedTime: new Date(0) },
      },
      policies: [
        {
          PolicyName: 'scale-out',
          PolicyARN: POLICY_ARN,
          PolicyType: 'SimpleScaling',
          ScalingAdjustment: 1,
          Alarms: [{ AlarmName: 'cpu-high' }, { AlarmName: 'gone' }],
        },
      ],
      alarms: [
        {
          AlarmName: 'cpu-high',
          MetricName: 'CPUUtilization',
          Namespace: 'AWS/EC2',
          AlarmActions: [POLICY_ARN],
          Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-web' }],
        },
        { AlarmName: 'TargetTracking-shop-web-AlarmHigh' },
      ],
      lifecycleHooks: [],
      ...overrides,
    },
  };
}

/** A front's facts with values that show where each lands. */
export const FACTS: FrontFacts = {
  blue: 'blue-front',
  lead: { lead: 'first' },
  tail: { tail: 'last' },
  group: { loadBalancer: 'green-lb', input: { Extra: [] }, title: ', in the front', warnings: ['group warning'] },
  rewrite: { rewrite: 'dim' },
  healthy: 'InService and well',
  http: { what: 'the front', on: ' on it' },
  firstTraffic: { step: 'switch', without: 'the switch' },
  wait: { seconds: 300, warnings: ['wait warning'], drain: { metric: 'm' }, metricName: 'RequestCount', unit: 'requests' },
  retire: { params: { front: 'blue-front' }, deletes: ['front blue-front'], warnings: ['retire warning'] },
  summary: { blue: { front: 'blue-front' }, green: { front: 'green-front' }, rest: { rest: true } },
};

export function context(overrides: { config?: ReplicaDnsConfig; observed?: ReplicaObserved; front?: Partial<FrontFacts> } = {}): PlanContext {
  const o = overrides.observed ?? observed();
  const c = overrides.config ?? config();
  return {
    strategy: 'replica-test',
    config: c,
    observed: o,
    deploymentId: 'k3x9a',
    green: { color: 'green', group: 'shop-green-k3x9a', launch: 'shop-green-k3x9a' },
    greenFront: 'green-front',
    tags: { service: 'shop', deploymentId: 'k3x9a', color: 'green' },
    bake: c.release.kind === 'commands' ? { builder: 'shop-green-k3x9a-builder', image: 'shop-green-k3x9a' } : null,
    image: c.release.kind === 'image' ? c.release.image : null,
    alarms: c.gates?.alarms ?? [],
    policies: o.blue.policies.filter((p) => p.PolicyName),
    front: { ...FACTS, ...overrides.front },
  };
}
