/** A past deployment as `bluegreen history` shows it, from its journal alone. Pure. */
import { pausedStep } from '../engine/states.js';
import type { Journal } from '../engine/types.js';
import { readSummary } from '../strategies/summary.js';

/** One past deployment, as `bluegreen history` shows it. */
export interface HistoryEntry {
  deploymentId: string;
  strategy: string;
  status: Journal['status'];
  /** When it started (journal createdAt) and when its journal was last written (updatedAt). */
  startedAt: string;
  updatedAt: string;
  /** updatedAt - startedAt, whole seconds. */
  durationSeconds: number;
  /** "image" or "commands" (as the plan's summary says; "image" when it says nothing). */
  releaseKind: string;
  /** The image deployed, or what was baked, from the plan's summary; undefined when it names none. */
  image?: string;
  actor?: { user?: string; host: string; pid: number };
  /** Unless it succeeded: the step that failed, or the one an interrupted run left running. */
  failedStep?: { id: string; title: string; state: string; error?: string };
  /** The last error, as the user was shown it. */
  error?: string;
  /** A paused deployment: the step it stopped before (promote goes on from there). */
  pausedBefore?: { id: string; title: string };
}

/** Unless it succeeded: the step that failed, else the one an interrupted run left running or undoing. */
function stuckStep(journal: Journal): HistoryEntry['failedStep'] {
  if (journal.status === 'succeeded') return undefined;
  const stuck = journal.steps.find((s) => s.state === 'failed') ?? journal.steps.find((s) => s.state === 'running' || s.state === 'undoing');
  return stuck ? { id: stuck.id, title: stuck.title, state: stuck.state, ...(stuck.error ? { error: stuck.error } : {}) } : undefined;
}

/** A journal as a history entry: pure. */
export function historyEntry(journal: Journal): HistoryEntry {
  const summary = readSummary(journal.summary);
  const seconds = Math.max(0, Math.round((Date.parse(journal.updatedAt) - Date.parse(journal.createdAt)) / 1000));
  const paused = pausedStep(journal);
  const stuck = stuckStep(journal);
  return {
    deploymentId: journal.deploymentId,
    strategy: journal.strategy,
    status: journal.status,
    startedAt: journal.createdAt,
    updatedAt: journal.updatedAt,
    durationSeconds: Number.isFinite(seconds) ? seconds : 0,
    releaseKind: summary.release ?? 'image',
    ...(typeof summary.image === 'string' ? { image: summary.image } : {}),
    ...(journal.actor ? { actor: journal.actor } : {}),
    ...(stuck ? { failedStep: stuck } : {}),
    ...(journal.error ? { error: journal.error } : {}),
    ...(paused ? { pausedBefore: { id: paused.id, title: paused.title } } : {}),
  };
}
