/**
 * Deterministic time for tests: a Clock whose sleep advances virtual time at once, and an in-memory
 * stand-in for the engine's StepContext (outputs kept per step, progress messages collected).
 */
import type { Clock } from '../../src/engine/clock.js';
import type { JsonObject, StepContext, StepDescriptor, StepRegistry } from '../../src/engine/types.js';

export class VirtualClock implements Clock {
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
    await Promise.resolve();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface ProgressEntry {
  stepId: string;
  message: string;
  counts?: { done: number; total: number };
  at: number;
}

/** What the engine's journal would hold for one deployment, in memory. */
export class FakeJournal {
  readonly outputs: Record<string, JsonObject> = {};
  readonly progress: ProgressEntry[] = [];
  /** Lines of command output the steps passed on (ctx.output). */
  readonly output: Array<{ stepId: string; source: string; stream: 'stdout' | 'stderr'; line: string }> = [];
  /** Every record() call, in order, as JSON. */
  readonly records: { stepId: string; values: JsonObject }[] = [];
  /** The step being run, for checks made from inside AWS fakes. */
  current?: string;
  readonly controller = new AbortController();

  constructor(
    readonly clock: Clock,
    readonly service = 'shop',
    readonly deploymentId = 'k3x9a',
  ) {}

  context(stepId: string): StepContext {
    const outputs = this.outputs;
    return {
      service: this.service,
      deploymentId: this.deploymentId,
      clock: this.clock,
      signal: this.controller.signal,
      get outputs() {
        return outputs[stepId] ?? {};
      },
      outputsOf: (id: string) => this.outputs[id] ?? {},
      record: async (values: JsonObject) => {
        // What the journal keeps is JSON: a value that does not survive the round trip is a bug.
        const json = JSON.parse(JSON.stringify(values)) as JsonObject;
        this.records.push({ stepId, values: json });
        this.outputs[stepId] = { ...(this.outputs[stepId] ?? {}), ...json };
      },
      output: (source, stream, line) => {
        this.output.push({ stepId, source, stream, line });
      },
      progress: (message, counts) => {
        this.progress.push({ stepId, message, ...(counts ? { counts } : {}), at: this.clock.now() });
      },
    };
  }

  progressOf(stepId: string): string[] {
    return this.progress.filter((p) => p.stepId === stepId).map((p) => p.message);
  }

  async apply(registry: StepRegistry, step: StepDescriptor): Promise<void> {
    this.current = step.id;
    try {
      await handlerOf(registry, step).apply(this.context(step.id), step.params);
    } finally {
      this.current = undefined;
    }
  }

  async undo(registry: StepRegistry, step: StepDescriptor): Promise<void> {
    this.current = step.id;
    try {
      await handlerOf(registry, step).undo(this.context(step.id), step.params);
    } finally {
      this.current = undefined;
    }
  }

  /** Applies the steps in order (as the engine does on deploy). */
  async applyAll(registry: StepRegistry, steps: StepDescriptor[]): Promise<void> {
    for (const step of steps) await this.apply(registry, step);
  }

  /** Undoes the steps newest first (as the engine does on rollback). */
  async undoAll(registry: StepRegistry, steps: StepDescriptor[]): Promise<void> {
    for (const step of [...steps].reverse()) await this.undo(registry, step);
  }
}

function handlerOf(registry: StepRegistry, step: StepDescriptor) {
  const handler = registry[step.kind];
  if (!handler) throw new Error(`no handler for ${step.kind}`);
  return handler;
}
