/** The in-memory AWS (test/fakes/aws.ts) behaves like AWS where strategies depend on it. */
import { describe, expect, it } from 'vitest';
import { FakeAws, awsError } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';

function fake(options: Partial<ConstructorParameters<typeof FakeAws>[0]> = {}) {
  const clock = new VirtualClock();
  return { clock, aws: new FakeAws({ clock, inServiceAfterSeconds: 0, ...options }) };
}

const tags = (key: string, value: string) => [{ ResourceType: 'instance' as const, Tags: [{ Key: key, Value: value }] }];

describe('instances', () => {
  it('RunInstances: pending, then running after runningAfterSeconds; 10.0.x.y addresses; tags', async () => {
    const { aws, clock } = fake({ runningAfterSeconds: 20 });
    const made = await aws.instances.run({ ImageId: 'ami-1', MinCount: 2, MaxCount: 2, TagSpecifications: tags('app', 'shop') });
    expect(made.map((i) => i.State?.Name)).toEqual(['pending', 'pending']);
    expect(made[0]!.PrivateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(made[0]!.Tags).toEqual([{ Key: 'app', Value: 'shop' }]);
    clock.advance(20_000);
    const ids = made.map((i) => i.InstanceId as string);
    expect((await aws.instances.describe(ids)).map((i) => i.State?.Name)).toEqual(['running', 'running']);
    expect((await aws.instances.listByTag('app', 'shop')).map((i) => i.InstanceId)).toEqual(ids);
  });

  it('the same ClientToken gives the same instances', async () => {
    const { aws } = fake();
    const a = await aws.instances.run({ ImageId: 'ami-1', MinCount: 2, MaxCount: 2, ClientToken: 't' });
    const b = await aws.instances.run({ ImageId: 'ami-1', MinCount: 2, MaxCount: 2, ClientToken: 't' });
    expect(b.map((i) => i.InstanceId)).toEqual(a.map((i) => i.InstanceId));
    expect(aws.state.instances.size).toBe(2);
  });

  it('terminate: shutting-down, then terminated; gone from listByTag; unknown ids are fine', async () => {
    const { aws } = fake();
    const [id] = aws.addInstances(1, { TagSpecifications: tags('app', 'shop') });
    expect(await aws.instances.terminate([id!, 'i-gone'])).toEqual(['i-gone']);
    expect(aws.state.instances.get(id!)?.instance.State?.Name).toBe('shutting-down');
    expect((await aws.instances.describe([id!]))[0]?.State?.Name).toBe('terminated');
    expect(await aws.instances.listByTag('app', 'shop')).toEqual([]);
  });

  it('keeps the call log and failOn for the new operations', async () => {
    const { aws } = fake();
    aws.failOn('instances.run', awsError('RunInstances', 'x', 'InsufficientInstanceCapacity'));
    await expect(aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 })).rejects.toMatchObject({ code: 'InsufficientInstanceCapacity' });
    expect(aws.callsTo('instances.run')).toHaveLength(1);
    expect(aws.state.instances.size).toBe(0);
  });
});

/**
 * "Eventual consistency in the Amazon EC2 API" (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html):
 * right after a create, EC2 may answer that the new id does not exist, for a few describes.
 */
describe('eventual consistency (notVisibleForPolls)', () => {
  it('leaves a new instance out of the first n answers of describe and listByTag, then shows it; seeded ones at once', async () => {
    const { aws, clock } = fake({ notVisibleForPolls: 2 });
    const [seeded] = aws.addInstances(1, { TagSpecifications: tags('app', 'shop') });
    const [made] = await aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, TagSpecifications: tags('app', 'shop') });
    const id = made!.InstanceId as string;
    expect((await aws.instances.describe([id, seeded!])).map((i) => i.InstanceId)).toEqual([seeded]);
    clock.advance(5_000);
    expect((await aws.instances.listByTag('app', 'shop')).map((i) => i.InstanceId)).toEqual([seeded]);
    expect((await aws.instances.describe([id])).map((i) => i.InstanceId)).toEqual([id]);
    expect((await aws.instances.describe([id])).map((i) => i.InstanceId)).toEqual([id]);
  });

  it('TerminateInstances of a new instance not visible yet answers it as not found and leaves it running', async () => {
    const { aws } = fake({ notVisibleForPolls: 1 });
    const [made] = await aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 });
    const id = made!.InstanceId as string;
    expect(await aws.instances.terminate([id])).toEqual([id]);
    expect(aws.instance(id)?.State?.Name).toBe('running');
    expect(await aws.instances.terminate([id])).toEqual([]);
    expect(aws.state.instances.get(id)?.instance.State?.Name).toBe('shutting-down');
  });

  it('a new image: not described, not found by name, not deleted, no CreateImage of its instance while hidden', async () => {
    const { aws } = fake({ notVisibleForPolls: 3 });
    const [made] = await aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 });
    const instanceId = made!.InstanceId as string;
    await expect(aws.images.createImage({ InstanceId: instanceId, Name: 'x' })).rejects.toMatchObject({ code: 'InvalidInstanceID.NotFound' });
    expect(await aws.instances.describe([instanceId])).toEqual([]);
    expect(await aws.instances.describe([instanceId])).toEqual([]);
    const imageId = await aws.images.createImage({ InstanceId: instanceId, Name: 'shop-1.2' });
    expect(await aws.images.describeImage(imageId)).toBeUndefined();
    expect(await aws.images.findImageByName('shop-1.2')).toBeUndefined();
    await aws.images.deleteImage(imageId); // the adapter's DescribeImages says NotFound: nothing deleted
    expect(aws.state.images.has(imageId)).toBe(true);
    expect((await aws.images.describeImage(imageId))?.ImageId).toBe(imageId);
    await aws.images.deleteImage(imageId);
    expect(aws.state.images.has(imageId)).toBe(false);
  });

  it('a new launch template: not described by id or name, not deleted, RunInstances with it refused, while hidden', async () => {
    const { aws } = fake({ notVisibleForPolls: 4 });
    const made = await aws.launch.createLaunchTemplate({ LaunchTemplateName: 'shop-green', LaunchTemplateData: { ImageId: 'ami-1' } });
    expect(await aws.launch.describeLaunchTemplateVersion({ id: made.id }, '1')).toBeUndefined();
    expect(await aws.launch.findLaunchTemplate('shop-green')).toBeUndefined();
    await expect(aws.instances.run({ LaunchTemplate: { LaunchTemplateId: made.id }, MinCount: 1, MaxCount: 1 })).rejects.toMatchObject({
      code: 'InvalidLaunchTemplateId.NotFound',
    });
    await aws.launch.deleteLaunchTemplate('shop-green');
    expect(aws.state.templates.has('shop-green')).toBe(true);
    expect(await aws.launch.describeLaunchTemplateVersion({ name: 'shop-green' }, '1')).toMatchObject({ LaunchTemplateId: made.id });
    await aws.launch.deleteLaunchTemplate('shop-green');
    expect(aws.state.templates.has('shop-green')).toBe(false);
  });

  it('Infinity: never shown; 0 (the default): shown at once', async () => {
    const never = fake({ notVisibleForPolls: Infinity });
    const [a] = await never.aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 });
    for (let i = 0; i < 50; i++) expect(await never.aws.instances.describe([a!.InstanceId as string])).toEqual([]);
    const at = fake();
    const [b] = await at.aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 });
    expect(await at.aws.instances.describe([b!.InstanceId as string])).toHaveLength(1);
  });
});

describe('groups: attach, detach, terminate in group', () => {
  function withGroup(max = 3) {
    const f = fake();
    f.aws.addLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-1', InstanceType: 't3.micro' });
    f.aws.addGroup({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'lc', MinSize: 1, MaxSize: max, DesiredCapacity: 1 });
    return f;
  }
  const desired = async (aws: FakeAws) => (await aws.groups.describeGroup('g'))?.DesiredCapacity;
  const members = async (aws: FakeAws) => (await aws.groups.describeGroup('g'))?.Instances?.map((i) => i.InstanceId);

  it('attach grows DesiredCapacity; beyond MaxSize it is refused like AWS', async () => {
    const { aws } = withGroup(2);
    const ids = aws.addInstances(2);
    await aws.groups.attachInstances('g', [ids[0]!]);
    expect(await desired(aws)).toBe(2);
    await expect(aws.groups.attachInstances('g', [ids[1]!])).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining(
        'has min-size=1, max-size=2, and desired-size=2. To attach 1 instance, please update the AutoScalingGroup sizes appropriately',
      ),
    });
  });

  it('attach refuses a pending instance', async () => {
    const { aws } = withGroup();
    aws.runningAfterSeconds = 30;
    const [pending] = await aws.instances.run({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 });
    await expect(aws.groups.attachInstances('g', [pending!.InstanceId!])).rejects.toMatchObject({ code: 'ValidationError' });
  });

  it('detach with decrement shrinks DesiredCapacity; without it the group launches a replacement; others are ignored', async () => {
    const { aws } = withGroup();
    const [own] = (await members(aws)) as string[];
    const ids = aws.addInstances(1);
    await aws.groups.attachInstances('g', ids);
    await aws.groups.detachInstances('g', [ids[0]!, 'i-other'], true);
    expect(await desired(aws)).toBe(1);
    expect((await aws.instances.describe(ids))[0]?.State?.Name).toBe('running');
    await aws.groups.detachInstances('g', [own!], false);
    expect(await desired(aws)).toBe(1);
    expect(await members(aws)).not.toContain(own);
    expect(await members(aws)).toHaveLength(1);
    expect((await aws.instances.describe([own!]))[0]?.State?.Name).toBe('running'); // detached, still running
  });

  it('terminate in group: decrement below MinSize is refused; a gone instance is fine', async () => {
    const { aws } = withGroup();
    const [own] = (await members(aws)) as string[];
    await expect(aws.groups.terminateInstanceInGroup(own!, true)).rejects.toThrow(/violate group's min size constraint/);
    await aws.groups.terminateInstanceInGroup(own!, false);
    expect(await members(aws)).toHaveLength(1);
    expect(await members(aws)).not.toContain(own);
    await aws.groups.terminateInstanceInGroup('i-gone', true);
  });

  it('resumeProcesses undoes suspendProcesses', async () => {
    const { aws } = withGroup();
    await aws.groups.suspendProcesses('g', ['Launch', 'Terminate']);
    await aws.groups.resumeProcesses('g', ['Launch']);
    expect((await aws.groups.describeGroup('g'))?.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['Terminate']);
  });
});

describe('load balancers and target groups', () => {
  it('classic: registered instances are InService after the registration delay; deregister is idempotent', async () => {
    const { aws, clock } = fake({ healthyAfterRegistrationSeconds: 10 });
    aws.addLoadBalancer({ LoadBalancerName: 'lb', Listeners: [] });
    const ids = aws.addInstances(2);
    await aws.classicLoadBalancers.registerInstances('lb', ids);
    expect((await aws.classicLoadBalancers.instanceHealth('lb')).map((s) => s.State)).toEqual(['OutOfService', 'OutOfService']);
    clock.advance(10_000);
    aws.setHealthy(ids[1]!, false);
    expect((await aws.classicLoadBalancers.instanceHealth('lb')).map((s) => s.State)).toEqual(['InService', 'OutOfService']);
    await aws.classicLoadBalancers.deregisterInstances('lb', [ids[0]!, 'i-never']);
    await aws.classicLoadBalancers.deregisterInstances('gone', ids);
    expect((await aws.classicLoadBalancers.describe(['lb']))[0]?.Instances).toEqual([{ InstanceId: ids[1] }]);
  });

  it('target groups: initial then healthy, unhealthy on demand, draining for the deregistration delay', async () => {
    const { aws, clock } = fake({ healthyAfterRegistrationSeconds: 15 });
    const arn = aws.addTargetGroup('web', [], { 'deregistration_delay.timeout_seconds': '30' });
    const ids = aws.addInstances(2);
    await aws.targetGroups.register(arn, ids, 8080);
    const states = async () => (await aws.targetGroups.health(arn)).map((d) => `${d.Target?.Port} ${d.TargetHealth?.State}`);
    expect(await states()).toEqual(['8080 initial', '8080 initial']);
    clock.advance(15_000);
    aws.setTargetHealth(ids[1]!, 'unhealthy', 'Target.ResponseCodeMismatch');
    expect(await states()).toEqual(['8080 healthy', '8080 unhealthy']);
    await aws.targetGroups.deregister(arn, [ids[0]!]);
    expect(await states()).toEqual(['8080 draining', '8080 unhealthy']);
    clock.advance(30_000);
    expect(await states()).toEqual(['8080 unhealthy']);
    expect(await aws.targetGroups.attributes(arn)).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    expect(await aws.targetGroups.describe([arn, 'arn:gone'])).toHaveLength(1);
    await aws.targetGroups.deregister('arn:gone', ids);
  });
});

describe('images', () => {
  it('createImage: pending, then available; findImageByName; deleteImage removes its snapshot, twice is fine', async () => {
    const { aws, clock } = fake({ imageAvailableAfterSeconds: 60 });
    const [id] = aws.addInstances(1);
    const imageId = await aws.images.createImage({
      InstanceId: id,
      Name: 'shop-1.2',
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'bluegreen:deployment', Value: 'k3x9a' }] }],
    });
    expect((await aws.images.describeImage(imageId))?.State).toBe('pending');
    clock.advance(60_000);
    const found = await aws.images.findImageByName('shop-1.2');
    expect(found).toMatchObject({ ImageId: imageId, State: 'available', Tags: [{ Key: 'bluegreen:deployment', Value: 'k3x9a' }] });
    // The name is taken (InvalidAMIName.Duplicate names the image): the port gives that image, makes no second one.
    expect(await aws.images.createImage({ InstanceId: id, Name: 'shop-1.2' })).toBe(imageId);
    expect(aws.state.snapshots.size).toBe(1);
    await aws.images.deleteImage(imageId);
    await aws.images.deleteImage(imageId);
    expect(aws.state.snapshots.size).toBe(0);
    expect(await aws.images.findImageByName('shop-1.2')).toBeUndefined();
  });

  it('imageFails: the pending image ends failed', async () => {
    const { aws, clock } = fake({ imageAvailableAfterSeconds: 5 });
    aws.imageFails = true;
    const [id] = aws.addInstances(1);
    const imageId = await aws.images.createImage({ InstanceId: id, Name: 'x' });
    clock.advance(5_000);
    expect((await aws.images.describeImage(imageId))?.State).toBe('failed');
  });
});

describe('ssm', () => {
  it('Online after the agent delay; invocations run for a while and end with the configured exit code', async () => {
    const { aws, clock } = fake({ runningAfterSeconds: 10, ssmOnlineAfterSeconds: 5, ssmCommandSeconds: 3 });
    const made = await aws.instances.run({ ImageId: 'ami-1', MinCount: 2, MaxCount: 2 });
    const ids = made.map((i) => i.InstanceId as string);
    expect(await aws.ssm.pingStatus(ids)).toEqual({});
    clock.advance(15_000);
    expect(await aws.ssm.pingStatus([...ids, 'i-unknown'])).toEqual({ [ids[0]!]: 'Online', [ids[1]!]: 'Online' });
    aws.setSsmResult(ids[1]!, { exitCode: 4, stderr: 'nope\n' });
    const commandId = await aws.ssm.sendShellCommand(ids, ['true'], 'c', 60);
    expect(await aws.ssm.invocation(commandId, ids[0]!)).toMatchObject({ status: 'InProgress' });
    clock.advance(3_000);
    expect(await aws.ssm.invocation(commandId, ids[0]!)).toEqual({ status: 'Success', exitCode: 0, stdout: '', stderr: '' });
    expect(await aws.ssm.invocation(commandId, ids[1]!)).toEqual({ status: 'Failed', exitCode: 4, stdout: '', stderr: 'nope\n' });
    expect(await aws.ssm.invocation('unknown', ids[0]!)).toBeUndefined();
    expect(aws.state.ssmCommands.get(commandId)?.commands).toEqual(['true']);
  });

  it('refuses an unmanaged instance like AWS (InvalidInstanceId)', async () => {
    const { aws } = fake();
    const [id] = aws.addInstances(1);
    aws.setPingStatus(id!, null);
    await expect(aws.ssm.sendShellCommand([id!], ['true'], 'c', 60)).rejects.toMatchObject({ code: 'InvalidInstanceId' });
  });
});

describe('target groups: create, attributes, tags, delete', () => {
  it('create: AWS defaults and tags; the same name and settings give the same group; other settings are refused', async () => {
    const { aws } = fake();
    const green = await aws.targetGroups.create({
      Name: 'shop-green',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: 'vpc-1',
      Tags: [{ Key: 'app', Value: 'shop' }],
    });
    expect(green).toMatchObject({ TargetGroupName: 'shop-green', Port: 8080, HealthCheckPath: '/', LoadBalancerArns: [] });
    expect(await aws.targetGroups.attributes(green.TargetGroupArn!)).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    expect(await aws.targetGroups.tags([green.TargetGroupArn!, 'arn:gone'])).toEqual({ [green.TargetGroupArn!]: [{ Key: 'app', Value: 'shop' }] });
    expect((await aws.targetGroups.create({ Name: 'shop-green', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1' })).TargetGroupArn).toBe(
      green.TargetGroupArn,
    );
    await expect(aws.targetGroups.create({ Name: 'shop-green', Port: 80 })).rejects.toMatchObject({ code: 'DuplicateTargetGroupName' });
    expect((await aws.targetGroups.findByName('shop-green'))?.TargetGroupArn).toBe(green.TargetGroupArn);
    expect(await aws.targetGroups.findByName('nope')).toBeUndefined();
  });

  it('modifyAttributes changes only the keys given; delete is idempotent', async () => {
    const { aws } = fake();
    const arn = aws.addTargetGroup('blue', [], {}, { tags: [{ Key: 'team', Value: 'web' }], settings: { Port: 8080 } });
    expect((await aws.targetGroups.describe([arn]))[0]?.Port).toBe(8080);
    await aws.targetGroups.modifyAttributes(arn, [
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
      { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
    ]);
    const attributes = await aws.targetGroups.attributes(arn);
    expect(attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    expect(attributes).toContainEqual({ Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' });
    expect(attributes).toContainEqual({ Key: 'stickiness.enabled', Value: 'false' });
    expect(await aws.targetGroups.tags([arn])).toEqual({ [arn]: [{ Key: 'team', Value: 'web' }] });
    await aws.targetGroups.delete(arn);
    await aws.targetGroups.delete(arn);
    expect(await aws.targetGroups.describe([arn])).toEqual([]);
    await expect(aws.targetGroups.modifyAttributes(arn, [{ Key: 'a', Value: 'b' }])).rejects.toMatchObject({ code: 'TargetGroupNotFound' });
  });
});

describe('listeners', () => {
  function world() {
    const { aws, clock } = fake();
    const alb = aws.addAlb('shop');
    const blue = aws.addTargetGroup('shop-blue');
    const green = aws.addTargetGroup('shop-green');
    const listener = aws.addListener(alb, [{ Type: 'forward', TargetGroupArn: blue }]);
    const api = aws.addRule(listener, {
      priority: 20,
      actions: [{ Type: 'forward', TargetGroupArn: blue }],
      conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
    });
    const static_ = aws.addRule(listener, { priority: 5, actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] });
    return { aws, clock, alb, blue, green, listener, api, static_ };
  }
  const weighted = (blue: string, b: number, green: string, g: number) => [
    {
      Type: 'forward' as const,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue, Weight: b },
          { TargetGroupArn: green, Weight: g },
        ],
      },
    },
  ];

  it('the load balancer has a DNS name; rules come by priority, the default rule last with the default actions', async () => {
    const { aws, alb, blue, listener, api, static_ } = world();
    expect(await aws.listeners.loadBalancer(alb)).toMatchObject({
      LoadBalancerArn: alb,
      Type: 'application',
      DNSName: expect.stringMatching(/^shop-\d+\.us-east-1\.elb\.amazonaws\.com$/),
    });
    expect(await aws.listeners.loadBalancer('arn:gone')).toBeUndefined();
    expect(await aws.listeners.describe('arn:gone')).toBeUndefined();
    const rules = await aws.listeners.rules(listener);
    expect(rules.map((r) => [r.RuleArn, r.Priority, r.IsDefault])).toEqual([
      [static_, '5', false],
      [api, '20', false],
      [expect.stringContaining(':listener-rule/'), 'default', true],
    ]);
    // Described as AWS does: a forward to one group has TargetGroupArn and a ForwardConfig of weight 1.
    expect(rules[2]?.Actions).toEqual([
      {
        Type: 'forward',
        TargetGroupArn: blue,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
      },
    ]);
    expect((await aws.listeners.describe(listener))?.DefaultActions).toEqual(rules[2]?.Actions);
    await expect(aws.listeners.rules('arn:gone')).rejects.toMatchObject({ code: 'ListenerNotFound' });
  });

  it('modify and modifyRule replace the actions (weighted: a ForwardConfig only), recorded in the call log', async () => {
    const { aws, blue, green, listener, api } = world();
    await aws.listeners.modify(listener, weighted(blue, 90, green, 10));
    await aws.listeners.modifyRule(api, weighted(blue, 90, green, 10));
    const actions = (await aws.listeners.describe(listener))?.DefaultActions;
    expect(actions).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: blue, Weight: 90 },
            { TargetGroupArn: green, Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
    const rule = (await aws.listeners.rules(listener)).find((r) => r.RuleArn === api);
    expect(rule?.Actions).toEqual(actions);
    expect(rule?.Conditions).toEqual([{ Field: 'path-pattern', Values: ['/api/*'] }]);
    expect(aws.callsTo('listeners.modify')).toEqual([[listener, weighted(blue, 90, green, 10)]]);
    expect(aws.callsTo('listeners.modifyRule')).toEqual([[api, weighted(blue, 90, green, 10)]]);
  });

  it('a target group LoadBalancerArns follows the listeners (as AWS; moto does not)', async () => {
    const { aws, alb, blue, green, listener, api } = world();
    const lbs = async () => (await aws.targetGroups.describe([blue, green])).map((g) => g.LoadBalancerArns);
    expect(await lbs()).toEqual([[alb], []]);
    await aws.listeners.modify(listener, [{ Type: 'forward', TargetGroupArn: green }]);
    expect(await lbs()).toEqual([[alb], [alb]]); // blue: still the api rule
    await aws.listeners.modifyRule(api, [{ Type: 'forward', TargetGroupArn: green }]);
    expect(await lbs()).toEqual([[], [alb]]);
  });

  it('refuses as AWS does, changing nothing: bad weights, unknown groups, the default rule, unknown rules', async () => {
    const { aws, blue, green, listener, api } = world();
    const before = await aws.listeners.rules(listener);
    await expect(aws.listeners.modify(listener, weighted(blue, 1000, green, 0))).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(aws.listeners.modify(listener, weighted(blue, 50, 'arn:gone', 50))).rejects.toMatchObject({ code: 'TargetGroupNotFound' });
    await expect(aws.listeners.modify(listener, [])).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(aws.listeners.modifyRule(before[2]!.RuleArn!, weighted(blue, 0, green, 1))).rejects.toMatchObject({ code: 'OperationNotPermitted' });
    await expect(aws.listeners.modifyRule(`${api}0`, weighted(blue, 0, green, 1))).rejects.toMatchObject({ code: 'RuleNotFound' });
    await expect(aws.listeners.modify('arn:gone', weighted(blue, 0, green, 1))).rejects.toMatchObject({ code: 'ListenerNotFound' });
    expect(await aws.listeners.rules(listener)).toEqual(before);
  });

  it('lists the listeners of a load balancer (none for one that is gone)', async () => {
    const { aws, alb, blue, listener } = world();
    const https = aws.addListener(alb, [{ Type: 'forward', TargetGroupArn: blue }], { port: 443, protocol: 'HTTPS' });
    aws.addListener(aws.addAlb('other'), [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]);
    expect((await aws.listeners.ofLoadBalancer(alb)).map((l) => [l.ListenerArn, l.Port])).toEqual([
      [listener, 80],
      [https, 443],
    ]);
    expect(await aws.listeners.ofLoadBalancer('arn:gone')).toEqual([]);
  });

  it('a target group serves one load balancer: forwarding to it from another is TargetGroupAssociationLimit (as AWS)', async () => {
    const { aws, blue, green } = world();
    const other = aws.addAlb('other');
    expect(() => aws.addListener(other, [{ Type: 'forward', TargetGroupArn: blue }])).toThrow(/TargetGroupAssociationLimit|only one load balancer/);
    const listener = aws.addListener(other, [{ Type: 'forward', TargetGroupArn: green }]);
    await expect(aws.listeners.modify(listener, weighted(green, 50, blue, 50))).rejects.toMatchObject({ code: 'TargetGroupAssociationLimit' });
    expect((await aws.targetGroups.describe([green]))[0]?.LoadBalancerArns).toEqual([other]);
  });

  it('an enabled target group stickiness needs a duration of 1-604800 s (as AWS), kept as sent', async () => {
    const { aws, blue, green, listener } = world();
    const sticky = (config: { Enabled: boolean; DurationSeconds?: number }) => [
      {
        ...weighted(blue, 90, green, 10)[0]!,
        ForwardConfig: { ...weighted(blue, 90, green, 10)[0]!.ForwardConfig, TargetGroupStickinessConfig: config },
      },
    ];
    for (const bad of [{ Enabled: true }, { Enabled: true, DurationSeconds: 0 }, { Enabled: true, DurationSeconds: 604801 }]) {
      await expect(aws.listeners.modify(listener, sticky(bad))).rejects.toMatchObject({ code: 'ValidationError' });
    }
    await aws.listeners.modify(listener, sticky({ Enabled: true, DurationSeconds: 3600 }));
    expect((await aws.listeners.describe(listener))?.DefaultActions?.[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 3600,
    });
  });

  it('deleting a target group a listener or rule forwards to is refused (ResourceInUse)', async () => {
    const { aws, blue, green, api } = world();
    await aws.listeners.modifyRule(api, weighted(blue, 50, green, 50));
    await expect(aws.targetGroups.delete(green)).rejects.toMatchObject({ code: 'ResourceInUse' });
    await aws.listeners.modifyRule(api, [{ Type: 'forward', TargetGroupArn: blue }]);
    await aws.targetGroups.delete(green);
    await expect(aws.targetGroups.delete(blue)).rejects.toMatchObject({ code: 'ResourceInUse' });
    expect(aws.state.targetGroups.has(blue)).toBe(true);
  });

  it('failOn and beforeMutation work for the new operations', async () => {
    const { aws, blue, green, listener } = world();
    const seen: string[] = [];
    aws.beforeMutation = (operation) => seen.push(operation);
    aws.failOn('listeners.modify', awsError('ModifyListener', listener, 'Throttling'));
    await expect(aws.listeners.modify(listener, weighted(blue, 0, green, 1))).rejects.toMatchObject({ code: 'Throttling' });
    expect((await aws.listeners.describe(listener))?.DefaultActions?.[0]?.TargetGroupArn).toBe(blue);
    await aws.listeners.modify(listener, weighted(blue, 0, green, 1));
    await aws.targetGroups.create({ Name: 'x' });
    await aws.listeners.rules(listener);
    expect(seen).toEqual(['listeners.modify', 'targetGroups.create']);
    expect(aws.callsTo('listeners.modify')).toHaveLength(2);
    aws.failOn('alarms.states', awsError('DescribeAlarms', 'a', 'Throttling'));
    await expect(aws.alarms.states(['a'])).rejects.toMatchObject({ code: 'Throttling' });
  });
});

describe('alarm states and metric sums', () => {
  it('setAlarmState drives what states reads; missing names are absent', async () => {
    const { aws } = fake();
    aws.addAlarm({ AlarmName: 'shop-5xx', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' });
    expect(await aws.alarms.states(['shop-5xx', 'nope'])).toEqual({ 'shop-5xx': { state: 'INSUFFICIENT_DATA', reason: '' } });
    aws.setAlarmState('shop-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)');
    expect(await aws.alarms.states(['shop-5xx'])).toEqual({
      'shop-5xx': { state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)' },
    });
    expect((await aws.alarms.describeAlarms(['shop-5xx']))[0]?.StateValue).toBe('ALARM');
    expect(() => aws.setAlarmState('nope', 'OK')).toThrow(/no alarm named nope/);
  });

  it('metricSum: one value per period begun by now that has data, from the scripted source; none scripted: []', async () => {
    const { aws, clock } = fake();
    const t0 = clock.now();
    const input = (minutes: number) => ({
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      dimensions: [{ name: 'LoadBalancer', value: 'app/shop/1' }],
      periodSeconds: 60,
      startTime: new Date(t0),
      endTime: new Date(t0 + minutes * 60_000),
    });
    expect(await aws.alarms.metricSum(input(5))).toEqual([]);
    const asked: string[] = [];
    // Requests drain after the switch at t0: 100 per minute, halving, no datapoint in minute 3.
    aws.setMetricSum('RequestCount', (start, dimensions) => {
      asked.push(dimensions.map((d) => d.value).join());
      const minute = (start - t0) / 60_000;
      return minute === 3 ? undefined : 100 / 2 ** minute;
    });
    clock.advance(5 * 60_000 + 1);
    expect(await aws.alarms.metricSum(input(10))).toEqual([100, 50, 25, 6.25, 3.125]); // minutes 0-5 have begun; minute 3 has no datapoint
    expect(asked[0]).toBe('app/shop/1');
    aws.setMetricSum('RequestCount', 0);
    expect(await aws.alarms.metricSum(input(2))).toEqual([0, 0]);
    expect(await aws.alarms.metricSum({ ...input(2), metricName: 'HTTPCode_ELB_5XX_Count' })).toEqual([]);
  });
});

describe('a group scales by itself on the virtual clock (unless the process is suspended)', () => {
  const HOUR = 3_600_000;
  function withGroup(hooks: { heartbeat: number } | undefined = undefined) {
    const f = fake();
    f.aws.addLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-1', InstanceType: 't3.micro' });
    f.aws.addGroup({
      AutoScalingGroupName: 'g',
      LaunchConfigurationName: 'lc',
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 1,
      ...(hooks
        ? {
            LifecycleHookSpecificationList: [
              { LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: hooks.heartbeat },
            ],
          }
        : {}),
    });
    return f;
  }
  const sizes = async (aws: FakeAws) => {
    const g = await aws.groups.describeGroup('g');
    return [g?.MinSize, g?.MaxSize, g?.DesiredCapacity];
  };

  it('a one-time scheduled action sets the sizes it names at its time and is gone after; a recurring one runs each time', async () => {
    const { aws, clock } = withGroup();
    aws.addScheduledAction({ AutoScalingGroupName: 'g', ScheduledActionName: 'peak', StartTime: new Date(clock.now() + HOUR), DesiredCapacity: 3 });
    // 09:00 UTC every day (the clock starts at midnight).
    aws.addScheduledAction({ AutoScalingGroupName: 'g', ScheduledActionName: 'morning', Recurrence: '0 9 * * *', MinSize: 2, DesiredCapacity: 2 });
    clock.advance(HOUR - 1000);
    expect(await sizes(aws)).toEqual([1, 4, 1]);
    clock.advance(1000);
    expect(await sizes(aws)).toEqual([1, 4, 3]);
    expect((await aws.groups.describeGroup('g'))?.Instances).toHaveLength(3);
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', DesiredCapacity: 1 });
    clock.advance(HOUR);
    expect(await sizes(aws)).toEqual([1, 4, 1]); // the one-time action ran once
    clock.advance(7 * HOUR);
    expect(await sizes(aws)).toEqual([2, 4, 2]);
  });

  it('with ScheduledActions suspended an action that comes due is skipped, and not run when the process resumes', async () => {
    const { aws, clock } = withGroup();
    aws.addScheduledAction({ AutoScalingGroupName: 'g', ScheduledActionName: 'peak', StartTime: new Date(clock.now() + HOUR), DesiredCapacity: 3 });
    await aws.groups.suspendProcesses('g', ['ScheduledActions']);
    clock.advance(2 * HOUR);
    expect(await sizes(aws)).toEqual([1, 4, 1]);
    await aws.groups.resumeProcesses('g', ['ScheduledActions']);
    clock.advance(HOUR);
    expect(await sizes(aws)).toEqual([1, 4, 1]);
  });

  it('an alarm in ALARM runs the simple scaling policy it names once per cooldown, up to MaxSize; not with AlarmNotification suspended', async () => {
    const { aws, clock } = withGroup();
    const up = aws.addPolicy({
      AutoScalingGroupName: 'g',
      PolicyName: 'up',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 2,
      Cooldown: 120,
    });
    aws.addAlarm({ AlarmName: 'busy', AlarmActions: [up], MetricName: 'CPUUtilization', Namespace: 'AWS/EC2' });
    await aws.groups.suspendProcesses('g', ['AlarmNotification']);
    aws.setAlarmState('busy', 'ALARM');
    clock.advance(10 * 60_000);
    expect(await sizes(aws)).toEqual([1, 4, 1]);
    await aws.groups.resumeProcesses('g', ['AlarmNotification']);
    expect(await sizes(aws)).toEqual([1, 4, 3]);
    clock.advance(60_000);
    expect(await sizes(aws)).toEqual([1, 4, 3]); // within the cooldown
    clock.advance(60_000);
    expect(await sizes(aws)).toEqual([1, 4, 4]); // MaxSize
    aws.setAlarmState('busy', 'OK');
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', DesiredCapacity: 1 });
    clock.advance(HOUR);
    expect(await sizes(aws)).toEqual([1, 4, 1]);
  });

  it('a termination hook holds each instance scaled in (Terminating:Wait) for its heartbeat; ForceDelete does not wait', async () => {
    const { aws, clock } = withGroup({ heartbeat: 300 });
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', MinSize: 0, DesiredCapacity: 0 });
    const held = (await aws.groups.describeGroup('g'))?.Instances ?? [];
    expect(held.map((i) => i.LifecycleState)).toEqual(['Terminating:Wait']);
    expect(aws.instance(held[0]!.InstanceId!)?.State?.Name).toBe('running');
    clock.advance(300_000);
    expect((await aws.groups.describeGroup('g'))?.Instances).toEqual([]);

    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', DesiredCapacity: 1 });
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', DesiredCapacity: 0 });
    await aws.groups.deleteGroup('g');
    expect(await aws.groups.describeGroup('g')).toBeUndefined();
  });

  it('without ForceDelete a group with instances (held ones too) or a warm pool is refused; DeletionProtection is honoured', async () => {
    const { aws, clock } = withGroup({ heartbeat: 300 });
    await expect(aws.groups.deleteGroup('g', { force: false })).rejects.toMatchObject({ code: 'ResourceInUse' });
    await aws.groups.updateGroup({ AutoScalingGroupName: 'g', MinSize: 0, DesiredCapacity: 0 });
    await expect(aws.groups.deleteGroup('g', { force: false })).rejects.toMatchObject({ code: 'ResourceInUse' }); // Terminating:Wait
    clock.advance(300_000);
    await aws.groups.putWarmPool({ AutoScalingGroupName: 'g', MinSize: 0 });
    await expect(aws.groups.deleteGroup('g', { force: false })).rejects.toMatchObject({ code: 'ResourceInUse' });
    await aws.groups.deleteWarmPool('g');
    expect((await aws.groups.describeGroup('g'))?.WarmPoolConfiguration).toBeUndefined(); // PendingDelete, then gone
    aws.state.groups.get('g')!.group.DeletionProtection = 'prevent-all-deletion';
    await expect(aws.groups.deleteGroup('g', { force: false })).rejects.toThrow(/deletion protection prevent-all-deletion/);
    aws.state.groups.get('g')!.group.DeletionProtection = 'prevent-force-deletion';
    await expect(aws.groups.deleteGroup('g')).rejects.toThrow(/deletion protection prevent-force-deletion/);
    await aws.groups.deleteGroup('g', { force: false });
    expect(await aws.groups.describeGroup('g')).toBeUndefined();
  });
});
