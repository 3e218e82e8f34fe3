/**
 * The gates and the drain of replica-listener through the real engine runner, on the in-memory AWS and a
 * virtual clock: HTTP checks against each healthy target of green's target group ({green.target}), blue's
 * target group RequestCount (ALB) or NewFlowCount (NLB) watched before retiring, an NLB listener switched
 * at once, and the IAM policy covering every call.
 */
import { describe, expect, it } from 'vitest';
import type { Config, ReplicaListenerConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import { PORT_ACTIONS } from '../../../src/iam/actions.js';
import { needsOf, policyFor } from '../../../src/iam/policy.js';
import { DRAIN_CEILING_SECONDS } from '../../../src/strategies/common/gates.js';
import type { HttpGet } from '../../../src/strategies/common/http.js';
import { handlers, replicaListener } from '../../../src/strategies/replica-listener/index.js';
import { configFor, engineRun, GATE_ALARM, listenerWorld, noRemote, type ListenerWorld } from './world.js';

const MIN = 60_000;

async function start(world: ListenerWorld, config: ReplicaListenerConfig, get?: HttpGet) {
  const plan = replicaListener.plan(config, await replicaListener.observe(config, world.aws), 'k3x9a');
  const registry = get ? handlers(world.aws, noRemote, get) : replicaListener.handlers(world.aws, noRemote);
  return { plan, ...engineRun(world, config, plan, registry) };
}

/** A GET answering `status(url)`, keeping every URL asked. */
function recordingGet(status: (url: string) => number) {
  const urls: string[] = [];
  const get: HttpGet = async (url) => {
    urls.push(url);
    return { status: status(url) };
  };
  return { get, urls };
}

describe('gates.http with {green.target}', () => {
  it('GETs every healthy target of green by <private ip>:<port>, and journals check, target, status and tries', async () => {
    const world = listenerWorld();
    const { get, urls } = recordingGet(() => 200);
    const config = configFor(world, {
      gates: { alarms: [], http: [{ url: 'http://{green.target}/health', expect: 200, tries: 3, intervalSeconds: 5 }] },
    });
    const { journal, options } = await start(world, config, get);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const members = world.aws.state.groups.get('shop-green-k3x9a')?.instances.map((i) => i.id) ?? [];
    expect(members).toHaveLength(2);
    const addresses = members.map((id) => `http://${world.aws.instance(id)?.PrivateIpAddress}:8080/health`);
    expect(urls).toEqual(addresses);
    expect(done.steps.find((s) => s.id === 'check-http')?.outputs).toEqual({
      http: members.map((id) => ({ check: 0, status: 200, tries: 1, target: id })),
    });
  });

  it('one target answering 500 fails the gate, naming the target, and rolls back before the listener changes', async () => {
    const world = listenerWorld();
    let bad = '';
    const { get, urls } = recordingGet((url) => {
      bad ||= url;
      return url === bad ? 500 : 200;
    });
    const config = configFor(world, {
      gates: { alarms: [], http: [{ url: 'http://{green.target}/health', expect: 200, tries: 2, intervalSeconds: 5 }] },
    });
    const { journal, options } = await start(world, config, get);
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(urls).toEqual([bad, bad]);
    expect((error as Error).message).toMatch(
      /^step check-http failed: HTTP gate 1 failed: GET http:\/\/10\.0\.\d+\.\d+:8080\/health answered status 500, expected 200, after 2 tries 5s apart \(target i-\w+ of shop-green-k3x9a\)\. Rolled back/,
    );
    expect(world.aws.callsTo('listeners.modify')).toHaveLength(0);
    expect(await world.aws.targetGroups.findByName('shop-green-k3x9a')).toBeUndefined();
  });
});

describe('retire.untilRequestsBelow on an ALB target group', () => {
  it('reads blue target group RequestCount by LoadBalancer and TargetGroup, and retires once it stayed below for 3 minutes', async () => {
    const world = listenerWorld({ deregistrationDelay: 0 });
    const config = configFor(world, { retire: { afterSeconds: 60, action: 'scale-to-zero', untilRequestsBelow: 1 } });
    const { plan, journal, options, events } = await start(world, config);
    expect(plan.steps.find((s) => s.id === 'wait-retire')?.params).toEqual({
      seconds: 60,
      intervalSeconds: 30,
      drain: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCount',
        dimensions: [
          { name: 'LoadBalancer', value: `app/shop/${world.lbArn.split('/').at(-1)}` },
          { name: 'TargetGroup', value: `targetgroup/shop-web/${world.blueTg.split('/').at(-1)}` },
        ],
        label: 'shop-web',
        below: 1,
        windowMinutes: 3,
        ceilingSeconds: DRAIN_CEILING_SECONDS,
      },
    });
    const at = { retire: 0 };
    const emit = options.emit;
    options.emit = (e: EngineEvent) => {
      if (e.event === 'step.started' && e.stepId === 'wait-retire') at.retire = world.clock.now();
      emit(e);
    };
    const seen: string[] = [];
    // Blue gets 40 requests a minute for the first 5 minutes after wait-retire begins, then none.
    world.aws.setMetricSum('RequestCount', (t, dimensions) => {
      seen.push(dimensions.map((d) => `${d.name}=${d.value}`).join(','));
      return t < at.retire + 5 * MIN ? 40 : 0;
    });
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(new Set(seen)).toEqual(
      new Set([`LoadBalancer=app/shop/${world.lbArn.split('/').at(-1)},TargetGroup=targetgroup/shop-web/${world.blueTg.split('/').at(-1)}`]),
    );
    const waited = (events.find((e) => e.event === 'step.succeeded' && e.stepId === 'wait-retire') as { durationMs: number }).durationMs;
    // Quiet minutes 5, 6, 7 must each have ended 60s ago: not before 9 minutes.
    expect(waited).toBeGreaterThanOrEqual(9 * MIN);
    expect(waited).toBeLessThan(10 * MIN);
    expect(events.some((e) => e.event === 'step.progress' && e.stepId === 'wait-retire' && /^blue shop-web: 40 requests\/min/.test(e.message))).toBe(
      true,
    );
  });
});

describe('an NLB listener', () => {
  it('is switched at once; traffic.steps is refused before any change, naming the listener', async () => {
    const world = listenerWorld({ network: true });
    const config = configFor(world);
    const observed = await replicaListener.observe(config, world.aws);
    expect(observed.network).toBe(true);
    const { journal, options } = await start(world, config);
    expect((await runForward(journal, options, 'deploy')).status).toBe('succeeded');
    const listener = await world.aws.listeners.describe(world.listenerArn);
    expect(listener?.DefaultActions?.[0]?.TargetGroupArn).toMatch(/:targetgroup\/shop-green-k3x9a\//);

    const fresh = listenerWorld({ network: true });
    const stepped = configFor(fresh, { traffic: { steps: [10, 100], holdSeconds: 60 } });
    await expect(replicaListener.observe(stepped, fresh.aws)).rejects.toThrow(
      `listener ${fresh.listenerArn} is a Network Load Balancer listener (TCP), whose forward action takes one target group without weights; remove traffic.steps`,
    );
  });

  it('watches NewFlowCount in AWS/NetworkELB for the drain', async () => {
    const world = listenerWorld({ network: true });
    const config = configFor(world, { retire: { afterSeconds: 60, action: 'keep', untilRequestsBelow: 1 } });
    const { plan } = await start(world, config);
    expect(plan.steps.find((s) => s.id === 'wait-retire')?.params).toMatchObject({
      drain: {
        namespace: 'AWS/NetworkELB',
        metricName: 'NewFlowCount',
        dimensions: [{ name: 'LoadBalancer', value: expect.stringMatching(/^net\/shop\//) }, { name: 'TargetGroup' }],
      },
    });
  });
});

describe('the IAM policy of replica-listener', () => {
  it('allows every call a canary with gates, a drain, and a rollback make', async () => {
    const world = listenerWorld({ deregistrationDelay: 0 });
    const { get } = recordingGet(() => 200);
    const config: Config = configFor(world, {
      traffic: { steps: [10, 100], holdSeconds: 60 },
      gates: { alarms: [GATE_ALARM], http: [{ url: 'http://{green.target}/', expect: 200, tries: 1, intervalSeconds: 5 }] },
      retire: { afterSeconds: 60, action: 'scale-to-zero', untilRequestsBelow: 1 },
    });
    const { journal, options } = await start(world, config, get);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect((await runRollback(done, options)).status).toBe('rolled-back');
    const called = [...new Set(world.aws.calls.map((c) => c.operation))];
    expect(called).toEqual(
      expect.arrayContaining(['listeners.modify', 'listeners.modifyRule', 'instances.describe', 'alarms.states', 'alarms.metricSum']),
    );
    const allowed = new Set(policyFor(needsOf(config)).Statement[0]?.Action as string[]);
    const missing = called.flatMap((m) =>
      ((PORT_ACTIONS as Record<string, readonly string[]>)[m] ?? [`${m}: no entry`]).filter((a) => !allowed.has(a)).map((a) => `${m}: ${a}`),
    );
    expect(missing).toEqual([]);
  });
});
