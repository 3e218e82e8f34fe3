/**
 * replica-dns with traffic.steps: weighted alias records moved in steps, each change one Route 53 batch,
 * each step held while the gate alarms are watched; through the real engine runner, on the in-memory AWS
 * and a virtual clock.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { AwsCallError, DeploymentError, EXIT, exitCodeOf, InputError, VerificationError } from '../../../src/errors.js';
import { pausePointOf } from '../../../src/operations.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { MemoryStore } from '../engine/memory-store.js';
import { addFiveXxAlarm, blueWorld, configFor, engineRun, noRemote, RECORD, ZONE, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const ORIGINAL_HOSTED_ZONE = 'Z35SXDOTRQ7X7K';

function stepped(
  steps: number[],
  holdSeconds = 300,
  alarms: string[] = ['shop-5xx'],
  action: ReplicaDnsConfig['retire']['action'] = 'scale-to-zero',
): ReplicaDnsConfig {
  return configFor({
    traffic: { steps, holdSeconds },
    ...(alarms.length > 0 ? { gates: { alarms, http: [] } } : {}),
    retire: { afterSeconds: 300, action },
  });
}

function withAlarm(world: World, name = 'shop-5xx'): void {
  addFiveXxAlarm(world.aws, { AlarmName: name });
  world.aws.setAlarmState(name, 'OK');
}

async function start(world: World, config: ReplicaDnsConfig, store?: MemoryStore) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  const run = engineRun(world, config, plan, replicaDns.handlers(world.aws, noRemote));
  if (store) run.options.store = store;
  return { plan, ...run, store: store ?? run.store };
}

/** Calls `then` after every event the engine emits. */
function onEvent(options: { emit: (e: EngineEvent) => void }, then: (e: EngineEvent) => void) {
  const emit = options.emit;
  options.emit = (e) => {
    emit(e);
    then(e);
  };
}

/** The record's sets as they are now, in a short form: [identifier or "simple", weight, target]. */
function sets(world: World): Array<[string, number | null, string]> {
  const zone = world.aws.state.zones.get(ZONE)!;
  return zone.records
    .filter((r) => r.Name === `${RECORD}.` && r.Type === 'A')
    .map((r): [string, number | null, string] => [
      r.SetIdentifier ?? 'simple',
      r.Weight ?? null,
      (r.AliasTarget?.DNSName ?? '').replace(/^dualstack\./, '').replace(/\.$/, ''),
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const changes = (world: World) => world.aws.callsTo('dns.change').map((args) => args[1] as Change[]);
const batchShape = (batch: Change[]) =>
  batch.map(
    (c) =>
      `${c.Action} ${c.ResourceRecordSet?.SetIdentifier ?? 'simple'}${c.ResourceRecordSet?.Weight !== undefined ? ` ${c.ResourceRecordSet.Weight}` : ''}`,
  );

async function greenDns(world: World): Promise<string> {
  const [lb] = await world.aws.classicLoadBalancers.describe([GREEN]);
  return lb?.DNSName as string;
}

const originalRecord = (world: World): ResourceRecordSet => ({
  Name: `${RECORD}.`,
  Type: 'A',
  AliasTarget: { HostedZoneId: ORIGINAL_HOSTED_ZONE, DNSName: `dualstack.${world.blueLbDns}.`, EvaluateTargetHealth: true },
});

describe('plan with traffic.steps', () => {
  it('replaces switch-dns by one shift-traffic step per percent, the first one the pause point', async () => {
    const world = blueWorld();
    withAlarm(world);
    const config = stepped([10, 50, 100]);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const ids = plan.steps.map((s) => s.id);
    expect(ids.slice(ids.indexOf('wait-healthy'))).toEqual([
      'wait-healthy',
      'traffic-10',
      'traffic-50',
      'traffic-100',
      'settle-green',
      'wait-retire',
      'retire-blue',
    ]);
    expect(ids).not.toContain('switch-dns');
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(['traffic-10', 'traffic-50', 'traffic-100'].map((id) => step(id).kind)).toEqual(Array(3).fill('replica-dns/shift-traffic'));
    expect(plan.steps.filter((s) => s.pausePoint).map((s) => s.id)).toEqual(['traffic-10']);
    expect(pausePointOf(plan)?.id).toBe('traffic-10');

    expect(step('traffic-10').title).toBe(`Send 10% of requests to green (${GREEN}) and hold 5m, watching alarm shop-5xx`);
    expect(step('traffic-50').title).toBe(`Send 50% of requests to green (${GREEN}) and hold 5m, watching alarm shop-5xx`);
    expect(step('traffic-100').title).toBe(`Send all requests to green (${GREEN}): ${RECORD} points at it alone unless alarm shop-5xx is in ALARM`);
    expect(step('traffic-10').params).toEqual({
      percent: 10,
      fromPercent: 0,
      holdSeconds: 300,
      intervalSeconds: 10,
      alarms: ['shop-5xx'],
      firstStep: 'traffic-10',
      sets: { blue: 'blue', green: 'green' },
      zoneId: ZONE,
      recordName: RECORD,
      loadBalancer: GREEN,
      from: `dualstack.${world.blueLbDns}.`,
      region: null,
      evaluateTargetHealth: true,
      syncTimeoutSeconds: 300,
      blueLoadBalancer: 'shop-web-elb',
      clientSeconds: 180,
      rollbackWaitSeconds: 300,
      // Green must hold blue's capacity before each step; the first holds blue (steps/capacity.ts).
      capacity: {
        green: GREEN,
        blue: { group: 'shop-web', loadBalancer: 'shop-web-elb' },
        holdStep: 'traffic-10',
        holds: true,
        timeoutSeconds: 300,
        intervalSeconds: 10,
      },
    });
    expect(step('traffic-50').params).toMatchObject({
      percent: 50,
      fromPercent: 10,
      holdSeconds: 300,
      firstStep: 'traffic-10',
      capacity: { holdStep: 'traffic-10', holds: false },
    });
    expect(step('traffic-100').params).toMatchObject({ percent: 100, fromPercent: 50, holdSeconds: 0, firstStep: 'traffic-10' });

    expect(step('traffic-10').changes).toEqual([
      {
        what: `DNS record ${RECORD}`,
        from: `alias to ${world.blueLbDns}`,
        to: `weighted alias records blue (${world.blueLbDns}) and green (${GREEN})`,
      },
      { what: `weights of ${RECORD}`, from: 'blue 100 / green 0', to: 'blue 90 / green 10' },
    ]);
    expect(step('traffic-50').changes).toEqual([{ what: `weights of ${RECORD}`, from: 'blue 90 / green 10', to: 'blue 50 / green 50' }]);
    expect(step('traffic-100').changes).toEqual([
      { what: `weights of ${RECORD}`, from: 'blue 50 / green 50', to: 'blue 0 / green 100' },
      { what: `DNS record ${RECORD}`, from: 'weighted alias records blue and green', to: `alias to ${GREEN}` },
    ]);
    expect(step('traffic-10').waits).toBe('until the change is INSYNC (timeout 300s), then 5m, watching alarm shop-5xx');
    expect(step('traffic-100').waits).toBe('until the change is INSYNC (timeout 300s)');
    expect(plan.summary).toMatchObject({ traffic: { steps: [10, 50, 100], holdSeconds: 300 }, trafficStep: 'traffic-100' });
    expect(plan.warnings.filter((w) => w.startsWith('traffic.hold'))).toEqual([]);
  });

  it('with [100] alone: one traffic-100 step with no hold, like switch-dns', async () => {
    const world = blueWorld();
    const config = stepped([100], 10, []);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const traffic = plan.steps.filter((s) => s.kind === 'replica-dns/shift-traffic');
    expect(traffic.map((s) => s.id)).toEqual(['traffic-100']);
    expect(traffic[0]).toMatchObject({
      title: `Send all requests to green (${GREEN}): ${RECORD} points at it alone`,
      changes: [{ what: `DNS record ${RECORD}`, from: world.blueLbDns, to: GREEN }],
      waits: 'until the change is INSYNC (timeout 300s)',
      pausePoint: true,
    });
    expect(traffic[0]?.params).toMatchObject({ percent: 100, fromPercent: 0, holdSeconds: 0, alarms: [] });
    // No hold, so a short traffic.hold warns of nothing.
    expect(plan.warnings.filter((w) => w.startsWith('traffic.hold'))).toEqual([]);
    expect(plan.summary).toMatchObject({ traffic: { steps: [100], holdSeconds: 10 } });
  });

  it('without traffic.steps: switch-dns, the pause point, and no traffic in the summary', async () => {
    const world = blueWorld();
    const plan = replicaDns.plan(configFor(), await replicaDns.observe(configFor(), world.aws), 'k3x9a');
    expect(plan.steps.filter((s) => s.pausePoint).map((s) => s.id)).toEqual(['switch-dns']);
    expect(plan.steps.some((s) => s.kind === 'replica-dns/shift-traffic')).toBe(false);
    expect(plan.summary).not.toHaveProperty('traffic');
    expect(plan.summary).not.toHaveProperty('trafficStep');
  });

  it('warns when the hold is shorter than the 60s clients cache the alias record, and polls no slower than the hold', async () => {
    const world = blueWorld();
    const config = stepped([25, 100], 30, []);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    expect(plan.warnings).toContain(
      "traffic.hold is 30s: clients cache alias records to load balancers for 60s and many resolvers longer, so green may get less than each step's share of requests before the hold ends",
    );
    expect(plan.steps.find((s) => s.id === 'traffic-25')?.params).toMatchObject({ holdSeconds: 30, intervalSeconds: 30, alarms: [] });
    expect(plan.steps.find((s) => s.id === 'traffic-25')?.title).toBe(`Send 25% of requests to green (${GREEN}) and hold 30s`);
  });

  it('names the first traffic step in the warning about an alarm in ALARM already', async () => {
    const world = blueWorld();
    withAlarm(world);
    world.aws.setAlarmState('shop-5xx', 'ALARM');
    const config = stepped([10, 100]);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    expect(plan.warnings.find((w) => w.startsWith('gates.alarms'))).toMatch(/before the traffic-10 step/);
  });
});

describe('observe', () => {
  it('refuses a record that is weighted already (InputError, exit 2), naming it and its set identifiers', async () => {
    const world = blueWorld();
    const original = originalRecord(world);
    world.aws.state.zones.get(ZONE)!.records = [];
    world.aws.putRecord(ZONE, { ...original, SetIdentifier: 'blue', Weight: 90 });
    world.aws.putRecord(ZONE, { ...original, SetIdentifier: 'green', Weight: 10 });
    const error = await replicaDns.observe(stepped([10, 100], 300, []), world.aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
    expect((error as Error).message).toBe(
      `record ${RECORD} (type A) in hosted zone ${ZONE} is weighted (set identifiers blue, green): replica-dns starts from one simple alias record. If a bluegreen deployment left it so, finish it with resume or undo it with rollback; else make it one alias A record pointing at the live load balancer`,
    );
    // Without traffic.steps too: a weighted record is never taken for the live stack.
    await expect(replicaDns.observe(configFor(), world.aws)).rejects.toThrow(/is weighted \(set identifiers blue, green\)/);
  });
});

describe('deploy in traffic steps', () => {
  it('moves the weights 10 -> 50 -> 100, each change one batch then INSYNC, holding each step on the virtual clock', async () => {
    const world = blueWorld();
    withAlarm(world);
    const { journal, options, events } = await start(world, stepped([10, 50, 100]));
    const seen: Record<string, ReturnType<typeof sets>> = {};
    onEvent(options, (e) => {
      if (e.event === 'step.succeeded' && e.stepId.startsWith('traffic-')) seen[e.stepId] = sets(world);
    });
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const green = await greenDns(world);
    expect(seen).toEqual({
      'traffic-10': [
        ['blue', 90, world.blueLbDns],
        ['green', 10, green],
      ],
      'traffic-50': [
        ['blue', 50, world.blueLbDns],
        ['green', 50, green],
      ],
      'traffic-100': [['simple', null, green]],
    });
    // One change batch per step, each waited INSYNC.
    expect(changes(world).map(batchShape)).toEqual([
      ['DELETE simple', 'CREATE blue 90', 'CREATE green 10'],
      ['UPSERT blue 50', 'UPSERT green 50'],
      ['DELETE blue 50', 'DELETE green 50', 'CREATE simple'],
    ]);
    expect(world.aws.callsTo('dns.waitInSync')).toHaveLength(3);
    // Blue's weighted record is the original alias as it was; green's keeps EvaluateTargetHealth and gets the ELB zone.
    const [first] = changes(world);
    expect(first?.[1]?.ResourceRecordSet).toEqual({ ...originalRecord(world), SetIdentifier: 'blue', Weight: 90 });
    expect(first?.[2]?.ResourceRecordSet).toEqual({
      Name: `${RECORD}.`,
      Type: 'A',
      SetIdentifier: 'green',
      Weight: 10,
      AliasTarget: { DNSName: green, HostedZoneId: ORIGINAL_HOSTED_ZONE, EvaluateTargetHealth: true },
    });
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual({
      Name: `${RECORD}.`,
      Type: 'A',
      AliasTarget: { DNSName: green, HostedZoneId: ORIGINAL_HOSTED_ZONE, EvaluateTargetHealth: true },
    });
    // The holds: 5 virtual minutes for 10 and 50, none for 100.
    const duration = (id: string) => (events.find((e) => e.event === 'step.succeeded' && e.stepId === id) as { durationMs: number }).durationMs;
    expect([duration('traffic-10'), duration('traffic-50'), duration('traffic-100')]).toEqual([300_000, 300_000, 0]);
    const progress = events.flatMap((e) => (e.event === 'step.progress' && e.stepId === 'traffic-50' ? [e.message] : []));
    expect(progress).toContain('300s left of the 50% hold; alarm shop-5xx not in ALARM');
    // The journal: the original record in every traffic step, the target of each.
    const outputs = (id: string) => done.steps.find((s) => s.id === id)!.outputs;
    for (const id of ['traffic-10', 'traffic-50', 'traffic-100']) expect(outputs(id).original).toEqual(originalRecord(world));
    expect(outputs('traffic-50').target).toHaveLength(2);
    expect(outputs('traffic-10').holdUntil).toBeTypeOf('number');
  });

  it('deploy --pause-before-switch stops before traffic-10 with the record untouched; promote moves traffic in its steps', async () => {
    const world = blueWorld();
    const { plan, journal, options } = await start(world, stepped([10, 50, 100], 300, []));
    journal.pauseBefore = pausePointOf(plan)?.id;
    const paused = await runForward(journal, options, 'deploy');
    expect(paused.status).toBe('paused');
    expect(paused.steps.find((s) => s.id === 'wait-healthy')?.state).toBe('done');
    expect(paused.steps.find((s) => s.id === 'traffic-10')?.state).toBe('pending');
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
    delete paused.pauseBefore; // as promote does
    const done = await runForward(paused, options, 'promote');
    expect(done.status).toBe('succeeded');
    expect(changes(world)).toHaveLength(3);
  });

  it('an alarm in ALARM during the 50% hold rolls back by itself: one Route 53 change puts the original record back, green is deleted', async () => {
    const world = blueWorld();
    withAlarm(world);
    const { journal, options, store } = await start(world, stepped([10, 50, 100]));
    let holdStarted = 0;
    onEvent(options, (e) => {
      if (e.event === 'step.progress' && e.stepId === 'traffic-50' && e.message.startsWith('300s left')) holdStarted = world.clock.now();
      if (e.event === 'step.progress' && e.stepId === 'traffic-50' && holdStarted && world.clock.now() - holdStarted >= 60_000) {
        world.aws.setAlarmState('shop-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [40.0] was greater than the threshold (1.0)');
      }
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as DeploymentError).cause).toBeInstanceOf(VerificationError);
    expect(exitCodeOf(error)).toBe(EXIT.failed);
    expect((error as Error).message).toMatch(
      /^step traffic-50 failed: gate alarm shop-5xx while holding 50% of requests on shop-green-k3x9a: shop-5xx is in ALARM \(Threshold Crossed: .*\)\. Rolled back/,
    );
    const batches = changes(world);
    expect(batches.map(batchShape)).toEqual([
      ['DELETE simple', 'CREATE blue 90', 'CREATE green 10'],
      ['UPSERT blue 50', 'UPSERT green 50'],
      ['DELETE blue 50', 'DELETE green 50', 'CREATE simple'], // the one call back
    ]);
    expect(batches[2]?.[2]?.ResourceRecordSet).toEqual(originalRecord(world));
    expect(sets(world)).toEqual([['simple', null, world.blueLbDns]]);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    expect(result.steps.filter((s) => s.id.startsWith('traffic-')).map((s) => [s.id, s.state])).toEqual([
      ['traffic-10', 'undone'],
      ['traffic-50', 'undone'],
      ['traffic-100', 'pending'],
    ]);
    expect(await world.aws.groups.describeGroup(GREEN)).toBeUndefined();
    expect(await world.aws.classicLoadBalancers.describe([GREEN])).toEqual([]);
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 });
  });

  it('an alarm in ALARM before a step changes nothing in it and rolls back what the earlier steps moved', async () => {
    const world = blueWorld();
    withAlarm(world);
    const { journal, options } = await start(world, stepped([10, 50, 100]));
    onEvent(options, (e) => {
      if (e.event === 'step.succeeded' && e.stepId === 'traffic-10') world.aws.setAlarmState('shop-5xx', 'ALARM', 'errors');
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^step traffic-50 failed: gate alarm shop-5xx before sending 50% of requests to shop-green-k3x9a: shop-5xx is in ALARM \(errors\)\. Rolled back/,
    );
    // traffic-50 changed nothing; its undo (first to run) puts the original back from traffic-10's journal.
    expect(changes(world).map(batchShape)).toEqual([
      ['DELETE simple', 'CREATE blue 90', 'CREATE green 10'],
      ['DELETE blue 90', 'DELETE green 10', 'CREATE simple'],
    ]);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
  });

  it('refuses to send traffic to green with no InService instance, before any change, and rolls back', async () => {
    const world = blueWorld();
    const { journal, options } = await start(world, stepped([10, 100], 300, []));
    onEvent(options, (e) => {
      if (e.event === 'step.started' && e.stepId === 'traffic-10') {
        for (const g of world.aws.state.groups.get(GREEN)?.instances ?? []) world.aws.setHealthy(g.id, false);
      }
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^step traffic-10 failed: refusing to move traffic to shop-green-k3x9a: 0 of 2 instances InService in shop-green-k3x9a; 2 needed \(shop-web's DesiredCapacity\)\. Rolled back/,
    );
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
  });

  it('a rollback after the 100 step puts the original record back in one batch, and the world is as it was', async () => {
    const world = blueWorld();
    withAlarm(world);
    const before = world.aws.snapshot();
    const { journal, options } = await start(world, stepped([10, 50, 100], 300, ['shop-5xx'], 'keep'));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const forward = world.aws.callsTo('dns.change').length;
    const green = await greenDns(world);
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    const batches = changes(world).slice(forward);
    expect(batches.map(batchShape)).toEqual([['DELETE simple', 'CREATE simple']]);
    expect(batches[0]?.[0]?.ResourceRecordSet?.AliasTarget?.DNSName).toBe(green);
    expect(batches[0]?.[1]?.ResourceRecordSet).toEqual(originalRecord(world));
    expect(world.aws.snapshot()).toEqual(before);
    // A second rollback of the same journal changes nothing more.
    await runRollback(back, options).catch(() => undefined);
    expect(changes(world).slice(forward)).toHaveLength(1);
  });
});

describe('resume after a crash in the middle of a traffic step', () => {
  it('the change made and journaled, INSYNC not seen: resume waits for that change and does not change again', async () => {
    const world = blueWorld();
    const { journal, options, store } = await start(world, stepped([10, 50, 100], 300, []));
    world.aws.failOn('dns.waitInSync', undefined, { skip: 1 }); // the wait of traffic-50
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step traffic-50/);
    const saved = (await store.current()) as Journal;
    const changeId = saved.steps.find((s) => s.id === 'traffic-50')!.outputs.changeId;
    expect(changeId).toMatch(/^\/change\//);
    expect(sets(world).map(([id, w]) => [id, w])).toEqual([
      ['blue', 50],
      ['green', 50],
    ]);
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(changes(world).map(batchShape)).toEqual([
      ['DELETE simple', 'CREATE blue 90', 'CREATE green 10'],
      ['UPSERT blue 50', 'UPSERT green 50'],
      ['DELETE blue 50', 'DELETE green 50', 'CREATE simple'],
    ]);
    expect(world.aws.callsTo('dns.waitInSync').slice(-2)).toEqual([[changeId, 300], expect.any(Array)]);
  });

  it('the target journaled, the call never made: resume makes it once', async () => {
    const world = blueWorld();
    const { journal, options, store } = await start(world, stepped([10, 50, 100], 300, []));
    // Journal first: when the call is about to be made, the target is in the saved journal already.
    world.aws.beforeMutation = (operation) => {
      if (operation !== 'dns.change') return;
      const last = store.saved.at(-1)!;
      const running = last.steps.find((s) => s.state === 'running')!;
      expect(running.outputs).toHaveProperty('target');
      expect(running.outputs).toHaveProperty('original');
    };
    world.aws.failOn('dns.change', new AwsCallError('ChangeResourceRecordSets', RECORD, 'Throttling', 'Rate exceeded'), { skip: 1 });
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step traffic-50/);
    const saved = (await store.current()) as Journal;
    expect(saved.steps.find((s) => s.id === 'traffic-50')!.outputs).toHaveProperty('target');
    expect(sets(world).map(([id, w]) => [id, w])).toEqual([
      ['blue', 90],
      ['green', 10],
    ]);
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    const made = world.aws.calls.filter((c) => c.operation === 'dns.change').length;
    expect(made).toBe(4); // three changes and the one that failed
    expect(sets(world)).toEqual([['simple', null, await greenDns(world)]]);
  });

  it('the change made but the process died before journaling its id: resume sees the target in place and does not change again', async () => {
    const world = blueWorld();
    const store = new CrashingStore();
    // The process dies while saving the change id of traffic-50: nothing after that point is saved.
    store.crashWhen = (j) => j.steps.find((s) => s.id === 'traffic-50')?.outputs.changeId !== undefined;
    const { journal, options } = await start(world, stepped([10, 50, 100], 300, []), store);
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/process died/);
    const saved = (await store.current()) as Journal;
    const step = saved.steps.find((s) => s.id === 'traffic-50')!;
    expect(step.state).toBe('running');
    expect(step.outputs).toHaveProperty('target');
    expect(step.outputs).not.toHaveProperty('changeId');
    store.revive();
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    // The 50% change is not made again: its sets are UPSERTed as they are, only to have a change to see
    // INSYNC (the lost id was the only way to know), then the 100% step.
    const all = changes(world);
    expect(all).toHaveLength(4);
    expect(batchShape(all[2]!)).toEqual(
      batchShape(all[1]!)
        .filter((c) => !c.startsWith('DELETE'))
        .map((c) => c.replace(/^\w+/, 'UPSERT')),
    );
    // Waited: the 10% change, the confirming change (the lost 50% one never was), the 100% change.
    expect(world.aws.callsTo('dns.waitInSync')).toHaveLength(3);
  });

  it('a crash during the hold: resume holds until the journaled end only, without changing the record again', async () => {
    const world = blueWorld();
    withAlarm(world);
    const { journal, options, store, events } = await start(world, stepped([10, 100]));
    // 2 minutes into the 5 minute hold the alarm is deleted: the gate cannot be watched, the deployment stops.
    let holdStarted = 0;
    let deleted = false;
    onEvent(options, (e) => {
      if (e.event !== 'step.progress' || e.stepId !== 'traffic-10' || !e.message.includes('left')) return;
      holdStarted ||= world.clock.now();
      if (world.clock.now() - holdStarted >= 120_000 && !deleted) deleted = world.aws.state.alarms.delete('shop-5xx');
    });
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(
      /stopped at step traffic-10 .*alarm shop-5xx \(gates\.alarms\) no longer exists/,
    );
    const saved = (await store.current()) as Journal;
    const end = saved.steps.find((s) => s.id === 'traffic-10')!.outputs.holdUntil as number;
    expect(end).toBe(holdStarted + 300_000);
    withAlarm(world);
    const resumedAt = world.clock.now();
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    const durations = events
      .filter((e) => e.event === 'step.succeeded' && e.stepId === 'traffic-10')
      .map((e) => (e as { durationMs: number }).durationMs);
    expect(durations).toEqual([end - resumedAt]);
    expect(end - resumedAt).toBeLessThan(300_000);
    expect(changes(world).map(batchShape)).toEqual([
      ['DELETE simple', 'CREATE blue 90', 'CREATE green 10'],
      ['DELETE blue 90', 'DELETE green 10', 'CREATE simple'],
    ]);
  });

  it('a rollback that crashed after its change: the re-run waits for that change and calls nothing else', async () => {
    const world = blueWorld();
    const { journal, options, store } = await start(world, stepped([10, 50, 100], 300, []));
    const done = await runForward(journal, options, 'deploy');
    const forward = changes(world).length;
    world.aws.failOn('dns.waitInSync'); // the wait of the change back
    await expect(runRollback(done, options)).rejects.toThrow(/rollback stopped at step traffic-100/);
    const saved = (await store.current()) as Journal;
    const restoreChangeId = saved.steps.find((s) => s.id === 'traffic-100')!.outputs.restoreChangeId;
    expect(restoreChangeId).toMatch(/^\/change\//);
    const back = await runRollback(saved, options);
    expect(back.status).toBe('rolled-back');
    expect(changes(world).slice(forward).map(batchShape)).toEqual([['DELETE simple', 'CREATE simple']]);
    // Waited for twice: the wait that failed, and the re-run's.
    expect(world.aws.callsTo('dns.waitInSync').filter(([id]) => id === restoreChangeId)).toEqual([
      [restoreChangeId, 300],
      [restoreChangeId, 300],
    ]);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
  });
});

describe('sets this deployment did not make', () => {
  it('a weighted set added by hand stops the next step (no rollback) and the rollback, naming it, without changing the record', async () => {
    const world = blueWorld();
    const { journal, options, store } = await start(world, stepped([10, 50, 100], 300, []));
    const canary: ResourceRecordSet = {
      Name: `${RECORD}.`,
      Type: 'A',
      SetIdentifier: 'canary',
      Weight: 5,
      AliasTarget: { HostedZoneId: ORIGINAL_HOSTED_ZONE, DNSName: 'canary.example.net.', EvaluateTargetHealth: false },
    };
    onEvent(options, (e) => {
      if (e.event === 'step.succeeded' && e.stepId === 'traffic-10') world.aws.putRecord(ZONE, canary);
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^stopped at step traffic-50 \(.*\): record shop\.example\.com in hosted zone Z0123456789ABC has sets this deployment did not make: canary 5 \(canary\.example\.net\.\); fix the record, then resume or roll back/,
    );
    expect(((await store.current()) as Journal).status).toBe('failed');
    expect(changes(world)).toHaveLength(1);
    const rollback = await runRollback((await store.current()) as Journal, options).catch((e: unknown) => e);
    expect((rollback as Error).message).toMatch(/rollback stopped at step traffic-50 .*has sets this deployment did not make: canary 5/);
    expect(changes(world)).toHaveLength(1);
    // Once the set is gone, the rollback goes on: one batch back to the original.
    await world.aws.dns.change(ZONE, [{ Action: 'DELETE', ResourceRecordSet: canary }], 'by hand');
    const back = await runRollback((await store.current()) as Journal, options);
    expect(back.status).toBe('rolled-back');
    expect(changes(world).slice(2).map(batchShape)).toEqual([['DELETE blue 90', 'DELETE green 10', 'CREATE simple']]);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(originalRecord(world));
  });

  it('a record pointed elsewhere by hand after the deployment is left as it is by the rollback', async () => {
    const world = blueWorld();
    const { journal, options, events } = await start(world, stepped([10, 100], 300, [], 'keep'));
    const done = await runForward(journal, options, 'deploy');
    const elsewhere: ResourceRecordSet = {
      Name: `${RECORD}.`,
      Type: 'A',
      AliasTarget: { HostedZoneId: ORIGINAL_HOSTED_ZONE, DNSName: 'maintenance.example.net.', EvaluateTargetHealth: false },
    };
    world.aws.putRecord(ZONE, elsewhere);
    const forward = changes(world).length;
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(changes(world)).toHaveLength(forward);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toEqual(elsewhere);
    expect(
      events.some(
        (e) =>
          e.event === 'step.progress' && e.stepId === 'traffic-100' && /no longer sends requests to shop-green-k3x9a .*left as it is/.test(e.message),
      ),
    ).toBe(true);
  });
});

describe("the fake's Route 53", () => {
  const alias = (dns: string) => ({ HostedZoneId: ORIGINAL_HOSTED_ZONE, DNSName: dns, EvaluateTargetHealth: false });
  const simple = (dns = 'a.example.net.'): ResourceRecordSet => ({ Name: RECORD, Type: 'A', AliasTarget: alias(dns) });
  const weighted = (id: string, weight: number, dns = 'a.example.net.'): ResourceRecordSet => ({
    Name: RECORD,
    Type: 'A',
    SetIdentifier: id,
    Weight: weight,
    AliasTarget: alias(dns),
  });

  it('keeps several sets per name and type, and gives them all with getRecordSets', async () => {
    const world = blueWorld();
    await world.aws.dns.change(
      ZONE,
      [
        { Action: 'DELETE', ResourceRecordSet: originalRecord(world) },
        { Action: 'CREATE', ResourceRecordSet: weighted('blue', 90) },
        { Action: 'CREATE', ResourceRecordSet: weighted('green', 10, 'b.example.net.') },
      ],
      'test',
    );
    expect((await world.aws.dns.getRecordSets(ZONE, 'SHOP.example.com.', 'A')).map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['blue', 90],
      ['green', 10],
    ]);
    expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toBeUndefined();
    expect(await world.aws.dns.getRecordSets(ZONE, 'www.example.com', 'A')).toEqual([]);
  });

  it('refuses, all or nothing, a simple set beside weighted ones, a CREATE of one that exists, a DELETE that does not match', async () => {
    const world = blueWorld();
    const before = world.aws.snapshot();
    const refused = async (batch: Change[], why: RegExp) => {
      const error = await world.aws.dns.change(ZONE, batch, 'test').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'InvalidChangeBatch' });
      expect((error as Error).message).toMatch(why);
      expect(world.aws.snapshot()).toEqual(before);
    };
    await refused([{ Action: 'CREATE', ResourceRecordSet: weighted('blue', 90) }], /cannot coexist/);
    await refused(
      [
        { Action: 'CREATE', ResourceRecordSet: weighted('green', 10) },
        { Action: 'DELETE', ResourceRecordSet: originalRecord(world) },
      ],
      /cannot coexist/,
    );
    await refused([{ Action: 'CREATE', ResourceRecordSet: originalRecord(world) }], /already exists/);
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: { ...originalRecord(world), AliasTarget: alias('elsewhere.example.net.') } }],
      /do not match/,
    );
    await refused(
      [
        { Action: 'DELETE', ResourceRecordSet: originalRecord(world) },
        { Action: 'DELETE', ResourceRecordSet: weighted('blue', 90) },
      ],
      /was not found/,
    );
    await refused(
      [
        { Action: 'DELETE', ResourceRecordSet: originalRecord(world) },
        { Action: 'CREATE', ResourceRecordSet: { ...weighted('blue', 90), Weight: undefined } },
      ],
      /needs a routing policy/,
    );
    // In order, the same batches pass.
    await world.aws.dns.change(
      ZONE,
      [
        { Action: 'DELETE', ResourceRecordSet: originalRecord(world) },
        { Action: 'CREATE', ResourceRecordSet: weighted('green', 10) },
      ],
      'test',
    );
    await world.aws.dns.change(
      ZONE,
      [
        { Action: 'DELETE', ResourceRecordSet: weighted('green', 10) },
        { Action: 'CREATE', ResourceRecordSet: simple() },
      ],
      'test',
    );
    expect(await world.aws.dns.getRecordSets(ZONE, RECORD, 'A')).toEqual([{ ...simple(), Name: `${RECORD}.` }]);
  });
});

/** A store that stops saving for good (the process died) from the first journal `crashWhen` matches. */
class CrashingStore extends MemoryStore {
  crashWhen: ((journal: Journal) => boolean) | undefined;
  private dead = false;
  override async save(journal: Journal) {
    if (this.dead || this.crashWhen?.(journal)) {
      this.dead = true;
      throw new Error('process died');
    }
    return super.save(journal);
  }
  /** A new process: saves again, and never crashes. */
  revive() {
    this.dead = false;
    this.crashWhen = undefined;
  }
}
