/** readSummary: a journal's summary as typed facts, tolerant of older journals that lack keys or hold odd ones. */
import { describe, expect, it } from 'vitest';
import { readSummary } from '../../../src/strategies/summary.js';

describe('readSummary', () => {
  it('reads every key PlanSummary names, and leaves the strategy extras out', () => {
    expect(
      readSummary({
        blue: { color: 'blue', group: 'shop-web', launch: 'shop-web-lc', loadBalancer: 'shop-web-elb', instances: ['i-1', 'i-2'] },
        green: { color: 'green', group: 'shop-green-k3x9a', launch: 'shop-green-k3x9a', targetGroup: 'shop-green-k3x9a', instances: 2 },
        trafficStep: 'traffic-100',
        release: 'commands',
        image: 'ami-0new',
        record: 'shop.example.com',
        traffic: { steps: [10, 100], holdSeconds: 60 },
      }),
    ).toStrictEqual({
      blue: { color: 'blue', group: 'shop-web', launch: 'shop-web-lc', loadBalancer: 'shop-web-elb', instances: ['i-1', 'i-2'] },
      green: { color: 'green', group: 'shop-green-k3x9a', launch: 'shop-green-k3x9a', targetGroup: 'shop-green-k3x9a', instances: 2 },
      trafficStep: 'traffic-100',
      release: 'commands',
      image: 'ami-0new',
    });
  });

  it('reads an empty summary (a journal of an older version) as no facts at all', () => {
    expect(readSummary({})).toStrictEqual({});
  });

  it('keeps a null image (not known at plan time) apart from an absent one', () => {
    expect(readSummary({ image: null })).toStrictEqual({ image: null });
  });

  it('reads a key of another type as undefined, one key at a time, and never throws', () => {
    expect(
      readSummary({
        blue: ['not', 'a', 'side'],
        green: { color: 7, group: 'shop-green-k3x9a', launch: null, instances: [1, 2] },
        trafficStep: 3,
        release: 'docker',
        image: { id: 'ami-0new' },
      }),
    ).toEqual({ green: { group: 'shop-green-k3x9a' } });
  });
});
