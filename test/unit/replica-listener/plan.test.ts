/** observe and plan of replica-listener: the steps, their params and titles, and what observe refuses. */
import { describe, expect, it } from 'vitest';
import type { ReplicaListenerConfig } from '../../../src/config/schema.js';
import { InputError } from '../../../src/errors.js';
import { replicaListener } from '../../../src/strategies/replica-listener/index.js';
import { configFor, GATE_ALARM, listenerWorld, type ListenerWorld } from './world.js';

async function planFor(world: ListenerWorld, config: ReplicaListenerConfig) {
  return replicaListener.plan(config, await replicaListener.observe(config, world.aws), 'k3x9a');
}

describe('replica-listener plan', () => {
  it('without traffic.steps: one switch-listener step, the pause point, moving the listener and the one rule', async () => {
    const world = listenerWorld();
    const plan = await planFor(world, configFor(world));
    expect(plan.steps.map((s) => s.id)).toEqual([
      'create-launch',
      'create-target-group',
      'create-group',
      'copy-scaling-policies',
      'copy-alarms',
      'wait-healthy',
      'switch-listener',
      'settle-green',
      'wait-retire',
      'retire-blue',
    ]);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(plan.steps.filter((s) => s.pausePoint).map((s) => s.id)).toEqual(['switch-listener']);
    expect(step('switch-listener')).toMatchObject({
      kind: 'replica-listener/switch-listener',
      title: 'Forward listener shop:80 and 1 rule to shop-green-k3x9a',
      changes: [{ what: 'forward of listener shop:80 and 1 rule', from: 'blue shop-web', to: 'green shop-green-k3x9a' }],
    });
    expect(step('switch-listener').params).toMatchObject({
      percent: 100,
      holdSeconds: 0,
      first: true,
      firstStep: 'switch-listener',
      blueTargetGroupArn: world.blueTg,
    });
    expect(step('create-target-group').creates).toEqual([{ type: 'target-group', name: 'shop-green-k3x9a' }]);
    expect(step('create-group').params).toMatchObject({ targetGroupStep: 'create-target-group', input: { TargetGroupARNs: [] } });
    expect(step('create-group').params.input).not.toHaveProperty('LoadBalancerNames');
    expect(plan.summary).toMatchObject({
      blue: { color: 'blue', group: 'shop-web', targetGroup: 'shop-web' },
      green: { color: 'green', group: 'shop-green-k3x9a', targetGroup: 'shop-green-k3x9a', launch: 'shop-green-k3x9a' },
      listener: { arn: world.listenerArn, rules: [world.rules.api] },
      trafficStep: 'switch-listener',
    });
  });

  it('with traffic.steps: one traffic-<percent> step each, the first the pause point, holds on all but 100, the alarms given to each', async () => {
    const world = listenerWorld();
    const config = configFor(world, { traffic: { steps: [10, 50, 100], holdSeconds: 300 }, gates: { alarms: [GATE_ALARM], http: [] } });
    const plan = await planFor(world, config);
    const traffic = plan.steps.filter((s) => s.kind === 'replica-listener/shift-traffic');
    expect(traffic.map((s) => s.id)).toEqual(['traffic-10', 'traffic-50', 'traffic-100']);
    expect(plan.steps.map((s) => s.id)).not.toContain('switch-listener');
    expect(traffic.map((s) => s.pausePoint ?? false)).toEqual([true, false, false]);
    expect(traffic.map((s) => s.title)).toEqual([
      'Send 10% of requests to green (shop-green-k3x9a) and hold 5m, watching alarm shop-5xx',
      'Send 50% of requests to green (shop-green-k3x9a) and hold 5m, watching alarm shop-5xx',
      'Send 100% of requests to green (shop-green-k3x9a), watching alarm shop-5xx',
    ]);
    expect(
      traffic.map((s) => [s.params.percent, s.params.holdSeconds, s.params.intervalSeconds, s.params.first, s.params.firstStep, s.params.alarms]),
    ).toEqual([
      [10, 300, 10, true, 'traffic-10', [GATE_ALARM]],
      [50, 300, 10, false, 'traffic-10', [GATE_ALARM]],
      [100, 0, 10, false, 'traffic-10', [GATE_ALARM]],
    ]);
    // Blue's target group is sticky (lb_cookie, AWS's default 1 day): so are the weighted forwards.
    expect(traffic.map((s) => s.changes?.[0]?.to)).toEqual([
      '90% blue, 10% green (each client kept on one for 24h)',
      '50% blue, 50% green (each client kept on one for 24h)',
      'green shop-green-k3x9a',
    ]);
    expect(traffic.map((s) => s.params.stickinessSeconds)).toEqual([86400, 86400, undefined]);
    expect(plan.summary).toMatchObject({ trafficStep: 'traffic-100', traffic: { steps: [10, 50, 100], holdSeconds: 300 } });
    expect(plan.steps.find((s) => s.id === 'wait-retire')?.params).toEqual({ alarms: [GATE_ALARM], seconds: 120, intervalSeconds: 10 });
  });

  it('with release.commands: the bake steps first, and create-launch takes the baked image', async () => {
    const world = listenerWorld();
    const plan = await planFor(world, configFor(world, { release: { kind: 'commands', commands: ['make install'], via: 'ssm' } }));
    expect(plan.steps.slice(0, 7).map((s) => s.id)).toEqual([
      'launch-builder',
      'wait-running',
      'wait-reachable',
      'run-commands',
      'bake-image',
      'terminate-builder',
      'create-launch',
    ]);
    expect(plan.steps.find((s) => s.id === 'create-launch')?.params).toMatchObject({ image: null });
    expect(plan.summary).toMatchObject({ release: 'commands', image: 'shop-green-k3x9a (image baked from builder shop-green-k3x9a-builder)' });
  });

  it('with gates.http: check-http after wait-healthy, against each target of green', async () => {
    const world = listenerWorld();
    const url = 'http://{green.target}/health';
    const plan = await planFor(world, configFor(world, { gates: { alarms: [], http: [{ url, expect: 204, tries: 3, intervalSeconds: 5 }] } }));
    const ids = plan.steps.map((s) => s.id);
    expect(ids.slice(ids.indexOf('wait-healthy'), ids.indexOf('wait-healthy') + 3)).toEqual(['wait-healthy', 'check-http', 'switch-listener']);
    expect(plan.steps.find((s) => s.id === 'check-http')).toMatchObject({
      params: {
        checks: [{ url, expect: 204, tries: 3, intervalSeconds: 5 }],
        targetGroupStep: 'create-target-group',
        targetGroup: 'shop-green-k3x9a',
      },
      waits: `GET ${url} answers 204 on each target as {green.target} (3 tries, every 5s, 10s each)`,
    });
  });

  it('waits at least the deregistration delay before retiring, and says so; delete warns and lists what goes', async () => {
    const world = listenerWorld({ deregistrationDelay: 400 });
    const plan = await planFor(world, configFor(world, { retire: { afterSeconds: 300, action: 'delete' } }));
    expect(plan.steps.find((s) => s.id === 'wait-retire')?.params).toMatchObject({ seconds: 400 });
    expect(plan.warnings).toContain('retire.after is 300s, less than the deregistration delay of shop-web (400s): blue is retired after 400s');
    expect(plan.warnings).toContain("retire.action delete keeps blue's target group shop-web: bluegreen did not create it");
    expect(plan.steps.find((s) => s.id === 'retire-blue')?.changes?.at(-1)).toEqual({
      what: 'blue stack',
      from: 'group shop-web, 1 policy, 0 alarms',
      to: 'deleted',
    });
  });
});

describe('replica-listener plan: target group stickiness of the weighted forwards', () => {
  const steps = { steps: [10, 100], holdSeconds: 60 };
  const stickiness = async (world: ListenerWorld, traffic: ReplicaListenerConfig['traffic']) => {
    const plan = await planFor(world, configFor(world, { traffic }));
    return {
      seconds: plan.steps.find((s) => s.id === 'traffic-10')?.params.stickinessSeconds,
      warnings: plan.warnings.filter((w) => /sticky/.test(w)),
    };
  };

  it("as blue's cookie duration when blue's target group is sticky; traffic.stickiness.duration overrides it", async () => {
    const world = listenerWorld();
    await world.aws.targetGroups.modifyAttributes(world.blueTg, [{ Key: 'stickiness.lb_cookie.duration_seconds', Value: '1800' }]);
    expect(await stickiness(world, steps)).toEqual({ seconds: 1800, warnings: [] });
    expect(await stickiness(world, { ...steps, stickiness: { enabled: true, durationSeconds: 3600 } })).toEqual({ seconds: 3600, warnings: [] });
  });

  it('application cookies: their duration; a target group that is not sticky: none unless traffic.stickiness asks', async () => {
    const world = listenerWorld();
    await world.aws.targetGroups.modifyAttributes(world.blueTg, [
      { Key: 'stickiness.type', Value: 'app_cookie' },
      { Key: 'stickiness.app_cookie.duration_seconds', Value: '7200' },
    ]);
    expect((await stickiness(world, steps)).seconds).toBe(7200);
    await world.aws.targetGroups.modifyAttributes(world.blueTg, [{ Key: 'stickiness.enabled', Value: 'false' }]);
    expect(await stickiness(world, steps)).toEqual({ seconds: undefined, warnings: [] });
    expect((await stickiness(world, { ...steps, stickiness: { enabled: true } })).seconds).toBe(86400);
  });

  it('traffic.stickiness.enabled false: none, and a warning when blue is sticky', async () => {
    const world = listenerWorld();
    expect(await stickiness(world, { ...steps, stickiness: { enabled: false } })).toEqual({
      seconds: undefined,
      warnings: [
        "traffic.stickiness.enabled is false while blue's target group shop-web is sticky (lb_cookie): during the weighted steps a client may be sent to blue and green in turn",
      ],
    });
  });
});

describe('replica-listener plan: every listener that forwards to blue', () => {
  it("moves the load balancer's other listener (default action and rule) in the same step, naming it", async () => {
    const world = listenerWorld({ https: true });
    const plan = await planFor(world, configFor(world));
    const step = plan.steps.find((s) => s.id === 'switch-listener')!;
    expect(step.title).toBe('Forward listeners shop:80, shop:443 and 2 rules to shop-green-k3x9a');
    expect(step.params).toMatchObject({ listener: world.listenerArn, others: [world.https!.listenerArn] });
    expect(plan.steps.filter((s) => s.kind.endsWith('switch-listener'))).toHaveLength(1);
  });

  it('a listener whose rule alone forwards to blue: its rule moves, its default action stays', async () => {
    const world = listenerWorld({ https: true });
    await world.aws.listeners.modify(world.https!.listenerArn, [{ Type: 'forward', TargetGroupArn: world.adminTg }]);
    const observed = await replicaListener.observe(configFor(world), world.aws);
    expect(observed.others.map((o) => [o.listener.ListenerArn, o.moveDefault, o.rules.map((r) => r.RuleArn)])).toEqual([
      [world.https!.listenerArn, false, [world.https!.api]],
    ]);
    expect(replicaListener.plan(configFor(world), observed, 'k3x9a').steps.find((s) => s.id === 'switch-listener')?.title).toBe(
      'Forward listener shop:80 and 2 rules to shop-green-k3x9a',
    );
  });

  it("refuses another listener's rule that splits requests between blue and another target group", async () => {
    const world = listenerWorld({ https: true });
    await world.aws.listeners.modifyRule(world.https!.api, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: world.blueTg, Weight: 3 },
            { TargetGroupArn: world.adminTg, Weight: 1 },
          ],
        },
      },
    ]);
    await expect(replicaListener.observe(configFor(world), world.aws)).rejects.toThrow(
      new RegExp(`^rule ${world.https!.api} \\(priority 10\\) of listener ${world.https!.listenerArn} splits requests between blue's target group`),
    );
  });
});

describe('replica-listener plan: a blue group in other load balancers too', () => {
  it('refuses one in another target group or a classic load balancer, naming each and listener.alsoAttached', async () => {
    const world = listenerWorld();
    world.aws.state.groups.get('shop-web')!.group.TargetGroupARNs = [world.blueTg, world.adminTg];
    world.aws.state.groups.get('shop-web')!.group.LoadBalancerNames = ['shop-legacy'];
    await expect(replicaListener.observe(configFor(world), world.aws)).rejects.toThrow(
      new InputError(
        `group shop-web is also in target group shop-admin (${world.adminTg}), classic load balancer shop-legacy, besides target group shop-web that listener ${world.listenerArn} forwards to: green would not be registered with them, so what reaches blue through them would not move to green. Name them in listener.alsoAttached to leave them as they are, or detach shop-web from them`,
      ),
    );
    const named = configFor(world, { listener: { arn: world.listenerArn, alsoAttached: [world.adminTg] } });
    await expect(replicaListener.observe(named, world.aws)).rejects.toThrow(/^group shop-web is also in classic load balancer shop-legacy, besides/);
  });

  it('named in listener.alsoAttached (name or ARN): planned, one warning each, green in its own target group alone', async () => {
    const world = listenerWorld();
    world.aws.state.groups.get('shop-web')!.group.TargetGroupARNs = [world.blueTg, world.adminTg];
    world.aws.state.groups.get('shop-web')!.group.LoadBalancerNames = ['shop-legacy'];
    const config = configFor(world, { listener: { arn: world.listenerArn, alsoAttached: ['shop-admin', 'shop-legacy', 'shop-gone'] } });
    const plan = await planFor(world, config);
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        "shop-web is also in target group shop-admin (listener.alsoAttached): green is not registered with it, and it keeps blue's instances until blue is retired",
        "shop-web is also in classic load balancer shop-legacy (listener.alsoAttached): green is not registered with it, and it keeps blue's instances until blue is retired",
        'listener.alsoAttached names shop-gone, which shop-web is not in: nothing to leave as it is',
      ]),
    );
    expect(plan.steps.find((s) => s.id === 'create-group')?.params.input).toMatchObject({ TargetGroupARNs: [] });
    expect(plan.steps.find((s) => s.id === 'create-group')?.params.input).not.toHaveProperty('LoadBalancerNames');
  });
});

describe('replica-listener observe refuses, naming what and what to do', () => {
  it('a listener that does not exist', async () => {
    const world = listenerWorld();
    const config = configFor(world, { listener: { arn: world.listenerArn.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff') } });
    await expect(replicaListener.observe(config, world.aws)).rejects.toThrow(
      new InputError(`listener ${config.listener.arn} (listener.arn) does not exist`),
    );
  });

  it('a listener already forwarding to two target groups with weights: a shift in progress', async () => {
    const world = listenerWorld();
    await world.aws.listeners.modify(world.listenerArn, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: world.blueTg, Weight: 90 },
            { TargetGroupArn: world.adminTg, Weight: 10 },
          ],
        },
      },
    ]);
    await expect(replicaListener.observe(configFor(world), world.aws)).rejects.toThrow(
      /forwards to 2 target groups with weights .*a traffic shift is in progress or was left half done; finish or roll back that deployment/,
    );
  });

  it('a rule that splits requests between blue and another target group', async () => {
    const world = listenerWorld();
    await world.aws.listeners.modifyRule(world.rules.api, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: world.blueTg, Weight: 1 },
            { TargetGroupArn: world.adminTg, Weight: 1 },
          ],
        },
      },
    ]);
    await expect(replicaListener.observe(configFor(world), world.aws)).rejects.toThrow(
      /^rule \S+ \(priority 10\) splits requests between blue's target group/,
    );
  });

  it('a blue group that is not in the target group the listener forwards to', async () => {
    const world = listenerWorld();
    await world.aws.listeners.modify(world.listenerArn, [{ Type: 'forward', TargetGroupArn: world.adminTg }]);
    await expect(replicaListener.observe(configFor(world), world.aws)).rejects.toThrow(
      `listener ${world.listenerArn} forwards to target group ${world.adminTg}, which is the target group of none of the candidate groups: shop-web (${world.blueTg}); attach shop-web to it`,
    );
  });

  it('a gate alarm that does not exist', async () => {
    const world = listenerWorld();
    await expect(replicaListener.observe(configFor(world, { gates: { alarms: ['nope'], http: [] } }), world.aws)).rejects.toThrow(
      'alarm nope (gates.alarms) does not exist in CloudWatch',
    );
  });
});
