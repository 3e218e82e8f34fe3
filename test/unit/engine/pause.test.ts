/**
 * The engine's pause point: a journal whose pauseBefore names a step stops before it (paused), also when
 * the run that reaches it is a resume after a crash; promote (the same forward run, pauseBefore removed)
 * goes on; rollback from paused undoes what was done.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/engine/clock.js';
import { EVENT, type EngineEvent } from '../../../src/engine/events.js';
import { runForward, runRollback, type EngineOptions } from '../../../src/engine/runner.js';
import type { Journal, StepHandler, StepRecord } from '../../../src/engine/types.js';
import { MemoryStore } from './memory-store.js';

const IDS = ['build', 'wait', 'switch', 'retire'];

function journal(pauseBefore?: string): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: 'abcde',
    strategy: 'test',
    configDigest: 'x',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'running',
    summary: {},
    steps: IDS.map((id): StepRecord => ({ id, kind: `t/${id}`, title: `Step ${id}`, params: {}, state: 'pending', outputs: {} })),
    ...(pauseBefore ? { pauseBefore } : {}),
  };
}

function world() {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const clock: Clock = { now: () => t, sleep: async (ms) => void (t += ms) };
  const log: string[] = [];
  const registry: Record<string, StepHandler> = {};
  for (const id of IDS) {
    registry[`t/${id}`] = {
      async apply(ctx) {
        log.push(`apply ${id}${ctx.outputs.made ? ' (again)' : ''}`);
        await ctx.record({ made: id });
      },
      async undo() {
        log.push(`undo ${id}`);
      },
    };
  }
  const store = new MemoryStore();
  const events: EngineEvent[] = [];
  const options: EngineOptions = {
    registry,
    store,
    clock,
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    next: (verb) => `bluegreen ${verb} -c shop.yml`,
  };
  return { log, store, events, options };
}

const states = (j: Journal) => j.steps.map((s) => s.state);

describe('a pause point', () => {
  it('stops before the marked step: paused, journaled, deployment.paused then deployment.finished', async () => {
    const w = world();
    const result = await runForward(journal('switch'), w.options, 'deploy');
    expect(w.log).toEqual(['apply build', 'apply wait']);
    expect(result.status).toBe('paused');
    expect(states(result)).toEqual(['done', 'done', 'pending', 'pending']);
    const stored = (await w.store.current()) as Journal;
    expect(stored.status).toBe('paused');
    expect(stored.pauseBefore).toBe('switch');
    expect(states(stored)).toEqual(['done', 'done', 'pending', 'pending']);
    const tail = w.events.slice(-2);
    expect(tail[0]).toMatchObject({
      event: EVENT.deploymentPaused,
      stepId: 'switch',
      title: 'Step switch',
      next: 'bluegreen promote -c shop.yml',
      rollback: 'bluegreen rollback -c shop.yml',
      deploymentId: 'abcde',
      service: 'shop',
    });
    expect(tail[1]).toMatchObject({ event: EVENT.deploymentFinished, status: 'paused' });
    expect(w.events.filter((e) => e.event === EVENT.stepStarted).map((e) => (e as { stepId: string }).stepId)).toEqual(['build', 'wait']);
  });

  it('without pauseBefore the same journal runs to the end', async () => {
    const w = world();
    const result = await runForward(journal(), w.options, 'deploy');
    expect(result.status).toBe('succeeded');
    expect(w.events.some((e) => e.event === EVENT.deploymentPaused)).toBe(false);
  });

  it('a pause before the first step runs nothing', async () => {
    const w = world();
    const result = await runForward(journal('build'), w.options, 'deploy');
    expect(w.log).toEqual([]);
    expect(result.status).toBe('paused');
  });

  it('a resume after a crash before the pause point still pauses there', async () => {
    const w = world();
    const crashed = journal('switch');
    (crashed.steps[0] as StepRecord).state = 'done';
    (crashed.steps[0] as StepRecord).outputs = { made: 'build' };
    (crashed.steps[1] as StepRecord).state = 'running'; // the process died during "wait"
    (crashed.steps[1] as StepRecord).outputs = { made: 'wait' };
    const result = await runForward(crashed, w.options, 'resume');
    expect(w.log).toEqual(['apply wait (again)']);
    expect(result.status).toBe('paused');
    expect(states(result)).toEqual(['done', 'done', 'pending', 'pending']);
    expect(w.events.find((e) => e.event === EVENT.deploymentPaused)).toMatchObject({ stepId: 'switch' });
    // Resumed again (a second crash, a retried pipeline): it stays paused and runs nothing.
    w.log.length = 0;
    expect((await runForward(result, w.options, 'resume')).status).toBe('paused');
    expect(w.log).toEqual([]);
  });

  it('promote (pauseBefore removed) goes on from the pause point to the end', async () => {
    const w = world();
    const paused = await runForward(journal('switch'), w.options, 'deploy');
    w.log.length = 0;
    w.events.length = 0;
    delete paused.pauseBefore;
    const result = await runForward(paused, w.options, 'promote');
    expect(w.log).toEqual(['apply switch', 'apply retire']);
    expect(result.status).toBe('succeeded');
    expect(states(result)).toEqual(['done', 'done', 'done', 'done']);
    expect(w.events[0]).toMatchObject({ event: EVENT.deploymentStarted, mode: 'promote', steps: 4 });
    expect(w.events.at(-1)).toMatchObject({ event: EVENT.deploymentFinished, status: 'succeeded' });
    expect(((await w.store.current()) as Journal).pauseBefore).toBeUndefined();
  });

  it('rollback from paused undoes what was done, newest first, and nothing after the pause point', async () => {
    const w = world();
    const paused = await runForward(journal('switch'), w.options, 'deploy');
    w.log.length = 0;
    const result = await runRollback(paused, w.options);
    expect(w.log).toEqual(['undo wait', 'undo build']);
    expect(result.status).toBe('rolled-back');
    expect(states(result)).toEqual(['undone', 'undone', 'pending', 'pending']);
  });
});
