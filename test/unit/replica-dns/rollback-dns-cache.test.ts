/**
 * Issue 10 item 7: a rollback must not delete green while clients still send it requests. Once the record
 * points back at blue and is INSYNC, clients that resolved it while it pointed at green keep their cached
 * answer (60 s for an alias to a load balancer, longer in many resolvers); green stays retire.after longer,
 * and the journal says until when, for the janitor. The clients are modelled on the virtual clock
 * (test/fakes/dns-clients.ts): requests are lost when they reach a load balancer that is gone or empty.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { DnsClients } from '../../fakes/dns-clients.js';
import { FakeJournal } from '../../support/virtual-clock.js';
import { blueWorld, configFor, noRemote, RECORD, ZONE, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';
const BLUE_LB = 'shop-web-elb';

async function planned(world: World, config: Config) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  return { plan, registry: replicaDns.handlers(world.aws, noRemote) };
}

const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);

/** Green's requests when the record went back to blue and when green's group was deleted (call `undoing()` before the rollback). */
function watchGreen(world: World, clients: DnsClients) {
  const seen: { atRestore?: number; servedAtRestore?: number; atDelete?: number; restoredAt?: number; deletedAt?: number } = {};
  let undoing = false;
  world.aws.observers.push({
    after: (operation) => {
      if (operation !== 'dns.change' || !undoing || seen.atRestore !== undefined) return;
      seen.atRestore = clients.arriving(GREEN);
      seen.servedAtRestore = clients.served(GREEN);
      seen.restoredAt = world.clock.now();
    },
  });
  world.aws.beforeMutation = (operation, args) => {
    if (operation === 'groups.deleteGroup' && args[0] === GREEN) {
      seen.atDelete = clients.arriving(GREEN);
      seen.deletedAt = world.clock.now();
    }
  };
  return { seen, undoing: () => (undoing = true) };
}

describe('replica-dns rollback: green stays while clients still use the cached record', () => {
  it('after the switch back, requests still reach green for the alias TTL; green is deleted retire.after later and none is lost', async () => {
    const world = blueWorld();
    const clients = new DnsClients(world.aws, { zoneId: ZONE, recordName: RECORD });
    const { plan, registry } = await planned(world, configFor({ retire: { afterSeconds: 180, action: 'scale-to-zero' } }));
    const steps = upTo(plan.steps, STEP.switchDns);
    await world.journal.applyAll(registry, steps);
    const switchedAt = world.clock.now();
    world.clock.advance(120_000); // green takes every request for two minutes, then the rollback
    expect(clients.arriving(GREEN)).toBe(100);
    expect(clients.arriving(BLUE_LB)).toBe(0);

    const watch = watchGreen(world, clients);
    watch.undoing();
    await world.journal.undoAll(registry, steps);

    // The record is back on blue, but for a while most clients still send to green...
    expect(watch.seen.atRestore).toBeGreaterThan(90);
    // ...so green's group goes only retire.after later, when no request arrives there any more.
    expect((watch.seen.deletedAt ?? 0) - (watch.seen.restoredAt ?? 0)).toBeGreaterThanOrEqual(180_000);
    expect(watch.seen.atDelete).toBe(0);
    // What cached clients sent to green after the switch back (about half a TTL of requests) was served.
    expect(clients.served(GREEN) - (watch.seen.servedAtRestore ?? 0)).toBeGreaterThan(2_900);
    expect(clients.lostTotal).toBe(0);
    expect(world.journal.progressOf(STEP.switchDns)).toContainEqual(
      `waiting 3m (retire.after) before ${GREEN} and its group are deleted: clients that cached ${RECORD} keep sending requests to it for up to 60s after it points back at blue, and it drains connections for 120s`,
    );
    // For the janitor: until when requests may reach green (the TTL plus its draining), and blue after the switch.
    const cached = world.journal.outputs[STEP.switchDns]?.cachedUntil as Record<string, number>;
    expect(cached[GREEN]).toBe((watch.seen.restoredAt ?? 0) + 180_000);
    expect(cached[BLUE_LB]).toBe(switchedAt + 180_000);
  });

  it('without the wait (retire.after 0s, warned of in the plan) the requests cached clients still send to green are lost', async () => {
    const world = blueWorld();
    const clients = new DnsClients(world.aws, { zoneId: ZONE, recordName: RECORD });
    const { plan, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    expect(plan.warnings).toContainEqual(
      `retire.after is 0s: a rollback after traffic moved deletes green that long after ${RECORD} points back at blue, but clients cache the alias for 60s (many resolvers longer) and green drains connections for 120s; set retire.after to 3m or more so their requests are not lost`,
    );
    const steps = upTo(plan.steps, STEP.switchDns);
    await world.journal.applyAll(registry, steps);
    world.clock.advance(120_000);
    await world.journal.undoAll(registry, steps);
    world.clock.advance(120_000);
    expect(clients.lost(GREEN)).toBeGreaterThan(0);
  });

  it('the undo of a traffic step waits too, after the one batch that puts the original record back', async () => {
    const world = blueWorld();
    const clients = new DnsClients(world.aws, { zoneId: ZONE, recordName: RECORD });
    const config = configFor({ retire: { afterSeconds: 120, action: 'keep' }, traffic: { steps: [10, 100], holdSeconds: 300 } });
    const { plan, registry } = await planned(world, config);
    const steps = upTo(plan.steps, 'traffic-10');
    await world.journal.applyAll(registry, steps);
    expect(clients.arriving(GREEN)).toBeCloseTo(10);
    const watch = watchGreen(world, clients);
    watch.undoing();
    await world.journal.undoAll(registry, steps);
    expect(watch.seen.atRestore).toBeGreaterThan(9);
    expect(watch.seen.atDelete).toBe(0);
    expect(clients.lostTotal).toBe(0);
    expect(world.journal.outputs['traffic-10']?.greenDeleteAt).toBe((watch.seen.restoredAt ?? 0) + 120_000);
  });

  it('a rollback stopped during the wait waits only what is left when it is run again', async () => {
    const world = blueWorld();
    const { plan, registry } = await planned(world, configFor({ retire: { afterSeconds: 300, action: 'keep' } }));
    const steps = upTo(plan.steps, STEP.switchDns);
    await world.journal.applyAll(registry, steps);
    const switchStep = steps.at(-1) as StepDescriptor;

    // Killed 90s into the wait.
    let start = 0;
    const push = world.journal.progress.push.bind(world.journal.progress);
    world.journal.progress.push = (...entries) => {
      for (const e of entries) {
        if (e.message.startsWith('waiting 5m')) start = world.clock.now();
        if (start && world.clock.now() - start >= 90_000) world.journal.controller.abort(new Error('killed'));
      }
      return push(...entries);
    };
    await expect(world.journal.undo(registry, switchStep)).rejects.toThrow('killed');
    expect(await world.aws.groups.describeGroup(GREEN)).toBeDefined();

    const again = new FakeJournal(world.clock);
    Object.assign(again.outputs, world.journal.outputs);
    const resumedAt = world.clock.now();
    await again.undo(registry, switchStep);
    expect(world.clock.now() - resumedAt).toBe(300_000 - (resumedAt - start));
    expect(world.aws.callsTo('dns.change')).toHaveLength(2); // the switch and the one restore
  });
});
