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
    await aws.instances.terminate([id!, 'i-gone']);
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
      message: expect.stringContaining('has min-size=1, max-size=2, and desired-size=2. To attach 1 instance, please update the AutoScalingGroup sizes appropriately.'),
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
    await expect(aws.images.createImage({ InstanceId: id, Name: 'shop-1.2' })).rejects.toMatchObject({ code: 'InvalidAMIName.Duplicate' });
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
