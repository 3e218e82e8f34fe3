/**
 * The gates of replica-dns through the real engine runner, on the in-memory AWS and a virtual clock:
 * HTTP checks of green before the switch (with a fake GET: unit tests only, since moto's load balancer
 * DNS names answer nothing), and CloudWatch alarms read before the switch and during wait-retire.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { DeploymentError, EXIT, exitCodeOf, InputError, VerificationError } from '../../../src/errors.js';
import type { HttpGet } from '../../../src/strategies/common/http.js';
import { handlers, replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { addFiveXxAlarm, blueWorld, configFor, engineRun, noRemote, RECORD, ZONE, type World } from './world.js';

const URL = 'http://{green.loadBalancerDns}/health';

function gated(gates: NonNullable<ReplicaDnsConfig['gates']>, afterSeconds = 300): ReplicaDnsConfig {
  return configFor({ gates, retire: { afterSeconds, action: 'scale-to-zero' } });
}

/** A GET answering the given statuses in turn (an Error: no answer), the last one from then on. */
function scriptedGet(answers: Array<number | Error>) {
  const urls: string[] = [];
  const get: HttpGet = async (url) => {
    urls.push(url);
    const answer = answers[Math.min(urls.length - 1, answers.length - 1)] as number | Error;
    if (answer instanceof Error) throw answer;
    return { status: answer };
  };
  return { get, urls };
}

async function start(world: World, config: ReplicaDnsConfig, get?: HttpGet) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  return { plan, ...engineRun(world, config, plan, get ? handlers(world.aws, noRemote, get) : replicaDns.handlers(world.aws, noRemote)) };
}

/** Calls `then` once, when the engine emits the start of step `stepId`. */
function onStepStarted(options: { emit: (e: EngineEvent) => void }, stepId: string, then: () => void) {
  const emit = options.emit;
  options.emit = (e) => {
    emit(e);
    if (e.event === 'step.started' && e.stepId === stepId) then();
  };
}

async function expectRolledBack(world: World, error: unknown, store: { current(): Promise<unknown> }) {
  expect(error).toBeInstanceOf(DeploymentError);
  expect(exitCodeOf(error)).toBe(EXIT.failed);
  expect((error as Error).message).toMatch(/Rolled back: traffic stays on blue/);
  const journal = (await store.current()) as Journal;
  expect(journal.status).toBe('rolled-back');
  expect(await world.aws.dns.getRecord(ZONE, RECORD, 'A')).toMatchObject({ AliasTarget: { DNSName: `dualstack.${world.blueLbDns}.` } });
  expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toBeUndefined();
  expect(await world.aws.classicLoadBalancers.describe(['shop-green-k3x9a'])).toEqual([]);
  expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 });
  return journal;
}

describe('replica-dns plan with gates', () => {
  it('adds check-http between wait-healthy and switch-dns only with gates.http, and gives the alarms to switch-dns and wait-retire', async () => {
    const world = blueWorld();
    addFiveXxAlarm(world.aws);
    const observed = await replicaDns.observe(configFor(), world.aws);
    const ids = (c: ReplicaDnsConfig) => replicaDns.plan(c, observed, 'k3x9a').steps.map((s) => s.id);
    expect(ids(configFor())).not.toContain('check-http');
    expect(ids(gated({ alarms: ['shop-5xx'], http: [] }))).not.toContain('check-http');
    const plan = replicaDns.plan(gated({ alarms: ['shop-5xx'], http: [{ url: URL, expect: 204, tries: 3, intervalSeconds: 5 }] }), observed, 'k3x9a');
    const order = plan.steps.map((s) => s.id);
    expect(order.slice(order.indexOf('wait-healthy'), order.indexOf('wait-healthy') + 3)).toEqual(['wait-healthy', 'check-http', 'switch-dns']);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step('check-http').params).toEqual({
      loadBalancer: 'shop-green-k3x9a',
      checks: [{ url: URL, expect: 204, tries: 3, intervalSeconds: 5 }],
    });
    expect(step('check-http').waits).toBe(`GET ${URL} answers 204 (3 tries, every 5s, 10s each)`);
    expect(step('switch-dns').params).toMatchObject({ alarms: ['shop-5xx'] });
    expect(step('wait-retire').params).toEqual({ alarms: ['shop-5xx'], seconds: 300, intervalSeconds: 10 });
    expect(step('wait-retire').waits).toBe('300s, watching alarm shop-5xx');
    expect(replicaDns.plan(configFor(), observed, 'k3x9a').steps.find((s) => s.id === 'wait-retire')!.params).toEqual({
      seconds: 300,
      intervalSeconds: 30,
    });
  });
});

describe('gates.http', () => {
  it('passes after 2 failing tries, spaced on the engine clock, and journals only index, status and tries', async () => {
    const world = blueWorld();
    const { get, urls } = scriptedGet([503, new TypeError('fetch failed'), 200]);
    const config = gated({ alarms: [], http: [{ url: URL, expect: 200, tries: 5, intervalSeconds: 7 }] });
    const { journal, options, events } = await start(world, config, get);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const [lb] = await world.aws.classicLoadBalancers.describe(['shop-green-k3x9a']);
    const url = `http://${lb?.DNSName}/health`;
    expect(urls).toEqual([url, url, url]);
    const progress = events.flatMap((e) => (e.event === 'step.progress' && e.stepId === 'check-http' ? [e.message] : []));
    expect(progress).toEqual([`GET ${url} → 503 (try 1 of 5)`, `GET ${url} → fetch failed (try 2 of 5)`, `GET ${url} → 200 (try 3 of 5)`]);
    const step = done.steps.find((s) => s.id === 'check-http')!;
    expect(step.outputs).toEqual({ http: [{ check: 0, status: 200, tries: 3 }] });
    const succeeded = events.find((e) => e.event === 'step.succeeded' && e.stepId === 'check-http');
    expect(succeeded).toMatchObject({ durationMs: 2 * 7000 });
  });

  it('fails after exactly (tries-1) x interval virtual seconds, names URL, status and tries, and rolls back by itself', async () => {
    const world = blueWorld();
    const before = world.aws.snapshot();
    const { get, urls } = scriptedGet([503]);
    const config = gated({ alarms: [], http: [{ url: URL, expect: 200, tries: 4, intervalSeconds: 15 }] });
    const { journal, options, events, store } = await start(world, config, get);
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(urls).toHaveLength(4);
    const failed = events.find((e) => e.event === 'step.failed' && e.stepId === 'check-http');
    expect(failed).toMatchObject({ durationMs: 3 * 15_000 });
    expect((error as DeploymentError).cause).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(
      /^step check-http failed: HTTP gate 1 failed: GET http:\/\/shop-green-k3x9a-\S+\/health answered status 503, expected 200, after 4 tries 15s apart\. Rolled back/,
    );
    const result = await expectRolledBack(world, error, store);
    expect(result.steps.find((s) => s.id === 'check-http')?.outputs).toEqual({ http: [{ check: 0, status: 503, tries: 4 }] });
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
    expect(world.aws.snapshot()).toEqual(before);
  });

  it('runs every check in order and stops at the first that fails, naming a GET that got no answer', async () => {
    const world = blueWorld();
    const calls: string[] = [];
    const get: HttpGet = async (url) => {
      calls.push(url);
      if (url.endsWith('/ready')) throw Object.assign(new Error('fetch failed'), { cause: new Error('connect ECONNREFUSED 10.0.0.1:80') });
      return { status: 200 };
    };
    const config = gated({
      alarms: [],
      http: [
        { url: URL, expect: 200, tries: 2, intervalSeconds: 1 },
        { url: 'http://{green.loadBalancerDns}/ready', expect: 200, tries: 1, intervalSeconds: 1 },
      ],
    });
    const { journal, options, store } = await start(world, config, get);
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(calls.map((u) => u.slice(u.lastIndexOf('/')))).toEqual(['/health', '/ready']);
    expect((error as Error).message).toMatch(
      /HTTP gate 2 failed: GET \S+\/ready answered no status \(connect ECONNREFUSED 10\.0\.0\.1:80\), expected 200, after 1 try\./,
    );
    const result = await expectRolledBack(world, error, store);
    expect(result.steps.find((s) => s.id === 'check-http')?.outputs).toEqual({
      http: [
        { check: 0, status: 200, tries: 1 },
        { check: 1, status: null, tries: 1 },
      ],
    });
  });
});

describe('gates.alarms', () => {
  const alarm = (world: World, name: string) => addFiveXxAlarm(world.aws, { AlarmName: name });

  it('an alarm going into ALARM during wait-retire rolls back at once, naming the alarm and its reason', async () => {
    const world = blueWorld();
    alarm(world, 'shop-5xx');
    alarm(world, 'shop-latency');
    world.aws.setAlarmState('shop-latency', 'OK');
    const { journal, options, events, store } = await start(world, gated({ alarms: ['shop-5xx', 'shop-latency'], http: [] }));
    let retireStartedAt = 0;
    onStepStarted(options, 'wait-retire', () => {
      retireStartedAt = world.clock.now();
    });
    // 25 virtual seconds into the wait, the alarm fires (INSUFFICIENT_DATA and OK passed until then).
    const emit = options.emit;
    options.emit = (e) => {
      emit(e);
      if (e.event === 'step.progress' && e.stepId === 'wait-retire' && world.clock.now() - retireStartedAt >= 20_000) {
        world.aws.setAlarmState('shop-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (1.0)');
      }
    };
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^step wait-retire failed: gate alarm shop-5xx while waiting to retire blue: shop-5xx is in ALARM \(Threshold Crossed: 1 datapoint \[12\.0\] was greater than the threshold \(1\.0\)\)\. Rolled back/,
    );
    const failed = events.find((e) => e.event === 'step.failed' && e.stepId === 'wait-retire');
    expect(failed).toMatchObject({ durationMs: 30_000 }); // polled every 10s: seen on the poll after it fired
    expect(events.filter((e) => e.event === 'step.started').map((e) => (e as { stepId: string }).stepId)).not.toContain('retire-blue');
    const progress = events.flatMap((e) => (e.event === 'step.progress' && e.stepId === 'wait-retire' ? [e.message] : []));
    expect(progress[0]).toBe('300s left before retiring blue; alarms shop-5xx, shop-latency not in ALARM');
    await expectRolledBack(world, error, store);
    expect(world.aws.callsTo('dns.change')).toHaveLength(2); // the switch, and the one call back
  });

  it('refuses to switch while an alarm is already in ALARM, and rolls back', async () => {
    const world = blueWorld();
    alarm(world, 'shop-5xx');
    const { journal, options, store } = await start(world, gated({ alarms: ['shop-5xx'], http: [] }));
    onStepStarted(options, 'wait-healthy', () => world.aws.setAlarmState('shop-5xx', 'ALARM', 'errors'));
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^step switch-dns failed: gate alarm shop-5xx before pointing shop\.example\.com at shop-green-k3x9a: shop-5xx is in ALARM \(errors\)\. Rolled back/,
    );
    await expectRolledBack(world, error, store);
    expect(world.aws.callsTo('dns.change')).toHaveLength(0);
  });

  it('warns in the plan when an alarm is in ALARM already', async () => {
    const world = blueWorld();
    alarm(world, 'shop-5xx');
    world.aws.setAlarmState('shop-5xx', 'ALARM');
    const config = gated({ alarms: ['shop-5xx'], http: [] });
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    expect(plan.warnings).toContain(
      'gates.alarms: alarm shop-5xx is in ALARM now; unless it returns to OK before the switch-dns step, green will be built and then rolled back without the switch',
    );
  });

  it('an alarm that does not exist is an InputError at observe, naming it', async () => {
    const world = blueWorld();
    alarm(world, 'shop-5xx');
    const error = await replicaDns.observe(gated({ alarms: ['shop-5xx', 'shop-typo'], http: [] }), world.aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeOf(error)).toBe(EXIT.badInput);
    expect((error as Error).message).toBe('alarm shop-typo (gates.alarms) does not exist in CloudWatch');
  });

  it('an alarm deleted during wait-retire stops the deployment (no rollback), naming it', async () => {
    const world = blueWorld();
    alarm(world, 'shop-5xx');
    const { journal, options, store } = await start(world, gated({ alarms: ['shop-5xx'], http: [] }));
    onStepStarted(options, 'wait-retire', () => void world.aws.alarms.deleteAlarms(['shop-5xx']));
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^stopped at step wait-retire \(.*\): alarm shop-5xx \(gates\.alarms\) no longer exists/);
    expect(((await store.current()) as Journal).status).toBe('failed');
  });
});
