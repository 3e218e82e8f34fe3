/**
 * retire.untilRequestsBelow on replica-dns, through the real engine runner, on the in-memory AWS and a
 * virtual clock: wait-retire waits for retire.after (the floor) and until blue's classic load balancer
 * RequestCount stayed below the threshold for 3 whole minutes (minutes ended 60 s ago or more; a minute
 * without a datapoint counts as 0), and stops at a ceiling of 60 minutes past the floor, blue untouched.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { DeploymentError, EXIT, exitCodeOf, VerificationError } from '../../../src/errors.js';
import { DRAIN_CEILING_SECONDS, drainReader } from '../../../src/strategies/common/gates.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { addFiveXxAlarm, blueWorld, configFor, engineRun, noRemote, RECORD, ZONE, type World } from './world.js';

const MIN = 60_000;
const BLUE_LB = 'shop-web-elb';

function draining(below = 1, afterSeconds = 300, alarms: string[] = []): ReplicaDnsConfig {
  return configFor({
    retire: { afterSeconds, action: 'scale-to-zero', untilRequestsBelow: below },
    ...(alarms.length > 0 ? { gates: { alarms, http: [] } } : {}),
  });
}

async function start(world: World, config: ReplicaDnsConfig) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const run = engineRun(world, config, plan, replicaDns.handlers(world.aws, noRemote));
  // When wait-retire starts (the switch is INSYNC): the tests script blue's traffic relative to it.
  const at = { retire: 0 };
  const emit = run.options.emit;
  run.options.emit = (e: EngineEvent) => {
    if (e.event === 'step.started' && e.stepId === 'wait-retire') at.retire = world.clock.now();
    emit(e);
  };
  return { plan, at, ...run };
}

const messages = (events: EngineEvent[]) => events.flatMap((e) => (e.event === 'step.progress' && e.stepId === 'wait-retire' ? [e.message] : []));
const durationOf = (events: EngineEvent[], event: string) =>
  (events.find((e) => e.event === event && (e as { stepId?: string }).stepId === 'wait-retire') as { durationMs?: number } | undefined)?.durationMs;

describe('replica-dns plan with retire.untilRequestsBelow', () => {
  it('is no longer refused for replica-dns, and gives wait-retire the drain to watch', async () => {
    const world = blueWorld();
    const config = draining(1);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const step = plan.steps.find((s) => s.id === 'wait-retire')!;
    expect(step.params).toEqual({
      seconds: 300,
      intervalSeconds: 30,
      drain: { loadBalancer: BLUE_LB, below: 1, windowMinutes: 3, ceilingSeconds: DRAIN_CEILING_SECONDS },
    });
    expect(step.title).toBe('Wait 300s and until blue gets fewer than 1 requests a minute for clients to move to green before retiring blue');
    expect(step.waits).toBe(
      '300s and until shop-web-elb gets fewer than 1 requests a minute for 3 whole minutes in a row (CloudWatch RequestCount, minutes ended 60s ago or more; at most 60 minutes past the floor)',
    );
    // A floor of 0 does not make the poll 1 s.
    const zero = replicaDns.plan(draining(1, 0), await replicaDns.observe(config, world.aws), 'k3x9a');
    expect(zero.steps.find((s) => s.id === 'wait-retire')!.params).toMatchObject({ seconds: 0, intervalSeconds: 30 });
  });
});

describe('drainReader', () => {
  it('reads AWS/ELB RequestCount of blue by LoadBalancerName, one minute each, and counts a minute without datapoint as 0', async () => {
    const world = blueWorld();
    const asked: Array<{ start: number; lb: string }> = [];
    const t0 = world.clock.now(); // minute-aligned
    world.aws.setMetricSum(
      'RequestCount',
      (start, dimensions) => {
        asked.push({ start, lb: dimensions.map((d) => `${d.name}=${d.value}`).join() });
        return start === t0 + 2 * MIN ? undefined : 5;
      },
      'AWS/ELB',
    );
    const read = drainReader(world.aws, { loadBalancer: BLUE_LB, below: 1, windowMinutes: 3 });
    world.clock.advance(5 * MIN + 30_000); // 00:05:30: minutes 00:02-00:03 ended 60 s ago or more
    expect(await read(world.clock.now())).toEqual({
      quiet: false,
      minutesBelow: 0,
      message: 'blue shop-web-elb: 5 requests/min (below 1 for 0 of 3 minutes)',
    });
    expect(asked.map((a) => (a.start - t0) / MIN).sort()).toEqual([1, 2, 3]);
    expect(new Set(asked.map((a) => a.lb))).toEqual(new Set([`LoadBalancerName=${BLUE_LB}`]));
    // The same window: no new call.
    world.clock.advance(20_000);
    await read(world.clock.now());
    expect(asked).toHaveLength(3);
    // Only minute 2 (no datapoint) is quiet: the newest minutes are not.
    world.aws.setMetricSum('RequestCount', (start) => (start >= t0 + 2 * MIN ? undefined : 9), 'AWS/ELB');
    world.clock.advance(40_000); // 00:06:30: minutes 2, 3, 4
    expect(await read(world.clock.now())).toEqual({
      quiet: true,
      minutesBelow: 3,
      message: 'blue shop-web-elb: 0 requests/min (below 1 for 3 of 3 minutes)',
    });
  });
});

describe('wait-retire with retire.untilRequestsBelow', () => {
  it('retires only once blue got no request for 3 whole minutes, 7 minutes after the switch, and not before the floor', async () => {
    const world = blueWorld();
    const { journal, options, events, at } = await start(world, draining(1, 300));
    // 12 requests a minute until 7 minutes after the switch, then none (ELB publishes no datapoint).
    world.aws.setMetricSum('RequestCount', (start) => (start < at.retire + 7 * MIN ? 12 : undefined), 'AWS/ELB');
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const quietFrom = Math.ceil((at.retire + 7 * MIN) / MIN) * MIN; // the first whole minute without requests
    // Done at the first poll (every 30 s) once minutes quietFrom .. quietFrom+2 ended 60 s ago or more.
    const duration = durationOf(events, 'step.succeeded')!;
    expect(at.retire + duration).toBeGreaterThanOrEqual(quietFrom + 4 * MIN);
    expect(at.retire + duration).toBeLessThan(quietFrom + 4 * MIN + 30_000);
    const seen = messages(events);
    expect(seen[0]).toBe('blue shop-web-elb: 12 requests/min (below 1 for 0 of 3 minutes); 300s left of retire.after');
    expect(seen).toContain('blue shop-web-elb: 12 requests/min (below 1 for 0 of 3 minutes); retire.after floor passed');
    expect(seen).toContain('blue shop-web-elb: 0 requests/min (below 1 for 2 of 3 minutes); retire.after floor passed');
    expect(seen.at(-1)).toBe('blue shop-web-elb: 0 requests/min (below 1 for 3 of 3 minutes); retire.after floor passed');
    // Journal: `until` alone.
    expect(done.steps.find((s) => s.id === 'wait-retire')?.outputs).toEqual({ until: at.retire + 300_000 });
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
  });

  it('waits the whole floor when blue is idle from the start (no datapoint at all: 0 requests)', async () => {
    const world = blueWorld();
    const { journal, options, events } = await start(world, draining(1, 600));
    world.aws.setMetricSum('RequestCount', () => undefined, 'AWS/ELB');
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(durationOf(events, 'step.succeeded')).toBe(600_000);
    expect(messages(events).at(-1)).toBe('blue shop-web-elb: 0 requests/min (below 1 for 3 of 3 minutes); retire.after floor passed');
  });

  it('takes a fraction: 0.5 requests a minute counts as below 1', async () => {
    const world = blueWorld();
    const { journal, options, events } = await start(world, draining(1, 60));
    world.aws.setMetricSum('RequestCount', 0.5, 'AWS/ELB');
    expect((await runForward(journal, options, 'deploy')).status).toBe('succeeded');
    expect(durationOf(events, 'step.succeeded')).toBe(60_000);
  });

  it('stops at the ceiling, naming the request rate, blue untouched; a resume once traffic stopped retires blue', async () => {
    const world = blueWorld();
    const { journal, options, events, store, at } = await start(world, draining(1, 300));
    let stoppedAt = Number.POSITIVE_INFINITY;
    world.aws.setMetricSum('RequestCount', (start) => (start < stoppedAt ? 12 : undefined), 'AWS/ELB');
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as DeploymentError).cause).toBeInstanceOf(DeploymentError);
    expect((error as DeploymentError).cause).not.toBeInstanceOf(VerificationError);
    expect(exitCodeOf(error)).toBe(EXIT.failed);
    expect((error as Error).message).toMatch(
      /^stopped at step wait-retire \(.*\): blue still gets requests after 60 minutes of watching past retire\.after: blue shop-web-elb: 12 requests\/min \(below 1 for 0 of 3 minutes\); blue is untouched and the record stays on green\./,
    );
    expect((error as Error).message).toMatch(/bluegreen resume -c shop\.yml/);
    expect(durationOf(events, 'step.failed')).toBe(300_000 + DRAIN_CEILING_SECONDS * 1000);
    const saved = (await store.current()) as Journal;
    expect(saved.status).toBe('failed');
    expect(saved.steps.find((s) => s.id === 'wait-retire')?.outputs).toEqual({ until: at.retire + 300_000 });
    expect(saved.steps.find((s) => s.id === 'retire-blue')?.state).toBe('pending');
    // Blue untouched, the record on green, green in place.
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 });
    expect((await world.aws.dns.getRecord(ZONE, RECORD, 'A'))?.AliasTarget?.DNSName).toMatch(/shop-green-k3x9a/);
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toBeDefined();

    // Later, blue's traffic stops; resume waits again (the floor is long past) and retires blue.
    world.clock.advance(10 * MIN);
    stoppedAt = world.clock.now();
    const resumeAt = world.clock.now();
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    const quietFrom = Math.ceil(stoppedAt / MIN) * MIN;
    expect(world.clock.now()).toBeGreaterThanOrEqual(quietFrom + 4 * MIN);
    expect(world.clock.now() - resumeAt).toBeLessThan(DRAIN_CEILING_SECONDS * 1000);
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
  });

  it('an alarm going into ALARM while blue drains rolls back at once', async () => {
    const world = blueWorld();
    addFiveXxAlarm(world.aws);
    const { journal, options, events, store, at } = await start(world, draining(1, 300, ['shop-5xx']));
    world.aws.setMetricSum('RequestCount', 12, 'AWS/ELB');
    // 10 minutes into the wait (past the floor, blue still busy) the alarm fires.
    const emit = options.emit;
    options.emit = (e) => {
      emit(e);
      if (e.event === 'step.progress' && e.stepId === 'wait-retire' && world.clock.now() - at.retire >= 10 * MIN) {
        world.aws.setAlarmState('shop-5xx', 'ALARM', 'errors');
      }
    };
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as DeploymentError).cause).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(
      /^step wait-retire failed: gate alarm shop-5xx while waiting to retire blue: shop-5xx is in ALARM \(errors\)\. Rolled back/,
    );
    expect(durationOf(events, 'step.failed')).toBe(10 * MIN + 10_000); // polled every 10 s
    expect(messages(events)[0]).toBe(
      'blue shop-web-elb: 12 requests/min (below 1 for 0 of 3 minutes); 300s left of retire.after; alarm shop-5xx not in ALARM',
    );
    expect(((await store.current()) as Journal).status).toBe('rolled-back');
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toBeUndefined();
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 });
  });
});
