/**
 * Golden plans: for every shape of shapes.ts, today's plan and live stack must equal what the code of
 * commit 53a1cbd planned over the same fake stack (test/fixtures/compat/plans/<shape>.json, written by
 * scripts/record-compat.ts). A difference is a change of behaviour: steps, ids, kinds, titles, params,
 * creates, changes, waits, pause point, summary and warnings are what journals and people rely on.
 */
import { describe, expect, it } from 'vitest';
import { differences, fixturesIn, planFile, planOf, readFixture, type PlanFixture } from './golden.js';
import { PLAN_SHAPES } from './shapes.js';

describe('golden plans (recorded from commit 53a1cbd)', () => {
  it('has one fixture per shape, and a shape for every fixture', () => {
    expect(fixturesIn('plans')).toEqual(PLAN_SHAPES.map((s) => s.name).sort());
  });

  it.each(PLAN_SHAPES.map((s) => [s.name, s] as const))('%s: the same plan and live stack as recorded', async (name, shape) => {
    const { recorded: _recorded, ...golden } = readFixture<PlanFixture>(planFile(name));
    const now = await planOf(shape);
    // The config first: a change of the test builders would change the plan without the product changing.
    expect(differences(golden.config, now.config), `${name}: the shape's config differs from the recorded one`).toEqual([]);
    expect(differences(golden.plan, now.plan), `${name}: the plan differs from ${planFile(name)}`).toEqual([]);
    expect(differences(golden.liveStack, now.liveStack), `${name}: liveStack differs`).toEqual([]);
    expect(now).toEqual(golden);
  });
});

describe('the golden diff', () => {
  it('names the step by id and the key that differs', () => {
    const expected = { steps: [{ id: 'create-group', params: { input: { MinSize: 2 } } }] };
    const actual = { steps: [{ id: 'create-group', params: { input: { MinSize: 3, MaxSize: 4 } } }, { id: 'extra' }] };
    expect(differences(expected, actual)).toEqual([
      'steps[0 create-group].params.input.MinSize: expected 2, got 3',
      'steps[0 create-group].params.input.MaxSize: expected absent, got 4',
      'steps[1 extra]: expected absent, got {"id":"extra"}',
    ]);
    expect(differences({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});
