/**
 * The sets of step states and deployment statuses that the engine, operations and the janitor decide by,
 * each written once. Pure.
 */
import type { DeploymentStatus, Journal, StepRecord, StepState } from './types.js';

/** Steps a rollback must undo: everything that started and was not undone yet. */
export const TO_UNDO: ReadonlySet<StepState> = new Set<StepState>(['running', 'done', 'failed', 'undoing']);

/** The steps of a journal that a rollback undoes, newest first. */
export function stepsToUndo(journal: Pick<Journal, 'steps'>): StepRecord[] {
  return journal.steps.filter((s) => TO_UNDO.has(s.state)).reverse();
}

/** Deployment statuses after which a deployment needs nothing more (every other one is unfinished). */
export const ENDED: ReadonlySet<DeploymentStatus> = new Set<DeploymentStatus>(['succeeded', 'rolled-back']);

/** A deployment not ended: resume, promote or rollback still has to finish it. */
export function isUnfinished(status: DeploymentStatus): boolean {
  return !ENDED.has(status);
}

/** The step a paused deployment stopped before (its pauseBefore, else its first step not done); undefined unless paused. */
export function pausedStep(journal: Journal): StepRecord | undefined {
  if (journal.status !== 'paused') return undefined;
  return journal.steps.find((s) => s.id === journal.pauseBefore) ?? journal.steps.find((s) => s.state !== 'done');
}
