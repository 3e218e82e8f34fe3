import { describe, expect, it } from 'vitest';
import { planGc, type Leftover } from '../../../src/janitor/plan.js';

const group = (name: string, deploymentId: string | undefined, createdAt?: string): Leftover => ({
  type: 'auto-scaling-group',
  name,
  ...(deploymentId ? { deploymentId } : {}),
  ...(createdAt ? { createdAt } : {}),
});

describe('planGc', () => {
  const found: Leftover[] = [
    { type: 'launch-configuration', name: 'shop-blue-aaaaa', deploymentId: 'aaaaa' },
    group('shop-blue-aaaaa', 'aaaaa', '2026-01-01T00:00:00Z'),
    { type: 'alarm', name: 'shop-blue-aaaaa-cpu', deploymentId: 'aaaaa' },
    { type: 'image', name: 'ami-0123', deploymentId: 'bbbbb', createdAt: '2026-02-01T00:00:00Z' },
    group('shop-green-bbbbb', 'bbbbb', '2026-02-01T00:05:00Z'),
    { type: 'load-balancer', name: 'shop-green-bbbbb', deploymentId: 'bbbbb' },
    group('shop-blue-ccccc', 'ccccc', '2026-03-01T00:00:00Z'),
    { type: 'load-balancer', name: 'shop-blue-ccccc', deploymentId: 'ccccc' },
    group('shop-green-ddddd', 'ddddd', '2026-04-01T00:00:00Z'),
    { type: 'target-group', name: 'shop-g-eeeee', arn: 'arn:tg', deploymentId: 'eeeee', createdAt: '2025-12-01T00:00:00Z' },
    { type: 'launch-template', name: 'shop-web-lt' },
  ];

  it('keeps the live stack, the rollback target and anything of a deployment in progress, with everything of their deployments', () => {
    const plan = planGc(found, [
      { resource: { type: 'auto-scaling-group', name: 'shop-green-ddddd' }, why: 'the live stack' },
      { resource: { type: 'auto-scaling-group', name: 'shop-blue-ccccc' }, why: 'rollback returns to it' },
      { deploymentId: 'bbbbb', why: 'deployment bbbbb is paused' },
    ]);
    expect(plan.keep.map((k) => [k.type, k.name, k.why])).toEqual([
      ['auto-scaling-group', 'shop-blue-ccccc', 'rollback returns to it'],
      ['auto-scaling-group', 'shop-green-bbbbb', 'deployment bbbbb is paused (deployment bbbbb)'],
      ['auto-scaling-group', 'shop-green-ddddd', 'the live stack'],
      ['load-balancer', 'shop-blue-ccccc', 'rollback returns to it (deployment ccccc)'],
      ['load-balancer', 'shop-green-bbbbb', 'deployment bbbbb is paused (deployment bbbbb)'],
      ['launch-template', 'shop-web-lt', 'no bluegreen:deployment tag or name: which deployment made it is unknown'],
      ['image', 'ami-0123', 'deployment bbbbb is paused (deployment bbbbb)'],
    ]);
  });

  it('removes the rest oldest deployment first, and within one deployment users before what they use', () => {
    const plan = planGc(found, [{ resource: { type: 'auto-scaling-group', name: 'shop-green-ddddd' }, why: 'the live stack' }]);
    expect(plan.remove.map((r) => `${r.deploymentId} ${r.type} ${r.name}`)).toEqual([
      'eeeee target-group shop-g-eeeee',
      'aaaaa alarm shop-blue-aaaaa-cpu',
      'aaaaa auto-scaling-group shop-blue-aaaaa',
      'aaaaa launch-configuration shop-blue-aaaaa',
      'bbbbb auto-scaling-group shop-green-bbbbb',
      'bbbbb load-balancer shop-green-bbbbb',
      'bbbbb image ami-0123',
      'ccccc auto-scaling-group shop-blue-ccccc',
      'ccccc load-balancer shop-blue-ccccc',
    ]);
  });

  it('with nothing protected and nothing found, removes nothing', () => {
    expect(planGc([], [])).toEqual({ remove: [], keep: [] });
  });
});

describe('planGc: held resources and --older-than', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-06-10T00:00:00Z');
  const found: Leftover[] = [
    group('shop-green-old01', 'old01', '2026-05-01T00:00:00Z'),
    { type: 'instance', name: 'i-0member', deploymentId: 'old01', hold: 'in Auto Scaling group shop-green-old01: it goes with its group' },
    { type: 'alarm', name: 'watch-cpu', deploymentId: 'new02', createdAt: '2026-06-09T00:00:00Z' },
    { type: 'alarm', name: 'old-by-journal', deploymentId: 'jrnl3', createdAt: '2026-06-09T12:00:00Z' },
    { type: 'target-group', name: 'shop-g-undat', arn: 'arn:tg', deploymentId: 'undat' },
  ];
  const rule = { seconds: 7 * 86_400, label: '7d', now, journalTimes: { jrnl3: new Date(now - 30 * DAY).toISOString() } };

  it('a held resource is kept for its own reason and keeps nothing else of its deployment', () => {
    const plan = planGc(found, []);
    expect(plan.keep).toEqual([{ ...found[1], why: 'in Auto Scaling group shop-green-old01: it goes with its group' }]);
    expect(plan.remove.map((r) => r.name)).toContain('shop-green-old01');
  });

  it('keeps deployments younger than the rule, by their journal when one knows them, else by their oldest resource; an undated one is kept', () => {
    const plan = planGc(found, [], rule);
    expect(plan.remove.map((r) => `${r.deploymentId} ${r.name}`)).toEqual(['old01 shop-green-old01', 'jrnl3 old-by-journal']);
    const why = Object.fromEntries(plan.keep.map((k) => [k.name, k.why]));
    expect(why['watch-cpu']).toBe(
      'younger than --older-than 7d: deployment new02 started 2026-06-09T00:00:00Z (by its oldest resource) (deployment new02)',
    );
    expect(why['shop-g-undat']).toBe(
      '--older-than 7d: the age of deployment undat is unknown (no journal knows it and AWS dates none of its resources) (deployment undat)',
    );
    // The journal says jrnl3 began 30 days ago, though its alarm was updated yesterday: it goes.
    expect(why['old-by-journal']).toBeUndefined();
  });

  it('a protection wins over the age rule (the first reason given is said)', () => {
    const plan = planGc(found, [{ deploymentId: 'new02', why: 'deployment new02 is failed' }], rule);
    expect(plan.keep.find((k) => k.name === 'watch-cpu')?.why).toBe('deployment new02 is failed (deployment new02)');
  });
});
