/** replica-dns through the real engine runner, on the in-memory AWS and a virtual clock. */
import { describe, expect, it } from 'vitest';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, engineRun, noRemote, RECORD, ZONE, type World } from './world.js';

async function start(world: World, action: 'scale-to-zero' | 'keep' = 'scale-to-zero') {
  const config = configFor({ retire: { afterSeconds: 300, action } });
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  return engineRun(world, config, plan, replicaDns.handlers(world.aws, noRemote));
}

describe('replica-dns with the engine runner', () => {
  it('deploys, then rolls back to the world it started from', async () => {
    const world = blueWorld();
    const before = world.aws.snapshot();
    const { journal, options } = await start(world, 'keep');
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(Array(10).fill('done'));
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(world.aws.snapshot()).toEqual(before);
  });

  it('rolls back by itself when green never becomes healthy, and blue keeps serving', async () => {
    const world = blueWorld({ inServiceAfterSeconds: null });
    const before = world.aws.snapshot();
    const { journal, options, events, store } = await start(world);
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/Rolled back: traffic stays on blue/);
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    expect(result.error).toMatch(/step wait-healthy failed: timed out after 300s/);
    expect(world.aws.snapshot()).toEqual(before);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });
    expect(events.some((e) => e.event === 'step.progress' && e.message === '0 of 2 instances InService in shop-green-k3x9a')).toBe(true);
  });

  it('resumes from the journal after a crash in the middle of a step', async () => {
    const world = blueWorld();
    const { journal, options, store } = await start(world);
    world.aws.failOn('groups.suspendProcesses'); // after the group is made
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step create-group/);
    const saved = (await store.current()) as Journal;
    expect(saved.status).toBe('failed');
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('groups.createGroup')).toHaveLength(1);
  });
});
