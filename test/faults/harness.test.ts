/**
 * The fault-injection harness checked against itself: the crash is final (nothing reaches AWS or the
 * journal after it), the step-boundary points land where they say, a crashed world can be made again, and
 * each invariant fails when what it guards is broken (a handler that creates before journaling, traffic
 * to unhealthy instances, blue retired too early, a wrong recorded value, something left after rollback).
 */
import { describe, expect, it } from 'vitest';
import type { StepContext, StepHandler } from '../../src/engine/types.js';
import { replicaDns } from '../../src/strategies/replica-dns/index.js';
import { afterCrash, runToCrash, type Scenario } from './harness.js';
import type { DnsWorld } from './invariants.js';
import { SCENARIOS } from './scenarios.js';

const DNS = SCENARIOS.find((s) => s.name === 'replica-dns image') as Scenario<DnsWorld>;
const GREEN_LB = 'shop-green-k3x9a';

describe('the crash model', () => {
  it('after the crash nothing reaches AWS or the journal: the step the write belonged to stays running', async () => {
    const crashed = await runToCrash(DNS, { kind: 'after', k: 2 });
    expect(crashed.crash?.message).toMatch(/after deploy mutating call #2 classicLoadBalancers.create took effect/);
    expect(crashed.inst.mutations.map((m) => m.operation)).toEqual(['launch.createLaunchConfiguration', 'classicLoadBalancers.create']);
    // The engine's attempt to journal the failure was refused: the disk still says running, not failed.
    expect(crashed.journal.status).toBe('running');
    expect(crashed.journal.steps.find((s) => s.id === 'create-load-balancer')).toMatchObject({
      state: 'running',
      outputs: { loadBalancer: GREEN_LB },
    });
    expect(crashed.world.aws.state.loadBalancers.has(GREEN_LB)).toBe(true);
  });

  it('"before" never reaches AWS', async () => {
    const crashed = await runToCrash(DNS, { kind: 'before', k: 2 });
    expect(crashed.inst.mutations).toHaveLength(1);
    expect(crashed.world.aws.state.loadBalancers.has(GREEN_LB)).toBe(false);
    expect(crashed.journal.steps.find((s) => s.id === 'create-load-balancer')?.outputs).toEqual({ loadBalancer: GREEN_LB });
  });

  it('"start" saves the step running and dies before its handler; "end" dies after the handler, before done is saved', async () => {
    const start = await runToCrash(DNS, { kind: 'start', step: 'create-load-balancer' });
    expect(start.journal.steps.find((s) => s.id === 'create-load-balancer')).toMatchObject({ state: 'running', outputs: {} });
    expect(start.inst.mutations.filter((m) => m.step === 'create-load-balancer')).toEqual([]);
    const end = await runToCrash(DNS, { kind: 'end', step: 'create-load-balancer' });
    expect(end.journal.steps.find((s) => s.id === 'create-load-balancer')?.state).toBe('running');
    expect(end.inst.mutations.filter((m) => m.step === 'create-load-balancer').map((m) => m.operation)).toEqual([
      'classicLoadBalancers.create',
      'classicLoadBalancers.configureHealthCheck',
      'classicLoadBalancers.modifyAttributes',
      // Blue's HTTPS listener policy (AWS's default one in this world) and its listener.
      'classicLoadBalancers.createPolicy',
      'classicLoadBalancers.setListenerPolicies',
    ]);
  });

  it('the same crash point gives the same world and journal (so a rollback case works on a copy of the crashed world)', async () => {
    const a = await runToCrash(DNS, { kind: 'after', k: 5 });
    const b = await runToCrash(DNS, { kind: 'after', k: 5 });
    expect(b.world.aws.snapshot()).toEqual(a.world.aws.snapshot());
    expect(b.journal).toEqual(a.journal);
  });
});

describe('the invariants fail when what they guard is broken', () => {
  it('a handler that creates before journaling leaves something the journal does not name', async () => {
    const careless: Scenario<DnsWorld> = {
      ...DNS,
      strategy: {
        ...replicaDns,
        handlers(ports, services) {
          const registry = replicaDns.handlers(ports, services);
          const handler = registry['replica-dns/create-load-balancer'] as StepHandler;
          const forgetful = (ctx: StepContext): StepContext => ({ ...ctx, outputs: ctx.outputs, outputsOf: ctx.outputsOf, record: async () => {} });
          return { ...registry, 'replica-dns/create-load-balancer': { ...handler, apply: (ctx, p) => handler.apply(forgetful(ctx), p) } };
        },
      },
    };
    const crashed = await runToCrash(careless, { kind: 'after', k: 2 });
    expect(await careless.checks.owned(crashed, crashed.journal)).toEqual([`load-balancer ${GREEN_LB} is in AWS but the journal does not name it`]);
  });

  it('traffic to a load balancer with no InService instance is seen', async () => {
    const crashed = await runToCrash(DNS, { kind: 'end', step: 'switch-dns' });
    expect(await DNS.checks.always(crashed)).toEqual([]);
    for (const i of crashed.world.aws.state.groups.get('shop-green-k3x9a')?.instances ?? []) crashed.world.aws.setHealthy(i.id, false);
    expect(await DNS.checks.always(crashed)).toEqual([`shop.example.com (simple) sends requests to ${GREEN_LB}, which has no InService instance`]);
  });

  it('blue scaled down too soon after the switch is seen', async () => {
    const crashed = await runToCrash(DNS, { kind: 'end', step: 'retire-blue' });
    expect(DNS.checks.order(crashed)).toEqual([]);
    const switched = crashed.inst.mutations.find((m) => m.operation === 'dns.change');
    const scaled = crashed.inst.mutations.find((m) => m.operation === 'groups.updateGroup');
    if (!switched || !scaled) throw new Error('the run made no switch or no scale-down');
    scaled.at = switched.at + 10_000;
    expect(DNS.checks.order(crashed)).toEqual(['blue shop-web was scaled down 10s after the switch, before 300s (retire.after)']);
  });

  it('a wrong recorded value is seen', async () => {
    const crashed = await runToCrash(DNS, { kind: 'end', step: 'create-group' });
    expect(DNS.checks.journal(crashed, crashed.journal)).toEqual([]);
    const step = crashed.journal.steps.find((s) => s.id === 'create-group');
    if (step) step.outputs.blueSizes = { MinSize: 2, MaxSize: 4, DesiredCapacity: 3 };
    expect(DNS.checks.journal(crashed, crashed.journal)[0]).toMatch(
      /^create-group recorded blue's sizes .* they were \{"MinSize":2,"MaxSize":4,"DesiredCapacity":2\}$/,
    );
  });

  it('something left after a rollback is not hidden by the normalisation', async () => {
    const crashed = await runToCrash(DNS, { kind: 'end', step: 'create-load-balancer' });
    const { result } = await afterCrash(DNS, crashed, 'rollback');
    expect(result).toMatchObject({ status: 'rolled-back' });
    expect(DNS.checks.normalise(crashed, crashed.world.aws.snapshot())).toEqual(DNS.checks.normalise(crashed, crashed.before));
    crashed.world.aws.addLoadBalancer({ LoadBalancerName: GREEN_LB, Listeners: [] });
    expect(DNS.checks.normalise(crashed, crashed.world.aws.snapshot())).not.toEqual(DNS.checks.normalise(crashed, crashed.before));
  });
});
