/**
 * The fault-injection harness: a deployment killed at every AWS write and at every step boundary, then
 * resumed or rolled back from the journal alone.
 *
 * The crash model. A SIGKILL lands between two instructions of the process; what survives it is (1) the
 * AWS writes that reached AWS and (2) the journal as it was last saved. So instead of killing a process we
 * stop an in-process run at the moments that differ in those two things:
 *
 *  - `before` k: the k-th mutating AWS call of the deployment throws a Crash before it reaches the fake
 *    (the process died before sending it);
 *  - `after` k: the k-th mutating call takes effect in the fake, then throws a Crash (the process died
 *    before it could journal or even see the answer);
 *  - `start` S: the save that marks step S running is written, then the run dies (before the handler);
 *  - `end` S: the handler of S returned, and the save that would mark it done never happens.
 *
 * From the moment of the crash nothing more reaches the world: the journal store refuses every write and
 * the instrumented ports refuse every mutating call (both throw the Crash again), so whatever the engine's
 * error handling tries on the way out is lost, as it would be in a dead process. The run's promise is then
 * abandoned. What "AWS" holds is the FakeAws; what "disk" holds is `CrashStore.persisted`.
 *
 * Then a NEW engine with fresh handlers (a new process) reads only that journal and runs `resume`
 * (runForward) or `rollback` (runRollback) over the same FakeAws and the same virtual clock. The two
 * follow-ups are separate cases: each re-creates the crashed world by replaying the deterministic run up to
 * the same crash (the fake and the virtual clock are deterministic), which is a copy of the crashed world.
 *
 * A rollback is itself resumable: rollback-crash.test.ts kills a rollback the same way (at its writes, and
 * at the boundaries of each undo: marked undoing, or undone but not saved) and rolls back again.
 *
 * Every mutating call that took effect is logged (operation, arguments, virtual time, run phase), and after
 * each one an async check reads the fake's state: invariants that must hold at every moment (traffic only
 * to something healthy) are checked there, and violations collected (never thrown into the engine, which
 * would turn them into step failures).
 */
import type { Config } from '../../src/config/schema.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { runForward, runRollback, type EngineOptions } from '../../src/engine/runner.js';
import type { JournalStore } from '../../src/engine/store.js';
import type { Journal, StepRegistry } from '../../src/engine/types.js';
import { newJournal } from '../../src/operations.js';
import type { Plan, Strategy, StrategyServices } from '../../src/strategies/types.js';
import type { FakeAws } from '../fakes/aws.js';
import type { VirtualClock } from '../support/virtual-clock.js';

export const DEPLOYMENT_ID = 'k3x9a';

/** The death of the process. Nothing in the product catches it on purpose. */
export class Crash extends Error {
  constructor(readonly where: string) {
    super(`CRASH (simulated SIGKILL) ${where}`);
    this.name = 'Crash';
  }
}

export type Phase = 'deploy' | 'resume' | 'rollback';

/** One mutating AWS call that took effect. */
export interface Mutation {
  /** 1-based index among the effective mutating calls of its phase (the deploy run, the resume, the rollback). */
  k: number;
  operation: string;
  args: unknown[];
  at: number;
  /** Its place in the fake's call log (reads included): aws.calls.slice(a.seq, b.seq) are the calls between two writes. */
  seq: number;
  phase: Phase;
  /** The step running (or undoing) in the journal last saved when the call was made. */
  step: string | undefined;
}

export type CrashPoint = { kind: 'before' | 'after'; k: number } | { kind: 'start' | 'end'; step: string };

/** Whether the process is alive, and where it died. */
export class Power {
  crashed: Crash | undefined;
  die(where: string): never {
    this.crashed ??= new Crash(where);
    throw this.crashed;
  }
  refuseIfDead(what: string): void {
    if (this.crashed) throw new Crash(`${this.crashed.where} (then refused: ${what})`);
  }
}

/** The "disk": the journal as last saved, with a hook that can kill the process at a save. */
export class CrashStore implements JournalStore {
  persisted: Journal | undefined;
  saves = 0;
  /** Decides, before a save is written, whether the process dies at it: after writing it, or instead of writing it. */
  onSave?: (journal: Journal, previous: Journal | undefined) => 'write-then-die' | 'die' | undefined;
  constructor(
    private readonly power: Power,
    seed?: Journal,
  ) {
    this.persisted = seed ? structuredClone(seed) : undefined;
  }
  async current() {
    return this.persisted ? structuredClone(this.persisted) : undefined;
  }
  async save(journal: Journal) {
    this.power.refuseIfDead('journal save');
    const decision = this.onSave?.(journal, this.persisted);
    if (decision === 'die') this.power.die(`instead of saving the journal (${describeSave(journal)})`);
    this.persisted = structuredClone(journal);
    this.saves++;
    if (decision === 'write-then-die') this.power.die(`after saving the journal (${describeSave(journal)})`);
  }
  async archive() {
    this.persisted = undefined;
  }
  async history() {
    return [];
  }
}

function describeSave(j: Journal): string {
  const active = j.steps.find((s) => s.state === 'running' || s.state === 'undoing');
  return `${j.status}${active ? `, ${active.id} ${active.state}` : ''}`;
}

/** The step a journal says is running or undoing. */
export function activeStep(j: Journal | undefined): string | undefined {
  return j?.steps.find((s) => s.state === 'running' || s.state === 'undoing')?.id;
}

const PORTS = ['groups', 'launch', 'images', 'instances', 'classicLoadBalancers', 'targetGroups', 'dns', 'alarms', 'ssm', 'listeners'] as const;

export interface Instrumented {
  mutations: Mutation[];
  /** Checks run after every effective mutation (awaited before the call returns to the handler). */
  afterEach: Array<(m: Mutation) => Promise<void>>;
  phase: Phase;
  /** Crash at the k-th effective mutating call of the current phase, before or after it. */
  crashAt?: { kind: 'before' | 'after'; k: number };
  /** The store whose last save says which step runs. */
  store?: CrashStore;
  power: Power;
}

/**
 * Wraps every port method of the fake (its behaviour unchanged): counts the mutating calls (the fake's
 * `beforeMutation` says which are), crashes at the chosen one, refuses mutations once dead, logs the
 * effective ones and runs the after-checks.
 */
export function instrument(aws: FakeAws, power: Power): Instrumented {
  const inst: Instrumented = { mutations: [], afterEach: [], phase: 'deploy', power };
  const box: { pending?: { operation: string; args: unknown[] } } = {};
  const take = () => {
    const found = box.pending;
    delete box.pending;
    return found;
  };
  const counts: Record<Phase, number> = { deploy: 0, resume: 0, rollback: 0 };
  aws.beforeMutation = (operation, args) => {
    power.refuseIfDead(operation);
    box.pending = { operation, args: structuredClone(args) };
    if (inst.crashAt?.kind === 'before' && inst.crashAt.k === counts[inst.phase] + 1) {
      delete box.pending;
      power.die(`before ${inst.phase} mutating call #${counts[inst.phase] + 1} ${operation}`);
    }
  };
  for (const name of PORTS) {
    const port = aws[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const [method, fn] of Object.entries(port)) {
      port[method] = async (...args: unknown[]) => {
        take();
        const call = fn(...args);
        // The fake calls beforeMutation synchronously, at the start of the call: this call's, not another's.
        const mine = take();
        const result = await call;
        if (!mine) return result;
        const k = ++counts[inst.phase];
        const m: Mutation = {
          k,
          operation: mine.operation,
          args: mine.args,
          at: aws.clock.now(),
          seq: aws.calls.length,
          phase: inst.phase,
          step: activeStep(inst.store?.persisted),
        };
        inst.mutations.push(m);
        for (const check of inst.afterEach) await check(m);
        if (inst.crashAt?.kind === 'after' && inst.crashAt.k === k) {
          power.die(`after ${inst.phase} mutating call #${k} ${mine.operation} took effect`);
        }
        return result;
      };
    }
  }
  return inst;
}

// ---------------------------------------------------------------- scenarios

export interface ScenarioWorld {
  clock: VirtualClock;
  aws: FakeAws;
}

/** One strategy and shape: how to build its blue world, its config, its services. */
export interface Scenario<W extends ScenarioWorld = ScenarioWorld> {
  name: string;
  strategy: Strategy<unknown>;
  /**
   * Where the crashes during a rollback start from: a deployment crashed there (undefined: a finished
   * deployment). For shapes whose finished deployment cannot be rolled back (blue deleted, old instances
   * terminated), a point before that.
   */
  rollbackFrom?: CrashPoint;
  build(): { world: W; config: Config; services: StrategyServices };
  /** Invariants of this strategy (see invariants.ts). */
  checks: StrategyChecks<W>;
}

export interface RunContext<W extends ScenarioWorld = ScenarioWorld> {
  world: W;
  config: Config;
  services: StrategyServices;
  plan: Plan;
  /** The world before the deployment (FakeAws.snapshot()). */
  before: unknown;
  /** Facts read before the deployment, for the journal's recorded values (strategy specific). */
  original: Record<string, unknown>;
  inst: Instrumented;
  violations: string[];
}

export interface StrategyChecks<W extends ScenarioWorld = ScenarioWorld> {
  /** Read before the deploy: what the journal's recorded values must equal. */
  original(world: W, config: Config, plan: Plan): Promise<Record<string, unknown>>;
  /** At every moment: "" when fine, else what is wrong (traffic to nothing healthy...). */
  always(ctx: RunContext<W>): Promise<string[]>;
  /** On any journal (crashed, resumed): recorded values equal the originals. */
  journal(ctx: RunContext<W>, journal: Journal): string[];
  /** On the world and a journal: no duplicates, nothing owned that the journal does not name. */
  owned(ctx: RunContext<W>, journal: Journal): Promise<string[]>;
  /** On the whole log: blue not scaled down / retired before the switch and retire.after. */
  order(ctx: RunContext<W>): string[];
  /** After a resume: the deployment is finished as a deploy would have finished it. */
  deployed(ctx: RunContext<W>, journal: Journal): Promise<string[]>;
  /**
   * When a rollback from this crashed journal is refused by design (what a step deleted or terminated cannot
   * come back): the message it must give. Undefined: the rollback must restore blue.
   */
  refusesRollback(ctx: RunContext<W>, journal: Journal): RegExp | undefined;
  /** After a rollback: the snapshot normalised for what legitimately differs. */
  normalise(ctx: RunContext<W>, snapshot: unknown): unknown;
}

function engineOptions(registry: StepRegistry, store: JournalStore, clock: VirtualClock, events: EngineEvent[]): EngineOptions {
  return {
    registry,
    store,
    clock,
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    next: (verb) => `bluegreen ${verb} -c shop.yml`,
  };
}

/** Builds the scenario's world and plan, instruments the fake, and returns everything for a run. */
export async function prepare<W extends ScenarioWorld>(scenario: Scenario<W>): Promise<RunContext<W>> {
  const { world, config, services } = scenario.build();
  const observed = await scenario.strategy.observe(config, world.aws);
  const plan = scenario.strategy.plan(config, observed, DEPLOYMENT_ID);
  const original = await scenario.checks.original(world, config, plan);
  const before = world.aws.snapshot();
  const power = new Power();
  const inst = instrument(world.aws, power);
  const ctx: RunContext<W> = { world, config, services, plan, before, original, inst, violations: [] };
  inst.afterEach.push(async (m) => {
    for (const v of await scenario.checks.always(ctx)) ctx.violations.push(`after ${m.phase} call ${m.operation} (step ${m.step ?? '-'}): ${v}`);
  });
  return ctx;
}

export interface Golden {
  steps: string[];
  mutations: Mutation[];
  saves: number;
}

/** The whole deployment once, uninterrupted: its steps and its N mutating calls. */
export async function goldenRun(scenario: Scenario): Promise<Golden> {
  const ctx = await prepare(scenario);
  const store = new CrashStore(ctx.inst.power);
  ctx.inst.store = store;
  const journal = newJournal(ctx.plan, ctx.config, ctx.world.clock.now());
  const done = await runForward(
    journal,
    engineOptions(scenario.strategy.handlers(ctx.world.aws, ctx.services), store, ctx.world.clock, []),
    'deploy',
  );
  if (done.status !== 'succeeded') throw new Error(`${scenario.name}: the uninterrupted deployment ended ${done.status}: ${done.error}`);
  if (ctx.violations.length > 0) throw new Error(`${scenario.name}: the uninterrupted deployment broke invariants:\n${ctx.violations.join('\n')}`);
  return { steps: done.steps.map((s) => s.id), mutations: ctx.inst.mutations, saves: store.saves };
}

export interface Crashed<W extends ScenarioWorld = ScenarioWorld> extends RunContext<W> {
  /** The journal as it was last saved before the crash. */
  journal: Journal;
  /** Undefined: the run ended by itself. */
  crash: Crash | undefined;
}

/**
 * Arms the crash point for the next run: a write (before / after) through the instrumented ports, or a
 * step boundary through the store: `start` writes the save that marks the step running (undoing, in a
 * rollback) and dies; `end` dies instead of the save that marks it done (undone).
 */
function arm(inst: Instrumented, store: CrashStore, point: CrashPoint | undefined, undo: boolean): void {
  delete inst.crashAt;
  delete store.onSave;
  if (!point) return;
  if (!('step' in point)) {
    inst.crashAt = point;
    return;
  }
  const { kind, step } = point;
  const [begun, finished] = undo ? ['undoing', 'undone'] : ['running', 'done'];
  let first = true;
  store.onSave = (j, previous) => {
    const now = j.steps.find((s) => s.id === step)?.state;
    const was = previous?.steps.find((s) => s.id === step)?.state;
    // A step a crash left running is running from this run's first save on (its handler has not run yet).
    const fresh = first;
    first = false;
    if (kind === 'start' && now === begun && (was !== begun || fresh)) return 'write-then-die';
    if (kind === 'end' && now === finished && was !== finished) return 'die';
    return undefined;
  };
}

/**
 * Runs the deployment until the crash point (or to its end, without one); returns the world and what the
 * disk holds, the process alive again (a new one).
 */
export async function runToCrash<W extends ScenarioWorld>(scenario: Scenario<W>, point: CrashPoint | undefined): Promise<Crashed<W>> {
  const ctx = await prepare(scenario);
  const power = ctx.inst.power;
  const store = new CrashStore(power);
  ctx.inst.store = store;
  arm(ctx.inst, store, point, false);
  const journal = newJournal(ctx.plan, ctx.config, ctx.world.clock.now());
  const outcome = await runForward(
    journal,
    engineOptions(scenario.strategy.handlers(ctx.world.aws, ctx.services), store, ctx.world.clock, []),
    'deploy',
  ).then(
    (j) => j,
    (e: unknown) => e,
  );
  if (point ? !(outcome instanceof Crash) : (outcome as Journal).status !== 'succeeded') {
    throw new Error(
      `${scenario.name}: expected the run to ${point ? `die at ${JSON.stringify(point)}` : 'succeed'}, it ended with ${outcome instanceof Error ? outcome.message : JSON.stringify((outcome as Journal).status)}`,
    );
  }
  if (!store.persisted) throw new Error(`${scenario.name}: nothing was journaled before the crash`);
  // A new process: alive again, no crash point, the journal from disk only.
  power.crashed = undefined;
  arm(ctx.inst, store, undefined, false);
  return { ...ctx, journal: store.persisted, crash: outcome instanceof Crash ? outcome : undefined };
}

/**
 * A new engine with fresh handlers over the crashed world: `resume` or `rollback`, from the journal alone
 * (`crashed.journal`). With `crashAt`, this run dies there too (a crash during the resume or rollback).
 */
export async function afterCrash<W extends ScenarioWorld>(
  scenario: Scenario<W>,
  crashed: Crashed<W>,
  then: 'resume' | 'rollback',
  crashAt?: CrashPoint,
): Promise<{ result: Journal | Error; store: CrashStore; events: EngineEvent[] }> {
  const power = crashed.inst.power;
  power.crashed = undefined;
  const store = new CrashStore(power, crashed.journal);
  crashed.inst.store = store;
  crashed.inst.phase = then;
  arm(crashed.inst, store, crashAt, then === 'rollback');
  const events: EngineEvent[] = [];
  const options = engineOptions(scenario.strategy.handlers(crashed.world.aws, crashed.services), store, crashed.world.clock, events);
  const journal = (await store.current()) as Journal;
  const run = then === 'resume' ? runForward(journal, options, 'resume') : runRollback(journal, options);
  const result = await run.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  power.crashed = undefined;
  arm(crashed.inst, store, undefined, false);
  return { result, store, events };
}
