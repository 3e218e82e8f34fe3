/**
 * A hold: wait a fixed time while the gate alarms are watched. Used by every traffic step's hold and by
 * the wait before blue is retired. The end is journaled the first time, so a resumed hold ends when the
 * first attempt would have (it does not start over); an alarm in ALARM during the hold throws the
 * VerificationError of checkAlarms, which makes the engine roll back.
 */
import type { AwsPorts } from '../../aws/ports.js';
import type { StepContext } from '../../engine/types.js';
import { waitUntil, WaitTimeoutError, type Observation } from '../../engine/wait.js';
import { checkAlarms } from './gates.js';

export interface Hold {
  seconds: number;
  /** How often the alarms are read and progress said. */
  intervalSeconds: number;
  /** gates.alarms. */
  alarms: string[];
  /** The step output that keeps the hold's end (epoch ms). */
  key: string;
  /** For the alarm message: "while holding 10% on green", "while waiting to retire blue". */
  doing: string;
  /** For progress, after "120s left": "before retiring blue", "of the 10% hold". */
  label: string;
}

/** Starts the hold (journals its end) unless an earlier attempt did; returns the end (epoch ms). */
export async function holdEnd(ctx: StepContext, hold: Pick<Hold, 'seconds' | 'key'>): Promise<number> {
  const recorded = ctx.outputs[hold.key];
  if (typeof recorded === 'number') return recorded;
  const end = ctx.clock.now() + hold.seconds * 1000;
  await ctx.record({ [hold.key]: end });
  return end;
}

export async function holdWatching(ports: AwsPorts, ctx: StepContext, hold: Hold): Promise<void> {
  const end = await holdEnd(ctx, hold);
  const observe = async (): Promise<Observation> => {
    const watched = await checkAlarms(ports, hold.alarms, hold.doing);
    const suffix = watched ? `; ${watched}` : '';
    const left = Math.max(0, Math.ceil((end - ctx.clock.now()) / 1000));
    return left <= 0
      ? { done: true, message: `no time left ${hold.label}${suffix}` }
      : {
          done: false,
          message: `${left}s left ${hold.label}${suffix}`,
          counts: { done: hold.seconds - Math.min(left, hold.seconds), total: hold.seconds },
        };
  };
  try {
    // The deadline is the end itself, so the last sleep ends exactly there.
    await waitUntil(
      ctx,
      { what: `the hold ${hold.label} to end`, timeoutSeconds: Math.max(0, end - ctx.clock.now()) / 1000, intervalSeconds: hold.intervalSeconds },
      observe,
    );
  } catch (error) {
    // Reaching the deadline is a hold's success, however the loop saw it.
    if (!(error instanceof WaitTimeoutError) || ctx.clock.now() < end) throw error;
  }
}
