/** Where `deploy --pause-before-switch` stops in each strategy: one pausePoint per plan, the first traffic step. */
import { describe, expect, it } from 'vitest';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import { pausePointOf } from '../../../src/operations.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import { engineRun } from '../../support/engine-run.js';
import { commandsConfig, GROUP, observedFixture, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

describe('swap-instances pause point', () => {
  it('is attach-instances, the first step that puts new instances behind the load balancers, and the only one', () => {
    for (const config of [swapConfig(), commandsConfig('ssh')]) {
      const plan = swapInstances.plan(config, observedFixture(), 'k3x9a');
      expect(plan.steps.filter((s) => s.pausePoint).map((s) => s.id)).toEqual(['attach-instances']);
      expect(pausePointOf(plan)?.id).toBe('attach-instances');
      const ids = plan.steps.map((s) => s.id);
      // Every step before it leaves the group's traffic as it was: the new instances are only launched (and baked).
      expect(ids.slice(0, ids.indexOf('attach-instances'))).not.toContain('wait-healthy');
    }
  });
});

describe('swap-instances paused before attach-instances', () => {
  async function paused() {
    const world = swapWorld();
    const config = swapConfig();
    const plan = swapInstances.plan(config, await swapInstances.observe(config, world.aws), 'k3x9a');
    const run = engineRun(world, config, plan, swapInstances.handlers(world.aws, { remote: () => world.remote }));
    run.journal.pauseBefore = pausePointOf(plan)!.id;
    const journal = await runForward(run.journal, run.options, 'deploy');
    expect(journal.status).toBe('paused');
    return { world, run, journal };
  }

  it('has the new instances launched but outside the group: the old ones alone serve', async () => {
    const { world, journal } = await paused();
    const launched = (await world.aws.instances.listByTag('bluegreen:deployment', 'k3x9a')).length;
    expect(launched).toBeGreaterThan(0);
    const group = await world.aws.groups.describeGroup(GROUP);
    expect(group?.Instances?.map((i) => i.InstanceId).sort()).toEqual([...world.old].sort());
    expect(journal.steps.find((s) => s.id === 'attach-instances')?.state).toBe('pending');
  });

  it('promote attaches them and finishes; rollback from paused removes them', async () => {
    const a = await paused();
    delete a.journal.pauseBefore;
    expect((await runForward(a.journal, a.run.options, 'promote')).status).toBe('succeeded');
    const group = await a.world.aws.groups.describeGroup(GROUP);
    expect(group?.Instances?.some((i) => a.world.old.includes(i.InstanceId!))).toBe(false);

    const b = await paused();
    expect((await runRollback(b.journal, b.run.options)).status).toBe('rolled-back');
    expect(await b.world.aws.instances.listByTag('bluegreen:deployment', 'k3x9a')).toEqual([]);
    const after = await b.world.aws.groups.describeGroup(GROUP);
    expect(after?.Instances?.map((i) => i.InstanceId).sort()).toEqual([...b.world.old].sort());
  });
});
