/**
 * Old journals: a deployment run by the engine (as test/faults/harness.ts runs it) until it stopped, the
 * journal and the in-memory AWS at that moment, and what a new process then did with them (resume, or
 * promote when paused; rollback). scripts/record-compat.ts records all of it with the code of its
 * checkout; journals.test.ts gives the recorded journal and world to the code of the day and compares.
 */
import type { Config } from '../../../src/config/schema.js';
import { describeError, runForward, runRollback, type EngineOptions } from '../../../src/engine/runner.js';
import type { JournalStore } from '../../../src/engine/store.js';
import type { Journal, StepRecord, StepRegistry } from '../../../src/engine/types.js';
import { newJournal } from '../../../src/operations.js';
import { strategyFor } from '../../../src/strategies/index.js';
import type { LiveStack } from '../../../src/strategies/types.js';
import { FakeAws, awsError, type FakeAwsDump } from '../../fakes/aws.js';
import { withoutRollbackLeftovers } from '../../faults/invariants.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { join } from 'node:path';
import { asJson, differences, FIXTURES } from './golden.js';
import { servicesFor, type JournalShape, type Stop } from './journal-shapes.js';
import { DEPLOYMENT_ID } from './shapes.js';

/** What a run ended with: the journal's status, or the error it threw (a simulated crash included). */
export type Outcome = { status: Journal['status'] } | { error: string };

/** What a run changes in a journal: its status and each step's progress (the rest is the plan, as written). */
export type JournalProgress = Pick<Journal, 'status' | 'error' | 'updatedAt' | 'pauseBefore'> & {
  steps: Array<Pick<StepRecord, 'id' | 'state' | 'startedAt' | 'endedAt' | 'outputs' | 'error'>>;
};

export function progressOf(j: Journal): JournalProgress {
  return asJson({
    status: j.status,
    error: j.error,
    updatedAt: j.updatedAt,
    pauseBefore: j.pauseBefore,
    steps: j.steps.map((s) => ({ id: s.id, state: s.state, startedAt: s.startedAt, endedAt: s.endedAt, outputs: s.outputs, error: s.error })),
  });
}

/** A journal without its progress: what no run may change (the plan, the summary, the identity). */
export function planPartOf(j: Journal): unknown {
  const { status: _s, error: _e, updatedAt: _u, pauseBefore: _p, steps, ...rest } = j;
  return asJson({ ...rest, steps: steps.map(({ state: _st, startedAt: _sa, endedAt: _ea, outputs: _o, error: _er, ...step }) => step) });
}

/** What a new process did from the stop: its outcome, the virtual time, the journal's progress, the world. */
export interface FollowUp {
  outcome: Outcome;
  clock: number;
  journal: JournalProgress;
  snapshot: unknown;
  /** resume only: strategy.liveStack(observe) afterwards. */
  liveStack?: LiveStack;
}

export interface JournalFixture {
  recorded: string;
  shape: string;
  stop: Stop;
  config: Config;
  /** Before the deployment: the world (FakeAws.snapshot()) a rollback must return to, and the live stack. */
  before: { snapshot: unknown; liveStack: LiveStack };
  /** Where the run stopped: its outcome, the virtual time, the journal as the disk held it, the world as FakeAws.dump(). */
  at: { outcome: Outcome; clock: number; journal: Journal; fake: FakeAwsDump };
  /** What the recording code did next, each from `at` alone. */
  resume: FollowUp;
  rollback: FollowUp;
}

/** The death of the process (a simulated SIGKILL): nothing more reaches the disk or AWS. */
class Crash extends Error {
  override name = 'Crash';
}

/** The disk: the journal as last saved; refuses every save once the process is dead. */
class Store implements JournalStore {
  persisted: Journal | undefined;
  constructor(private readonly dead: () => boolean = () => false) {}
  async current() {
    return this.persisted ? structuredClone(this.persisted) : undefined;
  }
  async save(journal: Journal) {
    if (this.dead()) throw new Crash('dead: journal save refused');
    this.persisted = structuredClone(journal);
  }
  async archive() {}
  async history() {
    return [];
  }
}

function engine(registry: StepRegistry, store: JournalStore, clock: VirtualClock): EngineOptions {
  return { registry, store, clock, emit: () => {}, signal: new AbortController().signal, next: (verb) => `bluegreen ${verb} -c shop.yml` };
}

const outcomeOf = (run: Promise<Journal>): Promise<Outcome> =>
  run.then(
    (j) => ({ status: j.status }),
    (e: unknown) => ({ error: `${e instanceof Crash ? 'CRASH ' : ''}${describeError(e)}` }),
  );

/** Arms the stop on the fake; returns whether the process is dead (crashed). */
function arm(aws: FakeAws, stop: Stop): () => boolean {
  let dead = false;
  if (stop.name === 'failed') aws.failOn(stop.operation, awsError(stop.operation), { skip: stop.skip ?? 0 });
  if (stop.name === 'crashed') {
    const [port, method] = stop.operation.split('.') as [string, string];
    const methods = (aws as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[port] as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const original = methods[method] as (...args: unknown[]) => Promise<unknown>;
    let calls = 0;
    methods[method] = async (...args: unknown[]) => {
      const result = await original(...args);
      if (calls++ === (stop.skip ?? 0)) {
        dead = true;
        throw new Crash(`after ${stop.operation} took effect`);
      }
      return result;
    };
    aws.beforeMutation = (operation) => {
      if (dead) throw new Crash(`dead: ${operation} refused`);
    };
  }
  return () => dead;
}

const EXPECTED: Record<Stop['name'], (o: Outcome, j: Journal) => boolean> = {
  failed: (o, j) => 'error' in o && j.status === 'failed',
  crashed: (o, j) => 'error' in o && o.error.startsWith('CRASH') && j.status === 'running',
  paused: (o, j) => 'status' in o && o.status === 'paused' && j.status === 'paused',
  succeeded: (o, j) => 'status' in o && o.status === 'succeeded' && j.status === 'succeeded',
};

/** Runs the shape's deployment until the stop: what the disk and the world held then. */
export async function runToStop(shape: JournalShape, stop: Stop): Promise<Omit<JournalFixture, 'recorded' | 'resume' | 'rollback'>> {
  const { aws, clock, config } = shape.build();
  const strategy = strategyFor(config.strategy);
  const observed: unknown = await strategy.observe(config, aws);
  const plan = strategy.plan(config, observed, DEPLOYMENT_ID);
  const before = { snapshot: aws.snapshot(), liveStack: strategy.liveStack(observed) };
  const journal = newJournal(plan, config, clock.now());
  if (stop.name === 'paused') journal.pauseBefore = plan.steps.find((s) => s.pausePoint)?.id;
  const dead = arm(aws, stop);
  const store = new Store(dead);
  const outcome = await outcomeOf(runForward(journal, engine(strategy.handlers(aws, servicesFor(config)), store, clock), 'deploy'));
  // Taken at once: a crashed run's abandoned work must not move the recorded world on.
  const at = { outcome, clock: clock.now(), journal: store.persisted as Journal, fake: aws.dump() };
  if (!at.journal || !EXPECTED[stop.name](outcome, at.journal)) {
    throw new Error(`${shape.name} ${stop.name}: the run did not stop as asked: ${JSON.stringify(outcome)}, journal ${at.journal?.status}`);
  }
  return asJson({ shape: shape.name, stop, config, before, at });
}

/**
 * A new process over the recorded moment alone: the world loaded from its dump, the journal from the
 * disk. resume runs it forward (promote: a paused one, pauseBefore removed as `bluegreen promote` does).
 */
export async function followUp(
  fixture: Pick<JournalFixture, 'at' | 'config'>,
  then: 'resume' | 'rollback',
): Promise<{ after: FollowUp; journal: Journal }> {
  const clock = new VirtualClock(fixture.at.clock);
  const aws = FakeAws.load(fixture.at.fake, clock);
  const journal = structuredClone(fixture.at.journal);
  const strategy = strategyFor(journal.strategy);
  const store = new Store();
  store.persisted = structuredClone(journal);
  const options = engine(strategy.handlers(aws, servicesFor(fixture.config)), store, clock);
  let mode: 'resume' | 'promote' = 'resume';
  if (then === 'resume' && journal.status === 'paused') {
    delete journal.pauseBefore;
    mode = 'promote';
  }
  const outcome = await outcomeOf(then === 'resume' ? runForward(journal, options, mode) : runRollback(journal, options));
  const saved = store.persisted;
  const after: FollowUp = { outcome, clock: clock.now(), journal: progressOf(saved), snapshot: aws.snapshot() };
  if (then === 'resume') after.liveStack = strategy.liveStack(await strategy.observe(fixture.config, aws));
  return { after: asJson(after), journal: saved };
}

export const journalFile = (shape: string, stop: string) => join(FIXTURES, 'journals', `${shape}-${stop}.json`);

interface Snapshot {
  groups: Record<string, { group: { MinSize?: number; DesiredCapacity?: number }; instances: string[] | number }>;
}

/** What a resume must end with: succeeded, green live, blue retired as configured (swap: no old instance left). */
export function resumeProblems(f: Pick<JournalFixture, 'before' | 'config' | 'resume'>): string[] {
  const { before, config, resume } = f;
  const problems: string[] = [];
  if (!('status' in resume.outcome) || resume.outcome.status !== 'succeeded')
    problems.push(`resume ended ${JSON.stringify(resume.outcome)}, not succeeded`);
  const blue = before.liveStack.group;
  const was = (before.snapshot as Snapshot).groups[blue];
  const now = (resume.snapshot as Snapshot).groups[blue];
  if (resume.liveStack?.imageId === before.liveStack.imageId) problems.push(`the live stack still runs blue's image ${before.liveStack.imageId}`);
  if (config.strategy === 'swap-instances') {
    const old = (was?.instances as string[]) ?? [];
    const left = ((now?.instances as string[]) ?? []).filter((id) => old.includes(id));
    if (left.length > 0) problems.push(`old instances still in ${blue}: ${left.join(', ')}`);
    return problems;
  }
  if (resume.liveStack?.group === blue) problems.push(`${blue} (blue) is still the live group`);
  const action = config.retire.action;
  const retired =
    action === 'delete'
      ? now === undefined
      : action === 'scale-to-zero'
        ? now?.group.MinSize === 0 && now.group.DesiredCapacity === 0
        : now?.group.DesiredCapacity === was?.group.DesiredCapacity;
  if (!retired) problems.push(`blue ${blue} is not as retire.action ${action} leaves it: ${JSON.stringify(now?.group ?? 'deleted')}`);
  return problems;
}

/**
 * Before and after a rollback, without what it may legitimately leave different: what
 * test/faults/invariants.ts leaves out (instances launched and terminated, which EC2 still describes;
 * group members registered by hand with the group's own load balancer or target group, and registration
 * times), and a group scaled to zero and back, whose instances are new ones (compared by number).
 */
function comparable(snapshot: Snapshot, before: Snapshot): [Snapshot, Snapshot] {
  const copy = withoutRollbackLeftovers(before, snapshot) as Snapshot;
  const was = withoutRollbackLeftovers(before, before) as Snapshot;
  for (const [name, g] of Object.entries(copy.groups)) {
    const old = was.groups[name];
    if (!old || !Array.isArray(g.instances) || !Array.isArray(old.instances)) continue;
    const ids = old.instances;
    if (!g.instances.some((id) => ids.includes(id))) [g.instances, old.instances] = [g.instances.length, ids.length];
  }
  return [copy, was];
}

/** The world at the stop, from its dump. */
export const snapshotAt = (at: JournalFixture['at']) => FakeAws.load(at.fake, new VirtualClock(at.clock)).snapshot();

/** What a rollback must end with: the world before the deployment, or a refusal that changed nothing. */
export function rollbackProblems(f: Pick<JournalFixture, 'before' | 'at' | 'rollback'>): string[] {
  const { before, at, rollback } = f;
  if ('error' in rollback.outcome) {
    if (!/ is not possible: .*Nothing was changed\.$/.test(rollback.outcome.error)) return [`rollback failed: ${rollback.outcome.error}`];
    return differences(snapshotAt(at), rollback.snapshot).map((d) => `a refused rollback changed the world: ${d}`);
  }
  if (rollback.outcome.status !== 'rolled-back') return [`rollback ended ${rollback.outcome.status}`];
  const [after, was] = comparable(rollback.snapshot as Snapshot, before.snapshot as Snapshot);
  return differences(was, after).map((d) => `after the rollback, unlike before the deployment: ${d}`);
}
