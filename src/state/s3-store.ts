/**
 * The shared state backend (state.s3): the journal and a lease lock in an S3 bucket, so that runs on
 * several machines (CI runners, laptops) see one journal and one lock per service.
 *   <prefix><service>/journal.json              the current (latest) deployment
 *   <prefix><service>/history/<deploymentId>.json earlier deployments
 *   <prefix><service>/lock.json                 the lease: holder, expiresAt
 *
 * Agreement comes from S3's conditional writes alone (docs/state.md):
 *  - the journal is written compare-and-swap on the ETag this process last read or wrote (If-Match), or
 *    create-only (If-None-Match: *) when it saw none; a refused write means another run wrote it, and
 *    this run stops (DeploymentError) rather than overwrite it;
 *  - the lock is created create-only; its holder renews the lease every LEASE_SECONDS / 3 (compare-and-swap)
 *    while it runs. A lock found held is refused (LockedError, exit 3) whether its lease is live or expired:
 *    an expired one is broken only by `bluegreen unlock`, which says whose it was. A holder that cannot renew
 *    before its lease ends, or finds the lock removed or replaced, aborts its run (`lost`) at the next safe point.
 */
import { userInfo } from 'node:os';
import { DeploymentError, InputError, LockedError, type LockHolder } from '../errors.js';
import type { ObjectStorePort } from '../aws/ports.js';
import type { JournalStore, ServiceLock } from '../engine/store.js';
import type { Journal } from '../engine/types.js';
import { ciJobOf } from './ci.js';

/** How long a lease lasts without renewal; renewed every third of it. Not a config key. */
export const LEASE_SECONDS = 60;

export interface S3StateLocation {
  bucket: string;
  /** Ends with / unless empty. */
  prefix: string;
  service: string;
}

export function stateKeys(location: Pick<S3StateLocation, 'prefix' | 'service'>): { journal: string; history: string; lock: string } {
  const base = `${location.prefix}${location.service}/`;
  return { journal: `${base}journal.json`, history: `${base}history/`, lock: `${base}lock.json` };
}

function parse<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(`${where} is not valid JSON; it was not written by bluegreen or was edited by hand`);
  }
}

export class S3JournalStore implements JournalStore {
  private readonly keys: ReturnType<typeof stateKeys>;
  /** The ETag of journal.json as this process last read or wrote it; null: it saw none; undefined: never looked. */
  private etag: string | null | undefined;

  constructor(
    private readonly objects: ObjectStorePort,
    private readonly location: S3StateLocation,
    /** The command to look at the state, for messages ("bluegreen status -c shop.yml"). */
    private readonly statusCommand = 'bluegreen status',
  ) {
    this.keys = stateKeys(location);
  }

  private url(key: string): string {
    return `s3://${this.objects.bucket}/${key}`;
  }

  private changed(what: string): DeploymentError {
    return new DeploymentError(
      `the journal of ${this.location.service} (${this.url(this.keys.journal)}) was changed by another run while this one ${what}; this run stops without overwriting it. See \`${this.statusCommand}\` for the state it left.`,
      { next: this.statusCommand },
    );
  }

  async current(): Promise<Journal | undefined> {
    const object = await this.objects.get(this.keys.journal);
    this.etag = object?.etag ?? null;
    return object ? parse<Journal>(object.body, this.url(this.keys.journal)) : undefined;
  }

  async save(journal: Journal): Promise<void> {
    const body = `${JSON.stringify(journal, null, 2)}\n`;
    const result = await this.objects.put(this.keys.journal, body, this.etag ? { ifMatch: this.etag } : { ifNoneMatch: '*' });
    if (!result.written) throw this.changed('was writing it');
    // S3 always answers the new ETag; if it ever does not, read it back (a later save must compare with it).
    this.etag = result.etag ?? (await this.objects.get(this.keys.journal))?.etag ?? null;
  }

  async archive(): Promise<void> {
    const object = await this.objects.get(this.keys.journal);
    if (!object) {
      if (this.etag) throw this.changed('was moving it to history');
      this.etag = null;
      return;
    }
    if (this.etag !== undefined && this.etag !== object.etag) throw this.changed('was deciding what to do');
    const journal = parse<Journal>(object.body, this.url(this.keys.journal));
    // History first, then the current one removed only if it is still the version copied: a crash between
    // the two leaves it in both places, which history() shows once.
    await this.objects.put(`${this.keys.history}${journal.deploymentId}.json`, object.body);
    const removed = await this.objects.delete(this.keys.journal, object.etag);
    if (!removed.written) throw this.changed('was moving it to history');
    this.etag = null;
  }

  async history(): Promise<Journal[]> {
    const keys = (await this.objects.list(this.keys.history)).filter((k) => k.endsWith('.json'));
    const past = await Promise.all(
      keys.map(async (key) => {
        const object = await this.objects.get(key);
        return object ? parse<Journal>(object.body, this.url(key)) : undefined;
      }),
    );
    const current = await this.current();
    const seen = new Set<string>();
    const all: Journal[] = [];
    for (const journal of [current, ...past]) {
      if (!journal || seen.has(`${journal.deploymentId} ${journal.createdAt}`)) continue;
      seen.add(`${journal.deploymentId} ${journal.createdAt}`);
      all.push(journal);
    }
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

/** lock.json: the holder and its lease. */
export interface LeaseRecord extends LockHolder {
  expiresAt: string;
  leaseSeconds: number;
}

export interface S3LockOptions {
  leaseSeconds?: number;
  /** Milliseconds since the epoch (tests use a fake clock). */
  now?: () => number;
  /** Where the CI job id comes from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  user?: string;
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** "bluegreen deploy (pid 4242 on ci-7, user ci, GitHub Actions run 99, since 2026-...; deployment k3x9a)". */
export function describeHolder(holder: LockHolder): string {
  const who = [`pid ${holder.pid} on ${holder.host}`, holder.user ? `user ${holder.user}` : '', holder.ciJob ?? '', `since ${holder.since}`]
    .filter(Boolean)
    .join(', ');
  return `${holder.command} (${who}${holder.deploymentId ? `; deployment ${holder.deploymentId}` : ''})`;
}

export class S3Lock implements ServiceLock {
  private readonly key: string;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly controller = new AbortController();
  private held?: { record: LeaseRecord; etag: string };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly objects: ObjectStorePort,
    private readonly location: S3StateLocation,
    private readonly unlockCommand: string,
    private readonly options: S3LockOptions = {},
  ) {
    this.key = stateKeys(location).lock;
    this.leaseMs = (options.leaseSeconds ?? LEASE_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Aborted when the lease is lost while held (the reason says how). */
  get lost(): AbortSignal {
    return this.controller.signal;
  }

  private get url(): string {
    return `s3://${this.objects.bucket}/${this.key}`;
  }

  private parseRecord(body: string): LeaseRecord {
    return parse<LeaseRecord>(body, this.url);
  }

  async read(): Promise<LockHolder | undefined> {
    const object = await this.objects.get(this.key);
    return object ? this.parseRecord(object.body) : undefined;
  }

  private locked(holder: LockHolder): LockedError {
    const expires = holder.expiresAt ? Date.parse(holder.expiresAt) : Number.NaN;
    const base = `service ${this.location.service} is locked by ${describeHolder(holder)} in ${this.url}`;
    const message =
      Number.isFinite(expires) && expires <= this.now()
        ? `${base}; its lease expired at ${holder.expiresAt}: that run stopped renewing it (it died or lost its connection to S3). A lock is never taken over by itself: \`${this.unlockCommand}\` breaks it and says whose it was; then \`resume\` or \`rollback\` finish that deployment.`
        : `${base}; its lease runs until ${holder.expiresAt ?? 'unknown'} and is renewed while that run lives. Wait for it to end; if that run is gone for good, break the lock with \`${this.unlockCommand}\`.`;
    return new LockedError(message, holder, this.unlockCommand);
  }

  async acquire(holder: LockHolder, _options: { takeOverDead: boolean }): Promise<{ tookOverFrom?: LockHolder }> {
    // With shared state, "the holder's process no longer exists" cannot be known from here (another
    // machine, or a container with the same host name): a lock is taken over only by `unlock`.
    const user = this.options.user ?? safeUser();
    const ciJob = ciJobOf(this.options.env ?? process.env);
    for (let attempt = 0; attempt < 3; attempt++) {
      const record: LeaseRecord = {
        ...holder,
        ...(user ? { user } : {}),
        ...(ciJob ? { ciJob } : {}),
        expiresAt: new Date(this.now() + this.leaseMs).toISOString(),
        leaseSeconds: this.leaseMs / 1000,
      };
      const result = await this.objects.put(this.key, `${JSON.stringify(record, null, 2)}\n`, { ifNoneMatch: '*' });
      if (result.written) {
        this.held = { record, etag: result.etag ?? (await this.objects.get(this.key))?.etag ?? '' };
        this.schedule();
        return {};
      }
      const current = await this.objects.get(this.key);
      if (current) throw this.locked(this.parseRecord(current.body));
      // Released between our write and the read, or a concurrent write raced ours: try again.
    }
    throw new LockedError(
      `service ${this.location.service}: the lock ${this.url} changes faster than it can be taken (other runs are starting); try again`,
      holder,
      this.unlockCommand,
    );
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.renewing = this.renew().finally(() => (this.renewing = undefined));
    }, this.leaseMs / 3);
    this.timer.unref?.();
  }

  private lose(why: string): void {
    this.held = undefined;
    const status = this.unlockCommand.replace(/\bunlock\b/, 'status');
    this.controller.abort(
      new DeploymentError(
        `the lock of service ${this.location.service} (${this.url}) was lost: ${why}. This run stops at its next safe point; another run may be working on the service now: see \`${status}\``,
        { next: status },
      ),
    );
  }

  /** Extends the lease (compare-and-swap on the ETag it wrote last). */
  private async renew(): Promise<void> {
    const held = this.held;
    if (!held) return;
    const record: LeaseRecord = { ...held.record, expiresAt: new Date(this.now() + this.leaseMs).toISOString() };
    let result;
    try {
      result = await this.objects.put(this.key, `${JSON.stringify(record, null, 2)}\n`, { ifMatch: held.etag });
    } catch (error) {
      if (this.held !== held) return; // released meanwhile
      if (this.now() >= Date.parse(held.record.expiresAt)) {
        this.lose(
          `its lease expired at ${held.record.expiresAt} before it could be renewed (${error instanceof Error ? error.message : String(error)})`,
        );
      } else {
        this.schedule(); // a passing failure: the lease still holds, try again
      }
      return;
    }
    if (this.held !== held) return;
    if (result.written) {
      this.held = { record, etag: result.etag ?? held.etag };
      this.schedule();
      return;
    }
    const now = await this.objects.get(this.key).catch(() => undefined);
    const other = now ? this.parseRecord(now.body) : undefined;
    this.lose(
      other
        ? `it is now held by ${describeHolder(other)} (it was broken with \`unlock\` and taken by another run)`
        : 'it was removed (broken with `unlock`?)',
    );
  }

  async release(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    // Only if it is still the version this run wrote: a lock broken and taken by another run stays.
    await this.objects.delete(this.key, held.etag);
  }

  async breakLock(): Promise<LockHolder | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.objects.get(this.key);
      if (!current) return undefined;
      let holder: LockHolder | undefined;
      try {
        holder = this.parseRecord(current.body);
      } catch {
        holder = undefined; // unreadable: it still blocks, remove it too
      }
      const removed = await this.objects.delete(this.key, current.etag);
      if (removed.written) return holder;
      // Renewed between the read and the delete: read it again.
    }
    const last = await this.read();
    throw new LockedError(
      `the lock ${this.url} was renewed during each attempt to break it: its holder is alive${last ? ` (${describeHolder(last)})` : ''}`,
      last ?? { host: 'unknown', pid: 0, since: '', command: 'unknown' },
    );
  }
}
