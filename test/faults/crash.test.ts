/**
 * The fault-injection suite, in process: for every strategy and shape, the deployment is killed at every
 * AWS write (before it reaches AWS, and after it took effect but before the answer was journaled) and at
 * every step boundary (the step just marked running; the handler returned but `done` not saved). Then,
 * from the journal alone, a new engine resumes (the deployment must succeed) or, in a separate case on a
 * copy of the crashed world, rolls back (the world must be blue's again). The crash model is described in
 * harness.ts; the invariants in invariants.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import { DeploymentError } from '../../src/errors.js';
import { afterCrash, goldenRun, prepare, runToCrash, type CrashPoint, type Golden, type Mutation } from './harness.js';
import { ownedResources } from './invariants.js';
import { isKnownBug } from './known-bugs.js';
import { SCENARIOS } from './scenarios.js';

interface Case {
  name: string;
  point: CrashPoint;
  /** The write crashed at (before / after points). */
  write?: Mutation;
  then: 'resume' | 'rollback';
}

function casesOf(golden: Golden): Case[] {
  const points: { label: string; point: CrashPoint; write?: Mutation }[] = [
    ...golden.mutations.flatMap((m) =>
      (['before', 'after'] as const).map((kind) => ({
        label: `${kind} write #${m.k} ${m.operation} (${m.step})`,
        point: { kind, k: m.k },
        write: m,
      })),
    ),
    ...golden.steps.flatMap((step) =>
      (['start', 'end'] as const).map((kind) => ({ label: `at the ${kind} of step ${step}`, point: { kind, step } })),
    ),
  ];
  return points.flatMap(({ label, point, write }) =>
    (['resume', 'rollback'] as const).map((then) => ({ name: `crash ${label}, then ${then}`, point, then, ...(write ? { write } : {}) })),
  );
}

const ALL = await Promise.all(
  SCENARIOS.map(async (scenario) => {
    const golden = await goldenRun(scenario);
    return { scenario, golden, cases: casesOf(golden).filter((c) => !isKnownBug(scenario, c.then, c.point, c.write)) };
  }),
);

describe.each(
  ALL.map(
    (x) => [`${x.scenario.name} (${x.golden.mutations.length} writes, ${x.golden.saves} journal saves, ${x.golden.steps.length} steps)`, x] as const,
  ),
)('%s', (_name, { scenario, golden, cases }) => {
  it('crashes at every write: each step that creates something wrote, and the write is attributed to it', async () => {
    const { plan } = await prepare(scenario);
    const creating = plan.steps.filter((s) => (s.creates ?? []).length > 0).map((s) => s.id);
    expect(creating.length).toBeGreaterThan(0);
    expect(creating.filter((id) => !golden.mutations.some((m) => m.step === id))).toEqual([]);
    expect(golden.mutations.every((m) => m.phase === 'deploy' && plan.steps.some((s) => s.id === m.step))).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_case, { point, then }) => {
    const crashed = await runToCrash(scenario, point);
    const { checks } = scenario;
    // The replay is the deployment up to the crash: the same writes as the uninterrupted run, in order.
    const ops = (list: Mutation[]) => list.map((m) => `${m.operation} ${JSON.stringify(m.args)}`);
    const made = ops(crashed.inst.mutations);
    expect(made).toEqual(ops(golden.mutations).slice(0, made.length));
    if (point.kind === 'before') expect(made).toHaveLength(point.k - 1);
    if (point.kind === 'after') expect(made).toHaveLength(point.k);
    const problems: string[] = [];
    const tag = (what: string, list: string[]) => problems.push(...list.map((p) => `${what}: ${p}`));

    // The crashed world: what AWS holds is named by the journal on disk, its recorded values are true, traffic is fine.
    tag('crashed', checks.journal(crashed, crashed.journal));
    tag('crashed', await checks.owned(crashed, crashed.journal));
    tag('crashed', await checks.always(crashed));
    const crashedSnapshot = crashed.world.aws.snapshot();
    const refusal = checks.refusesRollback(crashed, crashed.journal);

    const { result, store } = await afterCrash(scenario, crashed, then);
    const final = store.persisted as Journal;
    if (then === 'resume') {
      if (result instanceof Error) throw result;
      expect(result.status).toBe('succeeded');
      expect(final.steps.filter((s) => s.state !== 'done').map((s) => `${s.id} ${s.state}`)).toEqual([]);
      tag('resumed', await checks.deployed(crashed, final));
      tag('resumed', await checks.owned(crashed, final));
    } else if (refusal) {
      // By design (terminated or deleted blue cannot come back): refused before any change, saying why.
      expect(result).toBeInstanceOf(DeploymentError);
      expect((result as Error).message).toMatch(refusal);
      expect(crashed.world.aws.snapshot()).toEqual(crashedSnapshot);
    } else {
      if (result instanceof Error) throw result;
      expect(result.status).toBe('rolled-back');
      expect(ownedResources(crashed.world.aws).map((o) => `${o.kind} ${o.names[0]}`)).toEqual([]);
      expect(checks.normalise(crashed, crashed.world.aws.snapshot())).toEqual(checks.normalise(crashed, crashed.before));
    }
    tag('final', checks.journal(crashed, final));
    tag('final', await checks.always(crashed));
    tag('order', checks.order(crashed));
    problems.push(...crashed.violations);
    expect(problems).toEqual([]);
  });
});
