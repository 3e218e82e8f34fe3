/** What `status` reports of a service, from its journal and lock alone. Pure. */
import type { Journal } from '../engine/types.js';
import type { LockHolder } from '../errors.js';
import { readSummary } from '../strategies/summary.js';

export interface StatusReport {
  service: string;
  /** The color serving traffic according to the journal, or undefined before any deployment. */
  liveColor?: string;
  journal?: Journal;
  lock?: LockHolder;
  /** The commands that fit the current deployment's state, e.g. promote and rollback for a paused one. */
  next?: string[];
}

/** Which color is live, by the journal: the traffic step done (and not undone) means the new color. */
export function liveColor(journal: Journal): string | undefined {
  const summary = readSummary(journal.summary);
  const step = journal.steps.find((s) => s.id === (summary.trafficStep ?? 'switch-dns'));
  const moved = step?.state === 'done' || step?.state === 'undoing';
  return moved ? summary.green?.color : summary.blue?.color;
}

/** The commands that fit a deployment's state (none while a run holds the lock or when it ended). */
export function nextCommands(journal: Journal, locked: boolean, command: (verb: string) => string): string[] {
  if (locked) return [];
  switch (journal.status) {
    case 'paused':
      return [command('promote'), command('rollback')];
    case 'running':
    case 'failed':
      return [command('resume'), command('rollback')];
    case 'rolling-back':
    case 'rollback-failed':
      return [command('rollback')];
    default:
      return [];
  }
}

/** The report of a service with this current journal (if any) and lock holder (if held). */
export function statusReport(
  service: string,
  journal: Journal | undefined,
  lock: LockHolder | undefined,
  command: (verb: string) => string,
): StatusReport {
  const color = journal ? liveColor(journal) : undefined;
  const next = journal ? nextCommands(journal, lock !== undefined, command) : [];
  return {
    service,
    ...(color ? { liveColor: color } : {}),
    ...(journal ? { journal } : {}),
    ...(lock ? { lock } : {}),
    ...(next.length > 0 ? { next } : {}),
  };
}
