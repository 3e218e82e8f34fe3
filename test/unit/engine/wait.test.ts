import { describe, expect, it } from 'vitest';
import { waitUntil, WaitTimeoutError } from '../../../src/engine/wait.js';
import { VerificationError } from '../../../src/errors.js';
import { VirtualClock } from '../../support/virtual-clock.js';

function ctx(clock: VirtualClock, seen: string[]) {
  return { clock, signal: new AbortController().signal, progress: (m: string) => void seen.push(m) };
}

describe('waitUntil', () => {
  it('polls on the clock until done, reporting every observation', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const start = clock.now();
    let n = 0;
    await waitUntil(ctx(clock, seen), { what: 'x', timeoutSeconds: 60, intervalSeconds: 10 }, async () => ({
      done: ++n === 3,
      message: `poll ${n}`,
    }));
    expect(seen).toEqual(['poll 1', 'poll 2', 'poll 3']);
    expect(clock.now() - start).toBe(20_000);
  });

  it('ends at the deadline with a WaitTimeoutError naming what it saw last', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const error = await waitUntil(ctx(clock, []), { what: 'green to be healthy', timeoutSeconds: 25, intervalSeconds: 10 }, async () => ({
      done: false,
      message: '1 of 2 InService',
    })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toBeInstanceOf(VerificationError); // the engine rolls back on it like any failed check
    expect((error as Error).message).toBe('timed out after 25s waiting for green to be healthy; last seen: 1 of 2 InService');
    expect(clock.now() - start).toBe(25_000);
  });

  it('lets a failure thrown by the observation through as it is, not as a timeout', async () => {
    const clock = new VirtualClock();
    const failure = new VerificationError('alarm shop-5xx is in ALARM');
    const error = await waitUntil(ctx(clock, []), { what: 'x', timeoutSeconds: 60, intervalSeconds: 10 }, async () => {
      throw failure;
    }).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(error).not.toBeInstanceOf(WaitTimeoutError);
  });
});
