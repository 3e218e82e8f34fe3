import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { FakeJournal } from '../../support/virtual-clock.js';
import { blueWorld, configFor, NEW_IMAGE, noRemote, OLD_IMAGE, RECORD, ZONE } from './world.js';

describe('replica-dns observe', () => {
  it('finds blue from the record on the first deployment and reads what the planner needs', async () => {
    const world = blueWorld();
    const observed = await replicaDns.observe(configFor(), world.aws);
    expect(observed.blue.group.AutoScalingGroupName).toBe('shop-web');
    expect(observed.blue.color).toBe('blue');
    expect(observed.blue.loadBalancer.description.LoadBalancerName).toBe('shop-web-elb');
    expect(observed.blue.loadBalancer.attributes.ConnectionDraining).toEqual({ Enabled: true, Timeout: 120 });
    expect(observed.blue.loadBalancer.tags).toEqual([{ Key: 'team', Value: 'web' }]);
    expect(observed.blue.launch).toMatchObject({ kind: 'configuration', configuration: { LaunchConfigurationName: 'shop-web-lc' } });
    expect(observed.blue.policies.map((p) => p.PolicyName).sort()).toEqual(['cpu-50', 'scale-up']);
    expect(observed.blue.alarms.map((a) => a.AlarmName).sort()).toEqual([
      expect.stringMatching(/^TargetTracking-shop-web-AlarmHigh-/),
      expect.stringMatching(/^TargetTracking-shop-web-AlarmLow-/),
      'shop-web-cpu-high',
    ]);
    expect(observed.blue.lifecycleHooks.map((h) => h.LifecycleHookName)).toEqual(['drain']);
    expect(observed.image.ImageId).toBe(NEW_IMAGE);
    expect(observed.candidates).toEqual(['shop-web']);
    // read-only
    expect(world.aws.calls.map((c) => c.operation).filter((op) => !/\.(describe|get|list|find)/.test(op))).toEqual([]);
  });

  it('finds alarms through the policies even when DescribePolicies omits Alarms (moto)', async () => {
    const world = blueWorld();
    const describePolicies = world.aws.groups.describePolicies;
    world.aws.groups.describePolicies = async (group) => (await describePolicies(group)).map(({ Alarms: _a, ...p }) => p);
    const observed = await replicaDns.observe(configFor(), world.aws);
    expect(observed.blue.alarms.map((a) => a.AlarmName)).toContain('shop-web-cpu-high');
  });

  it('resolves a $Latest launch template to the version number', async () => {
    const world = blueWorld({ launch: 'template' });
    const observed = await replicaDns.observe(configFor(), world.aws);
    expect(observed.blue.launch).toMatchObject({
      kind: 'template',
      requested: '$Latest',
      version: { VersionNumber: 2, LaunchTemplateName: 'shop-web-lt' },
    });
  });

  const inputError = async (promise: Promise<unknown>, message: RegExp) => {
    await expect(promise).rejects.toBeInstanceOf(InputError);
    await expect(promise).rejects.toThrow(message);
  };

  it('names a hosted zone, record or image that does not exist', async () => {
    const world = blueWorld();
    await inputError(
      replicaDns.observe(configFor({ dns: { hostedZoneId: 'ZNOPE', name: RECORD } }), world.aws),
      /hosted zone ZNOPE \(dns.hostedZoneId\) does not exist/,
    );
    await inputError(
      replicaDns.observe(configFor({ dns: { hostedZoneId: ZONE, name: 'nope.example.com' } }), world.aws),
      /record nope.example.com \(type A\) does not exist in hosted zone Z0123456789ABC/,
    );
    await inputError(
      replicaDns.observe(configFor({ release: { kind: 'image', image: 'ami-0ccccccccccccccc3' } }), world.aws),
      /image ami-0ccccccccccccccc3 \(release.image, or the --image flag when given\) does not exist/,
    );
  });

  it("takes a release by commands: the image is blue's, which the builder starts from (bake.test.ts has the rest)", async () => {
    const world = blueWorld();
    const config = configFor({ release: { kind: 'commands', commands: ['sudo /opt/app/update.sh 42'], via: 'ssh' } });
    const observed = await replicaDns.observe(config, world.aws);
    expect(observed.image.ImageId).toBe(OLD_IMAGE);
    expect(world.aws.calls.map((c) => c.operation).filter((op) => !/\.(describe|get|list|find)/.test(op))).toEqual([]);
  });

  it('refuses a record that is not an alias', async () => {
    const world = blueWorld();
    world.aws.putRecord(ZONE, { Name: RECORD, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] });
    await inputError(replicaDns.observe(configFor(), world.aws), /record shop.example.com in hosted zone Z0123456789ABC is not an alias record/);
  });

  it('names a group that does not exist', async () => {
    const world = blueWorld();
    await inputError(
      replicaDns.observe(configFor({ service: 'cart', blue: { autoScalingGroup: 'cart-web' } }), world.aws),
      /Auto Scaling group cart-web \(blue.autoScalingGroup\) does not exist, and no group is tagged bluegreen:service=cart/,
    );
  });

  it('names the record, its target and the candidates when the record points elsewhere', async () => {
    const world = blueWorld();
    world.aws.putRecord(ZONE, {
      Name: RECORD,
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'other-1.us-east-1.elb.amazonaws.com.', EvaluateTargetHealth: false },
    });
    await inputError(
      replicaDns.observe(configFor(), world.aws),
      /record shop.example.com points at other-1.us-east-1.elb.amazonaws.com., which is the load balancer of none of the candidate groups: shop-web \(shop-web-elb\)/,
    );
  });

  it('refuses blue with target groups, two load balancers or a mixed instances policy whose overrides name their own templates', async () => {
    const tg = blueWorld();
    (tg.aws.state.groups.get('shop-web') as { group: { TargetGroupARNs?: string[] } }).group.TargetGroupARNs = ['arn:aws:elasticloadbalancing:tg/x'];
    await inputError(replicaDns.observe(configFor(), tg.aws), /uses target groups .* exactly one classic load balancer/);

    const two = blueWorld();
    two.aws.addLoadBalancer({ LoadBalancerName: 'shop-web-2', Listeners: [] });
    (two.aws.state.groups.get('shop-web') as { group: { LoadBalancerNames?: string[] } }).group.LoadBalancerNames = ['shop-web-elb', 'shop-web-2'];
    await inputError(
      replicaDns.observe(configFor(), two.aws),
      /has 2 classic load balancers \(shop-web-elb, shop-web-2\); replica-dns needs exactly one/,
    );

    const mixed = blueWorld();
    (mixed.aws.state.groups.get('shop-web') as { group: Record<string, unknown> }).group.MixedInstancesPolicy = {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateName: 'x' },
        Overrides: [{ InstanceType: 'm5.large', LaunchTemplateSpecification: { LaunchTemplateName: 'y' } }],
      },
    };
    await inputError(
      replicaDns.observe(configFor(), mixed.aws),
      /group shop-web's mixed instances policy gives an override a launch template of its own; replica-dns copies the policy's one launch template/,
    );
  });

  it('on the next deployment finds the previous green as blue (tags, dualstack name) and colors alternate', async () => {
    const world = blueWorld();
    const config = configFor();
    const first = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    await world.journal.applyAll(replicaDns.handlers(world.aws, noRemote), first.steps);
    // Route 53 shows alias targets with "dualstack." and a trailing dot, in any case.
    const record = await world.aws.dns.getRecord(ZONE, RECORD, 'A');
    world.aws.putRecord(ZONE, {
      ...record,
      Name: RECORD,
      Type: 'A',
      AliasTarget: {
        HostedZoneId: 'Z35SXDOTRQ7X7K',
        EvaluateTargetHealth: true,
        DNSName: `DualStack.${record?.AliasTarget?.DNSName?.toUpperCase()}.`,
      },
    });

    const second = await replicaDns.observe(config, world.aws);
    expect(second.blue.group.AutoScalingGroupName).toBe('shop-green-k3x9a');
    expect(second.blue.color).toBe('green');
    expect(second.candidates.sort()).toEqual(['shop-green-k3x9a', 'shop-web']);
    const plan2 = replicaDns.plan(config, second, 'm2n4p');
    expect(plan2.summary.green).toEqual({ color: 'blue', group: 'shop-blue-m2n4p', loadBalancer: 'shop-blue-m2n4p', launch: 'shop-blue-m2n4p' });
    const alarms = plan2.steps.find((s) => s.id === 'copy-alarms')?.creates?.map((c) => c.name);
    expect(alarms).toEqual(['shop-blue-m2n4p-shop-web-cpu-high']);

    await new FakeJournal(world.clock, 'shop', 'm2n4p').applyAll(replicaDns.handlers(world.aws, noRemote), plan2.steps);
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
    const third = await replicaDns.observe(config, world.aws);
    expect(third.blue.group.AutoScalingGroupName).toBe('shop-blue-m2n4p');
    expect(third.blue.color).toBe('blue');
    expect(replicaDns.plan(config, third, 'q7r8s').summary.green).toMatchObject({ color: 'green', group: 'shop-green-q7r8s' });
  });
});
