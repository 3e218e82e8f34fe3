/** Where journals and locks live. The engine needs only these; src/state/ implements them. */
import type { LockHolder } from '../errors.js';
import type { Journal } from './types.js';

export interface JournalStore {
  /** The service's current (latest) deployment, or undefined when it never deployed. */
  current(): Promise<Journal | undefined>;
  /** Writes the journal atomically: a reader sees the old or the new version, never a mix. */
  save(journal: Journal): Promise<void>;
  /** Moves the current deployment's journal into history (before a new deployment starts). */
  archive(): Promise<void>;
  /** Past deployments, newest first. */
  history(): Promise<Journal[]>;
}

export interface ServiceLock {
  /**
   * Takes the lock or throws LockedError naming the holder. With takeOverDead, a lock held by a
   * process of this host that no longer exists is taken over and its holder returned.
   */
  acquire(holder: LockHolder, options: { takeOverDead: boolean }): Promise<{ tookOverFrom?: LockHolder }>;
  release(): Promise<void>;
  /** Who holds it now, if anyone. */
  read(): Promise<LockHolder | undefined>;
  /** Removes the lock whoever holds it; returns who held it. */
  breakLock(): Promise<LockHolder | undefined>;
  /**
   * A lease lock (shared state) that can be lost while held: aborted, with the reason, when it could not be
   * renewed or was removed or taken by another run; the run then stops at its next safe point.
   */
  readonly lost?: AbortSignal;
}
