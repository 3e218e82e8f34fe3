/**
 * The janitor's inventory on the in-memory AWS: what carries the service's tag (exactly its value), found by
 * the Tagging API first and by the describes of what it does not reach (groups, launch configurations by
 * name), whatever the strategy; the deployment each is tied to (tag, else name), when it was made, and what
 * only goes with something else (an instance in a group, a snapshot behind an image).
 */
import { describe, expect, it } from 'vitest';
import { FOUND_BY, imageOfSnapshotDescription, kindOfArn, takeInventory } from '../../../src/janitor/inventory.js';
import { FakeAws } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const own = (deployment?: string, service = 'shop') => [
  { Key: 'bluegreen:service', Value: service },
  ...(deployment ? [{ Key: 'bluegreen:deployment', Value: deployment }] : []),
];

const alarm = (AlarmName: string, Tags?: { Key: string; Value: string }[]) => ({
  AlarmName,
  MetricName: 'CPUUtilization',
  Namespace: 'AWS/EC2',
  Statistic: 'Average' as const,
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanThreshold' as const,
  ...(Tags ? { Tags } : {}),
});

async function seeded(): Promise<{ aws: FakeAws; builder: string; swapped: string; member: string; terminated: string }> {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const aws = new FakeAws({ clock });
  // Launch configurations carry no tags: named like our stacks, or not ours.
  for (const name of ['shop-blue-aaaa1', 'shop-swap-bbbb2', 'shop-web-lc', 'shopx-blue-cccc3', 'shop-green-TOOLONG', 'cart-green-dddd4']) {
    aws.addLaunchConfiguration({ LaunchConfigurationName: name, ImageId: 'ami-0seed', InstanceType: 't3.micro' });
  }
  aws.setBornAt('launch-configuration', 'shop-blue-aaaa1', Date.UTC(2026, 0, 2));
  // Alarms: by their tag only, whatever their name; an untagged one named like a copy is not ours.
  aws.addAlarm(alarm('renamed-cpu-alarm', own('ghst1')));
  aws.addAlarm(alarm('shop-green-aaaa1-cpu-high'));
  aws.addAlarm(alarm('shop-blue-green-k3x9a-cpu', own('k3x9a', 'shop-blue')));
  // Groups by tag (GetResources does not list them); the deployment from the tag, else from the name.
  const group = (name: string, tags?: { Key: string; Value: string; PropagateAtLaunch?: boolean }[], desired = 0) =>
    aws.addGroup({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 2,
      DesiredCapacity: desired,
      LaunchConfigurationName: 'shop-blue-aaaa1',
      AvailabilityZones: ['us-east-1a'],
      ...(tags ? { Tags: tags } : {}),
    });
  group(
    'shop-blue-aaaa1',
    own('aaaa1').map((t) => ({ ...t, PropagateAtLaunch: true })),
    1,
  );
  group('shop-green-eeee5', own());
  group('shop-web');
  // Classic load balancers and target groups by tag, for any strategy.
  const listeners = [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }];
  aws.addLoadBalancer({ LoadBalancerName: 'shop-blue-aaaa1', Listeners: listeners, Tags: own('aaaa1') });
  aws.addLoadBalancer({ LoadBalancerName: 'shop-web-elb', Listeners: listeners, Tags: [{ Key: 'team', Value: 'web' }] });
  aws.addLoadBalancer({ LoadBalancerName: 'cart-blue-aaaa1', Listeners: listeners, Tags: own('aaaa1', 'cart') });
  aws.addTargetGroup('shop-green-jjjj0', [], {}, { tags: own('jjjj0') });
  aws.addTargetGroup('shop-web-tg');
  // Images: ours by tag, the deployment from the tag or the name; another service's is not; one deregistered is gone.
  aws.state.images.set('ami-0own', { ImageId: 'ami-0own', Name: 'shop-green-ffff6', State: 'available', Tags: own() });
  aws.state.images.set('ami-0tagged', {
    ImageId: 'ami-0tagged',
    Name: 'release-42',
    State: 'available',
    Tags: own('gggg7'),
    CreationDate: '2026-03-01T00:00:00.000Z',
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0behind' } }],
  });
  aws.state.images.set('ami-0gone', { ImageId: 'ami-0gone', Name: 'shop-green-hhhh8', State: 'deregistered', Tags: own('hhhh8') });
  aws.state.images.set('ami-0cart', { ImageId: 'ami-0cart', Name: 'cart-green-ffff6', State: 'available', Tags: own('ffff6', 'cart') });
  // Snapshots: one behind an image of ours, one whose image was deregistered (its deletion never ran).
  aws.state.snapshots.set('snap-0behind', { SnapshotId: 'snap-0behind', ImageId: 'ami-0tagged', Tags: own('gggg7') });
  aws.state.snapshots.set('snap-0orphan', { SnapshotId: 'snap-0orphan', ImageId: 'ami-0deregistered', Tags: own('llll2') });
  aws.setBornAt('snapshot', 'snap-0orphan', Date.UTC(2026, 1, 3));
  // Instances: a builder, swap-instances' new one never attached, another service's, one terminated.
  const role = { Key: 'bluegreen:role', Value: 'builder' };
  const [builder] = aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: [...own('iiii9'), role] }] });
  aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: [...own('iiii9', 'cart'), role] }] });
  const [swapped] = aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: own('mmmm3') }] });
  const [terminated] = aws.addInstances(1, { TagSpecifications: [{ ResourceType: 'instance', Tags: own('mmmm3') }] });
  await aws.instances.terminate([terminated!]);
  // Launch templates by tag (GetResources lists them on AWS; the describe finds them on moto).
  aws.addLaunchTemplate('shop-blue-kkkk1', [{ ImageId: 'ami-0seed' }]);
  aws.state.templates.get('shop-blue-kkkk1')!.tags = own();
  aws.addLaunchTemplate('shop-web-lt', [{ ImageId: 'ami-0seed' }]);
  const member = aws.state.groups.get('shop-blue-aaaa1')!.instances[0]!.id;
  aws.calls.length = 0;
  return { aws, builder: builder!, swapped: swapped!, member, terminated: terminated! };
}

const brief = (r: { type: string; name: string; deploymentId?: string; hold?: string }) =>
  `${r.type} ${r.name} ${r.deploymentId ?? '?'}${r.hold ? ' (held)' : ''}`;

describe('takeInventory', () => {
  it('finds every kind by tag (and launch configurations by name), whatever the strategy; never untagged, never another service', async () => {
    const { aws, builder, swapped, member } = await seeded();
    const found = await takeInventory('shop', aws);
    expect(found.map(brief).sort()).toEqual(
      [
        `instance ${builder} iiii9`,
        `instance ${swapped} mmmm3`,
        `instance ${member} aaaa1 (held)`,
        'alarm renamed-cpu-alarm ghst1',
        'auto-scaling-group shop-blue-aaaa1 aaaa1',
        'auto-scaling-group shop-green-eeee5 eeee5',
        'load-balancer shop-blue-aaaa1 aaaa1',
        'target-group shop-green-jjjj0 jjjj0',
        'launch-configuration shop-blue-aaaa1 aaaa1',
        'launch-configuration shop-swap-bbbb2 bbbb2',
        'launch-template shop-blue-kkkk1 kkkk1',
        'image ami-0own ffff6',
        'image ami-0tagged gggg7',
        'snapshot snap-0behind gggg7 (held)',
        'snapshot snap-0orphan llll2',
      ].sort(),
    );
    const by = Object.fromEntries(found.map((r) => [`${r.type} ${r.name}`, r]));
    // Dates as AWS gives them, in ISO 8601.
    expect(by['launch-configuration shop-blue-aaaa1']?.createdAt).toBe('2026-01-02T00:00:00.000Z');
    expect(by['image ami-0tagged']?.createdAt).toBe('2026-03-01T00:00:00.000Z');
    expect(by['snapshot snap-0orphan']?.createdAt).toBe('2026-02-03T00:00:00.000Z');
    expect(by[`instance ${builder}`]?.createdAt).toBe(new Date(Date.UTC(2026, 5, 1)).toISOString());
    // What holds them: their group, their image.
    expect(by[`instance ${member}`]?.hold).toBe('in Auto Scaling group shop-blue-aaaa1: an instance of a group goes with its group, never alone');
    expect(by['snapshot snap-0behind']?.hold).toBe('behind image ami-0tagged: it goes with its image');
    // Which call found each: the Tagging API first; groups and launch configurations by their own describes.
    expect(by['alarm renamed-cpu-alarm']?.foundBy).toBe(FOUND_BY.tagging);
    expect(by['launch-template shop-blue-kkkk1']?.foundBy).toBe(FOUND_BY.tagging);
    expect(by['auto-scaling-group shop-blue-aaaa1']?.foundBy).toBe(FOUND_BY.groups);
    expect(by['launch-configuration shop-swap-bbbb2']?.foundBy).toBe(FOUND_BY.configurations);
    expect(by['target-group shop-green-jjjj0']?.arn).toMatch(/^arn:aws:elasticloadbalancing:.*:targetgroup\/shop-green-jjjj0\//);
    expect(aws.calls.filter((c) => c.operation === 'tagging.resourcesTagged').map((c) => c.args)).toEqual([['bluegreen:service', 'shop']]);
  });

  it('believes the listing only when the service still describes the resource (GetResources may list what was just deleted)', async () => {
    const { aws } = await seeded();
    const listed = await aws.tagging.resourcesTagged('bluegreen:service', 'shop');
    // A listing that still names a deleted alarm and load balancer, as AWS's may for a while.
    const stale = [
      ...listed,
      { arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:deleted-alarm', tags: own('zzzz1') },
      { arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/shop-gone-lb', tags: own('zzzz1') },
    ];
    const ports = { ...aws, tagging: { resourcesTagged: () => Promise.resolve(stale) } };
    const found = await takeInventory('shop', ports);
    expect(found.some((r) => r.deploymentId === 'zzzz1')).toBe(false);
  });

  it('a launch template the Tagging API does not list (moto 5.2.1) is found by DescribeLaunchTemplates', async () => {
    const { aws } = await seeded();
    const ports = {
      ...aws,
      tagging: {
        resourcesTagged: async (k: string, v: string) =>
          (await aws.tagging.resourcesTagged(k, v)).filter((r) => !r.arn.includes(':launch-template/')),
      },
    };
    const found = await takeInventory('shop', ports);
    expect(found.find((r) => r.type === 'launch-template')).toMatchObject({ name: 'shop-blue-kkkk1', foundBy: FOUND_BY.templates });
  });
});

describe('what an ARN names', () => {
  it('the kinds bluegreen makes; an ALB or a volume is none of them', () => {
    const a = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/shop-g/0123';
    expect(kindOfArn('arn:aws:ec2:us-east-1:1:instance/i-0a')).toEqual({ type: 'instance', id: 'i-0a' });
    expect(kindOfArn('arn:aws:ec2:us-east-1:1:launch-template/lt-0a')).toEqual({ type: 'launch-template', id: 'lt-0a' });
    expect(kindOfArn('arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/shop-blue-aaaa1')).toEqual({
      type: 'load-balancer',
      id: 'shop-blue-aaaa1',
    });
    expect(kindOfArn(a)).toEqual({ type: 'target-group', id: a });
    expect(kindOfArn('arn:aws:cloudwatch:us-east-1:1:alarm:a:b')).toEqual({ type: 'alarm', id: 'a:b' });
    expect(kindOfArn('arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/shop/0123')).toBeUndefined();
    expect(kindOfArn('arn:aws:ec2:us-east-1:1:volume/vol-0a')).toBeUndefined();
    expect(kindOfArn('not-an-arn')).toBeUndefined();
  });

  it("a snapshot's image, from EC2's description", () => {
    expect(imageOfSnapshotDescription('Created by CreateImage(i-0123) for ami-0abc12')).toBe('ami-0abc12');
    expect(imageOfSnapshotDescription('my own backup')).toBeUndefined();
  });
});
