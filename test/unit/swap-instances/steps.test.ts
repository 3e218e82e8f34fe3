import { describe, expect, it } from 'vitest';
import type { SwapInstancesConfig } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { DeploymentError, InputError, RemoteCommandError, RemoteConnectError, VerificationError } from '../../../src/errors.js';
import { STEP, swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { awsError } from '../../fakes/aws.js';
import { commandsConfig, COMMANDS, GROUP, NEW_IMAGE, OLD_IMAGE, swapConfig, USER_DATA } from './fixtures.js';
import { planned, stepOf, swapWorld, upTo, type World } from './world.js';

const ids = (world: World) => (world.journal.outputs[STEP.launchInstances]?.instanceIds as string[] | undefined) ?? [];

async function groupNow(world: World) {
  const g = await world.aws.groups.describeGroup(GROUP);
  if (!g) throw new Error('group gone');
  return g;
}

/** Instances of this deployment still alive (pending/running), wherever they are. */
async function liveNew(world: World) {
  return (await world.aws.instances.listByTag('bluegreen:deployment', 'k3x9a')).map((i) => i.InstanceId);
}

/** The group is as before the deployment: sizes, members, launch, processes, old instances in service, nothing of ours left. */
async function expectAsBefore(world: World, launch = 'shop-web-lc') {
  const g = await groupNow(world);
  expect({ min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity }).toEqual({ min: 2, max: 4, desired: 3 });
  expect(g.Instances?.map((i) => i.InstanceId).sort()).toEqual([...world.old].sort());
  expect(g.Instances?.every((i) => i.LifecycleState === 'InService')).toBe(true);
  expect(g.LaunchConfigurationName ?? g.LaunchTemplate?.LaunchTemplateName).toBe(launch);
  expect(g.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);
  const health = await world.aws.classicLoadBalancers.instanceHealth('shop-web-elb');
  expect(
    health
      .filter((h) => h.State === 'InService')
      .map((h) => h.InstanceId)
      .sort(),
  ).toEqual([...world.old].sort());
  if (world.tgArn) {
    const tg = await world.aws.targetGroups.health(world.tgArn);
    for (const id of world.old) expect(tg.find((t) => t.Target?.Id === id)?.TargetHealth?.State).toBe('healthy');
  }
  expect(await liveNew(world)).toEqual([]);
  expect(await world.aws.launch.describeLaunchConfiguration('shop-swap-k3x9a')).toBeUndefined();
  expect(await world.aws.launch.findLaunchTemplate('shop-swap-k3x9a')).toBeUndefined();
  expect(await world.aws.images.findImageByName('shop-swap-k3x9a')).toBeUndefined();
}

/** The group serves only the new instances, at its original sizes, processes as before. */
async function expectSwapped(world: World) {
  const g = await groupNow(world);
  const fresh = ids(world);
  expect(fresh).toHaveLength(3);
  expect({ min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity }).toEqual({ min: 2, max: 4, desired: 3 });
  expect(g.Instances?.map((i) => i.InstanceId).sort()).toEqual([...fresh].sort());
  expect(g.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);
  for (const id of world.old) expect(await world.aws.instances.describe([id])).toEqual([]);
  expect((await liveNew(world)).sort()).toEqual([...fresh].sort());
}

/** Fails the test if something is made or changed before the journal says so. */
function journalFirst(world: World) {
  world.aws.beforeMutation = (operation, args) => {
    const stepId = world.journal.current;
    if (!stepId) return;
    const out = world.journal.outputs[stepId] ?? {};
    const text = JSON.stringify(out);
    const input = args[0] as Record<string, unknown>;
    if (operation === 'instances.run') expect(out.launching, 'RunInstances before the journal names its token').toBe(input.ClientToken);
    if (operation === 'groups.suspendProcesses') expect(out.suspended).toEqual(args[1]);
    if (operation === 'groups.attachInstances') expect(out.attaching).toEqual(expect.arrayContaining(args[1] as string[]));
    if (operation === 'groups.terminateInstanceInGroup') expect(out.terminating).toContain(args[0]);
    if (operation === 'images.createImage') expect(out.imageName).toBe(input.Name);
    if (operation === 'launch.createLaunchConfiguration') expect(text).toContain(`"${String(input.LaunchConfigurationName)}"`);
    if (operation === 'launch.createLaunchTemplate') expect(text).toContain(`"${String(input.LaunchTemplateName)}"`);
    if (operation === 'groups.updateGroup' && stepId === STEP.raiseMaxSize) expect(out).toHaveProperty('original');
    if (operation === 'groups.updateGroup' && stepId === STEP.updateLaunch) expect(out).toHaveProperty('previous');
    if (operation.endsWith('deregisterInstances') || operation === 'targetGroups.deregister') {
      if (stepId === STEP.deregisterOld) expect(out.old).toEqual(expect.arrayContaining(args[1] as string[]));
    }
  };
}

async function deploy(world: World, config: SwapInstancesConfig = swapConfig()) {
  const p = await planned(world, config);
  journalFirst(world);
  await world.journal.applyAll(p.registry, p.steps);
  return p;
}

describe('swap-instances observe', () => {
  it('refuses a group with no InService instance (InputError, exit 2)', async () => {
    const world = swapWorld();
    const g = world.aws.state.groups.get(GROUP);
    if (g) g.instances = [];
    const error = await swapInstances.observe(swapConfig(), world.aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      `group ${GROUP} has no InService instance: there is nothing serving to replace (deploy with a group that serves)`,
    );
  });

  it('refuses a launch configuration that no longer exists, a missing group and a missing image', async () => {
    const world = swapWorld();
    world.aws.state.launchConfigurations.delete('shop-web-lc');
    await expect(swapInstances.observe(swapConfig(), world.aws)).rejects.toThrow(
      new InputError(
        `launch configuration shop-web-lc of group ${GROUP} no longer exists; point the group at an existing launch configuration or template`,
      ),
    );
    const other = swapWorld();
    await expect(swapInstances.observe(swapConfig({ blue: { autoScalingGroup: 'nope' } }), other.aws)).rejects.toBeInstanceOf(InputError);
    await expect(swapInstances.observe(swapConfig({ release: { kind: 'image', image: 'ami-0ccccccccccccccc3' } }), other.aws)).rejects.toThrow(
      /ami-0ccccccccccccccc3/,
    );
  });

  it('reads draining times and the image to launch from', async () => {
    const world = swapWorld();
    const o = await swapInstances.observe(commandsConfig(), world.aws);
    expect(o.inService.sort()).toEqual([...world.old].sort());
    expect(o.image.ImageId).toBe(OLD_IMAGE);
    expect(o.loadBalancers).toEqual([{ name: 'shop-web-elb', drainingSeconds: 120 }]);
    expect(o.targetGroups).toEqual([{ arn: world.tgArn, name: 'shop-web', drainingSeconds: 45 }]);
    expect((await swapInstances.observe(swapConfig(), world.aws)).image.ImageId).toBe(NEW_IMAGE);
  });
});

describe('swap-instances handlers against the in-memory AWS', () => {
  it('an image release: ends with only new instances at the original sizes, processes restored, launch pointed at the new image', async () => {
    const world = swapWorld();
    const { plan } = await deploy(world);
    await expectSwapped(world);

    // One RunInstances call per subnet (2), not per instance (3), each with its own token.
    const runs = world.aws.callsTo('instances.run').map((a) => a[0] as Record<string, unknown>);
    expect(runs.map((r) => [r.SubnetId, r.MinCount, r.MaxCount, r.ClientToken, r.ImageId])).toEqual([
      ['subnet-a', 2, 2, 'bluegreen-shop-k3x9a-0', NEW_IMAGE],
      ['subnet-b', 1, 1, 'bluegreen-shop-k3x9a-1', NEW_IMAGE],
    ]);
    expect(runs[0]).toMatchObject({
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123'],
      IamInstanceProfile: { Name: 'shop-web' },
      UserData: USER_DATA,
    });
    const tags = world.aws.instance(ids(world)[0] as string)?.Tags?.map((t) => [t.Key, t.Value]);
    expect(tags).toEqual(
      expect.arrayContaining([
        ['Name', 'shop-web'],
        ['bluegreen:service', 'shop'],
        ['bluegreen:deployment', 'k3x9a'],
      ]),
    );
    expect(tags).not.toContainEqual(['team', 'web']);

    // MaxSize raised to desired + new before attaching, then restored.
    expect(world.aws.callsTo('groups.updateGroup')[0]).toEqual([{ AutoScalingGroupName: GROUP, MaxSize: 6 }]);
    expect(world.journal.outputs[STEP.raiseMaxSize]).toEqual({ original: { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 }, maxSize: 6 });
    // Only the processes that were not suspended before are suspended, then resumed.
    expect(world.aws.callsTo('groups.suspendProcesses')).toEqual([[GROUP, ['AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy']]]);
    expect(world.aws.callsTo('groups.resumeProcesses')).toEqual([[GROUP, ['AlarmNotification', 'ScheduledActions', 'ReplaceUnhealthy']]]);

    // New instances registered with the classic LB and the target group; old ones deregistered, then terminated with decrement.
    expect(world.aws.callsTo('classicLoadBalancers.registerInstances')).toEqual([['shop-web-elb', ids(world)]]);
    expect(world.aws.callsTo('targetGroups.register')).toEqual([[world.tgArn, ids(world)]]);
    expect(world.aws.callsTo('classicLoadBalancers.deregisterInstances')).toEqual([['shop-web-elb', world.old]]);
    expect(world.aws.callsTo('targetGroups.deregister')).toEqual([[world.tgArn, world.old]]);
    expect(world.aws.callsTo('groups.terminateInstanceInGroup')).toEqual(world.old.map((id) => [id, true]));

    const g = await groupNow(world);
    expect(g.LaunchConfigurationName).toBe('shop-swap-k3x9a');
    expect(await world.aws.launch.describeLaunchConfiguration('shop-swap-k3x9a')).toMatchObject({
      ImageId: NEW_IMAGE,
      UserData: USER_DATA,
      InstanceType: 't3.small',
    });
    expect(world.journal.outputs[STEP.updateLaunch]?.previous).toEqual({ kind: 'configuration', name: 'shop-web-lc' });

    // Secrets never reach the journal or the plan.
    expect(JSON.stringify(world.journal.outputs)).not.toContain(USER_DATA);
    expect(JSON.stringify(plan)).not.toContain(USER_DATA);
  });

  it('a commands release: launches with the group image, probes, runs the commands with the env, records exit codes, bakes rebooting first (bake.reboot default)', async () => {
    const world = swapWorld();
    await deploy(world, commandsConfig());
    await expectSwapped(world);
    const fresh = ids(world);
    expect(world.aws.callsTo('instances.run').map((a) => (a[0] as { ImageId: string }).ImageId)).toEqual([OLD_IMAGE, OLD_IMAGE]);

    expect(world.remote.probes).toHaveLength(1);
    expect(world.remote.probes[0]?.hosts.map((h) => h.instanceId)).toEqual(fresh);
    expect(world.remote.probes[0]?.hosts.every((h) => /^10\.0\./.test(h.address))).toBe(true);
    expect(world.remote.probes[0]?.options).toMatchObject({ connectTimeoutSeconds: 10, attempts: 3, parallel: 4 });
    expect(world.remote.runs.map((r) => [r.host.instanceId, r.command])).toEqual(fresh.flatMap((id) => COMMANDS.map((c) => [id, c])));
    for (const r of world.remote.runs) {
      expect(r.env).toEqual({ BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a', BLUEGREEN_INSTANCE_ID: r.host.instanceId });
    }
    expect(world.journal.outputs[STEP.runCommands]?.outcomes).toEqual(
      fresh.flatMap((instanceId) => COMMANDS.map((_, index) => ({ instanceId, index, exitCode: 0, attempt: 1 }))),
    );

    const [create] = world.aws.callsTo('images.createImage');
    expect(create?.[0]).toMatchObject({ InstanceId: fresh[0], Name: 'shop-swap-k3x9a', NoReboot: false });
    const imageId = world.journal.outputs[STEP.bakeImage]?.imageId as string;
    const image = await world.aws.images.describeImage(imageId);
    expect(image?.State).toBe('available');
    expect(image?.Tags).toContainEqual({ Key: 'Name', Value: 'shop-swap-k3x9a' });
    expect((await world.aws.launch.describeLaunchConfiguration('shop-swap-k3x9a'))?.ImageId).toBe(imageId);
  });

  it('moves a launch template group to its own template pinned at version 1', async () => {
    const world = swapWorld({ launch: 'template' });
    await deploy(world);
    await expectSwapped(world);
    const runs = world.aws.callsTo('instances.run').map((a) => a[0] as { LaunchTemplate: unknown; ImageId: string });
    expect(runs.map((r) => r.LaunchTemplate)).toEqual([
      { LaunchTemplateId: world.aws.state.templates.get('shop-web-lt')?.id, Version: '2' },
      { LaunchTemplateId: world.aws.state.templates.get('shop-web-lt')?.id, Version: '2' },
    ]);
    expect((await groupNow(world)).LaunchTemplate).toEqual({ LaunchTemplateName: 'shop-swap-k3x9a', Version: '1' });
    const v = await world.aws.launch.describeLaunchTemplateVersion({ name: 'shop-swap-k3x9a' }, '1');
    expect(v?.LaunchTemplateData).toMatchObject({ ImageId: NEW_IMAGE, InstanceType: 't3.small', UserData: USER_DATA });
  });

  it('undo of update-launch points a group that names its template by name (no id) back at it, version as it was', async () => {
    const world = swapWorld({ launch: 'template' });
    expect((await groupNow(world)).LaunchTemplate).toEqual({ LaunchTemplateName: 'shop-web-lt', Version: '$Latest' });
    const { steps, registry } = await planned(world, swapConfig());
    const applied = upTo(steps, STEP.updateLaunch);
    await world.journal.applyAll(registry, applied);
    expect((await groupNow(world)).LaunchTemplate).toEqual({ LaunchTemplateName: 'shop-swap-k3x9a', Version: '1' });
    await world.journal.undoAll(registry, applied);
    expect((await groupNow(world)).LaunchTemplate).toEqual({ LaunchTemplateName: 'shop-web-lt', Version: '$Latest' });
    expect(await world.aws.launch.findLaunchTemplate('shop-swap-k3x9a')).toBeUndefined();
  });

  it('a template group with an ssm commands release: the runner for ssm, the baked image in the template copy', async () => {
    const world = swapWorld({ launch: 'template' });
    const config = commandsConfig('ssm');
    const observed = await swapInstances.observe(config, world.aws);
    const plan = swapInstances.plan(config, observed, 'k3x9a');
    const asked: string[] = [];
    const registry = swapInstances.handlers(world.aws, { remote: (via) => (asked.push(via), world.remote) });
    await world.journal.applyAll(registry, plan.steps);
    expect([...new Set(asked)]).toEqual(['ssm']);
    expect(world.aws.callsTo('instances.run').map((a) => (a[0] as { ImageId: string }).ImageId)).toEqual([OLD_IMAGE, OLD_IMAGE]);
    const baked = world.journal.outputs[STEP.bakeImage]?.imageId as string;
    const v = await world.aws.launch.describeLaunchTemplateVersion({ name: 'shop-swap-k3x9a' }, '1');
    expect(v?.LaunchTemplateData?.ImageId).toBe(baked);
    expect((await groupNow(world)).LaunchTemplate).toEqual({ LaunchTemplateName: 'shop-swap-k3x9a', Version: '1' });
    await expectSwapped(world);
  });

  it('applying every step twice makes no duplicate instance, image or launch copy', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, commandsConfig());
    for (const step of steps) {
      await world.journal.apply(registry, step);
      await world.journal.apply(registry, step);
    }
    await expectSwapped(world);
    expect(world.aws.callsTo('instances.run')).toHaveLength(2);
    expect(world.aws.callsTo('images.createImage')).toHaveLength(1);
    expect(world.aws.callsTo('launch.createLaunchConfiguration')).toHaveLength(1);
    expect(world.aws.callsTo('groups.attachInstances')).toHaveLength(1);
    // Hosts that ran every command are not run again.
    expect(world.remote.runs).toHaveLength(3 * COMMANDS.length);
  });

  it('a crash after RunInstances, before its ids were recorded: the resume finds the instances by token and tag', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.launchInstances));
    const made = ids(world);
    world.journal.outputs[STEP.launchInstances] = { launching: 'bluegreen-shop-k3x9a-0' }; // the journal as a crash left it
    await world.journal.applyAll(registry, steps.slice(1));
    expect(ids(world).sort()).toEqual([...made].sort());
    expect(world.aws.callsTo('instances.run')).toHaveLength(2);
    await expectSwapped(world);
  });

  it('an AWS failure at any mutating call, then a resume, completes with no duplicate instance and none outside the group', async () => {
    const operations = [
      'groups.suspendProcesses',
      'instances.run',
      'groups.updateGroup',
      'groups.attachInstances',
      'classicLoadBalancers.registerInstances',
      'targetGroups.register',
      'images.createImage',
      'launch.createLaunchConfiguration',
      'classicLoadBalancers.deregisterInstances',
      'targetGroups.deregister',
      'groups.terminateInstanceInGroup',
      'groups.resumeProcesses',
    ];
    for (const operation of operations) {
      for (const skip of [0, 1]) {
        const world = swapWorld();
        const { steps, registry } = await planned(world, commandsConfig());
        world.aws.failOn(operation, awsError(operation), { skip });
        let failures = 0;
        for (const step of steps) {
          try {
            await world.journal.apply(registry, step);
          } catch (error) {
            failures++;
            expect(error, `${operation} skip ${skip}`).not.toBeInstanceOf(VerificationError);
            await world.journal.apply(registry, step); // resume
          }
        }
        expect(failures, `${operation} skip ${skip}`).toBeLessThanOrEqual(1);
        await expectSwapped(world);
        const everLaunched = new Set(world.aws.callsTo('instances.run').map((a) => (a[0] as { ClientToken: string }).ClientToken));
        expect(everLaunched.size).toBe(2);
      }
    }
  });

  it('undo after each step restores the old instances’ service, sizes, processes and launch, and leaves no new instance', async () => {
    const probe = swapWorld();
    const ids = (await planned(probe, commandsConfig())).steps.map((s) => s.id);
    for (const last of ids.slice(0, ids.indexOf(STEP.terminateOld))) {
      const world = swapWorld();
      const { steps, registry } = await planned(world, commandsConfig());
      const applied = upTo(steps, last);
      await world.journal.applyAll(registry, applied);
      await world.journal.undoAll(registry, applied);
      await expectAsBefore(world).catch((e: Error) => {
        throw new Error(`undo after ${last}: ${e.message}`);
      });
      // Undo twice is harmless.
      await world.journal.undoAll(registry, applied);
      await expectAsBefore(world);
    }
  });

  it('undo of attach-instances alone takes the new instances out of the group and its load balancers, decrementing', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.attachInstances));
    expect((await groupNow(world)).DesiredCapacity).toBe(6);
    await world.journal.undo(registry, stepOf(steps, STEP.attachInstances));
    const g = await groupNow(world);
    expect(g.Instances?.map((i) => i.InstanceId).sort()).toEqual([...world.old].sort());
    expect(g.DesiredCapacity).toBe(3);
    expect(world.aws.callsTo('groups.detachInstances')).toEqual([[GROUP, ids(world), true]]);
    expect(world.aws.callsTo('classicLoadBalancers.deregisterInstances')).toEqual([['shop-web-elb', ids(world)]]);
    expect(world.aws.callsTo('targetGroups.deregister')).toEqual([[world.tgArn, ids(world)]]);
  });

  it('undo after a partial step (a failure mid-way) restores the group too', async () => {
    for (const [operation, skip] of [
      ['instances.run', 1],
      ['groups.attachInstances', 0],
      ['targetGroups.register', 0],
      ['targetGroups.deregister', 0],
      ['groups.updateGroup', 1],
    ] as const) {
      const world = swapWorld();
      const { steps, registry } = await planned(world, swapConfig());
      world.aws.failOn(operation, awsError(operation), { skip });
      const started: StepDescriptor[] = [];
      for (const step of steps.slice(
        0,
        steps.findIndex((s) => s.id === STEP.terminateOld),
      )) {
        started.push(step);
        const ok = await world.journal.apply(registry, step).then(
          () => true,
          () => false,
        );
        if (!ok) break;
      }
      await world.journal.undoAll(registry, started);
      await expectAsBefore(world);
    }
  });

  it('after terminate-old, undo says clearly that the old instances cannot come back, and leaves the new ones serving', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig());
    const applied = upTo(steps, STEP.terminateOld);
    await world.journal.applyAll(registry, applied);
    const error = await world.journal.undoAll(registry, applied).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toContain(
      `the old instances ${world.old.join(', ')} of ${GROUP} were terminated by step terminate-old; rollback cannot bring them back`,
    );
    expect((error as Error).message).toContain(
      `aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes AlarmNotification ScheduledActions ReplaceUnhealthy`,
    );
    expect((await groupNow(world)).Instances?.map((i) => i.InstanceId).sort()).toEqual([...ids(world)].sort());
  });

  it('health never arriving: VerificationError after exactly health.timeout, then rollback restores the group without waiting to drain', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig({ health: { timeoutSeconds: 240, intervalSeconds: 10 } }));
    await world.journal.applyAll(registry, upTo(steps, STEP.launchInstances));
    for (const id of ids(world)) world.aws.setHealthy(id, false);
    await world.journal.applyAll(registry, upTo(steps, STEP.attachInstances).slice(2));
    const start = world.clock.now();
    const error = await world.journal.apply(registry, stepOf(steps, STEP.waitHealthy)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(world.clock.now() - start).toBe(240_000);
    expect((error as Error).message).toMatch(
      /^timed out after 240s waiting for 3 new instances to be InService in shop-web, shop-web-elb, shop-web; last seen: 0 of 3 new instances InService \(3 in shop-web, 0 in shop-web-elb, 0 healthy in shop-web\)$/,
    );
    const before = world.clock.now();
    await world.journal.undoAll(registry, upTo(steps, STEP.waitHealthy));
    expect(world.clock.now() - before).toBeLessThan(60_000);
    await expectAsBefore(world);
  });

  it('new instances that served are drained on rollback before they leave', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig());
    const applied = upTo(steps, STEP.updateLaunch);
    await world.journal.applyAll(registry, applied);
    const before = world.clock.now();
    await world.journal.undoAll(registry, applied);
    expect(world.clock.now() - before).toBe(120_000);
    await expectAsBefore(world);
  });

  it("one host's command failure fails the step (VerificationError: rollback), records the exit codes, and rollback restores the group", async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, commandsConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.waitReachable));
    const [first, second] = ids(world) as [string, string];
    world.remote.failOn(second, { command: COMMANDS[1], code: 3, stderr: ['disk full'] });
    const error = await world.journal.apply(registry, stepOf(steps, STEP.runCommands)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCommandError);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toContain('exited 3');
    expect((error as Error).message).toContain(second);
    expect(world.journal.outputs[STEP.runCommands]?.outcomes).toEqual([
      ...COMMANDS.map((_, index) => ({ instanceId: first, index, exitCode: 0, attempt: 1 })),
      { instanceId: second, index: 0, exitCode: 0, attempt: 1 },
      { instanceId: second, index: 1, exitCode: 3, attempt: 1 },
    ]);
    expect(JSON.stringify(world.journal.outputs)).not.toContain('disk full');
    await world.journal.undoAll(registry, upTo(steps, STEP.runCommands));
    await expectAsBefore(world);
    expect(world.aws.callsTo('images.createImage')).toEqual([]);
  });

  it('an unreachable host fails wait-reachable with RemoteConnectError (rollback), naming the host', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, commandsConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.waitRunning));
    const host = world.aws.instance(ids(world)[2] as string)?.PrivateIpAddress as string;
    world.remote.setUnreachable(host);
    const error = await world.journal.apply(registry, stepOf(steps, STEP.waitReachable)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteConnectError);
    expect((error as Error).message).toContain(host);
    await world.journal.undoAll(registry, upTo(steps, STEP.waitReachable));
    await expectAsBefore(world);
  });

  it('an image that ends failed fails with an error naming the image; rollback leaves the group as it was', async () => {
    const world = swapWorld();
    world.aws.imageFails = true;
    const { steps, registry } = await planned(world, commandsConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.runCommands));
    const error = await world.journal.apply(registry, stepOf(steps, STEP.bakeImage)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const imageId = world.journal.outputs[STEP.bakeImage]?.imageId as string;
    expect((error as Error).message).toBe(
      `image shop-swap-k3x9a (${imageId}) ended failed: Client.InternalError: injected image failure; nothing was switched`,
    );
    await world.journal.undoAll(registry, upTo(steps, STEP.bakeImage));
    await expectAsBefore(world);
    expect(world.aws.state.images.has(imageId)).toBe(false);
  });

  it('waits out the classic ConnectionDraining timeout, or the target group deregistration delay, on the virtual clock', async () => {
    for (const [options, seconds] of [
      [{}, 120],
      [{ draining: null }, 45],
      [{ draining: 30, delay: 200 }, 200],
      [{ draining: null, targetGroup: false }, 0],
    ] as const) {
      const world = swapWorld(options);
      const { steps, registry } = await planned(world, swapConfig());
      await world.journal.applyAll(registry, upTo(steps, STEP.deregisterOld));
      const start = world.clock.now();
      await world.journal.apply(registry, stepOf(steps, STEP.waitDraining));
      expect(world.clock.now() - start, JSON.stringify(options)).toBe(seconds * 1000);
      // Old instances are still in the group until the drain is over.
      expect((await groupNow(world)).Instances?.map((i) => i.InstanceId)).toEqual(expect.arrayContaining(world.old));
    }
  });

  it('waits retire.after with both sets serving, and a resume does not start the wait again', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig({ retire: { afterSeconds: 300, action: 'keep' } }));
    await world.journal.applyAll(registry, upTo(steps, STEP.updateLaunch));
    const start = world.clock.now();
    world.journal.controller.abort(new Error('interrupted'));
    await expect(world.journal.apply(registry, stepOf(steps, STEP.waitRetire))).rejects.toThrow('interrupted');
    expect(world.journal.outputs[STEP.waitRetire]?.until).toBe(start + 300_000);
    const health = await world.aws.classicLoadBalancers.instanceHealth('shop-web-elb');
    expect(health.filter((h) => h.State === 'InService')).toHaveLength(6);
  });

  it('a group with an instance not yet InService: replaces as many as serve, never goes below MinSize, ends at its sizes', async () => {
    const world = swapWorld();
    const g = world.aws.state.groups.get(GROUP);
    if (g) {
      g.group.MinSize = 3;
      const pending = g.instances[2];
      if (pending) pending.readyAt = Infinity; // never InService
    }
    const { steps, registry, plan } = await planned(world, swapConfig());
    expect(plan.summary.green).toMatchObject({ instances: 2 });
    await world.journal.applyAll(registry, steps);
    expect(world.aws.callsTo('groups.terminateInstanceInGroup')).toEqual([
      [world.old[0], true],
      [world.old[1], true],
      [world.old[2], false],
    ]);
    const after = await groupNow(world);
    expect({ min: after.MinSize, max: after.MaxSize, desired: after.DesiredCapacity }).toEqual({ min: 3, max: 4, desired: 3 });
    expect(after.Instances?.map((i) => i.InstanceId)).toEqual(expect.arrayContaining(ids(world)));
    expect(after.Instances?.some((i) => world.old.includes(i.InstanceId as string))).toBe(false);
  });

  it('a crash in the middle of the commands: the resume skips hosts that finished and runs the list again on the others', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, commandsConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.waitReachable));
    const [first, second, third] = ids(world) as [string, string, string];
    let crashed = false;
    world.remote.beforeCommand = (run) => {
      if (!crashed && run.host.instanceId === second && run.index === 1) {
        crashed = true;
        throw new Error('killed');
      }
    };
    await expect(world.journal.apply(registry, stepOf(steps, STEP.runCommands))).rejects.toThrow('killed');
    await world.journal.apply(registry, stepOf(steps, STEP.runCommands));
    expect(world.remote.commandsOn(first)).toEqual(COMMANDS);
    expect(world.remote.commandsOn(second)).toEqual([COMMANDS[0], COMMANDS[1], ...COMMANDS]);
    expect(world.remote.commandsOn(third)).toEqual(COMMANDS);
    const outcomes = world.journal.outputs[STEP.runCommands]?.outcomes as { instanceId: string; attempt: number }[];
    expect(outcomes.filter((o) => o.attempt === 2).map((o) => o.instanceId)).toEqual([second, second, second, third, third, third]);
    expect(world.journal.outputs[STEP.runCommands]?.attempts).toBe(2);
  });

  it('refuses to deregister the old instances when a new one stopped serving', async () => {
    const world = swapWorld();
    const { steps, registry } = await planned(world, swapConfig());
    await world.journal.applyAll(registry, upTo(steps, STEP.waitRetire));
    world.aws.setHealthy(ids(world)[0] as string, false);
    const g = world.aws.state.groups.get(GROUP);
    for (const i of g?.instances ?? []) if (i.id === ids(world)[0]) i.healthy = false;
    const error = await world.journal.apply(registry, stepOf(steps, STEP.deregisterOld)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(/^refusing to deregister the old instances of shop-web: 2 of 3 new instances InService/);
    expect(world.aws.callsTo('classicLoadBalancers.deregisterInstances')).toEqual([]);
  });
});
