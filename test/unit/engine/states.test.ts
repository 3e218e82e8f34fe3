/** The step-state and status sets the engine, operations and the janitor share. */
import { describe, expect, it } from 'vitest';
import { ENDED, isUnfinished, pausedStep, stepsToUndo, TO_UNDO } from '../../../src/engine/states.js';
import type { Journal, StepState } from '../../../src/engine/types.js';
import { journalOf } from './journal.js';

const journal = (status: Journal['status'], states: StepState[], pauseBefore?: string) =>
  journalOf(status, states, pauseBefore ? { pauseBefore } : {});

describe('TO_UNDO and stepsToUndo', () => {
  it('undo every step that started and was not undone, newest first', () => {
    expect([...TO_UNDO]).toEqual(['running', 'done', 'failed', 'undoing']);
    const j = journal('failed', ['done', 'undone', 'done', 'failed', 'pending', 'running', 'undoing']);
    expect(stepsToUndo(j).map((s) => s.id)).toEqual(['s6', 's5', 's3', 's2', 's0']);
  });
});

describe('ENDED and isUnfinished', () => {
  it('a deployment that succeeded or was rolled back has ended; every other status is unfinished', () => {
    expect([...ENDED]).toEqual(['succeeded', 'rolled-back']);
    const all: Journal['status'][] = ['running', 'paused', 'succeeded', 'failed', 'rolling-back', 'rolled-back', 'rollback-failed'];
    expect(all.filter(isUnfinished)).toEqual(['running', 'paused', 'failed', 'rolling-back', 'rollback-failed']);
  });
});

describe('pausedStep', () => {
  it('is the step named by pauseBefore', () => {
    expect(pausedStep(journal('paused', ['done', 'pending', 'pending'], 's2'))?.id).toBe('s2');
  });

  it('without pauseBefore, the first step not done', () => {
    expect(pausedStep(journal('paused', ['done', 'pending', 'pending']))?.id).toBe('s1');
  });

  it('is undefined unless the deployment is paused', () => {
    expect(pausedStep(journal('failed', ['done', 'failed'], 's1'))).toBeUndefined();
  });
});
