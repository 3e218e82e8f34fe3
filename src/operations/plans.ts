/**
 * The plans operations show and run, from a strategy's plan or from a journal alone: the new journal,
 * the pause point, the steps a promote or resume would still run and those a rollback would undo. Pure.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { stepsToUndo } from '../engine/states.js';
import type { Journal, StepRecord } from '../engine/types.js';
import { InputError } from '../errors.js';
import type { Plan } from '../strategies/types.js';

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

/** A deployment id: 5 characters of [a-z0-9], short enough for ELB names (32 characters). */
export function newDeploymentId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The step `deploy --pause-before-switch` stops before: the plan's pausePoint, the first that moves traffic. */
export function pausePointOf(plan: Pick<Plan, 'steps'>): Plan['steps'][number] | undefined {
  return plan.steps.find((s) => s.pausePoint === true);
}

/** The id of the plan's pause point; an InputError (nothing changed) when its strategy has none. */
export function requirePausePoint(plan: Plan, config: Pick<Config, 'strategy'>): string {
  const step = pausePointOf(plan);
  if (!step) {
    throw new InputError(
      `strategy ${config.strategy} has no step to pause before (no step of its plan moves traffic to green): --pause-before-switch cannot be used with it; nothing was changed`,
    );
  }
  return step.id;
}

/** The steps a promote (or resume) would run, from the first one not done, as a plan to show and confirm. */
export function remainingPlan(journal: Journal): Plan {
  const steps = journal.steps
    .filter((s) => s.state !== 'done')
    .map(({ id, kind, title, params, creates, changes, waits }) => ({
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

/** The steps a rollback of this journal would undo, newest first, as a plan to show and confirm. */
export function rollbackPlan(journal: Journal): Plan {
  const steps = stepsToUndo(journal).map(({ id, kind, title, params }) => ({ id, kind, title: `Undo: ${title}`, params }));
  return { deploymentId: journal.deploymentId, steps, summary: journal.summary, warnings: [] };
}
