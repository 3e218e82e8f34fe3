/**
 * Issue 10 item 12: split-horizon DNS. A private hosted zone of the same name as the public one answers
 * clients inside its VPCs (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html);
 * when its record of dns.name also aliases blue's load balancer, those clients would stay on blue. Which
 * zones move is the user's to say (dns.alsoHostedZoneIds), never guessed: an unnamed one is refused in plan.
 */
import type { Change } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { ReplicaDnsConfig } from '../../../src/config/schema.js';
import { parseConfigText } from '../../../src/config/load.js';
import { toConfig } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { InputError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, noRemote, RECORD, ZONE, type World } from './world.js';

const PRIVATE = 'Z0PRIVATE000001';
const GREEN = 'shop-green-k3x9a';

/** The private zone example.com with shop.example.com aliasing blue's load balancer (or `target`). */
function splitHorizon(world: World, target: string | null = `dualstack.${world.blueLbDns}.`): void {
  world.aws.addZone(PRIVATE, 'example.com', { private: true });
  if (target) {
    world.aws.putRecord(PRIVATE, {
      Name: RECORD,
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: target, EvaluateTargetHealth: false },
    });
  }
}

const withZones = (over: Partial<ReplicaDnsConfig> = {}, also?: string[]): ReplicaDnsConfig => {
  const base = configFor({ retire: { afterSeconds: 0, action: 'keep' }, ...over });
  return { ...base, dns: { ...base.dns, ...(also ? { alsoHostedZoneIds: also } : {}) } };
};
const aliasIn = async (world: World, zone: string) =>
  (await world.aws.dns.getRecordSets(zone, RECORD, 'A')).map((r) => [r.SetIdentifier ?? null, r.Weight ?? null, r.AliasTarget?.DNSName]);
const zonesChanged = (world: World) => world.aws.callsTo('dns.change').map((args) => [args[0], (args[1] as Change[]).length]);
const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);

describe('replica-dns and hosted zones of the same name', () => {
  it('refuses in plan a private zone whose record also aliases blue, unless dns.alsoHostedZoneIds names it', async () => {
    const world = blueWorld();
    splitHorizon(world);
    const error = await replicaDns.observe(withZones(), world.aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `hosted zone ${PRIVATE} (private, example.com.) also has record ${RECORD} aliasing blue's load balancer shop-web-elb: clients that resolve it there would stay on blue. Name it in dns.alsoHostedZoneIds to move it with the record, or point it elsewhere first`,
    );
  });

  it('a same-name zone whose record is not blue is none of its business; a named zone that is not such a zone is refused', async () => {
    const world = blueWorld();
    splitHorizon(world, 'internal-edge.example.net.');
    await expect(replicaDns.observe(withZones(), world.aws)).resolves.toBeDefined();
    await expect(replicaDns.observe(withZones({}, [PRIVATE]), world.aws)).rejects.toThrow(
      /names Z0PRIVATE000001 \(private\), whose record shop.example.com \(type A\) is not an alias to blue's load balancer shop-web-elb/,
    );
    await expect(replicaDns.observe(withZones({}, ['Z0OTHER']), world.aws)).rejects.toThrow(
      'dns.alsoHostedZoneIds names Z0OTHER: not a hosted zone named example.com. besides Z0123456789ABC',
    );
    await expect(replicaDns.observe(withZones({}, [ZONE]), world.aws)).rejects.toThrow(/which is dns.hostedZoneId itself/);
  });

  it('named: switch-dns moves the record in both zones (one batch each), undo puts both back; the plan says where', async () => {
    const world = blueWorld();
    splitHorizon(world);
    const before = [await aliasIn(world, ZONE), await aliasIn(world, PRIVATE)];
    const config = withZones({}, [PRIVATE]);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const switchStep = plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor;
    expect(switchStep.params.zones).toEqual([{ zoneId: PRIVATE, types: ['A'] }]);
    expect(switchStep.changes?.[0]?.what).toBe(`DNS record ${RECORD} in hosted zone ${ZONE} and ${PRIVATE} (private, A)`);

    const registry = replicaDns.handlers(world.aws, noRemote);
    const steps = upTo(plan.steps, STEP.switchDns);
    await world.journal.applyAll(registry, steps);
    const [green] = await world.aws.classicLoadBalancers.describe([GREEN]);
    expect(await aliasIn(world, ZONE)).toEqual([[null, null, green?.DNSName]]);
    expect(await aliasIn(world, PRIVATE)).toEqual([[null, null, green?.DNSName]]);
    expect(zonesChanged(world)).toEqual([
      [ZONE, 1],
      [PRIVATE, 1],
    ]);
    // Each zone keeps its own previous record in the journal.
    expect(world.journal.outputs[STEP.switchDns]).toMatchObject({ previous: expect.any(Object), [`previous@${PRIVATE}`]: expect.any(Object) });

    await world.journal.undoAll(registry, steps);
    expect([await aliasIn(world, ZONE), await aliasIn(world, PRIVATE)]).toEqual(before);
    expect(zonesChanged(world).slice(2)).toEqual([
      [PRIVATE, 1],
      [ZONE, 1],
    ]);
  });

  it('named: each weighted step weighs the record in both zones; rollback restores both', async () => {
    const world = blueWorld();
    splitHorizon(world);
    const before = [await aliasIn(world, ZONE), await aliasIn(world, PRIVATE)];
    const config = withZones({ traffic: { steps: [25, 100], holdSeconds: 60 } }, [PRIVATE]);
    const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
    const registry = replicaDns.handlers(world.aws, noRemote);
    const steps = upTo(plan.steps, 'traffic-25');
    await world.journal.applyAll(registry, steps);
    const [green] = await world.aws.classicLoadBalancers.describe([GREEN]);
    for (const zone of [ZONE, PRIVATE]) {
      expect((await aliasIn(world, zone)).map((r) => r.slice(0, 2))).toEqual([
        ['blue', 75],
        ['green', 25],
      ]);
      expect((await aliasIn(world, zone))[1]?.[2]).toBe(green?.DNSName);
    }
    await world.journal.undoAll(registry, steps);
    expect([await aliasIn(world, ZONE), await aliasIn(world, PRIVATE)]).toEqual(before);
  });

  it('the config takes the ids with or without /hostedzone/, once each', () => {
    const text = `service: shop\nstrategy: replica-dns\nblue: {autoScalingGroup: b}\nrelease: {image: ami-01234567}\ndns: {hostedZoneId: Z1, name: a.example.com, alsoHostedZoneIds: [/hostedzone/ZP1, ZP1, ZP2]}\n`;
    const config = toConfig(parseConfigText(text, 'x.yml'), { file: 'x.yml', digest: 'x' }, { stateDir: '/tmp/x' }) as ReplicaDnsConfig;
    expect(config.dns.alsoHostedZoneIds).toEqual(['ZP1', 'ZP2']);
    expect(() => parseConfigText(text.replace('[/hostedzone/ZP1, ZP1, ZP2]', '[]'), 'x.yml')).toThrow(/expected 1 to 10 hosted zone ids/);
  });
});
