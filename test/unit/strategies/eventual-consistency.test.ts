/**
 * EC2's eventual consistency ("Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): right after RunInstances,
 * CreateImage or CreateLaunchTemplate, EC2 may answer that the new id does not exist. An id a step made and
 * recorded is "not visible yet", never "gone", for NOT_VISIBLE_SECONDS; after that its absence is an error
 * naming it. Undo never takes a new id it cannot see yet for gone (it would leave it running or stored).
 * Against the in-memory AWS with `notVisibleForPolls`, the fake remote runner and a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { AwsCallError, VerificationError } from '../../../src/errors.js';
import { NOT_VISIBLE_SECONDS } from '../../../src/strategies/common/instance-steps.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { awsError } from '../../fakes/aws.js';
import { FakeRemote } from '../../fakes/remote.js';
import { engineRun } from '../../support/engine-run.js';
import { blueWorld, configFor, type World } from '../replica-dns/world.js';
import { commandsConfig as swapCommands } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

const GREEN = 'shop-green-k3x9a';
const COMMANDS = ['sudo /opt/shop/update.sh 42'];

function commandsConfig(): ReplicaDnsConfig {
  return configFor({ release: { kind: 'commands', commands: COMMANDS, via: 'ssh' }, retire: { afterSeconds: 60, action: 'keep' } });
}

type EcWorld = World & { remote: FakeRemote };

/** Blue as in the replica-dns tests; what a step makes is left out of the first `polls` answers that would show it. */
function world(polls: number, launch: 'configuration' | 'template' = 'template'): EcWorld {
  const w = blueWorld({ launch });
  w.aws.runningAfterSeconds = 20;
  w.aws.imageAvailableAfterSeconds = 60;
  w.aws.notVisibleForPolls = polls;
  return { ...w, remote: new FakeRemote() };
}

async function planned(w: EcWorld, config: ReplicaDnsConfig = commandsConfig()) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, w.aws), 'k3x9a');
  return { plan, steps: plan.steps, registry: replicaDns.handlers(w.aws, { remote: () => w.remote }) };
}

const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);
const builderOf = (w: World) => (w.journal.outputs[STEP.launchBuilder]?.instanceIds as string[])[0] as string;
const progressOf = (events: EngineEvent[], stepId: string) =>
  events.flatMap((e) => (e.event === 'step.progress' && e.stepId === stepId ? [e.message] : []));
/** Live instances of the deployment as EC2 holds them (not as a describe that may lag shows them). */
const liveInstances = (w: World) =>
  [...w.aws.state.instances.values()]
    .filter((e) => !['shutting-down', 'terminated'].includes(e.instance.State?.Name ?? ''))
    .filter((e) => e.instance.Tags?.some((t) => t.Key === 'bluegreen:deployment' && t.Value === 'k3x9a'))
    .map((e) => e.instance.InstanceId);

describe('replica-dns with release.commands on an eventually consistent EC2', () => {
  it('deploys: the builder, the image and the launch template not visible at first are waited for, saying so; rollback leaves nothing', async () => {
    const w = world(3);
    const { plan, registry } = await planned(w);
    const { journal, options, events } = engineRun(w, commandsConfig(), plan, registry);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(progressOf(events, STEP.waitRunning)[0]).toMatch(
      /^0 of 1 new instances running; i-[0-9a-f]+ not visible yet \(EC2 eventual consistency; up to \d+s more\)$/,
    );
    expect(progressOf(events, STEP.bakeImage)[0]).toMatch(new RegExp(`^image ${GREEN}: ami-[0-9a-f]+ not visible yet \\(EC2 eventual consistency`));
    expect(progressOf(events, STEP.createLaunch)).toContainEqual(
      expect.stringMatching(new RegExp(`^launch template ${GREEN} \\(lt-[0-9a-f]+\\) version 1: not visible yet`)),
    );
    expect((await w.aws.groups.describeGroup(GREEN))?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);

    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(liveInstances(w)).toEqual([]);
    expect(w.aws.state.templates.has(GREEN)).toBe(false);
    expect([...w.aws.state.images.values()].map((i) => i.Name)).toEqual(['shop-1.0', 'shop-1.1']);
  });

  it('wait-running: a builder EC2 never shows is an error naming it, NOT_VISIBLE_SECONDS after its launch, not at the first miss', async () => {
    const w = world(Infinity);
    const { steps, registry } = await planned(w);
    await w.journal.applyAll(registry, upTo(steps, STEP.launchBuilder));
    const launchedAt = w.clock.now();
    const error = await w.journal
      .apply(
        registry,
        steps.find((s) => s.id === STEP.waitRunning)!,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toBe(
      `new instance ${builderOf(w)} is still not described by EC2 ${NOT_VISIBLE_SECONDS}s after it was made: gone (terminated or deleted outside this deployment), not a delay of EC2's eventual consistency`,
    );
    expect(w.clock.now() - launchedAt).toBe(NOT_VISIBLE_SECONDS * 1000);
  });

  it('bake-image: an image EC2 never shows is an error naming it after NOT_VISIBLE_SECONDS', async () => {
    const w = world(0);
    const { steps, registry } = await planned(w);
    await w.journal.applyAll(registry, upTo(steps, STEP.runCommands));
    w.aws.notVisibleForPolls = Infinity;
    const error = await w.journal
      .apply(
        registry,
        steps.find((s) => s.id === STEP.bakeImage)!,
      )
      .catch((e: unknown) => e);
    const imageId = w.journal.outputs[STEP.bakeImage]?.imageId as string;
    expect(imageId).toMatch(/^ami-/);
    expect((error as Error).message).toBe(
      `image ${GREEN} ${imageId} is still not described by EC2 ${NOT_VISIBLE_SECONDS}s after it was made: gone (terminated or deleted outside this deployment), not a delay of EC2's eventual consistency`,
    );
  });

  it('undo right after launch-builder terminates the builder that TerminateInstances first answers as not found', async () => {
    const w = world(3);
    const { steps, registry } = await planned(w);
    const launch = upTo(steps, STEP.launchBuilder);
    await w.journal.applyAll(registry, launch);
    expect(liveInstances(w)).toEqual([builderOf(w)]);
    await w.journal.undoAll(registry, launch);
    expect(liveInstances(w)).toEqual([]);
    expect(w.journal.progressOf(STEP.launchBuilder)).toContainEqual(
      expect.stringMatching(/^new instances i-[0-9a-f]+ to terminate: not visible yet \(EC2 eventual consistency/),
    );
  });

  it('undo after a crash right after RunInstances (ids never recorded, the tag listing not caught up) finds and terminates the builder', async () => {
    const w = world(3);
    const { steps, registry } = await planned(w);
    const run = w.aws.instances.run;
    w.aws.instances.run = async (input) => {
      await run(input);
      throw awsError('instances.run', 'RunInstances', 'RequestTimeout', 'connection reset');
    };
    const launch = upTo(steps, STEP.launchBuilder);
    await expect(w.journal.applyAll(registry, launch)).rejects.toThrow(/connection reset/);
    expect(w.journal.outputs[STEP.launchBuilder]?.instanceIds).toBeUndefined();
    expect(liveInstances(w)).toHaveLength(1);
    await w.journal.undoAll(registry, launch);
    expect(liveInstances(w)).toEqual([]);
  });

  it('a RunInstances that AWS refused (HTTP 4xx) made nothing: the undo waits for nothing', async () => {
    const w = world(3);
    const { steps, registry } = await planned(w);
    w.aws.failOn('instances.run', new AwsCallError('RunInstances', 'x', 'InsufficientInstanceCapacity', 'none', undefined, 400));
    const launch = upTo(steps, STEP.launchBuilder);
    await expect(w.journal.applyAll(registry, launch)).rejects.toThrow(/InsufficientInstanceCapacity/);
    expect(w.journal.outputs[STEP.launchBuilder]).toMatchObject({ launching: 'bluegreen-shop-k3x9a-builder', launchingAt: null });
    const before = w.clock.now();
    await w.journal.undoAll(registry, launch);
    expect(w.clock.now()).toBe(before);
  });

  it('undo right after bake-image deletes the image that DescribeImages does not show yet (no image or snapshot left)', async () => {
    const w = world(0);
    const { steps, registry } = await planned(w);
    await w.journal.applyAll(registry, upTo(steps, STEP.runCommands));
    w.aws.notVisibleForPolls = 4;
    w.aws.failOn('images.describeImage', awsError('images.describeImage', GREEN, 'RequestTimeout', 'crash in the wait'));
    const bake = upTo(steps, STEP.bakeImage);
    await expect(w.journal.apply(registry, bake.at(-1)!)).rejects.toThrow(/crash in the wait/);
    expect(w.aws.state.images.size).toBe(3);
    await w.journal.undoAll(registry, bake);
    expect([...w.aws.state.images.values()].map((i) => i.Name)).toEqual(['shop-1.0', 'shop-1.1']);
    expect(w.aws.state.snapshots.size).toBe(0);
  });

  it('undo right after create-launch deletes the launch template that EC2 does not show yet', async () => {
    const w = world(0);
    const config = configFor({ retire: { afterSeconds: 60, action: 'keep' } });
    const { steps, registry } = await planned(w, config);
    const launch = upTo(steps, STEP.createLaunch);
    w.aws.notVisibleForPolls = 2;
    // create-launch waits until the template shows (2 answers), then a new one is hidden again for the undo.
    await w.journal.applyAll(registry, launch);
    expect(w.aws.state.templates.has(GREEN)).toBe(true);
    w.aws.notVisibleForPolls = 0;
    const id = w.journal.outputs[STEP.createLaunch]?.launchTemplateId as string;
    (w.aws as unknown as { notVisible: Map<string, number> }).notVisible.set(`launch-template ${id}`, 3);
    await w.journal.undoAll(registry, launch);
    expect(w.aws.state.templates.has(GREEN)).toBe(false);
  });
});

describe('Auto Scaling behind EC2: a launch template EC2 already describes is refused until Auto Scaling sees it', () => {
  const notSeen = /^Auto Scaling does not see launch template shop-green-k3x9a yet \(EC2 eventual consistency; up to \d+s more\)$/;

  it('replica-dns create-group sends CreateAutoScalingGroup again until it is taken, saying why', async () => {
    const w = world(0);
    w.aws.autoScalingLagCalls = 3;
    const config = configFor({ retire: { afterSeconds: 60, action: 'keep' } });
    const { plan, registry } = await planned(w, config);
    const { journal, options, events } = engineRun(w, config, plan, registry);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(progressOf(events, STEP.createGroup)).toEqual([
      expect.stringMatching(notSeen),
      expect.stringMatching(notSeen),
      expect.stringMatching(notSeen),
    ]);
    expect(w.aws.calls.filter((c) => c.operation === 'groups.createGroup')).toHaveLength(4);
  });

  it('replica-dns create-group: a template Auto Scaling never sees fails with its ValidationError after NOT_VISIBLE_SECONDS', async () => {
    const w = world(0);
    w.aws.autoScalingLagCalls = Infinity;
    const config = configFor({ retire: { afterSeconds: 60, action: 'keep' } });
    const { steps, registry } = await planned(w, config);
    await w.journal.applyAll(registry, upTo(steps, STEP.createLaunch));
    const before = w.clock.now();
    const error = await w.journal.applyAll(registry, upTo(steps, STEP.createGroup)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('ValidationError');
    expect((error as Error).message).toMatch(/The specified launch template, with template name shop-green-k3x9a, does not exist/);
    expect(w.clock.now() - before).toBe(NOT_VISIBLE_SECONDS * 1000);
    expect(w.aws.state.groups.has(GREEN)).toBe(false);
  });

  it('replica-dns create-group: another ValidationError is not sent again', async () => {
    const w = world(0);
    const config = configFor({ retire: { afterSeconds: 60, action: 'keep' } });
    const { steps, registry } = await planned(w, config);
    w.aws.failOn('groups.createGroup', new AwsCallError('CreateAutoScalingGroup', GREEN, 'ValidationError', 'Max bid price too low', undefined, 400));
    await expect(w.journal.applyAll(registry, upTo(steps, STEP.createGroup))).rejects.toThrow(/Max bid price too low/);
    expect(w.aws.calls.filter((c) => c.operation === 'groups.createGroup')).toHaveLength(1);
  });

  it('swap-instances update-launch sends UpdateAutoScalingGroup again until Auto Scaling sees the new template', async () => {
    const w = swapWorld({ launch: 'template' });
    w.aws.autoScalingLagCalls = 2;
    const config = swapCommands();
    const plan = swapInstances.plan(config, await swapInstances.observe(config, w.aws), 'k3x9a');
    const { journal, options, events } = engineRun(w, config, plan, swapInstances.handlers(w.aws, { remote: () => w.remote }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(progressOf(events, 'update-launch').filter((m) => m.startsWith('Auto Scaling does not see launch template'))).toHaveLength(2);
  });
});

describe('swap-instances on an eventually consistent EC2', () => {
  it('deploys a commands release with a launch template: new instances, image and template waited for', async () => {
    const w = swapWorld({ launch: 'template' });
    w.aws.notVisibleForPolls = 3;
    const config = swapCommands();
    const plan = swapInstances.plan(config, await swapInstances.observe(config, w.aws), 'k3x9a');
    const { journal, options, events } = engineRun(w, config, plan, swapInstances.handlers(w.aws, { remote: () => w.remote }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(progressOf(events, 'wait-running')[0]).toMatch(/not visible yet \(EC2 eventual consistency/);
    expect(progressOf(events, 'update-launch')).toContainEqual(expect.stringMatching(/^launch template .*: not visible yet/));
  });
});
