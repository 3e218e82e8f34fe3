import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { FileJournalStore, FileLock, processAlive } from '../../../src/state/file-store.js';
import { LockedError, type LockHolder } from '../../../src/errors.js';
import type { Journal } from '../../../src/engine/types.js';

const dir = () => mkdtemp(join(tmpdir(), 'bluegreen-state-'));
const me = (command = 'bluegreen deploy'): LockHolder => ({ host: hostname(), pid: process.pid, since: new Date().toISOString(), command });

function journal(id: string, createdAt: string): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: id,
    strategy: 'replica-dns',
    configDigest: 'd',
    createdAt,
    updatedAt: createdAt,
    status: 'succeeded',
    summary: {},
    steps: [],
  };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('FileJournalStore', () => {
  it('saves, archives and lists history newest first', async () => {
    const store = new FileJournalStore(await dir(), 'shop');
    expect(await store.current()).toBeUndefined();
    await store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    expect((await store.current())?.deploymentId).toBe('aaaaa');
    await store.archive();
    expect(await store.current()).toBeUndefined();
    await store.save(journal('bbbbb', '2026-01-02T00:00:00.000Z'));
    expect((await store.history()).map((j) => j.deploymentId)).toEqual(['bbbbb', 'aaaaa']);
    expect(JSON.parse(await readFile(store.journalFile, 'utf8')).deploymentId).toBe('bbbbb');
  });

  it('fsyncs a durable save before renaming it into place, and not a save marked durable: false', async () => {
    const store = new FileJournalStore(await dir(), 'shop');
    const probe = await open(new URL(import.meta.url), 'r');
    const handleProto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(handleProto, 'datasync');
    try {
      await store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
      expect(datasync).toHaveBeenCalledTimes(1);
      await store.save({ ...journal('aaaaa', '2026-01-01T00:00:00.000Z'), status: 'running' }, { durable: false });
      expect(datasync).toHaveBeenCalledTimes(1);
      await store.save({ ...journal('aaaaa', '2026-01-01T00:00:00.000Z'), status: 'failed' }, { durable: true });
      expect(datasync).toHaveBeenCalledTimes(2);
    } finally {
      datasync.mockRestore();
    }
    expect((await store.current())?.status).toBe('failed');
    // Only the journal is left: every temporary file was renamed into place.
    expect(await readdir(join(store.journalFile, '..'))).toEqual(['journal.json']);
  });

  it('makes its directory again when it was removed since the last save', async () => {
    const root = await dir();
    const store = new FileJournalStore(root, 'shop');
    await store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    const { rm } = await import('node:fs/promises');
    await rm(join(root, 'shop'), { recursive: true });
    await store.save(journal('bbbbb', '2026-01-02T00:00:00.000Z'));
    expect((await store.current())?.deploymentId).toBe('bbbbb');
  });

  it('names the file when the journal is not JSON', async () => {
    const root = await dir();
    await mkdir(join(root, 'shop'));
    await writeFile(join(root, 'shop', 'journal.json'), '{ half');
    await expect(new FileJournalStore(root, 'shop').current()).rejects.toThrow(/journal\.json is not valid JSON/);
  });
});

describe('FileLock', () => {
  it('lets one holder in and names it to the next', async () => {
    const root = await dir();
    const first = new FileLock(root, 'shop', 'bluegreen unlock -c x.yml');
    const second = new FileLock(root, 'shop', 'bluegreen unlock -c x.yml');
    await first.acquire(me(), { takeOverDead: false });
    const error = await second.acquire(me('bluegreen resume'), { takeOverDead: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as Error).message).toContain(`pid ${process.pid} on ${hostname()}`);
    expect((error as Error).message).toContain('bluegreen unlock -c x.yml');
    await first.release();
    await expect(second.acquire(me(), { takeOverDead: false })).resolves.toEqual({});
  });

  it('removes on release the directories it made when nothing else was written there, and keeps them otherwise', async () => {
    const root = await dir();
    const state = join(root, '.bluegreen');
    const lock = new FileLock(state, 'shop', 'u');
    await lock.acquire(me(), { takeOverDead: false });
    expect(await readdir(join(state, 'shop'))).toEqual(['lock.json']);
    await lock.release();
    expect(await readdir(root)).toEqual([]);

    const kept = new FileLock(state, 'shop', 'u');
    await kept.acquire(me(), { takeOverDead: false });
    await new FileJournalStore(state, 'shop').save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    await kept.release();
    expect(await readdir(join(state, 'shop'))).toEqual(['journal.json']);
  });

  it('does not block other services', async () => {
    const root = await dir();
    await new FileLock(root, 'shop', 'u').acquire(me(), { takeOverDead: false });
    await expect(new FileLock(root, 'cart', 'u').acquire(me(), { takeOverDead: false })).resolves.toEqual({});
  });

  it('takes over a dead holder of this host only when asked', async () => {
    const root = await dir();
    const pid = await deadPid();
    expect(processAlive(pid)).toBe(false);
    const dead: LockHolder = { host: hostname(), pid, since: '2026-01-01T00:00:00.000Z', command: 'bluegreen deploy' };
    await new FileLock(root, 'shop', 'u').acquire(dead, { takeOverDead: false });
    const lock = new FileLock(root, 'shop', 'u');
    await expect(lock.acquire(me(), { takeOverDead: false })).rejects.toThrow(/no longer exists/);
    await expect(lock.acquire(me(), { takeOverDead: true })).resolves.toEqual({ tookOverFrom: dead });
    expect((await lock.read())?.pid).toBe(process.pid);
  });

  it('never takes over a holder on another host', async () => {
    const root = await dir();
    const other: LockHolder = { host: 'ci-runner-7', pid: 999999, since: '2026-01-01T00:00:00.000Z', command: 'bluegreen deploy' };
    await new FileLock(root, 'shop', 'u').acquire(other, { takeOverDead: false });
    await expect(new FileLock(root, 'shop', 'u').acquire(me(), { takeOverDead: true })).rejects.toThrow(/ci-runner-7/);
  });

  it('release leaves a lock that another run holds; breakLock says whose it was', async () => {
    const root = await dir();
    const a = new FileLock(root, 'shop', 'u');
    await a.acquire(me(), { takeOverDead: false });
    const broken = await new FileLock(root, 'shop', 'u').breakLock();
    expect(broken?.pid).toBe(process.pid);
    const b = new FileLock(root, 'shop', 'u');
    const bHolder = { ...me('bluegreen rollback'), since: '2030-01-01T00:00:00.000Z' };
    await b.acquire(bHolder, { takeOverDead: false });
    await a.release(); // a no longer holds it: must not remove b's lock
    expect((await b.read())?.command).toBe('bluegreen rollback');
    expect(await new FileLock(await dir(), 'shop', 'u').breakLock()).toBeUndefined();
  });
});
