/** swap-instances through the real engine runner, on the in-memory AWS, the fake remote runner and a virtual clock. */
import { describe, expect, it } from 'vitest';
import type { SwapInstancesConfig } from '../../../src/config/schema.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { engineRun } from '../../support/engine-run.js';
import { commandsConfig, COMMANDS, GROUP, swapConfig } from './fixtures.js';
import { swapWorld, type World } from './world.js';

async function start(world: World, config: SwapInstancesConfig) {
  const plan = swapInstances.plan(config, await swapInstances.observe(config, world.aws), 'k3x9a');
  return engineRun(world, config, plan, swapInstances.handlers(world.aws, { remote: () => world.remote }));
}

async function expectOldServing(world: World) {
  const g = await world.aws.groups.describeGroup(GROUP);
  expect({ min: g?.MinSize, max: g?.MaxSize, desired: g?.DesiredCapacity }).toEqual({ min: 2, max: 4, desired: 3 });
  expect(g?.Instances?.map((i) => i.InstanceId).sort()).toEqual([...world.old].sort());
  expect(g?.LaunchConfigurationName).toBe('shop-web-lc');
  expect(g?.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);
  expect(await world.aws.instances.listByTag('bluegreen:deployment', 'k3x9a')).toEqual([]);
}

describe('swap-instances with the engine runner', () => {
  it('deploys a commands release to the end', async () => {
    const world = swapWorld();
    const { journal, options } = await start(world, commandsConfig());
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(Array(15).fill('done'));
    expect(world.remote.runs).toHaveLength(3 * COMMANDS.length);
  });

  it('rolls back by itself when a release command fails on one host, and the old instances keep serving', async () => {
    const world = swapWorld();
    const { journal, options, store } = await start(world, commandsConfig());
    world.remote.beforeCommand = (run) => {
      if (run.index === 0 && world.remote.runs.filter((r) => r.index === 0).length === 2) world.remote.failOn(run.host.instanceId, { code: 42 });
    };
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(
      /step run-commands failed: command "sudo systemctl stop shop" exited 42 on i-.*Rolled back/s,
    );
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    await expectOldServing(world);
  });

  it('rolls back by itself when the new instances never become healthy', async () => {
    const world = swapWorld();
    const { journal, options, store, events } = await start(world, swapConfig());
    // Every instance RunInstances makes fails its target group health checks.
    const run = world.aws.instances.run;
    world.aws.instances.run = async (input) => {
      const made = await run(input);
      for (const i of made) world.aws.setTargetHealth(i.InstanceId as string, 'unhealthy', 'Target.FailedHealthChecks');
      return made;
    };
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/Rolled back/);
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    expect(result.error).toMatch(/step wait-healthy failed: timed out after 300s/);
    expect(events.some((e) => e.event === 'step.progress' && /^0 of 3 new instances InService/.test(e.message))).toBe(true);
    await expectOldServing(world);
  });

  it('rolls back a finished deployment only up to terminate-old, saying why', async () => {
    const world = swapWorld();
    const { journal, options } = await start(world, swapConfig());
    const done = await runForward(journal, options, 'deploy');
    await expect(runRollback(done, options)).rejects.toThrow(/rollback cannot bring them back/);
  });
});
