/**
 * replica-listener through the real engine runner, on the in-memory AWS and a virtual clock: a whole
 * deploy, rollback after the switch, a canary 10/50/100 that an alarm rolls back during the 50% hold,
 * crash and resume in the middle of a step, and retire.action delete.
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import type { ReplicaListenerConfig } from '../../../src/config/schema.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runForward, runRollback } from '../../../src/engine/runner.js';
import type { Journal } from '../../../src/engine/types.js';
import { DeploymentError, EXIT, exitCodeOf, VerificationError } from '../../../src/errors.js';
import { replicaListener } from '../../../src/strategies/replica-listener/index.js';
import { configFor, engineRun, GATE_ALARM, listenerWorld, noRemote, type ListenerWorld } from './world.js';

async function start(world: ListenerWorld, config: ReplicaListenerConfig, deploymentId = 'k3x9a') {
  const plan = replicaListener.plan(config, await replicaListener.observe(config, world.aws), deploymentId);
  return { plan, ...engineRun(world, config, plan, replicaListener.handlers(world.aws, noRemote)) };
}

/** Where the listener and its rules forward now: the target group names and weights of each forward. */
async function forwarding(world: ListenerWorld): Promise<Record<string, string[]>> {
  const names = (actions: Action[] | undefined): string[] =>
    (actions ?? []).map((a) =>
      a.Type !== 'forward'
        ? (a.Type ?? '')
        : (a.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }])
            .map((g) => `${g.TargetGroupArn?.split('/')[1]}${(a.ForwardConfig?.TargetGroups?.length ?? 1) > 1 ? `=${g.Weight}` : ''}`)
            .join(' '),
    );
  const rules = await world.aws.listeners.rules(world.listenerArn);
  return Object.fromEntries(rules.map((r): [string, string[]] => [r.Priority ?? '', names(r.Actions)]));
}

const ORIGINAL = { '10': ['shop-web'], '20': ['fixed-response'], '30': ['shop-admin'], default: ['shop-web'] };

/** Calls `then` once, when the engine emits the first progress of step `stepId` whose message matches. */
function onProgress(options: { emit: (e: EngineEvent) => void }, stepId: string, match: RegExp, then: () => void) {
  const emit = options.emit;
  let done = false;
  options.emit = (e) => {
    emit(e);
    if (!done && e.event === 'step.progress' && e.stepId === stepId && match.test(e.message)) {
      done = true;
      then();
    }
  };
}

describe('replica-listener deploy', () => {
  it('moves the default action and the rule that forward to blue to green, keeps the others, and scales blue to zero after the deregistration delay', async () => {
    const world = listenerWorld({ deregistrationDelay: 120 });
    expect(await forwarding(world)).toEqual(ORIGINAL);
    const { journal, options, events } = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'scale-to-zero' } }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(await forwarding(world)).toEqual({
      '10': ['shop-green-k3x9a'],
      '20': ['fixed-response'],
      '30': ['shop-admin'],
      default: ['shop-green-k3x9a'],
    });
    // One ModifyListener, one ModifyRule (rule 10 only).
    expect(world.aws.callsTo('listeners.modify')).toHaveLength(1);
    expect(world.aws.callsTo('listeners.modifyRule').map((args) => args[0])).toEqual([world.rules.api]);
    // Blue scaled to zero only after max(retire.after 60s, deregistration delay 120s).
    const wait = events.find((e) => e.event === 'step.succeeded' && e.stepId === 'wait-retire');
    expect(wait).toMatchObject({ durationMs: 120_000 });
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 0, DesiredCapacity: 0, MaxSize: 0 });
    // Green: its own target group, a copy of blue's with its attributes; the group in it; the policy tracks green's target group.
    const greenTg = done.steps.find((s) => s.id === 'create-target-group')?.outputs.targetGroupArn as string;
    expect(greenTg).toMatch(/:targetgroup\/shop-green-k3x9a\//);
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toMatchObject({ TargetGroupARNs: [greenTg], DesiredCapacity: 2 });
    const attributes = Object.fromEntries((await world.aws.targetGroups.attributes(greenTg)).map((a) => [a.Key, a.Value]));
    expect(attributes).toMatchObject({
      'deregistration_delay.timeout_seconds': '120',
      'stickiness.enabled': 'true',
      'slow_start.duration_seconds': '30',
      'load_balancing.algorithm.type': 'least_outstanding_requests',
    });
    const [policy] = await world.aws.groups.describePolicies('shop-green-k3x9a');
    expect(policy?.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel).toBe(
      `app/shop/${world.lbArn.split('/').at(-1)}/${greenTg.split(':').at(-1)}`,
    );
  });

  it('rolls back after the switch: the listener and the rule forward to blue again, green is gone, the world is as it was', async () => {
    const world = listenerWorld();
    const before = world.aws.snapshot();
    const { journal, options } = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'keep' } }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const modifiesBefore = world.aws.callsTo('listeners.modify').length;
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(await forwarding(world)).toEqual(ORIGINAL);
    expect(world.aws.callsTo('listeners.modify').length - modifiesBefore).toBe(1);
    expect(await world.aws.targetGroups.findByName('shop-green-k3x9a')).toBeUndefined();
    expect(world.aws.snapshot()).toEqual(before);
  });

  it('after a rollback of a scaled-down blue, blue is back at its sizes and healthy in its target group', async () => {
    const world = listenerWorld();
    const { journal, options } = await start(world, configFor(world));
    const done = await runForward(journal, options, 'deploy');
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 });
    const healthy = (await world.aws.targetGroups.health(world.blueTg)).filter((h) => h.TargetHealth?.State === 'healthy');
    expect(healthy.length).toBeGreaterThanOrEqual(2);
    expect(await forwarding(world)).toEqual(ORIGINAL);
  });
});

describe('replica-listener traffic steps', () => {
  const canary = (world: ListenerWorld) =>
    configFor(world, { traffic: { steps: [10, 50, 100], holdSeconds: 300 }, gates: { alarms: [GATE_ALARM], http: [] } });

  it('weights 90/10, then 50/50 (each held 5m while the alarm is read), then green alone; stickiness of the rule kept', async () => {
    const world = listenerWorld();
    const { journal, options, events } = await start(world, canary(world));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const green = done.steps.find((s) => s.id === 'create-target-group')?.outputs.targetGroupArn as string;
    const weights = (actions: Action[]) => actions[0]?.ForwardConfig?.TargetGroups?.map((g) => [g.TargetGroupArn, g.Weight]);
    const modifies = world.aws.callsTo('listeners.modify').map((args) => args[1] as Action[]);
    expect(modifies.map(weights)).toEqual([
      [
        [world.blueTg, 90],
        [green, 10],
      ],
      [
        [world.blueTg, 50],
        [green, 50],
      ],
      undefined,
    ]);
    expect(modifies[2]).toEqual([{ Type: 'forward', TargetGroupArn: green }]);
    const ruleCalls = world.aws.callsTo('listeners.modifyRule').map((args) => args[1] as Action[]);
    expect(ruleCalls[0]?.[0]?.ForwardConfig).toEqual({
      TargetGroups: [
        { TargetGroupArn: world.blueTg, Weight: 90 },
        { TargetGroupArn: green, Weight: 10 },
      ],
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
    });
    for (const id of ['traffic-10', 'traffic-50']) {
      expect(events.find((e) => e.event === 'step.succeeded' && e.stepId === id)).toMatchObject({ durationMs: 300_000 });
    }
    expect(events.find((e) => e.event === 'step.succeeded' && e.stepId === 'traffic-100')).toMatchObject({ durationMs: 0 });
    // Every traffic step journals the forwarding before the first one.
    const original = done.steps.find((s) => s.id === 'traffic-10')?.outputs.original;
    expect(original).toBeDefined();
    expect(done.steps.find((s) => s.id === 'traffic-100')?.outputs.original).toEqual(original);
  });

  it('an alarm in ALARM during the 50% hold rolls back by itself: blue gets all traffic back in one ModifyListener and one ModifyRule, green is gone', async () => {
    const world = listenerWorld();
    const { journal, options, store } = await start(world, canary(world));
    let callsAtAlarm = 0;
    onProgress(options, 'traffic-50', /left of the 50% hold/, () => {
      world.aws.setAlarmState(GATE_ALARM, 'ALARM', 'Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (10.0)');
      callsAtAlarm = world.aws.calls.length;
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect(exitCodeOf(error)).toBe(EXIT.failed);
    expect((error as DeploymentError).cause).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(
      /^step traffic-50 failed: gate alarm shop-5xx while holding 50% of requests on green: shop-5xx is in ALARM \(Threshold Crossed/,
    );
    expect((error as Error).message).toMatch(/Rolled back: traffic stays on blue/);
    const after = world.aws.calls.slice(callsAtAlarm).map((c) => c.operation);
    expect(after.filter((o) => o === 'listeners.modify')).toHaveLength(1);
    expect(after.filter((o) => o === 'listeners.modifyRule')).toHaveLength(1);
    expect(await forwarding(world)).toEqual(ORIGINAL);
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toBeUndefined();
    expect(await world.aws.targetGroups.findByName('shop-green-k3x9a')).toBeUndefined();
    expect(await world.aws.groups.describeGroup('shop-web')).toMatchObject({ MinSize: 2, DesiredCapacity: 2 });
    const result = (await store.current()) as Journal;
    expect(result.status).toBe('rolled-back');
    expect(result.steps.find((s) => s.id === 'traffic-100')?.state).toBe('pending');
  });

  it('an alarm in ALARM before the first step: green is rolled back without any listener change', async () => {
    const world = listenerWorld();
    const { journal, options } = await start(world, canary(world));
    onProgress(options, 'wait-healthy', /2 of 2/, () => world.aws.setAlarmState(GATE_ALARM, 'ALARM'));
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^step traffic-10 failed: gate alarm shop-5xx before sending 10% of requests to green/);
    expect(world.aws.callsTo('listeners.modify')).toHaveLength(0);
    expect(world.aws.callsTo('listeners.modifyRule')).toHaveLength(0);
    expect(await world.aws.groups.describeGroup('shop-green-k3x9a')).toBeUndefined();
  });

  it('refuses to send traffic to a target group with no healthy target, and rolls back', async () => {
    const world = listenerWorld();
    const { journal, options } = await start(world, canary(world));
    onProgress(options, 'wait-healthy', /2 of 2/, () => {
      for (const i of world.aws.state.groups.get('shop-green-k3x9a')?.instances ?? []) world.aws.setTargetHealth(i.id, 'unhealthy');
    });
    const error = await runForward(journal, options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^step traffic-10 failed: refusing to move traffic to shop-green-k3x9a: 0 of 2 instances InService and healthy in shop-green-k3x9a; 2 needed \(shop-web's DesiredCapacity\)/,
    );
    expect(world.aws.callsTo('listeners.modify')).toHaveLength(0);
  });
});

describe('replica-listener: every listener that forwards to blue moves, and comes back', () => {
  /** Where the HTTPS listener (default action and rules) forwards now, as `forwarding` says it of the main one. */
  async function httpsForwarding(world: ListenerWorld): Promise<Record<string, string[]>> {
    const rules = await world.aws.listeners.rules(world.https!.listenerArn);
    return Object.fromEntries(
      rules.map((r): [string, string[]] => [
        r.Priority ?? '',
        (r.Actions ?? []).map((a) =>
          (a.ForwardConfig?.TargetGroups ?? [])
            .map((g) => `${g.TargetGroupArn?.split('/')[1]}${(a.ForwardConfig?.TargetGroups?.length ?? 1) > 1 ? `=${g.Weight}` : ''}`)
            .join(' '),
        ),
      ]),
    );
  }
  const HTTPS_ORIGINAL = { '10': ['shop-web'], '20': ['shop-admin'], default: ['shop-web'] };

  it('switch-listener moves both listeners of the load balancer, and their rules; a rollback puts each back exactly', async () => {
    const world = listenerWorld({ https: true });
    const before = world.aws.snapshot();
    const { journal, options } = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'keep' } }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(await httpsForwarding(world)).toEqual({ '10': ['shop-green-k3x9a'], '20': ['shop-admin'], default: ['shop-green-k3x9a'] });
    expect((await forwarding(world)).default).toEqual(['shop-green-k3x9a']);
    expect(world.aws.callsTo('listeners.modify').map((args) => args[0])).toEqual([world.listenerArn, world.https!.listenerArn]);
    expect(world.aws.callsTo('listeners.modifyRule').map((args) => args[0])).toEqual([world.rules.api, world.https!.api]);
    // Journaled before the change, for the undo: the other listener's default action and its rule, as they were.
    expect(done.steps.find((s) => s.id === 'switch-listener')?.outputs.others).toEqual([
      {
        listener: world.https!.listenerArn,
        defaultActions: [expect.objectContaining({ Type: 'forward', TargetGroupArn: world.blueTg })],
        rules: [{ arn: world.https!.api, actions: [expect.objectContaining({ TargetGroupArn: world.blueTg })] }],
      },
    ]);
    const back = await runRollback(done, options);
    expect(back.status).toBe('rolled-back');
    expect(await httpsForwarding(world)).toEqual(HTTPS_ORIGINAL);
    expect(await forwarding(world)).toEqual(ORIGINAL);
    expect(world.aws.snapshot()).toEqual(before);
  });

  it('a canary weighs every forward to blue at each step, sticky for blue cookie duration; the 100 step forwards to green alone', async () => {
    const world = listenerWorld({ https: true });
    const config = configFor(world, { traffic: { steps: [10, 50, 100], holdSeconds: 60 } });
    const { journal, options } = await start(world, config);
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    const green = done.steps.find((s) => s.id === 'create-target-group')?.outputs.targetGroupArn as string;
    const calls = world.aws.callsTo('listeners.modify').map((args) => [args[0], (args[1] as Action[])[0]?.ForwardConfig] as const);
    const sticky = { Enabled: true, DurationSeconds: 86400 }; // blue's lb_cookie stickiness, AWS's default 1 day
    const weighted = (b: number, g: number) => ({
      TargetGroups: [
        { TargetGroupArn: world.blueTg, Weight: b },
        { TargetGroupArn: green, Weight: g },
      ],
      TargetGroupStickinessConfig: sticky,
    });
    expect(calls).toEqual([
      [world.listenerArn, weighted(90, 10)],
      [world.https!.listenerArn, weighted(90, 10)],
      [world.listenerArn, weighted(50, 50)],
      [world.https!.listenerArn, weighted(50, 50)],
      [world.listenerArn, undefined],
      [world.https!.listenerArn, undefined],
    ]);
    // Rule 10 of the main listener keeps its own target group stickiness (600s); the HTTPS /api/* rule gets blue's.
    const rules = world.aws
      .callsTo('listeners.modifyRule')
      .map((args) => [args[0], (args[1] as Action[])[0]?.ForwardConfig?.TargetGroupStickinessConfig]);
    expect(rules.slice(0, 2)).toEqual([
      [world.rules.api, { Enabled: true, DurationSeconds: 600 }],
      [world.https!.api, sticky],
    ]);
    expect(await httpsForwarding(world)).toEqual({ '10': ['shop-green-k3x9a'], '20': ['shop-admin'], default: ['shop-green-k3x9a'] });
  });

  it('an alarm during the 50% hold: the rollback puts both listeners back on blue', async () => {
    const world = listenerWorld({ https: true });
    const config = configFor(world, { traffic: { steps: [10, 50, 100], holdSeconds: 300 }, gates: { alarms: [GATE_ALARM], http: [] } });
    const { journal, options } = await start(world, config);
    onProgress(options, 'traffic-50', /left of the 50% hold/, () => world.aws.setAlarmState(GATE_ALARM, 'ALARM'));
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/Rolled back: traffic stays on blue/);
    expect(await forwarding(world)).toEqual(ORIGINAL);
    expect(await httpsForwarding(world)).toEqual(HTTPS_ORIGINAL);
    // The rule that had its own stickiness has it again, exactly.
    const api = (await world.aws.listeners.rules(world.listenerArn)).find((r) => r.RuleArn === world.rules.api);
    expect(api?.Actions?.[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 600 });
  });

  it('a listener that forwards to blue since the plan moves too (read again by the first traffic step), and comes back', async () => {
    const world = listenerWorld();
    const { journal, options } = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'keep' } }));
    const added = world.aws.addListener(world.lbArn, [{ Type: 'forward', TargetGroupArn: world.blueTg }], { port: 8443, protocol: 'HTTPS' });
    const progress: string[] = [];
    const emit = options.emit;
    options.emit = (e) => {
      emit(e);
      if (e.event === 'step.progress') progress.push(e.message);
    };
    const done = await runForward(journal, options, 'deploy');
    expect(progress).toContain(`listener ${added} forwards to blue's target group too (it did not when planned): it moves with the others`);
    expect((await world.aws.listeners.describe(added))?.DefaultActions?.[0]?.TargetGroupArn).toMatch(/shop-green-k3x9a/);
    await runRollback(done, options);
    expect((await world.aws.listeners.describe(added))?.DefaultActions?.[0]?.TargetGroupArn).toBe(world.blueTg);
  });

  it('a crash after the first listener moved: resume moves the other without moving the first again', async () => {
    const world = listenerWorld({ https: true });
    const { journal, options, store } = await start(world, configFor(world));
    world.aws.failOn('listeners.modify', undefined, { skip: 1 }); // the HTTPS listener
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step switch-listener/);
    expect((await forwarding(world)).default).toEqual(['shop-green-k3x9a']);
    expect((await httpsForwarding(world)).default).toEqual(['shop-web']);
    const resumed = await runForward((await store.current()) as Journal, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('listeners.modify').map((args) => args[0])).toEqual([
      world.listenerArn,
      world.https!.listenerArn,
      world.https!.listenerArn,
    ]);
    expect((await httpsForwarding(world)).default).toEqual(['shop-green-k3x9a']);
  });
});

describe('replica-listener journal first', () => {
  it('every change of the listener, a rule or a target group is preceded by its record in the saved journal', async () => {
    const world = listenerWorld();
    const { journal, options, store } = await start(world, configFor(world, { traffic: { steps: [50, 100], holdSeconds: 60 } }));
    const checked: string[] = [];
    world.aws.beforeMutation = (operation) => {
      const saved = store.saved.at(-1);
      const outputs = (id: string) => saved?.steps.find((s) => s.id === id)?.outputs ?? {};
      const running = saved?.steps.find((s) => s.state === 'running' || s.state === 'undoing');
      if (operation === 'targetGroups.create') expect(outputs('create-target-group')).toMatchObject({ targetGroup: 'shop-green-k3x9a' });
      if (operation === 'listeners.modify' || operation === 'listeners.modifyRule') {
        expect(running?.outputs).toMatchObject({ original: { defaultActions: [{ TargetGroupArn: world.blueTg }] }, target: expect.any(Object) });
      }
      checked.push(operation);
    };
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(checked.filter((o) => o.startsWith('listeners.'))).toEqual([
      'listeners.modify',
      'listeners.modifyRule',
      'listeners.modify',
      'listeners.modifyRule',
    ]);
    expect(checked).toContain('targetGroups.create');
  });
});

describe('replica-listener crash and resume', () => {
  it('a crash between ModifyListener and ModifyRule: resume does not modify the listener again, and a rollback restores both', async () => {
    const world = listenerWorld();
    const { journal, options, store } = await start(world, configFor(world));
    world.aws.failOn('listeners.modifyRule');
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step switch-listener/);
    const saved = (await store.current()) as Journal;
    expect(saved.status).toBe('failed');
    expect(saved.steps.find((s) => s.id === 'switch-listener')?.outputs.original).toBeDefined();
    const resumed = await runForward(saved, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('listeners.modify')).toHaveLength(1);
    expect(world.aws.callsTo('listeners.modifyRule')).toHaveLength(2);
    const back = await runRollback(resumed, options);
    expect(back.status).toBe('rolled-back');
    expect(await forwarding(world)).toEqual(ORIGINAL);
  });

  it('a crash after the target group is made: resume adopts it, no second CreateTargetGroup', async () => {
    const world = listenerWorld();
    const { journal, options, store } = await start(world, configFor(world));
    world.aws.failOn('targetGroups.modifyAttributes');
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step create-target-group/);
    const resumed = await runForward((await store.current()) as Journal, options, 'resume');
    expect(resumed.status).toBe('succeeded');
    expect(world.aws.callsTo('targetGroups.create')).toHaveLength(1);
    expect(world.aws.callsTo('groups.createGroup')).toHaveLength(1);
  });

  it('rolling back a canary stopped after traffic-10: one ModifyListener brings blue back; undoing traffic-10 after traffic-50 calls nothing more', async () => {
    const world = listenerWorld();
    const config = configFor(world, { traffic: { steps: [10, 50, 100], holdSeconds: 60 } });
    const { journal, options, store } = await start(world, config);
    world.aws.failOn('listeners.modifyRule', undefined, { skip: 1 }); // traffic-50's rule
    await expect(runForward(journal, options, 'deploy')).rejects.toThrow(/stopped at step traffic-50/);
    const modifies = world.aws.callsTo('listeners.modify').length;
    const back = await runRollback((await store.current()) as Journal, options);
    expect(back.status).toBe('rolled-back');
    expect(world.aws.callsTo('listeners.modify').length - modifies).toBe(1);
    expect(await forwarding(world)).toEqual(ORIGINAL);
  });
});

describe('replica-listener retire.action delete', () => {
  it('deletes blue, keeps the target group bluegreen did not make, and refuses a rollback afterwards', async () => {
    const world = listenerWorld();
    const { journal, options } = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'delete' } }));
    const done = await runForward(journal, options, 'deploy');
    expect(done.status).toBe('succeeded');
    expect(await world.aws.groups.describeGroup('shop-web')).toBeUndefined();
    expect(await world.aws.targetGroups.describe([world.blueTg])).toHaveLength(1);
    const error = await runRollback(done, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toMatch(
      /blue \(shop-web, target group shop-web\) was deleted by retire.action delete \(gone: all of it\); rollback cannot bring it back/,
    );
    expect(await forwarding(world)).toEqual({
      '10': ['shop-green-k3x9a'],
      '20': ['fixed-response'],
      '30': ['shop-admin'],
      default: ['shop-green-k3x9a'],
    });
  });

  it('a second deployment finds blue from the listener, makes blue-colored names, and deletes the target group the first one made', async () => {
    const world = listenerWorld();
    const first = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'keep' } }), 'aaaaa');
    expect((await runForward(first.journal, first.options, 'deploy')).status).toBe('succeeded');
    const second = await start(world, configFor(world, { retire: { afterSeconds: 60, action: 'delete' } }), 'bbbbb');
    expect(second.plan.summary).toMatchObject({
      blue: { color: 'green', group: 'shop-green-aaaaa', targetGroup: 'shop-green-aaaaa' },
      green: { color: 'blue', targetGroup: 'shop-blue-bbbbb' },
    });
    expect((await runForward(second.journal, second.options, 'deploy')).status).toBe('succeeded');
    expect(await world.aws.targetGroups.findByName('shop-green-aaaaa')).toBeUndefined();
    expect(await world.aws.groups.describeGroup('shop-green-aaaaa')).toBeUndefined();
    expect(await world.aws.launch.describeLaunchConfiguration('shop-green-aaaaa')).toBeUndefined();
    expect(await forwarding(world)).toEqual({
      '10': ['shop-blue-bbbbb'],
      '20': ['fixed-response'],
      '30': ['shop-admin'],
      default: ['shop-blue-bbbbb'],
    });
  });
});
