/**
 * A rollback is itself resumable: for every strategy and shape, a rollback (of a finished deployment, or of
 * one stopped before the step that makes it irreversible) is killed at each of its AWS writes (before /
 * after) and at each undo's boundaries (marked undoing; undone but not saved); a second rollback from the
 * journal alone must then restore blue, with the same invariants as crash.test.ts. The crash model is
 * described in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import { afterCrash, Crash, runToCrash, type CrashPoint, type Scenario } from './harness.js';
import { ownedResources } from './invariants.js';
import { SCENARIOS } from './scenarios.js';

interface Case {
  name: string;
  point: CrashPoint;
}

/** The rollback once, uninterrupted, from the scenario's starting point: its writes and the steps it undoes. */
async function casesOf(scenario: Scenario): Promise<Case[]> {
  const origin = await runToCrash(scenario, scenario.rollbackFrom);
  const { result, store } = await afterCrash(scenario, origin, 'rollback');
  if (result instanceof Error) throw new Error(`${scenario.name}: the uninterrupted rollback failed: ${result.message}`);
  const writes = origin.inst.mutations.filter((m) => m.phase === 'rollback');
  const undone = (store.persisted as Journal).steps
    .filter((s) => s.state === 'undone')
    .map((s) => s.id)
    .reverse();
  return [
    ...writes.flatMap((m) =>
      (['before', 'after'] as const).map((kind) => ({
        name: `rollback crashed ${kind} write #${m.k} ${m.operation} (undo of ${m.step}), then rollback`,
        point: { kind, k: m.k },
      })),
    ),
    ...undone.flatMap((step) =>
      (['start', 'end'] as const).map((kind) => ({
        name: `rollback crashed at the ${kind} of the undo of ${step}, then rollback`,
        point: { kind, step },
      })),
    ),
  ];
}

const ALL = await Promise.all(SCENARIOS.map(async (scenario) => ({ scenario, cases: await casesOf(scenario) })));

describe.each(ALL.map((x) => [x.scenario.name, x] as const))('%s', (_name, { scenario, cases }) => {
  it('crashes the rollback at every write and undo boundary', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_case, { point }) => {
    const { checks } = scenario;
    const origin = await runToCrash(scenario, scenario.rollbackFrom);
    const first = await afterCrash(scenario, origin, 'rollback', point);
    expect(first.result).toBeInstanceOf(Crash);
    const crashedRollback = { ...origin, journal: first.store.persisted as Journal };
    const problems: string[] = [];
    const tag = (what: string, list: string[]) => problems.push(...list.map((p) => `${what}: ${p}`));
    tag('crashed rollback', checks.journal(crashedRollback, crashedRollback.journal));
    tag('crashed rollback', await checks.always(crashedRollback));

    const { result, store } = await afterCrash(scenario, crashedRollback, 'rollback');
    if (result instanceof Error) throw result;
    expect(result.status).toBe('rolled-back');
    expect(ownedResources(origin.world.aws).map((o) => `${o.kind} ${o.names[0]}`)).toEqual([]);
    expect(checks.normalise(origin, origin.world.aws.snapshot())).toEqual(checks.normalise(origin, origin.before));
    tag('final', checks.journal(origin, store.persisted as Journal));
    tag('final', await checks.always(origin));
    tag('order', checks.order(origin));
    problems.push(...origin.violations);
    expect(problems).toEqual([]);
  });
});
