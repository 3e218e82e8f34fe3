/**
 * The default state backend: a directory beside the config file.
 *   <dir>/<service>/journal.json        the current (latest) deployment, rewritten atomically
 *   <dir>/<service>/history/<id>.json   earlier deployments
 *   <dir>/<service>/lock.json           the lock, created exclusively
 */
import { mkdir, readFile, readdir, rename, open, rmdir, unlink, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError, LockedError, type LockHolder } from '../errors.js';
import type { JournalStore, SaveOptions, ServiceLock } from '../engine/store.js';
import type { Journal } from '../engine/types.js';

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(`${file} is not valid JSON; it was not written by bluegreen or was edited by hand`);
  }
}

/** Distinguishes the temporary files of concurrent writes of one process. */
let writes = 0;

/**
 * Replaces `file` atomically: the text goes to a temporary file beside it (same directory, so the rename
 * is atomic), which is then renamed over it. A reader sees the old or the new content, never a mix, and a
 * killed process leaves one or the other (plus, at worst, a stray `.tmp` file). With `durable` the
 * temporary file is fsynced (fdatasync) before the rename, so the new content also survives a crash of
 * the machine once this returns; without it the rename may be lost to a power cut, leaving the old content.
 */
export async function replaceFile(file: string, text: string, durable: boolean): Promise<void> {
  const tmp = `${file}.${process.pid}.${++writes}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    try {
      await handle.writeFile(text);
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

export class FileJournalStore implements JournalStore {
  private readonly dir: string;
  constructor(stateDir: string, service: string) {
    this.dir = join(stateDir, service);
  }

  get journalFile(): string {
    return join(this.dir, 'journal.json');
  }

  async current(): Promise<Journal | undefined> {
    return readJson<Journal>(this.journalFile);
  }

  async save(journal: Journal, options: SaveOptions = {}): Promise<void> {
    const text = `${JSON.stringify(journal, null, 2)}\n`;
    const durable = options.durable ?? true;
    try {
      await replaceFile(this.journalFile, text, durable);
    } catch (error) {
      // The first save of a service (or its directory removed since): make the directory, once, then again.
      if (!isCode(error, 'ENOENT')) throw error;
      await mkdir(this.dir, { recursive: true });
      await replaceFile(this.journalFile, text, durable);
    }
  }

  async archive(): Promise<void> {
    const journal = await this.current();
    if (!journal) return;
    await mkdir(join(this.dir, 'history'), { recursive: true });
    const stamp = journal.createdAt.replace(/[:.]/g, '-');
    await rename(this.journalFile, join(this.dir, 'history', `${stamp}-${journal.deploymentId}.json`));
  }

  async history(): Promise<Journal[]> {
    let names: string[] = [];
    try {
      names = await readdir(join(this.dir, 'history'));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
    const past = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readJson<Journal>(join(this.dir, 'history', n))));
    const all = [await this.current(), ...past].filter((j): j is Journal => j !== undefined);
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

/** Is a process of this host alive? (EPERM: it exists but is not ours.) */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

export class FileLock implements ServiceLock {
  private readonly file: string;
  private held?: LockHolder;
  /** The first directory this lock created for its file, if any: removed again on release when empty. */
  private createdDir?: string;

  constructor(
    stateDir: string,
    private readonly service: string,
    private readonly unlockCommand: string,
  ) {
    this.file = join(stateDir, service, 'lock.json');
  }

  async read(): Promise<LockHolder | undefined> {
    return readJson<LockHolder>(this.file);
  }

  private async create(holder: LockHolder): Promise<boolean> {
    this.createdDir ??= await mkdir(dirname(this.file), { recursive: true });
    try {
      const handle = await open(this.file, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(holder, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    }
  }

  private locked(holder: LockHolder, extra = ''): LockedError {
    return new LockedError(
      `service ${this.service} is locked by ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since}${holder.deploymentId ? `, deployment ${holder.deploymentId}` : ''})${extra}. If that run is gone, break the lock with \`${this.unlockCommand}\`.`,
      holder,
      this.unlockCommand,
    );
  }

  async acquire(holder: LockHolder, options: { takeOverDead: boolean }): Promise<{ tookOverFrom?: LockHolder }> {
    if (await this.create(holder)) {
      this.held = holder;
      return {};
    }
    const current = await this.read();
    if (!current) {
      // Released between our attempt and the read: try once more.
      if (await this.create(holder)) {
        this.held = holder;
        return {};
      }
      const now = await this.read();
      throw this.locked(now ?? holder);
    }
    const dead = current.host === hostname() && !processAlive(current.pid);
    if (!dead) throw this.locked(current);
    if (!options.takeOverDead) {
      throw this.locked(current, '; that process no longer exists: `resume` or `rollback` take such a lock over');
    }
    // Only one taker-over at a time: a side file created exclusively.
    const claim = `${this.file}.takeover`;
    let handle;
    try {
      handle = await open(claim, 'wx');
    } catch (error) {
      if (isCode(error, 'EEXIST')) throw this.locked(current, '; another run is taking it over');
      throw error;
    }
    try {
      await handle.close();
      const again = await this.read();
      if (!again || again.pid !== current.pid || again.since !== current.since) throw this.locked(again ?? current);
      await unlink(this.file);
      if (!(await this.create(holder))) throw this.locked((await this.read()) ?? current);
      this.held = holder;
      return { tookOverFrom: current };
    } finally {
      await unlink(claim).catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    const current = await this.read();
    if (current && current.pid === this.held.pid && current.since === this.held.since && current.host === this.held.host) {
      await unlink(this.file).catch((error: unknown) => {
        if (!isCode(error, 'ENOENT')) throw error;
      });
    }
    this.held = undefined;
    await this.removeCreatedDirs();
  }

  /**
   * A run that ends without a journal (refused, nothing to do) leaves no trace: the directories the lock
   * made are removed again, innermost first, as long as they are empty.
   */
  private async removeCreatedDirs(): Promise<void> {
    const top = this.createdDir;
    if (!top) return;
    this.createdDir = undefined;
    for (let dir = dirname(this.file); ; dir = dirname(dir)) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false, // not empty (a journal lives there), or gone
      );
      if (!removed || dir === top || dirname(dir) === dir) return;
    }
  }

  async breakLock(): Promise<LockHolder | undefined> {
    const current = await this.read().catch(() => undefined);
    if (!current) {
      // A lock file that is not readable JSON still blocks: remove it too.
      const exists = await stat(this.file).then(
        () => true,
        () => false,
      );
      if (!exists) return undefined;
    }
    await unlink(this.file).catch(() => undefined);
    await unlink(`${this.file}.takeover`).catch(() => undefined);
    return current;
  }
}
