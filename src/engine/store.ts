/** Where journals and locks live. The engine needs only these; src/state/ implements them. */
import type { LockHolder } from '../errors.js';
import type { Journal } from './types.js';

export interface JournalStore {
  /** The service's current (latest) deployment, or undefined when it never deployed. */
  current(): Promise<Journal | undefined>;
  /**
   * Writes the journal atomically: a reader sees the old or the new version, never a mix. A save always
   * survives the process (a SIGKILL right after it returns keeps it). `durable` (the default) also makes it
   * survive a crash of the machine before it returns (fsync); the engine passes `durable: false` only for a
   * save that records what already happened and is followed by a durable one before the next change
   * (SaveOptions).
   */
  save(journal: Journal, options?: SaveOptions): Promise<void>;
  /** Moves the current deployment's journal into history (before a new deployment starts). */
  archive(): Promise<void>;
  /** Past deployments, newest first. */
  history(): Promise<Journal[]>;
}

export interface SaveOptions {
  /**
   * Default true: on disk before save returns, also across a power loss. false: the save may be lost to a
   * crash of the machine (not of the process) until the next durable save; for saves whose loss leaves a
   * journal that a SIGKILL at the same moment would leave too (a step done but recorded as running: it is
   * run again, as steps are idempotent).
   */
  durable?: boolean;
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
