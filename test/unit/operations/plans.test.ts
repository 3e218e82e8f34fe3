/** The plans operations make from a strategy's plan or a journal: exact inputs, exact outputs. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { InputError } from '../../../src/errors.js';
import { newDeploymentId, newJournal, pausePointOf, remainingPlan, requirePausePoint, rollbackPlan } from '../../../src/operations/plans.js';
import type { Plan } from '../../../src/strategies/types.js';
import { journalOf } from '../engine/journal.js';

const config = { service: 'shop', strategy: 'replica-dns', source: { file: '/srv/shop.yml', digest: 'sha256:abc' } } as unknown as Config;
const plan: Plan = {
  deploymentId: 'k3x9a',
  summary: { blue: { color: 'blue', group: 'shop-web' } },
  warnings: [],
  steps: [
    {
      id: 'create-group',
      kind: 'replica-dns/create-group',
      title: 'Create group',
      params: { a: 1 },
      creates: [{ type: 'auto-scaling-group', name: 'g' }],
    },
    { id: 'switch-dns', kind: 'replica-dns/switch-dns', title: 'Switch', params: {}, pausePoint: true },
  ],
};

describe('newJournal', () => {
  it("the plan's steps, all pending, with the actor when given", () => {
    expect(newJournal(plan, config, Date.parse('2026-01-01T00:00:00.000Z'), { host: 'ci-7', pid: 42, user: 'ci' })).toEqual({
      version: 1,
      service: 'shop',
      deploymentId: 'k3x9a',
      strategy: 'replica-dns',
      configDigest: 'sha256:abc',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      status: 'running',
      summary: { blue: { color: 'blue', group: 'shop-web' } },
      steps: [
        { ...plan.steps[0], state: 'pending', outputs: {} },
        { ...plan.steps[1], state: 'pending', outputs: {} },
      ],
      actor: { host: 'ci-7', pid: 42, user: 'ci' },
    });
  });
});

describe('newDeploymentId', () => {
  it('5 characters of [a-z0-9]', () => {
    for (let i = 0; i < 50; i++) expect(newDeploymentId()).toMatch(/^[a-z0-9]{5}$/);
  });
});

describe('pausePointOf and requirePausePoint', () => {
  it('the step marked pausePoint', () => {
    expect(pausePointOf(plan)?.id).toBe('switch-dns');
    expect(requirePausePoint(plan, config)).toBe('switch-dns');
  });

  it('a plan without one: an InputError naming the strategy', () => {
    const none = { ...plan, steps: [plan.steps[0]!] };
    expect(pausePointOf(none)).toBeUndefined();
    expect(() => requirePausePoint(none, config)).toThrow(
      new InputError(
        'strategy replica-dns has no step to pause before (no step of its plan moves traffic to green): --pause-before-switch cannot be used with it; nothing was changed',
      ),
    );
  });
});

describe('remainingPlan', () => {
  it('the steps not done, as descriptors, with the summary', () => {
    const journal = journalOf('paused', ['done', 'pending', 'failed'], { summary: { image: 'ami-1' } });
    journal.steps[1]!.waits = 'until healthy';
    journal.steps[2]!.error = 'boom';
    expect(remainingPlan(journal)).toEqual({
      deploymentId: 'k3x9a',
      summary: { image: 'ami-1' },
      warnings: [],
      steps: [
        { id: 's1', kind: 'k1', title: 'step 1', params: { n: 1 }, waits: 'until healthy' },
        { id: 's2', kind: 'k2', title: 'step 2', params: { n: 2 } },
      ],
    });
  });
});

describe('rollbackPlan', () => {
  it('the started steps not undone, newest first, titled Undo', () => {
    const journal = journalOf('failed', ['done', 'undone', 'failed', 'pending']);
    expect(rollbackPlan(journal)).toEqual({
      deploymentId: 'k3x9a',
      summary: {},
      warnings: [],
      steps: [
        { id: 's2', kind: 'k2', title: 'Undo: step 2', params: { n: 2 } },
        { id: 's0', kind: 'k0', title: 'Undo: step 0', params: { n: 0 } },
      ],
    });
  });
});
