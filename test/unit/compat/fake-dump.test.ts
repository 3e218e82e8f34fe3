/** FakeAws.dump / FakeAws.load: the in-memory AWS as JSON and back, as the old-journal fixtures keep it. */
import { describe, expect, it } from 'vitest';
import { decodeDump, encodeDump, FakeAws, type FakeAwsDump } from '../../fakes/aws.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { swapWorld } from '../swap-instances/world.js';

describe('encodeDump / decodeDump', () => {
  it('tags Maps, Sets, Dates and non-finite numbers, drops undefined keys, and decodes them back', () => {
    const value = {
      m: new Map<string, unknown>([['a', { at: new Date(0), never: Infinity, since: -Infinity }]]),
      s: new Set(['i-1', 'i-2']),
      list: [1, 'x', null],
      gone: undefined,
    };
    const encoded = encodeDump(value);
    expect(encoded).toEqual({
      m: { $map: [['a', { at: { $date: '1970-01-01T00:00:00.000Z' }, never: { $number: 'Infinity' }, since: { $number: '-Infinity' } }]] },
      s: { $set: ['i-1', 'i-2'] },
      list: [1, 'x', null],
    });
    expect(JSON.parse(JSON.stringify(encoded))).toEqual(encoded);
    const { gone: _gone, ...kept } = value;
    expect(decodeDump(encoded)).toEqual(kept);
  });

  it('refuses a function', () => {
    expect(() => encodeDump({ f: () => 1 })).toThrow('FakeAws.dump: a function cannot be dumped');
  });
});

describe('FakeAws.dump / load', () => {
  /** A world with time-driven state under way: instances pending, an image pending, overrides set. */
  async function busyWorld() {
    const world = swapWorld();
    const [a] = (
      await world.aws.instances.run({ ImageId: 'ami-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small', MinCount: 1, MaxCount: 1, ClientToken: 'tok-1' })
    ).map((i) => i.InstanceId as string);
    await world.aws.images.createImage({ InstanceId: a, Name: 'baked', NoReboot: true });
    world.aws.setHealthy(world.old[0] as string, false);
    world.aws.setPingStatus(a as string, 'ConnectionLost');
    world.aws.dnsInSync = false;
    world.clock.advance(5_000);
    return { ...world, a: a as string };
  }

  it('loads into a fake whose dump and snapshot are the same, on the given clock', async () => {
    const { aws, clock } = await busyWorld();
    const dump = aws.dump();
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump);
    const loaded = FakeAws.load(JSON.parse(JSON.stringify(dump)) as FakeAwsDump, new VirtualClock(clock.now()));
    expect(loaded.dump()).toEqual(dump);
    expect(loaded.snapshot()).toEqual(aws.snapshot());
    expect([loaded.dnsInSync, loaded.runningAfterSeconds, loaded.imageAvailableAfterSeconds]).toEqual([false, 20, 120]);
  });

  it('goes on as the original would: time-driven state, the id counter, client tokens, overrides', async () => {
    const { aws, clock, a, old } = await busyWorld();
    const loadedClock = new VirtualClock(clock.now());
    const loaded = FakeAws.load(aws.dump(), loadedClock);
    const step = async (fake: FakeAws, c: VirtualClock) => {
      c.advance(120_000);
      return {
        instance: (await fake.instances.describe([a]))[0]?.State?.Name,
        image: (await fake.images.findImageByName('baked'))?.State,
        sameToken: (await fake.instances.run({ ImageId: 'ami-0aaaaaaaaaaaaaaa1', MinCount: 1, MaxCount: 1, ClientToken: 'tok-1' })).map(
          (i) => i.InstanceId,
        ),
        next: (await fake.instances.run({ ImageId: 'ami-0aaaaaaaaaaaaaaa1', MinCount: 1, MaxCount: 1, ClientToken: 'tok-2' })).map(
          (i) => i.InstanceId,
        ),
        health: await fake.classicLoadBalancers.instanceHealth('shop-web-elb'),
        ping: (await fake.ssm.pingStatus([a]))[a],
      };
    };
    const original = await step(aws, clock);
    expect(await step(loaded, loadedClock)).toEqual(original);
    expect(original.instance).toBe('running');
    expect(original.image).toBe('available');
    expect(original.sameToken).toEqual([a]);
    expect(original.health.find((h) => h.InstanceId === old[0])?.State).toBe('OutOfService');
  });

  it('refuses a fake with scripted metric sums (functions)', () => {
    const aws = new FakeAws({ clock: new VirtualClock() });
    aws.setMetricSum('RequestCount', 5);
    expect(() => aws.dump()).toThrow('FakeAws.dump: scripted metric sums (AWS/ApplicationELB RequestCount) are functions and cannot be dumped');
  });
});
