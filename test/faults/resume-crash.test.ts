/**
 * A resume is itself resumable: for every strategy and shape, a deployment killed in its middle (after its
 * write number floor(N/2) took effect, usually inside a step) is resumed, and that resume is killed in turn
 * at each of its writes (before / after) and at each step boundary; a second resume from the journal alone
 * must then finish the deployment, with the invariants of crash.test.ts. The crash model is in harness.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/engine/types.js';
import { afterCrash, Crash, goldenRun, runToCrash, type CrashPoint, type Mutation, type Scenario } from './harness.js';
import { isKnownBug } from './known-bugs.js';
import { SCENARIOS } from './scenarios.js';

interface Case {
  name: string;
  point: CrashPoint;
  write?: Mutation;
}

/** Where the first crash lands: after the middle write of the uninterrupted deployment. */
async function originOf(scenario: Scenario): Promise<CrashPoint> {
  const golden = await goldenRun(scenario);
  return { kind: 'after', k: Math.max(1, Math.floor(golden.mutations.length / 2)) };
}

/** The resume once, uninterrupted, from the origin: its writes and the steps it runs. */
async function casesOf(scenario: Scenario, origin: CrashPoint): Promise<Case[]> {
  const crashed = await runToCrash(scenario, origin);
  const { result, store } = await afterCrash(scenario, crashed, 'resume');
  if (result instanceof Error) throw new Error(`${scenario.name}: the uninterrupted resume failed: ${result.message}`);
  const writes = crashed.inst.mutations.filter((m) => m.phase === 'resume');
  const notDone = new Set(crashed.journal.steps.filter((s) => s.state !== 'done').map((s) => s.id));
  const steps = (store.persisted as Journal).steps.filter((s) => notDone.has(s.id)).map((s) => s.id);
  const cases: Case[] = [
    ...writes.flatMap((m) =>
      (['before', 'after'] as const).map((kind) => ({
        name: `resume crashed ${kind} write #${m.k} ${m.operation} (${m.step}), then resume`,
        point: { kind, k: m.k },
        write: m,
      })),
    ),
    ...steps.flatMap((step) =>
      (['start', 'end'] as const).map((kind) => ({
        name: `resume crashed at the ${kind} of step ${step}, then resume`,
        point: { kind, step },
      })),
    ),
  ];
  return cases.filter((c) => !isKnownBug(scenario, 'resume', c.point, c.write));
}

const ALL = await Promise.all(
  SCENARIOS.map(async (scenario) => {
    const origin = await originOf(scenario);
    return { scenario, origin, cases: await casesOf(scenario, origin) };
  }),
);

describe.each(ALL.map((x) => [`${x.scenario.name}, first crash after write #${(x.origin as { k: number }).k}`, x] as const))(
  '%s',
  (_name, { scenario, origin, cases }) => {
    it('crashes the resume at every write and step boundary', () => {
      expect(cases.length).toBeGreaterThanOrEqual(4);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_case, { point }) => {
      const { checks } = scenario;
      const crashed = await runToCrash(scenario, origin);
      const first = await afterCrash(scenario, crashed, 'resume', point);
      expect(first.result).toBeInstanceOf(Crash);
      const twice = { ...crashed, journal: first.store.persisted as Journal };
      const problems: string[] = [];
      const tag = (what: string, list: string[]) => problems.push(...list.map((p) => `${what}: ${p}`));
      tag('crashed resume', checks.journal(twice, twice.journal));
      tag('crashed resume', await checks.owned(twice, twice.journal));
      tag('crashed resume', await checks.always(twice));

      const { result, store } = await afterCrash(scenario, twice, 'resume');
      if (result instanceof Error) throw result;
      expect(result.status).toBe('succeeded');
      const final = store.persisted as Journal;
      expect(final.steps.filter((s) => s.state !== 'done').map((s) => `${s.id} ${s.state}`)).toEqual([]);
      tag('resumed', await checks.deployed(twice, final));
      tag('resumed', await checks.owned(twice, final));
      tag('final', checks.journal(twice, final));
      tag('order', checks.order(twice));
      problems.push(...crashed.violations);
      expect(problems).toEqual([]);
    });
  },
);
