/**
 * The operations of bluegreen, shared by the CLI and the library: plan, deploy, resume, rollback,
 * status, unlock. Each loads the config, takes the service's lock when it changes anything, and
 * drives the one engine. The CLI calls these and nothing below them.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { AwsPorts } from './aws/ports.js';
import { loadConfig } from './config/load.js';
import { configRegion, type Config } from './config/schema.js';
import { systemClock, type Clock } from './engine/clock.js';
import type { EventSink } from './engine/events.js';
import { runForward, runRollback, type EngineOptions } from './engine/runner.js';
import type { JournalStore, ServiceLock } from './engine/store.js';
import type { Journal, Json, StepRecord, StepRegistry } from './engine/types.js';
import { needsOf, policyFor, policyNotes, type IamPolicy, type PolicyNeeds } from './iam/policy.js';
import { InputError, type LockHolder } from './errors.js';
import { openState, runSignal, stateLocation } from './state/index.js';
import { refuseUnbuilt, strategies, strategyFor, strategyNotBuilt } from './strategies/index.js';
import type { Plan, StrategyServices } from './strategies/types.js';
import { SshRunner } from './remote/ssh.js';
import { SsmRunner } from './remote/ssm.js';
import type { RemoteRunner } from './remote/types.js';
import { deleteLeftovers, type DeleteOptions } from './janitor/gc.js';
import { takeInventory } from './janitor/inventory.js';
import { planGc, type GcPlan, type Leftover } from './janitor/plan.js';
import { journalProtections, liveProtections, rollbackBlocked, type LiveStack } from './janitor/protect.js';
import type { BlueLaunch } from './strategies/common/observe.js';

export interface OperationOptions {
  /** Path of the config file. */
  configFile: string;
  /** Overrides release.image. */
  image?: string;
  /** Engine events as they happen (progress display, --output json). */
  onEvent?: EventSink;
  /** Ports to reach AWS; default: the AWS SDK with the standard credential chain and endpoint settings. */
  ports?: AwsPorts;
  clock?: Clock;
  signal?: AbortSignal;
  /** How the user invokes bluegreen (default "bluegreen"); messages then say e.g. "bluegreen resume -c shop.yml". */
  commandPrefix?: string;
  /** Called once the lock was taken over from a run that no longer exists. */
  onTakeOver?: (previous: LockHolder) => void;
}

export interface DeployOptions extends OperationOptions {
  /** Asked after the plan is made and before any change; resolve false to cancel. Absent: go ahead. */
  confirm?: (plan: Plan, config: Config) => Promise<boolean>;
  /**
   * Stop before the plan's first traffic step (its pausePoint), leaving the deployment `paused` until
   * `promote` or `rollback`. A strategy without such a step is refused (InputError) before any change.
   */
  pauseBeforeSwitch?: boolean;
}

export interface PlanOptions extends OperationOptions {
  /** Check that the plan has a step to pause before (as deploy --pause-before-switch would); InputError if not. */
  pauseBeforeSwitch?: boolean;
}

export interface ResumeOptions extends OperationOptions {
  /**
   * resume (default): go on with a deployment that stopped; refuses a paused one.
   * promote: go on with a paused deployment past its pause point; refuses any other.
   */
  mode?: 'resume' | 'promote';
  /**
   * Asked (promote only) under the lock, before any change, with the steps still to run; resolve false to
   * cancel (the journal is returned unchanged). Absent: go ahead.
   */
  confirm?: (plan: Plan, config: Config) => Promise<boolean>;
}

export interface PlanResult {
  config: Config;
  plan: Plan;
  /** With pauseBeforeSwitch: the id of the step deploy --pause-before-switch would stop before. */
  pauseBefore?: string;
}

export interface StatusReport {
  service: string;
  /** The color serving traffic according to the journal, or undefined before any deployment. */
  liveColor?: string;
  journal?: Journal;
  lock?: LockHolder;
  /** The commands that fit the current deployment's state, e.g. promote and rollback for a paused one. */
  next?: string[];
}

/** The journal of a new deployment: the plan's steps, all pending. */
export function newJournal(plan: Plan, config: Config, now: number, actor?: Journal['actor']): Journal {
  const time = new Date(now).toISOString();
  return {
    version: 1,
    service: config.service,
    deploymentId: plan.deploymentId,
    strategy: config.strategy,
    configDigest: config.source.digest,
    createdAt: time,
    updatedAt: time,
    status: 'running',
    summary: plan.summary,
    steps: plan.steps.map((step): StepRecord => ({ ...step, state: 'pending', outputs: {} })),
    ...(actor ? { actor } : {}),
  };
}

/** The step `deploy --pause-before-switch` stops before: the plan's pausePoint, the first that moves traffic. */
export function pausePointOf(plan: Pick<Plan, 'steps'>): Plan['steps'][number] | undefined {
  return plan.steps.find((s) => s.pausePoint === true);
}

function requirePausePoint(plan: Plan, config: Config): string {
  const step = pausePointOf(plan);
  if (!step) {
    throw new InputError(
      `strategy ${config.strategy} has no step to pause before (no step of its plan moves traffic to green): --pause-before-switch cannot be used with it; nothing was changed`,
    );
  }
  return step.id;
}

/** A deployment id: 5 characters of [a-z0-9], short enough for ELB names (32 characters). */
export function newDeploymentId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

interface Session {
  config: Config;
  store: JournalStore;
  lock: ServiceLock;
  clock: Clock;
  command: (verb: string) => string;
}

async function open(options: OperationOptions): Promise<Session> {
  const config = await loadConfig(options.configFile, options.image ? { image: options.image } : undefined);
  const prefix = options.commandPrefix ?? `bluegreen`;
  const command = (verb: string) => `${prefix} ${verb} -c ${options.configFile}`;
  return {
    config,
    ...openState(config, { unlockCommand: command('unlock'), statusCommand: command('status') }),
    clock: options.clock ?? systemClock,
    command,
  };
}

async function portsFor(options: OperationOptions, config: Config): Promise<AwsPorts> {
  if (options.ports) return options.ports;
  const { createAwsPorts } = await import('./aws/sdk/index.js');
  const region = configRegion(config);
  return createAwsPorts(region ? { region } : {});
}

function holder(command: string, deploymentId?: string): LockHolder {
  return {
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    command,
    ...(deploymentId ? { deploymentId } : {}),
  };
}

/** Runs `body` holding the service's lock. */
async function locked<T>(
  session: Session,
  options: OperationOptions,
  verb: string,
  takeOverDead: boolean,
  body: () => Promise<T>,
): Promise<T> {
  const current = await session.store.current();
  const { tookOverFrom } = await session.lock.acquire(holder(`bluegreen ${verb}`, current?.deploymentId), { takeOverDead });
  if (tookOverFrom) options.onTakeOver?.(tookOverFrom);
  try {
    return await body();
  } finally {
    await session.lock.release();
  }
}

/**
 * The remote-command runners a deployment may use, made on first use and closed when the operation
 * ends (SSH master connections).
 */
class Services implements StrategyServices {
  private readonly runners = new Map<'ssh' | 'ssm', RemoteRunner>();
  constructor(
    private readonly config: Config,
    private readonly ports: AwsPorts,
    private readonly clock: Clock,
  ) {}

  remote(via: 'ssh' | 'ssm'): RemoteRunner {
    let runner = this.runners.get(via);
    if (!runner) {
      const { ssh } = this.config;
      runner =
        via === 'ssh'
          ? new SshRunner({
              ...(ssh.user ? { user: ssh.user } : {}),
              ...(ssh.configFile ? { configFile: ssh.configFile } : {}),
              connectTimeoutSeconds: ssh.connectTimeoutSeconds,
              connectionAttempts: ssh.connectionAttempts,
              hostKeys: ssh.hostKeys,
            })
          : new SsmRunner(this.ports.ssm, this.clock);
      this.runners.set(via, runner);
    }
    return runner;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.runners.values()].map((r) => r.close()));
    this.runners.clear();
  }
}

/** Runs the engine with a strategy's handlers, closing what the handlers opened. */
async function withEngine<T>(
  session: Session,
  options: OperationOptions,
  ports: AwsPorts,
  strategy: string,
  body: (engine: EngineOptions) => Promise<T>,
): Promise<T> {
  const services = new Services(session.config, ports, session.clock);
  try {
    return await body(engine(session, options, strategyFor(strategy).handlers(ports, services)));
  } finally {
    await services.close();
  }
}

function engine(session: Session, options: OperationOptions, registry: StepRegistry): EngineOptions {
  return {
    registry,
    store: session.store,
    clock: session.clock,
    emit: options.onEvent ?? (() => undefined),
    signal: runSignal(options.signal, session.lock),
    next: (verb) => session.command(verb),
  };
}

const UNFINISHED = new Set<Journal['status']>(['running', 'failed', 'rolling-back', 'rollback-failed', 'paused']);

async function makePlan(session: Session, options: OperationOptions): Promise<{ plan: Plan; ports: AwsPorts }> {
  refuseUnbuilt(session.config); // before anything is read: a strategy or key not built yet is refused, not ignored
  const ports = await portsFor(options, session.config);
  const strategy = strategyFor(session.config.strategy);
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
    const current = await session.store.current();
    if (current?.status === 'paused') {
      throw new InputError(
        `deployment ${current.deploymentId} of ${current.service} is paused${pausedWhere(current)}; run \`${session.command('promote')}\` to finish it or \`${session.command('rollback')}\` to return to blue before deploying again`,
        { next: session.command('status') },
      );
    }
    if (current && UNFINISHED.has(current.status)) {
      throw new InputError(
        `deployment ${current.deploymentId} of ${current.service} is unfinished (${current.status}${current.error ? `: ${current.error}` : ''}); run \`${session.command('resume')}\` to finish it or \`${session.command('rollback')}\` to return to blue before deploying again`,
        { next: session.command('status') },
      );
    }
    const { plan, ports } = await makePlan(session, options);
    const pauseBefore = options.pauseBeforeSwitch ? requirePausePoint(plan, session.config) : undefined;
    if (options.confirm && !(await options.confirm(plan, session.config))) return undefined;
    const journal = newJournal(plan, session.config, session.clock.now(), { host: hostname(), pid: process.pid, user: safeUser() });
    if (pauseBefore) journal.pauseBefore = pauseBefore;
    await session.store.archive();
    await session.store.save(journal);
    return withEngine(session, options, ports, journal.strategy, (e) => runForward(journal, e, 'deploy'));
  });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** " before step switch-dns (Point shop.example.com at ...)": where a paused deployment stopped. */
function pausedWhere(journal: Journal): string {
  const step = journal.steps.find((s) => s.id === journal.pauseBefore) ?? journal.steps.find((s) => s.state !== 'done');
  return step ? ` before step ${step.id} (${step.title})` : '';
}

/** Why `promote` cannot run on this deployment, with the command that fits its status. */
function promoteRefusal(journal: Journal, session: Session): InputError {
  const id = journal.deploymentId;
  switch (journal.status) {
    case 'succeeded':
      return new InputError(`deployment ${id} is not paused: it succeeded; nothing to promote (\`${session.command('deploy')}\` starts a new one)`);
    case 'rolled-back':
      return new InputError(`deployment ${id} is not paused: it was rolled back; nothing to promote (\`${session.command('deploy')}\` starts a new one)`);
    case 'rolling-back':
    case 'rollback-failed':
      return new InputError(`deployment ${id} is not paused: it is being rolled back (${journal.status}); finish that with \`${session.command('rollback')}\``, {
        next: session.command('rollback'),
      });
    default:
      return new InputError(
        `deployment ${id} is not paused: it is ${journal.status}; run \`${session.command('resume')}\` to go on or \`${session.command('rollback')}\` to return to blue`,
        { next: session.command('resume') },
      );
  }
}

/** The steps a promote (or resume) would run, from the first one not done, as a plan to show and confirm. */
export function remainingPlan(journal: Journal): Plan {
  const steps = journal.steps.filter((s) => s.state !== 'done').map(({ id, kind, title, params, creates, changes, waits }) => ({
    id,
    kind,
    title,
    params,
    ...(creates ? { creates } : {}),
    ...(changes ? { changes } : {}),
    ...(waits ? { waits } : {}),
  }));
  return { deploymentId: journal.deploymentId, steps, summary: journal.summary, warnings: [] };
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
    const journal = await session.store.current();
    if (!journal) throw new InputError(`service ${session.config.service} has no deployment to ${mode} (no journal in ${stateLocation(session.config)})`);
    if (mode === 'promote') {
      if (journal.status !== 'paused') throw promoteRefusal(journal, session);
      if (options.confirm && !(await options.confirm(remainingPlan(journal), session.config))) return journal;
      delete journal.pauseBefore;
      await session.store.save(journal);
    } else {
      if (journal.status === 'paused') {
        throw new InputError(
          `deployment ${journal.deploymentId} is paused${pausedWhere(journal)}: run \`${session.command('promote')}\` to go on, or \`${session.command('rollback')}\` to return to blue`,
          { next: session.command('promote') },
        );
      }
      if (journal.status === 'succeeded') throw new InputError(`deployment ${journal.deploymentId} already succeeded; nothing to resume`);
      if (journal.status === 'rolled-back') throw new InputError(`deployment ${journal.deploymentId} was rolled back; nothing to resume`);
      if (journal.status === 'rolling-back' || journal.status === 'rollback-failed') {
        throw new InputError(`deployment ${journal.deploymentId} is being rolled back; finish that with \`${session.command('rollback')}\``, {
          next: session.command('rollback'),
        });
      }
    }
    const ports = await portsFor(options, session.config);
    return withEngine(session, options, ports, journal.strategy, (e) => runForward(journal, e, mode));
  });
}

/** Continues a paused deployment (deploy --pause-before-switch) past its pause point: resume in promote mode. */
export function promote(options: Omit<ResumeOptions, 'mode'>): Promise<Journal> {
  return resume({ ...options, mode: 'promote' });
}

/** The steps a rollback of this journal would undo, newest first, as a plan to show and confirm. */
export function rollbackPlan(journal: Journal): Plan {
  const steps = journal.steps
    .filter((s) => s.state === 'running' || s.state === 'done' || s.state === 'failed' || s.state === 'undoing')
    .reverse()
    .map(({ id, kind, title, params }) => ({ id, kind, title: `Undo: ${title}`, params }));
  return { deploymentId: journal.deploymentId, steps, summary: journal.summary, warnings: [] };
}

/** Puts traffic back on blue and retires green, from the journal alone. */
export async function rollback(options: DeployOptions): Promise<Journal> {
  const session = await open(options);
  return locked(session, options, 'rollback', true, async () => {
    const journal = await session.store.current();
    if (!journal) throw new InputError(`service ${session.config.service} has no deployment to roll back (no journal in ${stateLocation(session.config)})`);
    if (journal.status === 'rolled-back') throw new InputError(`deployment ${journal.deploymentId} is already rolled back`);
    if (options.confirm && !(await options.confirm(rollbackPlan(journal), session.config))) return journal;
    const ports = await portsFor(options, session.config);
    return withEngine(session, options, ports, journal.strategy, (e) => runRollback(journal, e));
  });
}

/** Which color is live, by the journal: the traffic step done (and not undone) means the new color. */
export function liveColor(journal: Journal): string | undefined {
  const summary = journal.summary as { blue?: { color?: string }; green?: { color?: string }; trafficStep?: string };
  const step = journal.steps.find((s) => s.id === (summary.trafficStep ?? 'switch-dns'));
  const moved = step?.state === 'done' || step?.state === 'undoing';
  return moved ? summary.green?.color : summary.blue?.color;
}

/** The current or last deployment from the journal, and the lock if held. */
export async function status(options: OperationOptions): Promise<StatusReport> {
  const session = await open(options);
  const journal = await session.store.current();
  const lock = await session.lock.read().catch(() => undefined);
  const color = journal ? liveColor(journal) : undefined;
  const next = journal ? nextCommands(journal, lock !== undefined, session.command) : [];
  return {
    service: session.config.service,
    ...(color ? { liveColor: color } : {}),
    ...(journal ? { journal } : {}),
    ...(lock ? { lock } : {}),
    ...(next.length > 0 ? { next } : {}),
  };
}

/** The commands that fit a deployment's state (none while a run holds the lock or when it ended). */
export function nextCommands(journal: Journal, locked: boolean, command: (verb: string) => string): string[] {
  if (locked) return [];
  switch (journal.status) {
    case 'paused':
      return [command('promote'), command('rollback')];
    case 'running':
    case 'failed':
      return [command('resume'), command('rollback')];
    case 'rolling-back':
    case 'rollback-failed':
      return [command('rollback')];
    default:
      return [];
  }
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

/** One past deployment, as `bluegreen history` shows it. */
export interface HistoryEntry {
  deploymentId: string;
  strategy: string;
  status: Journal['status'];
  /** When it started (journal createdAt) and when its journal was last written (updatedAt). */
  startedAt: string;
  updatedAt: string;
  /** updatedAt - startedAt, whole seconds. */
  durationSeconds: number;
  /** "image" or "commands" (as the plan's summary says; "image" when it says nothing). */
  releaseKind: string;
  /** The image deployed, or what was baked, from the plan's summary; undefined when it names none. */
  image?: string;
  actor?: { user?: string; host: string; pid: number };
  /** Unless it succeeded: the step that failed, or the one an interrupted run left running. */
  failedStep?: { id: string; title: string; state: string; error?: string };
  /** The last error, as the user was shown it. */
  error?: string;
  /** A paused deployment: the step it stopped before (promote goes on from there). */
  pausedBefore?: { id: string; title: string };
}

/** A journal as a history entry: pure. */
export function historyEntry(journal: Journal): HistoryEntry {
  const summary = journal.summary as { image?: Json; release?: Json };
  const seconds = Math.max(0, Math.round((Date.parse(journal.updatedAt) - Date.parse(journal.createdAt)) / 1000));
  const paused =
    journal.status === 'paused' ? (journal.steps.find((s) => s.id === journal.pauseBefore) ?? journal.steps.find((s) => s.state !== 'done')) : undefined;
  const stuck =
    journal.status === 'succeeded'
      ? undefined
      : (journal.steps.find((s) => s.state === 'failed') ?? journal.steps.find((s) => s.state === 'running' || s.state === 'undoing'));
  return {
    deploymentId: journal.deploymentId,
    strategy: journal.strategy,
    status: journal.status,
    startedAt: journal.createdAt,
    updatedAt: journal.updatedAt,
    durationSeconds: Number.isFinite(seconds) ? seconds : 0,
    releaseKind: typeof summary.release === 'string' ? summary.release : 'image',
    ...(typeof summary.image === 'string' ? { image: summary.image } : {}),
    ...(journal.actor ? { actor: journal.actor } : {}),
    ...(stuck
      ? { failedStep: { id: stuck.id, title: stuck.title, state: stuck.state, ...(stuck.error ? { error: stuck.error } : {}) } }
      : {}),
    ...(journal.error ? { error: journal.error } : {}),
    ...(paused ? { pausedBefore: { id: paused.id, title: paused.title } } : {}),
  };
}

/** Past deployments of the service as history entries, newest first; at most `limit` when given. */
export async function deploymentHistory(options: OperationOptions & { limit?: number }): Promise<HistoryEntry[]> {
  const journals = await history(options);
  return journals.slice(0, options.limit ?? journals.length).map(historyEntry);
}

/**
 * The least-privilege IAM policy for the config's strategy and release (src/iam/policy.ts). Reads only
 * the config file: no AWS call. State in a local directory needs no AWS permission; state.s3 adds its bucket's.
 */
export async function iamPolicy(
  options: Pick<OperationOptions, 'configFile' | 'ports'> & {
    /** Read the live stack (read-only calls) for what makes AWS check more: roles handed to Auto Scaling, KMS keys. */
    observe?: boolean;
  },
): Promise<{ config: Config; policy: IamPolicy; needs: PolicyNeeds; notes: string[] }> {
  const config = await loadConfig(options.configFile);
  const unbuilt = strategies[config.strategy] === undefined;
  let live: LiveStack | undefined;
  if (options.observe && !unbuilt) {
    const strategy = strategyFor(config.strategy);
    live = strategy.liveStack(await strategy.observe(config, await portsFor(options, config)));
  }
  const needs = needsOf(config, live);
  const notes = [
    ...(unbuilt ? [`${strategyNotBuilt(config.strategy)}: this is the policy it is designed to need (docs/iam.md)`] : []),
    ...policyNotes(needs),
  ];
  return { config, needs, policy: policyFor(needs), notes };
}

export interface GcOptions extends OperationOptions {
  /** Delete what the plan removes; without it gc only lists (changes nothing). */
  yes?: boolean;
  /** Told the plan once it is made, before anything is deleted. */
  onPlan?: (plan: GcPlan, config: Config) => void;
  /** Told before and after each deletion, and what a wait sees. */
  onDeleting?: DeleteOptions['onDeleting'];
  onDeleted?: DeleteOptions['onDeleted'];
  onProgress?: DeleteOptions['onProgress'];
}

export interface GcResult {
  config: Config;
  plan: GcPlan;
  /** How many resources were deleted (0 without yes). */
  deleted: number;
  /** The command that deletes what the plan removes ("bluegreen gc -c shop.yml --yes"). */
  deleteCommand: string;
}

/** The live stack as the strategy's observe finds it: the group, its launch, that launch's image. */
function liveStackOf(observed: unknown): LiveStack | undefined {
  const o = observed as { blue?: { group?: { AutoScalingGroupName?: string }; launch?: BlueLaunch }; group?: { AutoScalingGroupName?: string }; launch?: BlueLaunch };
  const group = o.blue?.group?.AutoScalingGroupName ?? o.group?.AutoScalingGroupName;
  if (!group) return undefined;
  const launch = o.blue?.launch ?? o.launch;
  if (!launch) return { group };
  if (launch.kind === 'configuration') {
    const c = launch.configuration;
    return { group, launch: { kind: 'configuration', name: c.LaunchConfigurationName }, ...(c.ImageId ? { imageId: c.ImageId } : {}) };
  }
  const v = launch.version;
  const imageId = v.LaunchTemplateData?.ImageId;
  return { group, ...(v.LaunchTemplateName ? { launch: { kind: 'template' as const, name: v.LaunchTemplateName } } : {}), ...(imageId ? { imageId } : {}) };
}

/**
 * The janitor (src/janitor): lists what carries the service's tags or names but belongs to no live stack,
 * to no stack a rollback would return to and to no deployment in progress; with `yes`, deletes it, oldest
 * deployment first. Under the service's lock (a held lock: LockedError, nothing read or deleted).
 */
export async function gc(options: GcOptions): Promise<GcResult> {
  const session = await open(options);
  refuseUnbuilt(session.config);
  const { config } = session;
  const deleteCommand = `${session.command('gc')} --yes`;
  return locked(session, options, 'gc', false, async () => {
    const ports = await portsFor(options, config);
    const signal = runSignal(options.signal, session.lock);
    const journal = await session.store.current();
    const unfinished = journal !== undefined && UNFINISHED.has(journal.status);

    let live: LiveStack | undefined;
    try {
      live = liveStackOf(await strategyFor(config.strategy).observe(config, ports));
    } catch (error) {
      // Mid-deployment the live stack may not be observable (e.g. weighted records); both stacks of that
      // deployment are kept by the journal then. Otherwise nothing is deleted without knowing what is live.
      if (!unfinished) {
        if (error instanceof InputError) {
          throw new InputError(`gc cannot tell which stack of ${config.service} is live: ${error.message}; nothing was deleted`, { cause: error });
        }
        throw error;
      }
    }

    let blocked: string | undefined;
    if (journal?.status === 'succeeded') {
      const services = new Services(config, ports, session.clock);
      try {
        blocked = await rollbackBlocked(journal, strategyFor(journal.strategy).handlers(ports, services), session.clock, signal);
      } finally {
        await services.close();
      }
    }

    const found: Leftover[] = await takeInventory(config.service, config.strategy, ports);
    const plan = planGc(found, [...(live ? liveProtections(live) : []), ...journalProtections(journal, blocked)]);
    options.onPlan?.(plan, config);
    if (!options.yes || plan.remove.length === 0) return { config, plan, deleted: 0, deleteCommand };
    const deleted = await deleteLeftovers(plan.remove, ports, {
      clock: session.clock,
      signal,
      again: deleteCommand,
      ...(options.onDeleting ? { onDeleting: options.onDeleting } : {}),
      ...(options.onDeleted ? { onDeleted: options.onDeleted } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { config, plan, deleted, deleteCommand };
  });
}
