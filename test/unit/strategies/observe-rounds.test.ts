/**
 * Issue 11 (speed): the observe phase of each strategy (what `plan` and `deploy` read before the first step)
 * makes its reads in as few serial rounds as their data allow: every read that needs only the config goes in
 * the first round, every read that needs only blue's group as soon as blue's group is known; no read is made
 * twice. Counted in virtual time (test/support/rounds.ts: each call takes one tick), never timed.
 */
import { describe, expect, it } from 'vitest';
import type { AwsPorts } from '../../../src/aws/ports.js';
import { replicaDns } from '../../../src/strategies/replica-dns/index.js';
import { replicaListener } from '../../../src/strategies/replica-listener/index.js';
import { swapInstances } from '../../../src/strategies/swap-instances/index.js';
import type { Strategy } from '../../../src/strategies/types.js';
import type { Config } from '../../../src/config/schema.js';
import { timedPorts } from '../../support/rounds.js';
import { addFiveXxAlarm, blueWorld, configFor as dnsConfig, noRemote, RECORD, SNS, ZONE } from '../replica-dns/world.js';
import { configFor as listenerConfig, GATE_ALARM, listenerWorld } from '../replica-listener/world.js';
import { commandsConfig, swapConfig } from '../swap-instances/fixtures.js';
import { swapWorld } from '../swap-instances/world.js';

const PRIVATE = 'Z0PRIVATE000001';

/** Observes through timed ports: the rounds, and the calls made more than once with the same arguments. */
async function observeTimed(strategy: Strategy<unknown>, config: Config, aws: AwsPorts & { calls: { operation: string; args: unknown[] }[] }) {
  const before = aws.calls.length;
  const timed = timedPorts(aws);
  await strategy.observe(config, timed.ports);
  const seen = new Map<string, number>();
  for (const c of aws.calls.slice(before)) {
    const key = `${c.operation} ${JSON.stringify(c.args)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const repeated = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  return { rounds: timed.rounds(), byRound: timed.byRound(), calls: timed.calls.length, repeated };
}

describe('observe rounds (issue 11)', () => {
  it('replica-dns: 3 rounds when one candidate serves (the config reads, then blue and its load balancer, then its alarms)', async () => {
    const world = blueWorld();
    const r = await observeTimed(replicaDns, dnsConfig(), world.aws);
    expect(r.byRound[0]).toBe(
      'dns.getHostedZone dns.getRecordSets dns.getRecordSets groups.describeGroup groups.listGroupsByTag images.describeImage',
    );
    expect(r.rounds).toBe(3);
    expect(r.repeated).toEqual([]);
  });

  it('replica-dns: 3 rounds with gate alarms, split-horizon zones and a release by commands too', async () => {
    const world = blueWorld();
    addFiveXxAlarm(world.aws, { AlarmActions: [SNS] });
    world.aws.addZone(PRIVATE, 'example.com', { private: true });
    const alias = { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: `dualstack.${world.blueLbDns}.`, EvaluateTargetHealth: false };
    world.aws.putRecord(PRIVATE, { Name: RECORD, Type: 'A', AliasTarget: alias });
    world.aws.putRecord(PRIVATE, { Name: RECORD, Type: 'AAAA', AliasTarget: alias });
    const base = dnsConfig({ gates: { alarms: ['shop-5xx'], http: [] } });
    const config = { ...base, dns: { ...base.dns, alsoHostedZoneIds: [PRIVATE] } };
    const image = await observeTimed(replicaDns, config, world.aws);
    expect(image.rounds).toBe(3);
    expect(image.repeated).toEqual([]);
    const commands = { ...config, release: { kind: 'commands' as const, commands: ['true'], via: 'ssh' as const } };
    const baked = await observeTimed(replicaDns, commands, world.aws);
    expect(baked.rounds).toBe(3);
    expect(baked.repeated).toEqual([]);
  });

  it('replica-dns: 4 rounds when several candidates serve (blue is known only from the load balancers)', async () => {
    const world = blueWorld();
    const config = dnsConfig({ retire: { afterSeconds: 0, action: 'keep' } });
    const first = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    await world.journal.applyAll(replicaDns.handlers(world.aws, noRemote), first.steps);
    const r = await observeTimed(replicaDns, config, world.aws);
    expect(r.rounds).toBe(4);
    expect(r.repeated).toEqual([]);
  });

  it('replica-dns: 3 rounds on the next deployment, when blue retired by scale-to-zero', async () => {
    const world = blueWorld();
    const config = dnsConfig({ retire: { afterSeconds: 0, action: 'scale-to-zero' } });
    const first = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    await world.journal.applyAll(replicaDns.handlers(world.aws, noRemote), first.steps);
    const r = await observeTimed(replicaDns, config, world.aws);
    expect(r.rounds).toBe(3);
    expect(r.repeated).toEqual([]);
  });

  it('replica-listener: 3 rounds (the config reads, then blue, its target group and the listeners, then alarms and rules)', async () => {
    const world = listenerWorld({ https: true });
    const r = await observeTimed(replicaListener, listenerConfig(world, { gates: { alarms: [GATE_ALARM], http: [] } }), world.aws);
    expect(r.byRound[0]).toBe('alarms.states groups.describeGroup groups.listGroupsByTag images.describeImage listeners.describe');
    expect(r.rounds).toBe(3);
    expect(r.repeated).toEqual([]);
  });

  it("swap-instances: 2 rounds with release.image, 3 with release.commands (the image of blue's launch)", async () => {
    const world = swapWorld();
    const image = await observeTimed(swapInstances, swapConfig(), world.aws);
    expect(image.byRound[0]).toBe('groups.describeGroup images.describeImage');
    expect(image.rounds).toBe(2);
    expect(image.repeated).toEqual([]);
    const commands = await observeTimed(swapInstances, commandsConfig(), world.aws);
    expect(commands.rounds).toBe(3);
    expect(commands.repeated).toEqual([]);
  });

  it('reads started early keep the errors in the order of the checks, whatever answers first', async () => {
    // Everything is wrong at once: the zone, the record, blue's group and its launch configuration.
    const world = blueWorld();
    world.aws.state.launchConfigurations.delete('shop-web-lc');
    const wrong = dnsConfig({ blue: { autoScalingGroup: 'nope' }, dns: { hostedZoneId: 'ZNOPE', name: 'nope.example.com' } });
    await expect(replicaDns.observe(wrong, timedPorts(world.aws).ports)).rejects.toThrow(/hosted zone ZNOPE \(dns.hostedZoneId\) does not exist/);
    const noRecord = dnsConfig({ dns: { hostedZoneId: ZONE, name: 'nope.example.com' } });
    await expect(replicaDns.observe(noRecord, timedPorts(world.aws).ports)).rejects.toThrow(/record nope.example.com \(type A\) does not exist/);
    // Blue's reads went out with the load balancers; the launch configuration's error still comes after the record's match.
    await expect(replicaDns.observe(dnsConfig(), timedPorts(world.aws).ports)).rejects.toThrow(
      /launch configuration shop-web-lc of group shop-web no longer exists/,
    );

    const swap = swapWorld();
    swap.aws.state.launchConfigurations.delete('shop-web-lc');
    swap.aws.state.loadBalancers.delete('shop-web-elb');
    await expect(swapInstances.observe(swapConfig(), timedPorts(swap.aws).ports)).rejects.toThrow(
      /launch configuration shop-web-lc of group shop-web no longer exists/,
    );
    await expect(swapInstances.observe(swapConfig({ release: { kind: 'image', image: 'ami-0nope' } }), timedPorts(swap.aws).ports)).rejects.toThrow(
      /launch configuration shop-web-lc/,
    );
  });

  it('a slow answer of the first round holds back only the reads that need it', async () => {
    // Route 53 and EC2 answer in 4 ticks, Auto Scaling in 1: blue's reads and its load balancer's go out at tick 1 anyway.
    const slow = (op: string) => (/^(dns|images)\./.test(op) ? 4 : 1);
    const at = (t: ReturnType<typeof timedPorts>, op: string) => t.calls.find((c) => c.operation === op)?.start;
    const dns = timedPorts(blueWorld().aws, slow);
    await replicaDns.observe(dnsConfig(), dns.ports);
    for (const op of [
      'classicLoadBalancers.describe',
      'classicLoadBalancers.describeAttributes',
      'launch.describeLaunchConfiguration',
      'groups.describePolicies',
    ]) {
      expect([op, at(dns, op)]).toEqual([op, 1]);
    }
    expect(at(dns, 'alarms.describeAlarmsForAction')).toBe(2);
    expect(at(dns, 'dns.listZonesByName')).toBe(4);

    const world = listenerWorld({ https: true });
    const listener = timedPorts(world.aws, (op) => (op === 'images.describeImage' ? 4 : 1));
    await replicaListener.observe(listenerConfig(world), listener.ports);
    for (const op of ['listeners.loadBalancer', 'listeners.ofLoadBalancer', 'targetGroups.attributes', 'launch.describeLaunchConfiguration']) {
      expect([op, at(listener, op)]).toEqual([op, 1]);
    }
    expect(listener.rounds()).toBe(4);
  });
});
