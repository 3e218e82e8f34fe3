/**
 * The janitor's inventory on the in-memory AWS: which resources count as the service's, the deployment each
 * is tied to (tag, else name), when it was made, and which kinds each strategy looks for.
 */
import { describe, expect, it } from 'vitest';
import { SCOPE, takeInventory } from '../../../src/janitor/inventory.js';
import { FakeAws } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const own = (deployment?: string, service = 'shop') => [
  { Key: 'bluegreen:service', Value: service },
  ...(deployment ? [{ Key: 'bluegreen:deployment', Value: deployment }] : []),
];

function seeded(): FakeAws {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const aws = new FakeAws({ clock });
  // Launch configurations carry no tags: named like our stacks, or not ours.
  for (const name of ['shop-blue-aaaa1', 'shop-swap-bbbb2', 'shop-web-lc', 'shopx-blue-cccc3', 'shop-green-TOOLONG', 'cart-green-dddd4']) {
    aws.addLaunchConfiguration({ LaunchConfigurationName: name, ImageId: 'ami-0seed', InstanceType: 't3.micro' });
  }
  aws.setBornAt('launch-configuration', 'shop-blue-aaaa1', Date.UTC(2026, 0, 2));
  // Alarms: copies are named <service>-<color>-<id>-<original>.
  for (const name of ['shop-green-aaaa1-cpu-high', 'shop-cpu-high', 'shop-green-aaaa1', 'cart-blue-aaaa1-cpu']) {
    // Each watches the group its name starts with (a copy points at its own stack's group).
    const group = /^(.*-(?:blue|green)-[a-z0-9]{5})-/.exec(name)?.[1] ?? 'shop-web';
    aws.addAlarm({
      AlarmName: name,
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: group }],
    });
  }
  // Service shop-blue's copy: its name matches shop's pattern (deployment "green"), its group tells it apart.
  aws.addAlarm({
    AlarmName: 'shop-blue-green-k3x9a-cpu',
    MetricName: 'CPUUtilization',
    Namespace: 'AWS/EC2',
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'shop-blue-green-k3x9a' }],
  });
  // Groups and load balancers by tag; the deployment from the tag, else from the name.
  aws.addGroup({
    AutoScalingGroupName: 'shop-blue-aaaa1',
    MinSize: 0,
    MaxSize: 0,
    DesiredCapacity: 0,
    LaunchConfigurationName: 'shop-blue-aaaa1',
    AvailabilityZones: ['us-east-1a'],
    Tags: own('aaaa1'),
  });
  aws.addGroup({
    AutoScalingGroupName: 'shop-green-eeee5',
    MinSize: 0,
    MaxSize: 0,
    DesiredCapacity: 0,
    LaunchConfigurationName: 'shop-blue-aaaa1',
    AvailabilityZones: ['us-east-1a'],
    Tags: own(),
  });
  aws.addGroup({
    AutoScalingGroupName: 'shop-web',
    MinSize: 0,
    MaxSize: 0,
    DesiredCapacity: 0,
    LaunchConfigurationName: 'shop-web-lc',
    AvailabilityZones: ['us-east-1a'],
  });
  aws.addLoadBalancer({
    LoadBalancerName: 'shop-blue-aaaa1',
    Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }],
    Tags: own('aaaa1'),
  });
  aws.addLoadBalancer({
    LoadBalancerName: 'shop-web-elb',
    Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }],
    Tags: [{ Key: 'team', Value: 'web' }],
  });
  aws.addLoadBalancer({
    LoadBalancerName: 'cart-blue-aaaa1',
    Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }],
    Tags: own('aaaa1', 'cart'),
  });
  // Images: ours by tag, the deployment from the tag or the name; another service's is not.
  aws.state.images.set('ami-0own', { ImageId: 'ami-0own', Name: 'shop-green-ffff6', State: 'available', Tags: own() });
  aws.state.images.set('ami-0tagged', {
    ImageId: 'ami-0tagged',
    Name: 'release-42',
    State: 'available',
    Tags: own('gggg7'),
    CreationDate: '2026-03-01T00:00:00.000Z',
  });
  aws.state.images.set('ami-0gone', { ImageId: 'ami-0gone', Name: 'shop-green-hhhh8', State: 'deregistered', Tags: own('hhhh8') });
  aws.state.images.set('ami-0cart', { ImageId: 'ami-0cart', Name: 'cart-green-ffff6', State: 'available', Tags: own('ffff6', 'cart') });
  // Builders: instances with the builder role and our service tag.
  aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: [...own('iiii9'), { Key: 'bluegreen:role', Value: 'builder' }] }] });
  aws.addInstances(1, {
    TagSpecifications: [{ ResourceType: 'instance', Tags: [...own('iiii9', 'cart'), { Key: 'bluegreen:role', Value: 'builder' }] }],
  });
  aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: own('iiii9') }] }); // a swap's new instance: not a builder
  // Target groups and templates by tag.
  aws.addTargetGroup('shop-green-jjjj0', [], {}, { tags: own('jjjj0') });
  aws.addTargetGroup('shop-web-tg');
  aws.addLaunchTemplate('shop-blue-kkkk1', [{ ImageId: 'ami-0seed' }]);
  aws.state.templates.get('shop-blue-kkkk1')!.tags = own();
  aws.addLaunchTemplate('shop-web-lt', [{ ImageId: 'ami-0seed' }]);
  aws.calls.length = 0;
  return aws;
}

const brief = (r: { type: string; name: string; deploymentId?: string }) => `${r.type} ${r.name} ${r.deploymentId ?? '?'}`;

describe('takeInventory', () => {
  it('replica-dns: what carries the service tag or our names, tied to its deployment by tag or name', async () => {
    const aws = seeded();
    const found = await takeInventory('shop', 'replica-dns', aws);
    const builder = [...aws.state.instances.values()].find(
      (i) => i.instance.Tags?.some((t) => t.Key === 'bluegreen:role') && i.instance.Tags?.some((t) => t.Value === 'shop'),
    )!.instance.InstanceId;
    expect(found.map(brief).sort()).toEqual(
      [
        `instance ${builder} iiii9`,
        'alarm shop-green-aaaa1-cpu-high aaaa1',
        'auto-scaling-group shop-blue-aaaa1 aaaa1',
        'auto-scaling-group shop-green-eeee5 eeee5',
        'load-balancer shop-blue-aaaa1 aaaa1',
        'launch-configuration shop-blue-aaaa1 aaaa1',
        'launch-configuration shop-swap-bbbb2 bbbb2',
        'launch-template shop-blue-kkkk1 kkkk1',
        'image ami-0own ffff6',
        'image ami-0tagged gggg7',
      ].sort(),
    );
    // Dates as AWS gives them, in ISO 8601.
    expect(found.find((r) => r.name === 'shop-blue-aaaa1' && r.type === 'launch-configuration')?.createdAt).toBe('2026-01-02T00:00:00.000Z');
    expect(found.find((r) => r.name === 'ami-0tagged')?.createdAt).toBe('2026-03-01T00:00:00.000Z');
    expect(found.find((r) => r.type === 'instance')?.createdAt).toBe(new Date(Date.UTC(2026, 5, 1)).toISOString());
    // No target group: replica-dns makes none (and its IAM policy does not allow listing them).
    expect(aws.calls.map((c) => c.operation)).not.toContain('inventory.targetGroupsByTag');
  });

  it('replica-listener: target groups (with their ARN for the delete), no classic load balancers', async () => {
    const aws = seeded();
    const found = await takeInventory('shop', 'replica-listener', aws);
    const tg = found.find((r) => r.type === 'target-group');
    expect(tg).toMatchObject({ name: 'shop-green-jjjj0', deploymentId: 'jjjj0' });
    expect(tg?.arn).toMatch(/^arn:aws:elasticloadbalancing:.*:targetgroup\/shop-green-jjjj0\//);
    expect(found.some((r) => r.type === 'load-balancer')).toBe(false);
  });

  it('swap-instances: only launches, images and builders; no group, alarm or load balancer is looked for', async () => {
    const aws = seeded();
    const found = await takeInventory('shop', 'swap-instances', aws);
    expect([...new Set(found.map((r) => r.type))].sort()).toEqual(['image', 'instance', 'launch-configuration', 'launch-template']);
    expect(aws.calls.map((c) => c.operation).sort()).toEqual(
      ['instances.listByTag', 'inventory.imagesByTag', 'inventory.launchConfigurationsByPrefix', 'inventory.launchTemplatesByTag'].sort(),
    );
    expect(SCOPE['swap-instances']).toEqual(['instance', 'launch-configuration', 'launch-template', 'image']);
  });
});
