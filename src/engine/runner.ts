/**
 * The engine: runs a deployment's steps forward (deploy, resume) or undoes them in reverse (rollback),
 * writing the journal after every transition so that a crash at any point can be resumed or rolled
 * back from the journal alone. It knows nothing of AWS: steps are data, handlers are looked up by kind.
 */
import { DeploymentError, InputError, VerificationError } from '../errors.js';
import type { Clock } from './clock.js';
import { EVENT, type EngineEvent, type EventSink } from './events.js';
import { stepsToUndo } from './states.js';
import type { JournalStore, SaveOptions } from './store.js';
import type { Journal, JsonObject, StepContext, StepHandler, StepRecord, StepRegistry } from './types.js';

export interface EngineOptions {
  registry: StepRegistry;
  store: JournalStore;
  clock: Clock;
  emit: EventSink;
  signal: AbortSignal;
  /** The command a user runs next, e.g. next('resume') = "bluegreen resume -c shop.yml". */
  next: (verb: 'resume' | 'rollback' | 'status' | 'promote') => string;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The saves that only record what is already done and are always followed by a durable save before the
 * next handler runs: a run starting (status running, rolling-back), a step done or undone. They are not
 * fsynced. Every other save is durable: a step marked running or undoing and what a handler records
 * before its AWS call (both must be on disk before AWS is changed), and the save that ends a run (done,
 * failed, paused, rolled back). Losing one of these to a power cut leaves the journal as a SIGKILL just
 * before it would (test/faults: the `end` crash point): the step is still `running` and runs again.
 */
const AFTER: SaveOptions = { durable: false };

class Run {
  private readonly startedAt: number;
  constructor(
    private readonly journal: Journal,
    private readonly options: EngineOptions,
  ) {
    this.startedAt = options.clock.now();
  }

  private iso(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  /**
   * Saves the journal; durable unless told otherwise (AFTER).
   */
  async save(options?: SaveOptions): Promise<void> {
    this.journal.updatedAt = this.iso();
    await this.options.store.save(this.journal, options);
  }

  emit(event: Record<string, unknown> & { event: EngineEvent['event'] }): void {
    this.options.emit({
      ...event,
      deploymentId: this.journal.deploymentId,
      service: this.journal.service,
      time: this.iso(),
    } as EngineEvent);
  }

  handler(step: StepRecord): StepHandler {
    const handler = this.options.registry[step.kind];
    if (!handler) {
      throw new InputError(
        `the journal names step kind "${step.kind}", which this version of bluegreen does not know; use the version that started deployment ${this.journal.deploymentId}`,
      );
    }
    return handler as StepHandler<JsonObject>;
  }

  context(step: StepRecord, stepStarted: number): StepContext {
    const steps = this.journal.steps;
    return {
      service: this.journal.service,
      deploymentId: this.journal.deploymentId,
      clock: this.options.clock,
      signal: this.options.signal,
      get outputs() {
        return step.outputs;
      },
      outputsOf: (stepId: string) => steps.find((s) => s.id === stepId)?.outputs ?? {},
      record: async (values: JsonObject) => {
        step.outputs = { ...step.outputs, ...values };
        await this.save();
      },
      output: (source, stream, line) => this.emit({ event: EVENT.stepOutput, stepId: step.id, source, stream, line }),
      progress: (message, counts) =>
        this.emit({
          event: EVENT.stepProgress,
          stepId: step.id,
          message,
          ...(counts ? { done: counts.done, total: counts.total } : {}),
          elapsedMs: this.options.clock.now() - stepStarted,
        }),
    };
  }

  finished(): void {
    this.emit({
      event: EVENT.deploymentFinished,
      status: this.journal.status,
      durationMs: this.options.clock.now() - this.startedAt,
      ...(this.journal.error ? { error: this.journal.error } : {}),
    });
  }

  async forward(mode: 'deploy' | 'resume' | 'promote'): Promise<Journal> {
    const { journal, options } = this;
    journal.status = 'running';
    delete journal.error;
    await this.save(AFTER);
    this.emit({ event: EVENT.deploymentStarted, mode, steps: journal.steps.length });
    const total = journal.steps.length;
    for (const [index, step] of journal.steps.entries()) {
      if (step.state === 'done') continue;
      if (step.id === journal.pauseBefore) return this.pause(step);
      const handler = this.handler(step);
      const began = options.clock.now();
      step.state = 'running';
      step.startedAt = this.iso();
      delete step.endedAt;
      delete step.error;
      await this.save();
      this.emit({ event: EVENT.stepStarted, stepId: step.id, title: step.title, index: index + 1, total });
      try {
        options.signal.throwIfAborted();
        await handler.apply(this.context(step, began), step.params);
      } catch (error) {
        await this.stepFailed(step, began, error);
        throw await this.afterForwardFailure(step, error);
      }
      step.state = 'done';
      step.endedAt = this.iso();
      await this.save(AFTER);
      this.emit({
        event: EVENT.stepSucceeded,
        stepId: step.id,
        durationMs: options.clock.now() - began,
        resources: step.creates ?? [],
        outputs: step.outputs,
      });
    }
    journal.status = 'succeeded';
    await this.save();
    this.finished();
    return journal;
  }

  /** Stops before `step` as the journal asks (deploy --pause-before-switch): paused until promote or rollback. */
  private async pause(step: StepRecord): Promise<Journal> {
    this.journal.status = 'paused';
    await this.save();
    this.emit({
      event: EVENT.deploymentPaused,
      stepId: step.id,
      title: step.title,
      next: this.options.next('promote'),
      rollback: this.options.next('rollback'),
    });
    this.finished();
    return this.journal;
  }

  private async stepFailed(step: StepRecord, began: number, error: unknown): Promise<void> {
    const message = this.options.signal.aborted ? `interrupted (${describeError(this.options.signal.reason)})` : describeError(error);
    step.state = 'failed';
    step.endedAt = this.iso();
    step.error = message;
    this.journal.status = 'failed';
    this.journal.error = `step ${step.id} failed: ${message}`;
    await this.save();
    this.emit({ event: EVENT.stepFailed, stepId: step.id, durationMs: this.options.clock.now() - began, error: message });
  }

  /** What a failed forward step becomes: an automatic rollback when green proved bad, else a stop. */
  private async afterForwardFailure(step: StepRecord, error: unknown): Promise<Error> {
    const { options } = this;
    const message = describeError(error);
    if (error instanceof VerificationError && !options.signal.aborted) {
      try {
        await this.undo('automatic');
      } catch (undoError) {
        return new DeploymentError(`step ${step.id} failed: ${message}; the automatic rollback then stopped: ${describeError(undoError)}`, {
          cause: error,
          next: options.next('rollback'),
        });
      }
      this.journal.error = `step ${step.id} failed: ${message}; rolled back`;
      await this.save();
      return new DeploymentError(
        `step ${step.id} failed: ${message}. Rolled back: traffic stays on blue and what this deployment made was deleted.`,
        { cause: error, next: options.next('status') },
      );
    }
    this.finished();
    const why = options.signal.aborted
      ? `interrupted at step ${step.id} (${step.title}): ${describeError(options.signal.reason)}`
      : `stopped at step ${step.id} (${step.title}): ${message}`;
    return new DeploymentError(
      `${why.replace(/\.+$/, '')}. The journal records what was done; fix the cause and run \`${options.next('resume')}\` to go on, or \`${options.next('rollback')}\` to return to blue.`,
      { cause: error, next: options.next('resume') },
    );
  }

  async undo(mode: 'rollback' | 'automatic'): Promise<Journal> {
    const { journal, options } = this;
    const steps = stepsToUndo(journal);
    // A rollback that cannot finish must not start: it would leave the service half undone.
    for (const step of steps) {
      const reason = await this.handler(step).blocksUndo?.(this.context(step, options.clock.now()), step.params);
      if (reason) {
        throw new DeploymentError(`rollback of deployment ${journal.deploymentId} is not possible: ${reason}. Nothing was changed.`, {
          next: options.next('status'),
        });
      }
    }
    journal.status = 'rolling-back';
    await this.save(AFTER);
    if (mode === 'rollback') this.emit({ event: EVENT.deploymentStarted, mode: 'rollback', steps: steps.length });
    for (const [index, step] of steps.entries()) {
      const handler = this.handler(step);
      const began = options.clock.now();
      step.state = 'undoing';
      await this.save();
      this.emit({ event: EVENT.undoStarted, stepId: step.id, title: `Undo: ${step.title}`, index: index + 1, total: steps.length });
      try {
        options.signal.throwIfAborted();
        await handler.undo(this.context(step, began), step.params);
      } catch (error) {
        const message = options.signal.aborted ? `interrupted (${describeError(options.signal.reason)})` : describeError(error);
        step.error = message;
        journal.status = 'rollback-failed';
        journal.error = `undo of step ${step.id} failed: ${message}`;
        await this.save();
        this.emit({ event: EVENT.undoFailed, stepId: step.id, durationMs: options.clock.now() - began, error: message });
        this.finished();
        throw new DeploymentError(
          `rollback stopped at step ${step.id} (${step.title}): ${message}. Steps after it were undone; fix the cause and run \`${options.next('rollback')}\` again.`,
          { cause: error, next: options.next('rollback') },
        );
      }
      step.state = 'undone';
      delete step.error;
      await this.save(AFTER);
      this.emit({
        event: EVENT.undoSucceeded,
        stepId: step.id,
        durationMs: options.clock.now() - began,
        resources: [],
        outputs: step.outputs,
      });
    }
    journal.status = 'rolled-back';
    await this.save();
    this.finished();
    return journal;
  }
}

/**
 * Runs the journal's steps forward from the first one not done. Green failing verification rolls back.
 * Reaching the step named by journal.pauseBefore, it stops there with the deployment `paused`.
 */
export function runForward(journal: Journal, options: EngineOptions, mode: 'deploy' | 'resume' | 'promote'): Promise<Journal> {
  return new Run(journal, options).forward(mode);
}

/** Undoes, newest first, every step that started and is not undone yet. */
export function runRollback(journal: Journal, options: EngineOptions): Promise<Journal> {
  return new Run(journal, options).undo('rollback');
}
