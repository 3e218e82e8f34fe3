/**
 * The one polling loop of the project: waits for a state that can be observed, on the engine's clock
 * (a virtual one in tests), reporting progress on every poll and failing with what it last saw.
 */
import { VerificationError } from '../errors.js';
import type { StepContext } from './types.js';

export interface Observation {
  done: boolean;
  /** What was seen, for progress and for the timeout message: "1 of 2 instances InService". */
  message: string;
  counts?: { done: number; total: number };
}

/**
 * The wait ran out of time. A VerificationError like any failed check (the engine rolls back on it), but
 * its own class, so a caller can tell the deadline from a failure thrown inside the observation.
 */
export class WaitTimeoutError extends VerificationError {}

export interface WaitOptions {
  /** What is awaited, for the error: "shop-green-k3x9a to have 2 instances InService". */
  what: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

export async function waitUntil(
  ctx: Pick<StepContext, 'clock' | 'signal' | 'progress'>,
  options: WaitOptions,
  observe: () => Promise<Observation>,
): Promise<void> {
  const deadline = ctx.clock.now() + options.timeoutSeconds * 1000;
  for (;;) {
    ctx.signal.throwIfAborted();
    const seen = await observe();
    ctx.progress(seen.message, seen.counts);
    if (seen.done) return;
    const left = deadline - ctx.clock.now();
    if (left <= 0) {
      throw new WaitTimeoutError(`timed out after ${options.timeoutSeconds}s waiting for ${options.what}; last seen: ${seen.message}`);
    }
    await ctx.clock.sleep(Math.min(options.intervalSeconds * 1000, left), ctx.signal);
  }
}
