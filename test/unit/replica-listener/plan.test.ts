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
    expect(traffic.map((s) => s.changes?.[0]?.to)).toEqual(['90% blue, 10% green', '50% blue, 50% green', 'green shop-green-k3x9a']);
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
    expect(plan.steps.find((s) => s.id === 'retire-blue')?.changes).toEqual([
      { what: 'blue stack', from: 'group shop-web, 1 policy, 0 alarms', to: 'deleted' },
    ]);
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
