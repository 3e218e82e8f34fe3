/**
 * Launch lifecycle hooks copied onto green (issue 10, item 4): each new instance of green waits in
 * Pending:Wait until the hook is completed or its heartbeat runs out (an hour by default), and whatever
 * completes it for blue filters on blue's group. hooks.launching wait (the default): progress and the
 * timeout say "n in Pending:Wait for hook H", and plan refuses a heartbeat longer than health.timeout;
 * complete: bluegreen completes the hook (CONTINUE) for green's instances.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { InputError, VerificationError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { replicaListener } from '../../../src/strategies/replica-listener/index.js';
import { FakeAws } from '../../fakes/aws.js';
import { FakeJournal, VirtualClock } from '../../support/virtual-clock.js';
import { blueWorld, configFor, noRemote, type World } from '../replica-dns/world.js';
import { configFor as listenerConfigFor, listenerWorld } from '../replica-listener/world.js';

const GREEN = 'shop-green-k3x9a';

async function withLaunchHook(world: World, hook: { HeartbeatTimeout?: number; DefaultResult?: string } = {}) {
  await world.aws.groups.putLifecycleHook({
    AutoScalingGroupName: 'shop-web',
    LifecycleHookName: 'warmup',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    ...hook,
  });
  return world;
}

async function planned(world: World, overrides: Partial<ReplicaDnsConfig> = {}) {
  const config = configFor({ retire: { afterSeconds: 0, action: 'keep' }, ...overrides });
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const wait = plan.steps.find((s) => s.id === STEP.waitHealthy) as StepDescriptor;
  const registry = replicaDns.handlers(world.aws, noRemote);
  await world.journal.applyAll(registry, plan.steps.slice(0, plan.steps.indexOf(wait)));
  return { plan, wait, registry };
}

describe('the in-memory AWS holds new instances in Pending:Wait for launch hooks', () => {
  async function hooked(hook: { HeartbeatTimeout?: number; DefaultResult?: string }) {
    const clock = new VirtualClock();
    const aws = new FakeAws({ clock, inServiceAfterSeconds: 10 });
    aws.addLaunchConfiguration({ LaunchConfigurationName: 'lc', ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small' });
    await aws.groups.createGroup({
      AutoScalingGroupName: 'g',
      LaunchConfigurationName: 'lc',
      MinSize: 1,
      MaxSize: 2,
      DesiredCapacity: 1,
      LifecycleHookSpecificationList: [{ LifecycleHookName: 'warmup', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', ...hook }],
    });
    const state = async () =>
      ((await aws.groups.describeGroup('g'))?.Instances ?? []).map((i) => [i.InstanceId as string, i.LifecycleState as string]);
    const first = async () => ((await state())[0] ?? [])[0] as string;
    return { clock, aws, state, first };
  }

  it('keeps an instance in Pending:Wait until the hook is completed, then puts it in service', async () => {
    const { clock, aws, state, first } = await hooked({});
    const id = await first();
    clock.advance(600_000);
    expect(await state()).toEqual([[id, 'Pending:Wait']]);
    await aws.groups.completeLifecycleAction('g', 'warmup', id, 'CONTINUE');
    expect(await state()).toEqual([[id, 'InService']]);
    // Completing again (or an instance that waits no more) is no error, as the port promises.
    await aws.groups.completeLifecycleAction('g', 'warmup', id, 'CONTINUE');
  });

  it('goes on after the heartbeat with CONTINUE, and replaces the instance with ABANDON (the default)', async () => {
    const cont = await hooked({ HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' });
    const id = await cont.first();
    cont.clock.advance(59_000);
    expect(await cont.state()).toEqual([[id, 'Pending:Wait']]);
    cont.clock.advance(1_000);
    expect(await cont.state()).toEqual([[id, 'InService']]);

    const abandon = await hooked({ HeartbeatTimeout: 60 });
    expect((await abandon.aws.groups.describeLifecycleHooks('g'))[0]).toMatchObject({ HeartbeatTimeout: 60, DefaultResult: 'ABANDON' });
    const before = await abandon.first();
    abandon.clock.advance(60_000);
    const after = await abandon.state();
    expect(after).toHaveLength(1);
    expect(after[0]?.[0]).not.toBe(before);
    expect(after[0]?.[1]).toBe('Pending:Wait');
  });
});

describe('replica-dns with a launch hook, hooks.launching wait (the default)', () => {
  it('refuses in plan a hook whose heartbeat outlasts health.timeout, naming it and what to set', async () => {
    const world = await withLaunchHook(blueWorld()); // HeartbeatTimeout 3600, AWS's default
    const config = configFor();
    const observed = await replicaDns.observe(config, world.aws);
    expect(() => replicaDns.plan(config, observed, 'k3x9a')).toThrow(InputError);
    expect(() => replicaDns.plan(config, observed, 'k3x9a')).toThrow(
      "launch lifecycle hook warmup (HeartbeatTimeout 3600s) of group shop-web would hold green's new instances in Pending:Wait longer than health.timeout (300s), and whatever completes it for shop-web is unlikely to for green's group: set hooks.launching: complete (bluegreen completes the hooks with CONTINUE), or raise health.timeout above the heartbeat",
    );
    // A heartbeat within the timeout is planned, with a warning saying what happens.
    expect(() => replicaDns.plan(configFor({ health: { timeoutSeconds: 3600, intervalSeconds: 10 } }), observed, 'k3x9a')).not.toThrow();
  });

  it('says in progress and in the timeout how many instances wait for the hook', async () => {
    // ABANDON after 200s: green's instances are replaced, and wait again, until health.timeout runs out.
    const world = await withLaunchHook(blueWorld(), { HeartbeatTimeout: 200, DefaultResult: 'ABANDON' });
    const { wait, registry, plan } = await planned(world);
    expect(wait.params).toMatchObject({ launchHooks: ['warmup'] });
    expect(plan.warnings.some((w) => w.startsWith("hook warmup of shop-web hold green's new instances in Pending:Wait"))).toBe(true);
    const run = world.journal.apply(registry, wait);
    await expect(run).rejects.toBeInstanceOf(VerificationError);
    await expect(run).rejects.toThrow(`last seen: 0 of 2 instances InService in ${GREEN}; 2 in Pending:Wait for hook warmup`);
    expect(world.journal.progressOf(STEP.waitHealthy)[0]).toBe(`0 of 2 instances InService in ${GREEN}; 2 in Pending:Wait for hook warmup`);
    expect(world.aws.callsTo('groups.completeLifecycleAction')).toEqual([]);
  });

  it('goes on once the heartbeat runs out with CONTINUE', async () => {
    const world = await withLaunchHook(blueWorld(), { HeartbeatTimeout: 120, DefaultResult: 'CONTINUE' });
    const { wait, registry } = await planned(world);
    await world.journal.apply(registry, wait);
    expect(world.journal.progressOf(STEP.waitHealthy).at(-1)).toBe(`2 of 2 instances InService in ${GREEN}`);
    expect(world.clock.now() - (world.journal.progress.find((p) => p.stepId === STEP.waitHealthy)?.at ?? 0)).toBe(120_000);
  });
});

describe('hooks.launching complete', () => {
  it("completes the hook with CONTINUE for green's waiting instances (journaled first), so green is healthy in time", async () => {
    const world = await withLaunchHook(blueWorld());
    const { wait, registry, plan } = await planned(world, { hooks: { launching: 'complete' } });
    expect(wait.params).toMatchObject({ launchHooks: ['warmup'], completeHooks: true });
    expect(plan.warnings).toContain(
      "hooks.launching complete: bluegreen completes hook warmup (CONTINUE) for green's instances in Pending:Wait; the hook's own consumers do not act on them",
    );
    world.aws.beforeMutation = (operation) => {
      if (operation === 'groups.completeLifecycleAction') expect(world.journal.outputs[STEP.waitHealthy]?.completedHooks).toHaveLength(2);
    };
    await world.journal.apply(registry, wait);
    const ids = (await world.aws.groups.describeGroup(GREEN))?.Instances?.map((i) => i.InstanceId);
    expect(world.aws.callsTo('groups.completeLifecycleAction')).toEqual(ids?.map((id) => [GREEN, 'warmup', id, 'CONTINUE']));
    expect(world.journal.progressOf(STEP.waitHealthy)).toEqual([
      `0 of 2 instances InService in ${GREEN}; completed hook warmup (CONTINUE) for 2 in Pending:Wait`,
      `0 of 2 instances InService in ${GREEN}`,
      `0 of 2 instances InService in ${GREEN}`,
      `2 of 2 instances InService in ${GREEN}`,
    ]);
  });

  it('replica-listener completes them too', async () => {
    const world = listenerWorld();
    await world.aws.groups.putLifecycleHook({
      AutoScalingGroupName: 'shop-web',
      LifecycleHookName: 'warmup',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    });
    const config = listenerConfigFor(world, { hooks: { launching: 'complete' }, retire: { afterSeconds: 0, action: 'keep' } });
    const plan = replicaListener.plan(config, await replicaListener.observe(config, world.aws), 'k3x9a');
    const journal = new FakeJournal(world.clock);
    const registry = replicaListener.handlers(world.aws, noRemote);
    const upTo = plan.steps.slice(0, plan.steps.findIndex((s) => s.id === STEP.waitHealthy) + 1);
    await journal.applyAll(registry, upTo);
    expect(world.aws.callsTo('groups.completeLifecycleAction')).toHaveLength(2);
  });
});
