/** The gc listing for people (src/cli/commands/gc.ts): grouped by deployment, oldest first, then what is kept and why. */
import { describe, expect, it } from 'vitest';
import { parseAge, renderGcPlan } from '../../../src/cli/commands/gc.js';
import { planGc, type Leftover } from '../../../src/janitor/plan.js';

describe('renderGcPlan', () => {
  it('groups what goes by deployment, with the date of its oldest resource, and says why each kept one stays', () => {
    const found: Leftover[] = [
      { type: 'auto-scaling-group', name: 'shop-green-aaaa1', deploymentId: 'aaaa1', createdAt: '2026-01-02T00:00:00.000Z' },
      { type: 'launch-configuration', name: 'shop-green-aaaa1', deploymentId: 'aaaa1', createdAt: '2026-01-01T00:00:00.000Z' },
      { type: 'image', name: 'ami-0zz', deploymentId: 'zzzz9' },
      { type: 'auto-scaling-group', name: 'shop-blue-bbbb2', deploymentId: 'bbbb2', createdAt: '2026-02-01T00:00:00.000Z' },
    ];
    const plan = planGc(found, [{ resource: { type: 'auto-scaling-group', name: 'shop-blue-bbbb2' }, why: 'the live stack (shop-blue-bbbb2)' }]);
    expect(renderGcPlan(plan, 'shop')).toBe(
      [
        'gc shop: 3 resources to delete, oldest deployment first:',
        '  deployment aaaa1 (made 2026-01-01T00:00:00.000Z)',
        '    - auto scaling group shop-green-aaaa1',
        '    - launch configuration shop-green-aaaa1',
        '  deployment zzzz9',
        '    - image ami-0zz',
        'kept (1):',
        '    = auto scaling group shop-blue-bbbb2: the live stack (shop-blue-bbbb2)',
        '',
      ].join('\n'),
    );
  });

  it('says when there is nothing to delete', () => {
    expect(renderGcPlan({ remove: [], keep: [] }, 'shop')).toBe('gc shop: nothing to delete\n');
  });
});

describe('parseAge (gc --older-than)', () => {
  it('days then a duration, in whole seconds', () => {
    expect(parseAge('7d')).toBe(7 * 86_400);
    expect(parseAge('1d12h')).toBe(36 * 3600);
    expect(parseAge('36h')).toBe(36 * 3600);
    expect(parseAge('90m')).toBe(5400);
    expect(parseAge(' 0s ')).toBe(0);
  });

  it('anything else is not an age', () => {
    for (const bad of ['', 'd', '7', '7 days', '-1d', '1w', 'd7', '7d7', '1.5d']) expect(parseAge(bad), bad).toBeUndefined();
  });
});
