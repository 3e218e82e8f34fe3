/**
 * Issue 10 item 12: a dual-stack name has an AAAA alias record beside the A record, both to blue's load
 * balancer. IPv6 clients resolve the AAAA record: it must move with the A record, in the same Route 53
 * change batch (a batch is atomic: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html),
 * at once or in weighted steps, and come back with it on rollback.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import type { StepDescriptor } from '../../../src/engine/types.js';
import { InputError } from '../../../src/errors.js';
import { replicaDns, STEP } from '../../../src/strategies/replica-dns/index.js';
import { blueWorld, configFor, noRemote, RECORD, ZONE, type World } from './world.js';

const GREEN = 'shop-green-k3x9a';

function dualStack(world: World, target = `dualstack.${world.blueLbDns}.`): void {
  world.aws.putRecord(ZONE, {
    Name: RECORD,
    Type: 'AAAA',
    AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: target, EvaluateTargetHealth: true },
  });
}

async function planned(world: World, config: Config) {
  const plan = replicaDns.plan(config, await replicaDns.observe(config, world.aws), 'k3x9a');
  return { plan, registry: replicaDns.handlers(world.aws, noRemote) };
}

const upTo = (steps: StepDescriptor[], id: string) => steps.slice(0, steps.findIndex((s) => s.id === id) + 1);
const sets = async (world: World, type: string) => world.aws.dns.getRecordSets(ZONE, RECORD, type);
const targets = (records: ResourceRecordSet[]) => records.map((r) => [r.SetIdentifier ?? null, r.Weight ?? null, r.AliasTarget?.DNSName]);
const batches = (world: World) =>
  world.aws.callsTo('dns.change').map((args) => (args[1] as Change[]).map((c) => `${c.Action} ${c.ResourceRecordSet?.Type}`));

describe('replica-dns with an AAAA alias record beside the A record', () => {
  it('switch-dns moves A and AAAA in one change batch (AAAA to the dualstack name); undo puts both back in one', async () => {
    const world = blueWorld();
    dualStack(world);
    const before = [await sets(world, 'A'), await sets(world, 'AAAA')];
    const { plan, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    const switchStep = plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor;
    expect(switchStep.params.types).toEqual(['A', 'AAAA']);
    expect(switchStep.changes?.[0]?.what).toBe(`DNS records ${RECORD} (A and AAAA)`);
    expect(plan.warnings.filter((w) => w.includes('AAAA'))).toEqual([]);

    const steps = upTo(plan.steps, STEP.switchDns);
    await world.journal.applyAll(registry, steps);
    const [green] = await world.aws.classicLoadBalancers.describe([GREEN]);
    expect((await sets(world, 'A'))[0]?.AliasTarget?.DNSName).toBe(green?.DNSName);
    expect((await sets(world, 'AAAA'))[0]?.AliasTarget).toEqual({
      HostedZoneId: 'Z35SXDOTRQ7X7K',
      DNSName: `dualstack.${green?.DNSName}`,
      EvaluateTargetHealth: true,
    });
    expect(batches(world)).toEqual([['UPSERT A', 'UPSERT AAAA']]);

    await world.journal.undoAll(registry, steps);
    expect([await sets(world, 'A'), await sets(world, 'AAAA')]).toEqual(before);
    expect(batches(world)).toEqual([
      ['UPSERT A', 'UPSERT AAAA'],
      ['UPSERT A', 'UPSERT AAAA'],
    ]);
  });

  it('weighted steps weigh A and AAAA alike, each change in one batch; rollback restores both simple records in one', async () => {
    const world = blueWorld();
    dualStack(world);
    const before = [await sets(world, 'A'), await sets(world, 'AAAA')];
    const config = configFor({ retire: { afterSeconds: 0, action: 'keep' }, traffic: { steps: [10, 100], holdSeconds: 60 } });
    const { plan, registry } = await planned(world, config);
    const steps = upTo(plan.steps, 'traffic-100');
    const [first, last] = steps.slice(-2) as [StepDescriptor, StepDescriptor];

    await world.journal.applyAll(registry, steps.slice(0, -1));
    const [green] = await world.aws.classicLoadBalancers.describe([GREEN]);
    expect(targets(await sets(world, 'A'))).toEqual([
      ['blue', 90, `dualstack.${world.blueLbDns}.`],
      ['green', 10, green?.DNSName],
    ]);
    expect(targets(await sets(world, 'AAAA'))).toEqual([
      ['blue', 90, `dualstack.${world.blueLbDns}.`],
      ['green', 10, `dualstack.${green?.DNSName}`],
    ]);
    expect(batches(world)).toEqual([['DELETE A', 'DELETE AAAA', 'CREATE A', 'CREATE A', 'CREATE AAAA', 'CREATE AAAA']]);

    await world.journal.apply(registry, last);
    expect(targets(await sets(world, 'A'))).toEqual([[null, null, green?.DNSName]]);
    expect(targets(await sets(world, 'AAAA'))).toEqual([[null, null, `dualstack.${green?.DNSName}`]]);
    expect(batches(world)).toHaveLength(2);

    await world.journal.undo(registry, last);
    await world.journal.undo(registry, first);
    expect([await sets(world, 'A'), await sets(world, 'AAAA')]).toEqual(before);
    expect(batches(world)).toHaveLength(3); // one batch brought both back; the first step's undo found them back
    expect(batches(world)[2]).toEqual(['DELETE A', 'DELETE AAAA', 'CREATE A', 'CREATE AAAA']);
  });

  it("an AAAA record that does not alias blue's load balancer is left as it is, said in one plan line", async () => {
    const world = blueWorld();
    dualStack(world, 'ipv6-edge.example.net.');
    const { plan, registry } = await planned(world, configFor({ retire: { afterSeconds: 0, action: 'keep' } }));
    expect(plan.warnings).toContainEqual(
      `record ${RECORD} (type AAAA) points at ipv6-edge.example.net., not at blue's load balancer shop-web-elb: it is left as it is, and IPv6 clients keep going where it points`,
    );
    const switchStep = plan.steps.find((s) => s.id === STEP.switchDns) as StepDescriptor;
    expect(switchStep.params.types).toBeUndefined();
    await world.journal.applyAll(registry, upTo(plan.steps, STEP.switchDns));
    expect((await sets(world, 'AAAA'))[0]?.AliasTarget?.DNSName).toBe('ipv6-edge.example.net.');
  });

  it('refuses weighted AAAA sets as it refuses weighted A sets', async () => {
    const world = blueWorld();
    world.aws.putRecord(ZONE, {
      Name: RECORD,
      Type: 'AAAA',
      SetIdentifier: 'blue',
      Weight: 100,
      AliasTarget: { HostedZoneId: 'Z', DNSName: world.blueLbDns, EvaluateTargetHealth: false },
    });
    const config = configFor();
    await expect(replicaDns.observe(config, world.aws)).rejects.toThrow(InputError);
    await expect(replicaDns.observe(config, world.aws)).rejects.toThrow(/\(type AAAA\) in hosted zone .* is weighted \(set identifiers blue\)/);
  });
});
