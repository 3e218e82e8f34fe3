import { describe, expect, it } from 'vitest';
import { runForward, runRollback, type EngineOptions } from '../../../src/engine/runner.js';
import { EVENT, type EngineEvent } from '../../../src/engine/events.js';
import type { Journal, StepHandler, StepRecord } from '../../../src/engine/types.js';
import { DeploymentError, InputError, VerificationError } from '../../../src/errors.js';
import type { Clock } from '../../../src/engine/clock.js';
import { MemoryStore } from './memory-store.js';

function clock(): Clock {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

function journal(ids: string[]): Journal {
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
    steps: ids.map((id): StepRecord => ({ id, kind: `t/${id}`, title: `Step ${id}`, params: { id }, state: 'pending', outputs: {} })),
  };
}

/** Handlers that log calls and can be told to fail. */
function world(ids: string[]) {
  const log: string[] = [];
  const failApply = new Map<string, Error>();
  const failUndo = new Map<string, Error>();
  const registry: Record<string, StepHandler> = {};
  for (const id of ids) {
    registry[`t/${id}`] = {
      async apply(ctx) {
        log.push(`apply ${id}${ctx.outputs.made ? ' (again)' : ''}`);
        await ctx.record({ made: `${id}-resource` });
        ctx.progress(`working on ${id}`, { done: 1, total: 2 });
        const error = failApply.get(id);
        if (error) throw error;
      },
      async undo(ctx) {
        log.push(`undo ${id}`);
        const error = failUndo.get(id);
        if (error) throw error;
        expect(ctx.outputs.made).toBe(`${id}-resource`);
      },
    };
  }
  const store = new MemoryStore();
  const events: EngineEvent[] = [];
  const options: EngineOptions = {
    registry,
    store,
    clock: clock(),
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    next: (verb) => `bluegreen ${verb} -c shop.yml`,
  };
  return { log, failApply, failUndo, store, events, options };
}

const IDS = ['a', 'b', 'c'];

describe('runForward', () => {
  it('runs every step in order and journals each transition', async () => {
    const w = world(IDS);
    const result = await runForward(journal(IDS), w.options, 'deploy');
    expect(w.log).toEqual(['apply a', 'apply b', 'apply c']);
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.state)).toEqual(['done', 'done', 'done']);
    // The journal saw b running after a was done: it is written between transitions, not only at the end.
    const seen = w.store.saved.map((j) => j.steps.map((s) => s.state).join(','));
    expect(seen).toContain('done,running,pending');
    expect(seen).toContain('done,done,running');
    expect((await w.store.current())?.steps[0]?.outputs).toEqual({ made: 'a-resource' });
    const names = w.events.map((e) => e.event);
    expect(names[0]).toBe(EVENT.deploymentStarted);
    expect(names.at(-1)).toBe(EVENT.deploymentFinished);
    expect(names.filter((n) => n === EVENT.stepSucceeded)).toHaveLength(3);
    const progress = w.events.find((e) => e.event === EVENT.stepProgress);
    expect(progress).toMatchObject({ stepId: 'a', message: 'working on a', done: 1, total: 2, deploymentId: 'abcde' });
  });

  it('stops at a failing step, says what to run next, and resume goes on from that step', async () => {
    const w = world(IDS);
    w.failApply.set('b', new Error('AccessDenied'));
    const error = await runForward(journal(IDS), w.options, 'deploy').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toMatch(/stopped at step b \(Step b\): AccessDenied/);
    expect((error as DeploymentError).next).toBe('bluegreen resume -c shop.yml');
    const stored = (await w.store.current()) as Journal;
    expect(stored.status).toBe('failed');
    expect(stored.steps.map((s) => s.state)).toEqual(['done', 'failed', 'pending']);
    expect(stored.steps[1]?.error).toBe('AccessDenied');

    w.failApply.clear();
    w.log.length = 0;
    const resumed = await runForward(stored, w.options, 'resume');
    expect(w.log).toEqual(['apply b (again)', 'apply c']);
    expect(resumed.status).toBe('succeeded');
  });

  it('rolls back by itself when green fails verification', async () => {
    const w = world(IDS);
    w.failApply.set('c', new VerificationError('timed out waiting for health'));
    const error = await runForward(journal(IDS), w.options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/timed out waiting for health\. Rolled back/);
    expect(w.log).toEqual(['apply a', 'apply b', 'apply c', 'undo c', 'undo b', 'undo a']);
    const stored = (await w.store.current()) as Journal;
    expect(stored.status).toBe('rolled-back');
    expect(stored.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'undone']);
  });

  it('refuses a journal whose step kind it does not know', async () => {
    const w = world(IDS);
    const j = journal(IDS);
    (j.steps[0] as StepRecord).kind = 'other/x';
    await expect(runForward(j, w.options, 'resume')).rejects.toBeInstanceOf(InputError);
    expect(w.log).toEqual([]);
  });

  it('stops before the next step when interrupted', async () => {
    const w = world(IDS);
    const controller = new AbortController();
    w.options.signal = controller.signal;
    w.options.registry = {
      ...w.options.registry,
      't/a': { apply: async () => controller.abort(new Error('SIGINT')), undo: async () => undefined },
    };
    const error = await runForward(journal(IDS), w.options, 'deploy').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/interrupted at step b/);
    expect(w.log).toEqual([]);
    const stored = (await w.store.current()) as Journal;
    expect(stored.steps.map((s) => s.state)).toEqual(['done', 'failed', 'pending']);
  });
});

describe('runRollback', () => {
  it('undoes every started step, newest first, after a finished deployment', async () => {
    const w = world(IDS);
    const done = await runForward(journal(IDS), w.options, 'deploy');
    w.log.length = 0;
    const result = await runRollback(done, w.options);
    expect(w.log).toEqual(['undo c', 'undo b', 'undo a']);
    expect(result.status).toBe('rolled-back');
  });

  it('undoes a step a crash left running, and skips steps never started', async () => {
    const w = world(IDS);
    const j = journal(IDS);
    (j.steps[0] as StepRecord).state = 'done';
    (j.steps[0] as StepRecord).outputs = { made: 'a-resource' };
    (j.steps[1] as StepRecord).state = 'running';
    (j.steps[1] as StepRecord).outputs = { made: 'b-resource' };
    await runRollback(j, w.options);
    expect(w.log).toEqual(['undo b', 'undo a']);
  });

  it('stops at a failing undo and a second rollback finishes without repeating what was undone', async () => {
    const w = world(IDS);
    const done = await runForward(journal(IDS), w.options, 'deploy');
    w.log.length = 0;
    w.failUndo.set('b', new Error('Throttling'));
    const error = await runRollback(done, w.options).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/rollback stopped at step b .*Throttling/);
    expect((error as DeploymentError).next).toBe('bluegreen rollback -c shop.yml');
    const stored = (await w.store.current()) as Journal;
    expect(stored.status).toBe('rollback-failed');
    expect(stored.steps.map((s) => s.state)).toEqual(['done', 'undoing', 'undone']);
    w.failUndo.clear();
    w.log.length = 0;
    const result = await runRollback(stored, w.options);
    expect(w.log).toEqual(['undo b', 'undo a']);
    expect(result.status).toBe('rolled-back');
  });
});

describe('durable saves', () => {
  /** Each save as "status: states of the steps" and whether it was durable (fsynced). */
  const saves = (store: MemoryStore) =>
    store.saved.map((j, i) => `${store.durable[i] ? 'durable' : 'not synced'}  ${j.status}: ${j.steps.map((s) => s.state).join(',')}`);

  it('fsyncs every save before a handler changes anything and the last one; not the saves of what is already done', async () => {
    const w = world(['a', 'b']);
    await runForward(journal(['a', 'b']), w.options, 'deploy');
    expect(saves(w.store)).toEqual([
      'not synced  running: pending,pending', // the run starts: followed by a running
      'durable  running: running,pending', // a runs: before its handler
      'durable  running: running,pending', // what a records before its AWS call
      'not synced  running: done,pending', // a done: b's running follows at once
      'durable  running: done,running',
      'durable  running: done,running',
      'not synced  running: done,done',
      'durable  succeeded: done,done', // the end of the run
    ]);
  });

  it('in a rollback too: undoing and the end are durable, undone is not', async () => {
    const w = world(['a', 'b']);
    const done = await runForward(journal(['a', 'b']), w.options, 'deploy');
    await w.store.archive();
    await runRollback(done, w.options);
    expect(saves(w.store)).toEqual([
      'not synced  rolling-back: done,done',
      'durable  rolling-back: done,undoing',
      'not synced  rolling-back: done,undone',
      'durable  rolling-back: undoing,undone',
      'not synced  rolling-back: undone,undone',
      'durable  rolled-back: undone,undone',
    ]);
  });

  it('keeps a failed step and a stopped run durable', async () => {
    const w = world(['a', 'b']);
    w.failApply.set('b', new Error('boom'));
    await expect(runForward(journal(['a', 'b']), w.options, 'deploy')).rejects.toThrow(/boom/);
    expect(saves(w.store).at(-1)).toBe('durable  failed: done,failed');
  });
});

describe('a rollback that cannot finish', () => {
  it('is refused before any undo, and leaves the journal as it was', async () => {
    const w = world(IDS);
    const done = await runForward(journal(IDS), w.options, 'deploy');
    const savedBefore = w.store.saved.length;
    w.options.registry = {
      ...w.options.registry,
      't/b': { ...w.options.registry['t/b']!, blocksUndo: async (ctx) => `${ctx.outputs.made as string} is gone for good` },
    };
    w.log.length = 0;
    const error = await runRollback(done, w.options).catch((e: unknown) => e);
    expect((error as Error).message).toBe('rollback of deployment abcde is not possible: b-resource is gone for good. Nothing was changed.');
    expect(w.log).toEqual([]); // not even c, which could have been undone
    expect(w.store.saved.length).toBe(savedBefore);
    expect((await w.store.current())?.status).toBe('succeeded');
  });
});
