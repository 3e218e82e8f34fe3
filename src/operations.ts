/**
 * The operations of bluegreen, shared by the CLI and the library: plan, deploy, resume, promote, rollback,
 * status, unlock, history (and deploymentHistory), iamPolicy and gc. Each loads the config, takes the
 * service's lock when it changes anything, and drives the one engine (gc: the janitor). The CLI calls
 * these and nothing below them. What they decide is pure and lives in src/operations/: the new journal and
 * the plans shown before a yes (plans.ts), which journal status refuses which verb (refusals.ts), the status
 * report (status.ts), the history entries (history.ts); what they open (config, state, lock, ports, engine)
 * is session.ts, the remote runners services.ts, the "bluegreen VERB -c FILE" lines command.ts.
 */
import type { AwsPorts } from './aws/ports.js';
import { loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { runRollback } from './engine/runner.js';
import { isUnfinished } from './engine/states.js';
import type { Journal } from './engine/types.js';
import { InputError, type LockHolder } from './errors.js';
import type { IamPolicy, PolicyNeeds } from './iam/policy.js';
import type { DeleteOptions } from './janitor/gc.js';
import type { AgeRule, GcPlan, Leftover } from './janitor/plan.js';
import { historyEntry, type HistoryEntry } from './operations/history.js';
import type { DeployOptions, OperationOptions, PlanOptions, PlanResult, ResumeOptions } from './operations/options.js';
import { newDeploymentId, newJournal, remainingPlan, requirePausePoint, rollbackPlan } from './operations/plans.js';
import { deployRefusal, promoteRefusal, resumeRefusal, rollbackRefusal } from './operations/refusals.js';
import { actor, locked, open, portsFor, runJournal, withEngine, type Session } from './operations/session.js';
import { withServices } from './operations/services.js';
import { loadStrategy } from './operations/strategy.js';
import { statusReport, type StatusReport } from './operations/status.js';
import { runSignal, stateLocation } from './state/index.js';
import type { LiveStack } from './strategies/types.js';

export type { Confirm, DeployOptions, OperationOptions, PlanOptions, PlanResult, ResumeOptions } from './operations/options.js';
export type { HistoryEntry } from './operations/history.js';
export type { StatusReport } from './operations/status.js';
export { historyEntry };
export { newJournal, pausePointOf, remainingPlan, rollbackPlan } from './operations/plans.js';
export { liveColor, nextCommands } from './operations/status.js';

async function makePlan(session: Session, options: OperationOptions) {
  const ports = await portsFor(options, session.config);
  const strategy = await loadStrategy(session.config.strategy);
  const observed = await strategy.observe(session.config, ports);
  return { plan: strategy.plan(session.config, observed, newDeploymentId()), ports };
}

/** Reads AWS (read-only calls) and returns the steps `deploy` would take. Changes nothing. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  const session = await open(options);
  const { plan } = await makePlan(session, options);
  const pauseBefore = options.pauseBeforeSwitch ? requirePausePoint(plan, session.config) : undefined;
  return { config: session.config, plan, ...(pauseBefore ? { pauseBefore } : {}) };
}

/** Plans, asks `confirm`, then runs the deployment. Undefined when the user said no. */
export async function deploy(options: DeployOptions): Promise<Journal | undefined> {
  const session = await open(options);
  return locked(session, options, 'deploy', false, async () => {
    const refusal = deployRefusal(await session.store.current(), session.command);
    if (refusal) throw refusal;
    const { plan, ports } = await makePlan(session, options);
    const pauseBefore = options.pauseBeforeSwitch ? requirePausePoint(plan, session.config) : undefined;
    if (options.confirm && !(await options.confirm(plan, session.config))) return undefined;
    const journal = newJournal(plan, session.config, session.clock.now(), actor());
    if (pauseBefore) journal.pauseBefore = pauseBefore;
    await session.store.archive();
    await session.store.save(journal);
    return runJournal(session, options, ports, journal, 'deploy');
  });
}

/** The service's current journal, or an InputError saying there is nothing to `what`. */
async function currentOf(session: Session, what: string): Promise<Journal> {
  const journal = await session.store.current();
  if (!journal)
    throw new InputError(`service ${session.config.service} has no deployment to ${what} (no journal in ${stateLocation(session.config)})`);
  return journal;
}

/**
 * Continues an interrupted or stopped deployment from its first unfinished step. With mode `promote`,
 * continues a paused deployment past its pause point: the same run, with the journal's pauseBefore removed
 * (under the lock, before anything runs).
 */
export async function resume(options: ResumeOptions): Promise<Journal> {
  const mode = options.mode ?? 'resume';
  const session = await open(options);
  return locked(session, options, mode, true, async () => {
    const journal = await currentOf(session, mode);
    const refusal = mode === 'promote' ? promoteRefusal(journal, session.command) : resumeRefusal(journal, session.command);
    if (refusal) throw refusal;
    if (mode === 'promote') {
      if (options.confirm && !(await options.confirm(remainingPlan(journal), session.config))) return journal;
      delete journal.pauseBefore;
      await session.store.save(journal);
    }
    return runJournal(session, options, await portsFor(options, session.config), journal, mode);
  });
}

/** Continues a paused deployment (deploy --pause-before-switch) past its pause point: resume in promote mode. */
export function promote(options: Omit<ResumeOptions, 'mode'>): Promise<Journal> {
  return resume({ ...options, mode: 'promote' });
}

/** Puts traffic back on blue and retires green, from the journal alone. */
export async function rollback(options: DeployOptions): Promise<Journal> {
  const session = await open(options);
  return locked(session, options, 'rollback', true, async () => {
    const journal = await currentOf(session, 'roll back');
    const refusal = rollbackRefusal(journal);
    if (refusal) throw refusal;
    if (options.confirm && !(await options.confirm(rollbackPlan(journal), session.config))) return journal;
    const ports = await portsFor(options, session.config);
    return withEngine(session, options, ports, journal, (engine) => runRollback(journal, engine));
  });
}

/** The current or last deployment from the journal, and the lock if held. */
export async function status(options: OperationOptions): Promise<StatusReport> {
  const session = await open(options);
  const journal = await session.store.current();
  const lock = await session.lock.read().catch(() => undefined);
  return statusReport(session.config.service, journal, lock, session.command);
}

/** Breaks the service's lock; returns who held it. */
export async function unlock(options: OperationOptions): Promise<LockHolder | undefined> {
  const session = await open(options);
  return session.lock.breakLock();
}

/** Past deployments, newest first. */
export async function history(options: OperationOptions): Promise<Journal[]> {
  const session = await open(options);
  return session.store.history();
}

/** Past deployments of the service as history entries, newest first; at most `limit` when given. */
export async function deploymentHistory(options: OperationOptions & { limit?: number }): Promise<HistoryEntry[]> {
  const journals = await history(options);
  return journals.slice(0, options.limit ?? journals.length).map(historyEntry);
}

/**
 * The least-privilege IAM policy for the config's strategy and release (src/iam/policy.ts). Reads only
 * the config file (no AWS call) unless `observe`: then also the live stack, with the strategy's read-only
 * observe. State in a local directory needs no AWS permission; state.s3 adds its bucket's.
 */
export async function iamPolicy(
  options: Pick<OperationOptions, 'configFile' | 'ports'> & {
    /** Read the live stack (read-only calls) for what makes AWS check more: roles handed to Auto Scaling, KMS keys. */
    observe?: boolean;
  },
): Promise<{ config: Config; policy: IamPolicy; needs: PolicyNeeds; notes: string[] }> {
  const config = await loadConfig(options.configFile);
  let live: LiveStack | undefined;
  if (options.observe) {
    const strategy = await loadStrategy(config.strategy);
    live = strategy.liveStack(await strategy.observe(config, await portsFor(options, config)));
  }
  // The policy builder only for this command (~5 ms of modules no other command needs).
  const { needsOf, policyFor, policyNotes } = await import('./iam/policy.js');
  const needs = needsOf(config, live);
  return { config, needs, policy: policyFor(needs), notes: policyNotes(needs) };
}

export interface GcOptions extends OperationOptions {
  /** Delete what the plan removes; without it gc only lists (changes nothing). */
  yes?: boolean;
  /** Keep the leftovers of deployments younger than this (`--older-than 7d`): by their journal, else their oldest resource. */
  olderThan?: { seconds: number; label: string };
  /** Told the plan once it is made, before anything is deleted, with everything the inventory found. */
  onPlan?: (plan: GcPlan, config: Config, found: Leftover[]) => void;
  /** Told before and after each deletion, and what a wait sees. */
  onDeleting?: DeleteOptions['onDeleting'];
  onDeleted?: DeleteOptions['onDeleted'];
  onProgress?: DeleteOptions['onProgress'];
}

export interface GcResult {
  config: Config;
  /** Everything the inventory found, as found. */
  found: Leftover[];
  plan: GcPlan;
  /** How many resources were deleted (0 without yes). */
  deleted: number;
  /** The command that deletes what the plan removes ("bluegreen gc -c shop.yml --yes"). */
  deleteCommand: string;
}

/**
 * The live stack as the strategy's observe finds it. Mid-deployment it may not be observable (e.g. weighted
 * records): both stacks of that deployment are kept by the journal then (undefined). Otherwise nothing is
 * deleted without knowing what is live: the error is thrown.
 */
async function liveStackFor(config: Config, ports: AwsPorts, journal: Journal | undefined): Promise<LiveStack | undefined> {
  const strategy = await loadStrategy(config.strategy);
  try {
    return strategy.liveStack(await strategy.observe(config, ports));
  } catch (error) {
    if (journal !== undefined && isUnfinished(journal.status)) return undefined;
    if (error instanceof InputError) {
      throw new InputError(`gc cannot tell which stack of ${config.service} is live: ${error.message}; nothing was deleted`, { cause: error });
    }
    throw error;
  }
}

/**
 * The janitor (src/janitor): lists what carries the service's tags or names but belongs to no live stack,
 * to no stack a rollback would return to and to no deployment in progress; with `yes`, deletes it, oldest
 * deployment first. Under the service's lock (a held lock: LockedError, nothing read or deleted).
 */
export async function gc(options: GcOptions): Promise<GcResult> {
  const session = await open(options);
  const { config } = session;
  const deleteCommand = `${session.command('gc')} --yes`;
  return locked(session, options, 'gc', false, async () => {
    // The janitor only for gc: no other command loads its modules.
    const [{ deleteLeftovers }, { takeInventory }, { planGc }, { cachedProtections, gcProtections, rollbackBlocked }] = await Promise.all([
      import('./janitor/gc.js'),
      import('./janitor/inventory.js'),
      import('./janitor/plan.js'),
      import('./janitor/protect.js'),
    ]);
    const ports = await portsFor(options, config);
    const signal = runSignal(options.signal, session.lock);
    const journal = await session.store.current();
    const live = await liveStackFor(config, ports, journal);
    const journalStrategy = journal?.status === 'succeeded' ? await loadStrategy(journal.strategy) : undefined;
    const blocked =
      journal && journalStrategy
        ? await withServices(config, ports, session.clock, (services) =>
            rollbackBlocked(journal, journalStrategy.handlers(ports, services), session.clock, signal),
          )
        : undefined;
    // history() holds the current journal too, newest first.
    const history = await session.store.history();
    // The newest past deployment too: one that just ended may have moved the record off a load balancer moments ago.
    const previous = history.find((j) => j.deploymentId !== journal?.deploymentId);
    const protections = [...gcProtections(live, journal, blocked), ...cachedProtections([journal, previous], session.clock.now())];
    const found = await takeInventory(config.service, ports);
    const age: AgeRule | undefined = options.olderThan && {
      ...options.olderThan,
      now: session.clock.now(),
      journalTimes: Object.fromEntries(history.map((j) => [j.deploymentId, j.createdAt] as const)),
    };
    const plan = planGc(found, protections, age);
    options.onPlan?.(plan, config, found);
    if (!options.yes || plan.remove.length === 0) return { config, found, plan, deleted: 0, deleteCommand };
    const { onDeleting, onDeleted, onProgress } = options;
    const deleted = await deleteLeftovers(plan.remove, ports, {
      clock: session.clock,
      signal,
      again: deleteCommand,
      onDeleting,
      onDeleted,
      onProgress,
    });
    return { config, found, plan, deleted, deleteCommand };
  });
}
