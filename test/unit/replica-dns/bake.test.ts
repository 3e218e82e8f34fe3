/**
 * replica-dns with a release by commands (the seed's approach 2, step 1): one builder launched like blue,
 * the commands run on it, an image baked from it, the builder terminated, green made from the image.
 * Against the in-memory AWS, the fake remote runner and a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal, StepDescriptor } from '../../../src/engine/types.js';
import { InputError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { awsError } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import { blueWorld, configFor, engineRun, OLD_IMAGE, RECORD, USER_DATA, ZONE, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const BUILDER = 'shop-green-k3x9a-builder';
const COMMANDS = ['sudo systemctl stop shop', 'sudo /opt/shop/update.sh 42', 'sudo systemctl start shop'];
const BAKE_STEPS = [STEP.launchBuilder, STEP.waitRunning, STEP.waitReachable, STEP.runCommands, STEP.bakeImage, STEP.terminateBuilder];

function commandsConfig(overrides: Partial<ReplicaDnsConfig> = {}): ReplicaDnsConfig {
  return configFor({ release: { kind: 'commands', commands: COMMANDS, via: 'ssh' }, retire: { afterSeconds: 300, action: 'keep' }, ...overrides });
}

interface BakeWorld extends World {
  remote: FakeRemote;
  vias: string[];
}

/** Blue as in the other replica-dns tests; instances take 20s to run, images 120s to be available. */
function bakeWorld(launch: 'configuration' | 'template' = 'configuration'): BakeWorld {
  const world = blueWorld({ launch });
  world.aws.runningAfterSeconds = 20;
  world.aws.imageAvailableAfterSeconds = 120;
  return { ...world, remote: new FakeRemote(), vias: [] };
}

async function planned(world: BakeWorld, config: ReplicaDnsConfig = commandsConfig()) {
  const observed = await replicaDns.observe(config, world.aws);
  const plan = replicaDns.plan(config, observed, 'k3x9a');
  const registry = replicaDns.handlers(world.aws, {
    remote: (via) => {
      world.vias.push(via);
      return world.remote;
    },
  });
  return { plan, steps: plan.steps, registry };
}

const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);
const builderId = (world: World) => ((world.journal.outputs[STEP.launchBuilder]?.instanceIds as string[] | undefined) ?? [])[0] as string;

/** The world without its EC2 instances (a terminated instance stays described, as in AWS). */
function withoutInstances(snapshot: unknown) {
  const { instances: _instances, ...rest } = snapshot as Record<string, unknown>;
  return rest;
}

/** Nothing of this deployment is left: no live instance, no image or snapshot, no green. */
async function expectNothingLeft(world: World, start: unknown) {
  expect(await world.aws.instances.listByTag('bluegreen:deployment', 'k3x9a')).toEqual([]);
  expect(await world.aws.images.findImageByName(GREEN)).toBeUndefined();
  expect(world.aws.state.snapshots.size).toBe(0);
  expect(await world.aws.groups.describeGroup(GREEN)).toBeUndefined();
  expect(await world.aws.launch.describeLaunchConfiguration(GREEN)).toBeUndefined();
  expect(await world.aws.launch.findLaunchTemplate(GREEN)).toBeUndefined();
  expect(await world.aws.classicLoadBalancers.describe([GREEN])).toEqual([]);
  expect(withoutInstances(world.aws.snapshot())).toEqual(withoutInstances(start));
}

/** Fails the test if the builder or the image is made before the journal says so. */
function journalFirst(world: World) {
  world.aws.beforeMutation = (operation, args) => {
    const stepId = world.journal.current;
    if (!stepId) return;
    const out = world.journal.outputs[stepId] ?? {};
    const input = args[0] as Record<string, unknown>;
    if (operation === 'instances.run') expect(out.launching, 'RunInstances before the journal names its token').toBe(input.ClientToken);
    if (operation === 'images.createImage') expect(out.imageName, 'CreateImage before the journal names the image').toBe(input.Name);
    if (operation === 'instances.terminate' && stepId === STEP.terminateBuilder) expect(out.terminating).toEqual(args[0]);
    if (operation === 'launch.createLaunchConfiguration') expect(JSON.stringify(out)).toContain(`"${String(input.LaunchConfigurationName)}"`);
  };
}

async function engine(world: BakeWorld, config: ReplicaDnsConfig = commandsConfig()) {
  const { plan, registry } = await planned(world, config);
  return engineRun(world, config, plan, registry);
}

const outputsOf = (journal: Journal, id: string) => journal.steps.find((s) => s.id === id)?.outputs ?? {};

describe('replica-dns observe and plan with release.commands', () => {
  it("observes blue's image as the one the builder starts from, and reads no release image", async () => {
    const world = bakeWorld();
    const observed = await replicaDns.observe(commandsConfig(), world.aws);
    expect(observed.image.ImageId).toBe(OLD_IMAGE);
    expect(world.aws.callsTo('images.describeImage')).toEqual([[OLD_IMAGE]]);
  });

  it("refuses blue's image when it no longer exists (InputError, nothing changed)", async () => {
    const world = bakeWorld();
    world.aws.state.images.delete(OLD_IMAGE);
    const error = await replicaDns.observe(commandsConfig(), world.aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `image ${OLD_IMAGE} of launch configuration shop-web-lc (group shop-web) no longer exists; the builder cannot start from it`,
    );
  });

  it('plans the builder steps before create-launch, and says where the image comes from', async () => {
    const world = bakeWorld();
    const { plan } = await planned(world);
    expect(plan.steps.map((s) => [s.id, s.kind, s.title])).toEqual([
      [
        'launch-builder',
        'replica-dns/launch-builder',
        `Launch builder ${BUILDER} like shop-web's launch configuration shop-web-lc with image ${OLD_IMAGE}`,
      ],
      ['wait-running', 'replica-dns/wait-running', `Wait until builder ${BUILDER} is running`],
      ['wait-reachable', 'replica-dns/wait-reachable', `Wait until builder ${BUILDER} answers over ssh`],
      ['run-commands', 'replica-dns/run-commands', `Run 3 release commands on builder ${BUILDER} over ssh`],
      ['bake-image', 'replica-dns/bake-image', `Bake image ${GREEN} from builder ${BUILDER} (reboot first)`],
      ['terminate-builder', 'replica-dns/terminate-builder', `Terminate builder ${BUILDER}`],
      [
        'create-launch',
        'replica-dns/create-launch',
        `Create launch configuration ${GREEN} from shop-web-lc with the image baked from builder ${BUILDER}`,
      ],
      ['create-load-balancer', 'replica-dns/create-load-balancer', `Create classic load balancer ${GREEN} like shop-web-elb`],
      ['create-group', 'replica-dns/create-group', `Create Auto Scaling group ${GREEN} like shop-web`],
      ['copy-scaling-policies', 'replica-dns/copy-scaling-policies', `Copy 2 scaling policies of shop-web to ${GREEN}`],
      ['copy-alarms', 'replica-dns/copy-alarms', `Copy 1 alarm of shop-web's policies to ${GREEN}`],
      ['wait-healthy', 'replica-dns/wait-healthy', `Wait until ${GREEN} has all its instances InService in ${GREEN}`],
      ['switch-dns', 'replica-dns/switch-dns', `Point ${RECORD} at ${GREEN}`],
      ['settle-green', 'replica-dns/settle-green', `Let ${GREEN} scale as shop-web does, now that it serves: MinSize back to shop-web's`],
      ['wait-retire', 'replica-dns/wait-retire', 'Wait 300s for clients to move to green before retiring blue'],
      ['retire-blue', 'replica-dns/retire-blue', 'Keep shop-web as it is'],
    ]);
    const by = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(by['launch-builder']?.params).toEqual({
      group: 'shop-web',
      count: 1,
      image: OLD_IMAGE,
      launch: { kind: 'configuration', name: 'shop-web-lc' },
      placements: [{ subnetId: 'subnet-a', count: 1, clientToken: 'bluegreen-shop-k3x9a-builder' }],
      tags: [
        { Key: 'Name', Value: BUILDER },
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
        { Key: 'bluegreen:color', Value: 'green' },
        { Key: 'bluegreen:role', Value: 'builder' },
      ],
    });
    expect(by['launch-builder']?.creates).toEqual([{ type: 'instance', name: BUILDER }]);
    expect(by['wait-reachable']?.params).toEqual({ via: 'ssh', address: 'private', connectTimeoutSeconds: 30, attempts: 4, parallel: 10 });
    expect(by['run-commands']?.params).toEqual({
      via: 'ssh',
      address: 'private',
      commands: COMMANDS,
      env: { BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a' },
      parallel: 10,
    });
    expect(by['bake-image']?.params).toMatchObject({
      name: GREEN,
      tags: [
        { Key: 'Name', Value: GREEN },
        { Key: 'bluegreen:service', Value: 'shop' },
        { Key: 'bluegreen:deployment', Value: 'k3x9a' },
        { Key: 'bluegreen:color', Value: 'green' },
      ],
    });
    expect(by['bake-image']?.creates).toEqual([{ type: 'image', name: GREEN }]);
    expect(by['create-launch']?.params).toMatchObject({ name: GREEN, image: null });
    expect(plan.summary).toMatchObject({ release: 'commands', image: `${GREEN} (image baked from builder ${BUILDER})` });
    for (const s of plan.steps) expect(JSON.parse(JSON.stringify(s.params))).toEqual(s.params);
    expect(JSON.stringify(plan)).not.toContain(USER_DATA);
  });
});

describe('replica-dns handlers with release.commands', () => {
  it('launches one builder like blue, runs each command once in order with its env, bakes, terminates the builder, and green runs the image', async () => {
    const world = bakeWorld();
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world);
    journalFirst(world);
    await world.journal.applyAll(registry, steps);
    const { aws, remote } = world;
    const builder = builderId(world);

    // One RunInstances call: one instance like blue's launch configuration, blue's image, one of blue's subnets.
    const runs = aws.callsTo('instances.run').map((a) => a[0] as Record<string, unknown>);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      ImageId: OLD_IMAGE,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'bluegreen-shop-k3x9a-builder',
      SubnetId: 'subnet-a',
      InstanceType: 't3.small',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123'],
      IamInstanceProfile: { Name: 'shop-web' },
      UserData: USER_DATA,
    });
    expect(aws.instance(builder)?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: BUILDER },
        { Key: 'bluegreen:role', Value: 'builder' },
      ]),
    );

    // Probed over the runner of release.via with the ssh settings, then the commands, once each, in order.
    expect(world.vias.every((v) => v === 'ssh')).toBe(true);
    expect(remote.probes).toHaveLength(1);
    expect(remote.probes[0]?.hosts).toEqual([{ instanceId: builder, address: expect.stringMatching(/^10\.0\./) }]);
    expect(remote.probes[0]?.options).toMatchObject({ connectTimeoutSeconds: 30, attempts: 4, parallel: 10 });
    expect(remote.runs.map((r) => [r.host.instanceId, r.command])).toEqual(COMMANDS.map((c) => [builder, c]));
    for (const r of remote.runs) expect(r.env).toEqual({ BLUEGREEN_SERVICE: 'shop', BLUEGREEN_DEPLOYMENT: 'k3x9a', BLUEGREEN_INSTANCE_ID: builder });
    expect(world.journal.outputs[STEP.runCommands]?.outcomes).toEqual(
      COMMANDS.map((_, index) => ({ instanceId: builder, index, exitCode: 0, attempt: 1 })),
    );
    // The commands' output is passed on line by line for people, named by host, and kept out of the journal.
    expect(world.journal.output).toEqual(
      COMMANDS.map((_, i) => ({ stepId: STEP.runCommands, source: builder, stream: 'stdout', line: `ran command ${i + 1}` })),
    );
    expect(JSON.stringify(world.journal.outputs)).not.toContain('ran command');

    // Baked after a reboot (bake.reboot's default: the builder serves no traffic), named and tagged (image and snapshot), waited for until available.
    const creates = aws.callsTo('images.createImage').map((a) => a[0] as Record<string, unknown>);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ InstanceId: builder, Name: GREEN, NoReboot: false });
    const imageId = world.journal.outputs[STEP.bakeImage]?.imageId as string;
    const image = await aws.images.describeImage(imageId);
    expect(image?.State).toBe('available');
    expect(image?.Tags).toEqual([
      { Key: 'Name', Value: GREEN },
      { Key: 'bluegreen:service', Value: 'shop' },
      { Key: 'bluegreen:deployment', Value: 'k3x9a' },
      { Key: 'bluegreen:color', Value: 'green' },
    ]);
    expect([...aws.state.snapshots.values()].map((s) => s.Tags?.map((t) => t.Key))).toEqual([
      ['Name', 'bluegreen:service', 'bluegreen:deployment', 'bluegreen:color'],
    ]);
    expect(world.journal.progressOf(STEP.bakeImage)).toContain(`image ${GREEN} (${imageId}) is pending`);

    // The builder is terminated; green's launch configuration has the baked image, and green serves.
    expect(aws.instance(builder)?.State?.Name).toBe('terminated');
    expect(world.journal.outputs[STEP.terminateBuilder]).toEqual({ terminating: [builder], terminated: [builder] });
    expect(await aws.launch.describeLaunchConfiguration(GREEN)).toMatchObject({ ImageId: imageId, UserData: USER_DATA, InstanceType: 't3.small' });
    expect((await aws.groups.describeGroup(GREEN))?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
    expect((await aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName).toBe((await aws.classicLoadBalancers.describe([GREEN]))[0]?.DNSName);
    expect(JSON.stringify(world.journal.outputs)).not.toContain(USER_DATA);

    await world.journal.undoAll(registry, steps);
    await expectNothingLeft(world, start);
  });

  it("copies blue's launch template for the builder and points green's template at the baked image", async () => {
    const world = bakeWorld('template');
    const { steps, registry } = await planned(world);
    journalFirst(world);
    await world.journal.applyAll(registry, steps);
    const blueTemplate = world.aws.state.templates.get('shop-web-lt')?.id;
    const runs = world.aws.callsTo('instances.run').map((a) => a[0] as Record<string, unknown>);
    expect(runs.map((r) => [r.LaunchTemplate, r.ImageId, r.SubnetId])).toEqual([
      [{ LaunchTemplateId: blueTemplate, Version: '2' }, OLD_IMAGE, 'subnet-a'],
    ]);
    const imageId = world.journal.outputs[STEP.bakeImage]?.imageId as string;
    const version = await world.aws.launch.describeLaunchTemplateVersion({ name: GREEN }, '1');
    expect(version?.LaunchTemplateData).toMatchObject({ ImageId: imageId, InstanceType: 't3.small', UserData: USER_DATA });
    expect((await world.aws.groups.describeGroup(GREEN))?.LaunchTemplate).toEqual({ LaunchTemplateName: GREEN, Version: '1' });
    expect(world.aws.instance(builderId(world))?.State?.Name).toBe('terminated');
  });

  it('bake.reboot false: CreateImage with NoReboot, and the plan says "(no reboot)"', async () => {
    const world = bakeWorld();
    const { plan, steps, registry } = await planned(world, commandsConfig({ bake: { reboot: false } }));
    const bake = plan.steps.find((s) => s.id === STEP.bakeImage);
    expect(bake?.title).toBe(`Bake image ${GREEN} from builder ${BUILDER} (no reboot)`);
    expect(bake?.params).toMatchObject({ reboot: false });
    await world.journal.applyAll(registry, upTo(steps, STEP.bakeImage));
    expect(world.aws.callsTo('images.createImage').map((a) => (a[0] as { NoReboot?: boolean }).NoReboot)).toEqual([true]);
  });

  it('a journal planned before bake.reboot (no reboot param) bakes as its plan said: NoReboot', async () => {
    const world = bakeWorld();
    const { steps, registry } = await planned(world);
    const old = steps.map((s) => {
      if (s.id !== STEP.bakeImage) return s;
      const { reboot: _reboot, ...params } = s.params as Record<string, unknown>;
      return { ...s, params: params as typeof s.params };
    });
    await world.journal.applyAll(registry, upTo(old, STEP.bakeImage));
    expect(world.aws.callsTo('images.createImage').map((a) => (a[0] as { NoReboot?: boolean }).NoReboot)).toEqual([true]);
  });

  it('applying every step twice makes no second builder and no second image', async () => {
    const world = bakeWorld();
    const { steps, registry } = await planned(world);
    for (const s of steps) {
      await world.journal.apply(registry, s);
      await world.journal.apply(registry, s);
    }
    expect(world.aws.callsTo('instances.run')).toHaveLength(1);
    expect(world.aws.callsTo('images.createImage')).toHaveLength(1);
    expect(world.remote.runs).toHaveLength(COMMANDS.length);
  });

  for (const id of BAKE_STEPS) {
    it(`undo after ${id} leaves no builder, no image and nothing of green`, async () => {
      const world = bakeWorld();
      const start = world.aws.snapshot();
      const { steps, registry } = await planned(world);
      const done = upTo(steps, id);
      await world.journal.applyAll(registry, done);
      await world.journal.undoAll(registry, done);
      await expectNothingLeft(world, start);
      // Undo is idempotent.
      await world.journal.undoAll(registry, done);
      await expectNothingLeft(world, start);
    });
  }

  it('undo of launch-builder finds a builder the journal never recorded (crash right after RunInstances)', async () => {
    const world = bakeWorld();
    const start = world.aws.snapshot();
    const { steps, registry } = await planned(world);
    const run = world.aws.instances.run;
    world.aws.instances.run = async (input) => {
      await run(input);
      throw awsError('instances.run', 'RunInstances', 'RequestTimeout', 'connection reset');
    };
    const launch = upTo(steps, STEP.launchBuilder);
    await expect(world.journal.applyAll(registry, launch)).rejects.toThrow(/connection reset/);
    expect(world.journal.outputs[STEP.launchBuilder]?.instanceIds).toBeUndefined();
    expect(await world.aws.instances.listByTag('bluegreen:role', 'builder')).toHaveLength(1);
    await world.journal.undoAll(registry, launch);
    await expectNothingLeft(world, start);
  });
});

describe('replica-dns with release.commands through the engine runner', () => {
  it('deploys to the end, then rolls back to the world it started from', async () => {
    const world = bakeWorld();
    const start = world.aws.snapshot();
    const { journal, options } = await engine(world);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(Array(16).fill('done'));
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    await expectNothingLeft(world, start);
  });

  it('rolls back by itself when a command fails: builder terminated, no image left, nothing of green', async () => {
    const world = bakeWorld();
    const start = world.aws.snapshot();
    const { journal, options, store } = await engine(world);
    world.remote.beforeCommand = (run) => {
      if (run.index === 1)
        world.remote.failOn(run.host.instanceId, { command: run.command, code: 3, stderr: ['update.sh: no space left on device'] });
    };
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(
      /step run-commands failed: command "sudo \/opt\/shop\/update.sh 42" exited 3 on i-[0-9a-f]+ \(10\.0\.[0-9.]+\); last lines of stderr:\n {2}update.sh: no space left on device.*Rolled back/s,
    );
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    // The failing command was the last to run: the third never started.
    expect(world.remote.runs.map((r) => r.index)).toEqual([0, 1]);
    expect(outputsOf(result, STEP.runCommands).outcomes).toEqual([
      { instanceId: expect.any(String), index: 0, exitCode: 0, attempt: 1 },
      { instanceId: expect.any(String), index: 1, exitCode: 3, attempt: 1 },
    ]);
    expect(world.aws.callsTo('images.createImage')).toEqual([]);
    await expectNothingLeft(world, start);
    expect(world.aws.instance((outputsOf(result, STEP.launchBuilder).instanceIds as string[])[0] ?? '')?.State?.Name).toBe('terminated');
  });

  it('rolls back by itself when the image ends failed, naming the image and why', async () => {
    const world = bakeWorld();
    world.aws.imageFails = true;
    const start = world.aws.snapshot();
    const { journal, options, store } = await engine(world);
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(
      new RegExp(
        `step bake-image failed: image ${GREEN} \\(ami-[0-9a-f]+\\) ended failed: Client\\.InternalError: injected image failure; .*Rolled back`,
        's',
      ),
    );
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    expect(world.aws.callsTo('images.deleteImage')).toEqual([[outputsOf(result, STEP.bakeImage).imageId]]);
    await expectNothingLeft(world, start);
  });

  it('rolls back by itself when the builder never answers, naming the host', async () => {
    const world = bakeWorld();
    const start = world.aws.snapshot();
    const { journal, options, store } = await engine(world);
    const run = world.aws.instances.run;
    world.aws.instances.run = async (input) => {
      const made = await run(input);
      for (const i of made) world.remote.setUnreachable(i.InstanceId as string);
      return made;
    };
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(
      /step wait-reachable failed: cannot reach 10\.0\.[0-9.]+: timed out \(4 attempts of 30s\).*Rolled back/s,
    );
    expect((await store.current())?.status).toBe('rolled-back');
    expect(world.remote.runs).toEqual([]);
    await expectNothingLeft(world, start);
  });

  it('runs the commands with SSM Run Command when release.via is ssm', async () => {
    const world = bakeWorld();
    const config = commandsConfig({ release: { kind: 'commands', commands: COMMANDS, via: 'ssm' } });
    const { journal, options, store } = await engine(world, config);
    expect(journal.steps.find((s) => s.id === STEP.waitReachable)?.waits).toBe('until it is Online in SSM');
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(world.vias.length).toBeGreaterThan(0);
    expect(new Set(world.vias)).toEqual(new Set(['ssm']));
    expect(world.remote.runs.map((r) => r.command)).toEqual(COMMANDS);
    expect((await store.current())?.status).toBe('succeeded');
  });

  it('resumes after a crash once the image is baked: no second builder, no second image', async () => {
    const world = bakeWorld();
    const { journal, options, store } = await engine(world);
    world.aws.failOn('instances.terminate'); // terminate-builder, right after bake-image
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step terminate-builder/);
    const saved = (await store.current()) as Journal;
    expect(saved.status).toBe('failed');
    expect(saved.steps.find((s) => s.id === STEP.bakeImage)?.state).toBe('done');
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('instances.run')).toHaveLength(1);
    expect(world.aws.callsTo('images.createImage')).toHaveLength(1);
    expect(world.remote.runs).toHaveLength(COMMANDS.length);
    const imageId = outputsOf(resumed, STEP.bakeImage).imageId as string;
    expect((await world.aws.launch.describeLaunchConfiguration(GREEN))?.ImageId).toBe(imageId);
    expect(await world.aws.instances.listByTag('bluegreen:role', 'builder')).toEqual([]);
  });

  it('resumes after a crash between CreateImage and the journal: the image is found by name, not made again', async () => {
    const world = bakeWorld();
    const { journal, options, store } = await engine(world);
    const createImage = world.aws.images.createImage;
    let crashed = false;
    world.aws.images.createImage = async (input) => {
      const id = await createImage(input);
      if (!crashed) {
        crashed = true;
        throw awsError('images.createImage', String(input.Name), 'RequestTimeout', 'connection reset');
      }
      return id;
    };
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step bake-image/);
    const saved = (await store.current()) as Journal;
    expect(outputsOf(saved, STEP.bakeImage).imageId).toBeUndefined();
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('images.createImage')).toHaveLength(1);
    expect(world.aws.callsTo('instances.run')).toHaveLength(1);
    expect(world.aws.state.images.size).toBe(3); // blue's two and the baked one
  });
});
