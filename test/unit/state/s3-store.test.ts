/**
 * The S3 state backend: the adapter (src/aws/sdk/s3.ts) against the SDK's mock, and the journal store and
 * lease lock (src/state/s3-store.ts) against an in-memory bucket with S3's conditional-write rules, with
 * fake timers for the lease renewal.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkObjectStore } from '../../../src/aws/sdk/s3.js';
import type { ObjectStorePort, StoredObject, WriteCondition, WriteResult } from '../../../src/aws/ports.js';
import { AwsCallError, DeploymentError, InputError, LockedError, type LockHolder } from '../../../src/errors.js';
import type { Journal } from '../../../src/engine/types.js';
import { LEASE_SECONDS, S3JournalStore, S3Lock, stateKeys, type LeaseRecord } from '../../../src/state/s3-store.js';
import { ciJobOf } from '../../../src/state/ci.js';
import { openState, runSignal, stateLocation } from '../../../src/state/index.js';
import { STATE_ACTIONS, type StateMethod } from '../../../src/iam/actions.js';
import { allNeeds, policyFor } from '../../../src/iam/policy.js';
import { loadConfig } from '../../../src/config/load.js';
import { awsError } from '../aws/aws-error.js';

// ------------------------------------------------------------------------------------------- the adapter

const s3 = mockClient(S3Client);
const body = (text: string) => ({ transformToString: async () => text }) as never;

describe('SdkObjectStore (S3 adapter)', () => {
  let objects: SdkObjectStore;
  beforeEach(() => {
    s3.reset();
    objects = new SdkObjectStore(new AwsClients({ region: 'us-east-1', maxAttempts: 1 }), 'shop-state');
  });

  it('gets an object with its ETag, and undefined for a missing key', async () => {
    s3.on(GetObjectCommand, { Key: 'p/shop/journal.json' }).resolves({ Body: body('{"a":1}'), ETag: '"e1"' });
    s3.on(GetObjectCommand, { Key: 'p/shop/lock.json' }).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));
    expect(await objects.get('p/shop/journal.json')).toEqual({ body: '{"a":1}', etag: '"e1"' });
    expect(await objects.get('p/shop/lock.json')).toBeUndefined();
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'shop-state', Key: 'p/shop/journal.json' });
  });

  it('sends If-None-Match: * to create and If-Match: <etag> to replace, and returns the new ETag', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e2"' });
    expect(await objects.put('k', 'x', { ifNoneMatch: '*' })).toEqual({ written: true, etag: '"e2"' });
    expect(await objects.put('k', 'y', { ifMatch: '"e2"' })).toEqual({ written: true, etag: '"e2"' });
    const inputs = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ Bucket: 'shop-state', Key: 'k', Body: 'x', IfNoneMatch: '*' });
    expect(inputs[0]).not.toHaveProperty('IfMatch');
    expect(inputs[1]).toMatchObject({ Key: 'k', Body: 'y', IfMatch: '"e2"' });
    expect(inputs[1]).not.toHaveProperty('IfNoneMatch');
  });

  it('answers a failed condition (412), a racing write (409) and If-Match on a missing key (404) without throwing', async () => {
    const precondition = () => awsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    s3.on(PutObjectCommand)
      .rejectsOnce(precondition())
      .rejectsOnce(precondition())
      .rejectsOnce(awsError('ConditionalRequestConflict', 'conflict', 409))
      .rejectsOnce(awsError('NoSuchKey', 'The specified key does not exist.', 404));
    expect(await objects.put('k', 'x', { ifNoneMatch: '*' })).toEqual({ written: false, reason: 'exists' });
    expect(await objects.put('k', 'x', { ifMatch: '"old"' })).toEqual({ written: false, reason: 'changed' });
    expect(await objects.put('k', 'x', { ifNoneMatch: '*' })).toEqual({ written: false, reason: 'conflict' });
    expect(await objects.put('k', 'x', { ifMatch: '"old"' })).toEqual({ written: false, reason: 'missing' });
  });

  it('deletes only the version asked for; a missing object counts as deleted', async () => {
    s3.on(DeleteObjectCommand)
      .rejectsOnce(awsError('PreconditionFailed', 'precondition', 412))
      .rejectsOnce(awsError('NoSuchKey', 'gone', 404))
      .resolves({});
    expect(await objects.delete('k', '"e1"')).toEqual({ written: false, reason: 'changed' });
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'shop-state', Key: 'k', IfMatch: '"e1"' });
    expect(await objects.delete('k', '"e1"')).toEqual({ written: true });
    expect(await objects.delete('k')).toEqual({ written: true });
    expect(s3.commandCalls(DeleteObjectCommand)[2]!.args[0].input).toEqual({ Bucket: 'shop-state', Key: 'k' });
  });

  it('lists every page under a prefix', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/shop/history/a.json' }], IsTruncated: true, NextContinuationToken: 't' })
      .resolvesOnce({ Contents: [{ Key: 'p/shop/history/b.json' }], IsTruncated: false });
    expect(await objects.list('p/shop/history/')).toEqual(['p/shop/history/a.json', 'p/shop/history/b.json']);
    expect(s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input).toMatchObject({ Prefix: 'p/shop/history/', ContinuationToken: 't' });
  });

  it('says which bucket does not exist (exit 2), and names the call and key for any other failure', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist', 404));
    const missing = await objects.get('k').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toMatch(/the S3 bucket shop-state \(state\.s3\.bucket\) does not exist/);
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const denied = await objects.put('p/shop/lock.json', 'x', { ifNoneMatch: '*' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsCallError);
    expect((denied as Error).message).toBe(
      'PutObject on s3://shop-state/p/shop/lock.json failed: AccessDenied: Access Denied (`bluegreen iam-policy -c FILE` prints the permissions bluegreen needs for a config)',
    );
  });
});

// ------------------------------------------------------------------------- an in-memory bucket, like S3

class MemoryBucket implements ObjectStorePort {
  readonly bucket = 'shop-state';
  readonly objects = new Map<string, StoredObject>();
  readonly calls: string[] = [];
  /** Makes the next calls of a method throw (an outage). */
  failing = new Set<string>();

  private fail(method: string): void {
    this.calls.push(`objects.${method}`);
    if (this.failing.has(method)) throw new AwsCallError(method, 'x', 'InternalError', 'We encountered an internal error');
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.fail('get');
    const o = this.objects.get(key);
    return o ? { ...o } : undefined;
  }

  async put(key: string, text: string, condition?: WriteCondition): Promise<WriteResult> {
    this.fail('put');
    const existing = this.objects.get(key);
    if (condition && 'ifNoneMatch' in condition && existing) return { written: false, reason: 'exists' };
    if (condition && 'ifMatch' in condition) {
      if (!existing) return { written: false, reason: 'missing' };
      if (existing.etag !== condition.ifMatch) return { written: false, reason: 'changed' };
    }
    const etag = `"${createHash('md5').update(text).digest('hex')}"`;
    this.objects.set(key, { body: text, etag });
    return { written: true, etag };
  }

  async delete(key: string, ifMatch?: string): Promise<WriteResult> {
    this.fail('delete');
    const existing = this.objects.get(key);
    if (existing && ifMatch && existing.etag !== ifMatch) return { written: false, reason: 'changed' };
    this.objects.delete(key);
    return { written: true };
  }

  async list(prefix: string): Promise<string[]> {
    this.fail('list');
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  json<T>(key: string): T {
    return JSON.parse(this.objects.get(key)!.body) as T;
  }
}

const LOCATION = { bucket: 'shop-state', prefix: 'bluegreen/', service: 'shop' };
const KEYS = stateKeys(LOCATION);
const UNLOCK = 'bluegreen unlock -c shop.yml';

function journal(id: string, createdAt: string, status: Journal['status'] = 'succeeded'): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: id,
    strategy: 'replica-dns',
    configDigest: 'd',
    createdAt,
    updatedAt: createdAt,
    status,
    summary: {},
    steps: [],
  };
}

const holder = (pid: number, command = 'bluegreen deploy'): LockHolder => ({ host: 'ci-7', pid, since: '2026-11-26T10:00:00.000Z', command });

describe('S3JournalStore', () => {
  it('keeps the journal at <prefix><service>/journal.json and earlier ones under history/, newest first', async () => {
    const bucket = new MemoryBucket();
    const store = new S3JournalStore(bucket, LOCATION);
    expect(await store.current()).toBeUndefined();
    await store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    expect(bucket.json<Journal>('bluegreen/shop/journal.json').deploymentId).toBe('aaaaa');
    await store.archive();
    expect(bucket.objects.has(KEYS.journal)).toBe(false);
    expect(bucket.json<Journal>('bluegreen/shop/history/aaaaa.json').deploymentId).toBe('aaaaa');
    await store.save(journal('bbbbb', '2026-01-02T00:00:00.000Z'));
    await store.save({ ...journal('bbbbb', '2026-01-02T00:00:00.000Z'), status: 'failed' });
    expect((await store.history()).map((j) => `${j.deploymentId} ${j.status}`)).toEqual(['bbbbb failed', 'aaaaa succeeded']);
  });

  it('never overwrites a journal another run wrote: the save is refused with a DeploymentError naming the service', async () => {
    const bucket = new MemoryBucket();
    const mine = new S3JournalStore(bucket, LOCATION, 'bluegreen status -c shop.yml');
    const other = new S3JournalStore(bucket, LOCATION);
    await mine.save(journal('aaaaa', '2026-01-01T00:00:00.000Z', 'running'));
    expect((await other.current())?.deploymentId).toBe('aaaaa');
    await other.save(journal('aaaaa', '2026-01-01T00:00:00.000Z', 'rolled-back'));
    const error = await mine.save(journal('aaaaa', '2026-01-01T00:00:00.000Z', 'succeeded')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentError);
    expect((error as Error).message).toBe(
      'the journal of shop (s3://shop-state/bluegreen/shop/journal.json) was changed by another run while this one was writing it; this run stops without overwriting it. See `bluegreen status -c shop.yml` for the state it left.',
    );
    expect(bucket.json<Journal>(KEYS.journal).status).toBe('rolled-back');
  });

  it('a first save creates the journal only if there is none (a store that never read it cannot replace it)', async () => {
    const bucket = new MemoryBucket();
    await new S3JournalStore(bucket, LOCATION).save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    await expect(new S3JournalStore(bucket, LOCATION).save(journal('bbbbb', '2026-01-02T00:00:00.000Z'))).rejects.toThrow(/changed by another run/);
    expect(bucket.json<Journal>(KEYS.journal).deploymentId).toBe('aaaaa');
  });

  it('archive refuses when the journal changed since this run read it, and moves nothing', async () => {
    const bucket = new MemoryBucket();
    const mine = new S3JournalStore(bucket, LOCATION);
    await mine.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    const other = new S3JournalStore(bucket, LOCATION);
    await other.current();
    await other.save(journal('aaaaa', '2026-01-01T00:00:00.000Z', 'rolled-back'));
    await expect(mine.archive()).rejects.toBeInstanceOf(DeploymentError);
    expect(bucket.objects.has(KEYS.journal)).toBe(true);
    expect(await bucket.list(KEYS.history)).toEqual([]);
  });

  it('history shows a journal left both current and archived (a crash between the two writes) once', async () => {
    const bucket = new MemoryBucket();
    const j = journal('aaaaa', '2026-01-01T00:00:00.000Z');
    await bucket.put(KEYS.journal, JSON.stringify(j));
    await bucket.put(`${KEYS.history}aaaaa.json`, JSON.stringify(j));
    await bucket.put(`${KEYS.history}zzzzz.json`, JSON.stringify(journal('zzzzz', '2025-12-01T00:00:00.000Z')));
    expect((await new S3JournalStore(bucket, LOCATION).history()).map((x) => x.deploymentId)).toEqual(['aaaaa', 'zzzzz']);
  });

  it('names the object when the journal is not JSON (exit 2)', async () => {
    const bucket = new MemoryBucket();
    await bucket.put(KEYS.journal, 'not json');
    const error = await new S3JournalStore(bucket, LOCATION).current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^s3:\/\/shop-state\/bluegreen\/shop\/journal\.json is not valid JSON/);
  });
});

describe('S3Lock: a lease', () => {
  const T0 = Date.parse('2026-11-26T10:00:00.000Z');
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const lock = (bucket: MemoryBucket, env: Record<string, string> = {}) => new S3Lock(bucket, LOCATION, UNLOCK, { env, user: 'ana' });

  it('is created only if absent, holding host, pid, user, CI job, command, since and an expiry LEASE_SECONDS ahead', async () => {
    const bucket = new MemoryBucket();
    expect(
      await lock(bucket, { GITHUB_RUN_ID: '991', GITHUB_RUN_ATTEMPT: '2', GITHUB_REPOSITORY: 'acme/shop' }).acquire(holder(11), {
        takeOverDead: false,
      }),
    ).toEqual({});
    expect(bucket.json<LeaseRecord>(KEYS.lock)).toEqual({
      host: 'ci-7',
      pid: 11,
      since: '2026-11-26T10:00:00.000Z',
      command: 'bluegreen deploy',
      user: 'ana',
      ciJob: 'GitHub Actions run 991 attempt 2 of acme/shop',
      expiresAt: '2026-11-26T10:01:00.000Z',
      leaseSeconds: LEASE_SECONDS,
    });
  });

  it('a second run is refused with exit 3, naming the holder and until when its lease runs', async () => {
    const bucket = new MemoryBucket();
    const first = lock(bucket, { CI_JOB_ID: '4242', CI_PROJECT_PATH: 'acme/shop' });
    await first.acquire({ ...holder(11), deploymentId: 'k3x9a' }, { takeOverDead: false });
    const error = await lock(bucket)
      .acquire(holder(12), { takeOverDead: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).exitCode).toBe(3);
    expect((error as LockedError).holder).toMatchObject({ pid: 11, ciJob: 'GitLab job 4242 of acme/shop' });
    expect((error as Error).message).toBe(
      'service shop is locked by bluegreen deploy (pid 11 on ci-7, user ana, GitLab job 4242 of acme/shop, since 2026-11-26T10:00:00.000Z; deployment k3x9a) in s3://shop-state/bluegreen/shop/lock.json; its lease runs until 2026-11-26T10:01:00.000Z and is renewed while that run lives. Wait for it to end; if that run is gone for good, break the lock with `bluegreen unlock -c shop.yml`.',
    );
    await first.release();
  });

  it('an expired lease is still refused (even with takeOverDead): it says when it expired and that unlock takes it over', async () => {
    const bucket = new MemoryBucket();
    // A run on another machine took the lock at T0 and died: nothing renews its lease.
    const dead: LeaseRecord = { ...holder(11), user: 'ana', expiresAt: '2026-11-26T10:01:00.000Z', leaseSeconds: 60 };
    await bucket.put(KEYS.lock, JSON.stringify(dead), { ifNoneMatch: '*' });
    vi.setSystemTime(T0 + 61_000);
    const error = await lock(bucket)
      .acquire(holder(12, 'bluegreen resume'), { takeOverDead: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as Error).message).toBe(
      'service shop is locked by bluegreen deploy (pid 11 on ci-7, user ana, since 2026-11-26T10:00:00.000Z) in s3://shop-state/bluegreen/shop/lock.json; its lease expired at 2026-11-26T10:01:00.000Z: that run stopped renewing it (it died or lost its connection to S3). A lock is never taken over by itself: `bluegreen unlock -c shop.yml` breaks it and says whose it was; then `resume` or `rollback` finish that deployment.',
    );
    expect(bucket.json<LeaseRecord>(KEYS.lock).pid).toBe(11);
    // unlock breaks it and says whose it was; then the lock can be taken.
    expect(await lock(bucket).breakLock()).toMatchObject({ pid: 11, host: 'ci-7', command: 'bluegreen deploy' });
    expect(bucket.objects.has(KEYS.lock)).toBe(false);
    const next = lock(bucket);
    await expect(next.acquire(holder(12, 'bluegreen resume'), { takeOverDead: true })).resolves.toEqual({});
    await next.release();
  });

  it('is renewed every third of the lease while held, and the renewal stops on release', async () => {
    const bucket = new MemoryBucket();
    const held = lock(bucket);
    await held.acquire(holder(11), { takeOverDead: false });
    const puts = () => bucket.calls.filter((c) => c === 'objects.put').length;
    expect(puts()).toBe(1);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(puts()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(puts()).toBe(2);
    expect(bucket.json<LeaseRecord>(KEYS.lock).expiresAt).toBe('2026-11-26T10:01:20.000Z');
    await vi.advanceTimersByTimeAsync(100_000); // 5 more renewals: the lease never lapses while the run lives
    expect(puts()).toBe(7);
    expect(bucket.json<LeaseRecord>(KEYS.lock).expiresAt).toBe('2026-11-26T10:03:00.000Z');
    expect(held.lost.aborted).toBe(false);
    await held.release();
    expect(bucket.objects.has(KEYS.lock)).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(puts()).toBe(7);
  });

  it('a renewal that finds the lock broken and taken by another run aborts this run, naming the new holder', async () => {
    const bucket = new MemoryBucket();
    const mine = lock(bucket);
    await mine.acquire(holder(11), { takeOverDead: false });
    const signal = runSignal(new AbortController().signal, mine);
    await lock(bucket).breakLock();
    const theirs = lock(bucket);
    await theirs.acquire(holder(99, 'bluegreen rollback'), { takeOverDead: false });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DeploymentError);
    expect((signal.reason as Error).message).toBe(
      'the lock of service shop (s3://shop-state/bluegreen/shop/lock.json) was lost: it is now held by bluegreen rollback (pid 99 on ci-7, user ana, since 2026-11-26T10:00:00.000Z) (it was broken with `unlock` and taken by another run). This run stops at its next safe point; another run may be working on the service now: see `bluegreen status -c shop.yml`',
    );
    // Releasing afterwards leaves the other run's lock alone.
    await mine.release();
    expect(bucket.json<LeaseRecord>(KEYS.lock).pid).toBe(99);
    await theirs.release();
  });

  it('renewal failures are retried while the lease holds; past its expiry the run is aborted', async () => {
    const bucket = new MemoryBucket();
    const mine = lock(bucket);
    await mine.acquire(holder(11), { takeOverDead: false });
    bucket.failing.add('put');
    await vi.advanceTimersByTimeAsync(40_000); // two failed renewals, the lease (until +60 s) still holds
    expect(mine.lost.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20_000); // the third at +60 s: expired
    expect(mine.lost.aborted).toBe(true);
    expect((mine.lost.reason as Error).message).toMatch(
      /^the lock of service shop \(s3:\/\/shop-state\/bluegreen\/shop\/lock\.json\) was lost: its lease expired at 2026-11-26T10:01:00\.000Z before it could be renewed \(put on x failed: InternalError/,
    );
    bucket.failing.clear();
    await mine.release();
  });

  it('release deletes only its own version; breakLock removes any and returns its holder, or undefined when free', async () => {
    const bucket = new MemoryBucket();
    expect(await lock(bucket).breakLock()).toBeUndefined();
    const mine = lock(bucket);
    await mine.acquire(holder(11), { takeOverDead: false });
    expect(await mine.read()).toMatchObject({ pid: 11, expiresAt: '2026-11-26T10:01:00.000Z' });
    await mine.release();
    expect(await mine.read()).toBeUndefined();
    await bucket.put(KEYS.lock, 'garbage');
    expect(await lock(bucket).breakLock()).toBeUndefined();
    expect(bucket.objects.has(KEYS.lock)).toBe(false);
  });

  it('only the state port methods the policy allows are called, and the policy scopes them to the bucket and prefix', async () => {
    const bucket = new MemoryBucket();
    const store = new S3JournalStore(bucket, LOCATION);
    const held = lock(bucket);
    await held.acquire(holder(11), { takeOverDead: false });
    await store.current();
    await store.archive();
    await store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    await store.archive();
    await store.save(journal('bbbbb', '2026-01-02T00:00:00.000Z'));
    await store.history();
    await vi.advanceTimersByTimeAsync(20_000);
    await held.release();
    await lock(bucket).breakLock();
    const state = { bucket: 'shop-state', prefix: 'bluegreen/' };
    const policy = policyFor({ ...allNeeds()[0]!, state });
    const allowed = policy.Statement.slice(3).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const called = [...new Set(bucket.calls)] as StateMethod[];
    expect(called.sort()).toEqual(['objects.delete', 'objects.get', 'objects.list', 'objects.put']);
    for (const method of called) for (const action of STATE_ACTIONS[method]) expect(allowed, method).toContain(action);
    expect(policy.Statement.slice(3)).toEqual([
      {
        Sid: 'BluegreenStateObjects',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::shop-state/bluegreen/*',
      },
      { Sid: 'BluegreenStateBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::shop-state' },
    ]);
    // A local state directory needs no S3 permission.
    for (const needs of allNeeds()) expect(JSON.stringify(policyFor(needs))).not.toContain('s3:');
  });
});

describe('choosing the backend', () => {
  it('state.s3 keeps the journal and lock in the bucket; else the local directory', async () => {
    const bucket = new MemoryBucket();
    const s3State = openState(
      { service: 'shop', state: { dir: '/tmp/unused', s3: { bucket: 'shop-state', prefix: 'teams/a/' } } },
      { unlockCommand: UNLOCK, objects: bucket },
    );
    expect(s3State.lock).toBeInstanceOf(S3Lock);
    await s3State.store.save(journal('aaaaa', '2026-01-01T00:00:00.000Z'));
    expect([...bucket.objects.keys()]).toEqual(['teams/a/shop/journal.json']);
    expect(stateLocation({ state: { dir: '/x', s3: { bucket: 'shop-state', prefix: 'teams/a/' } } })).toBe('s3://shop-state/teams/a/');
    const local = openState({ service: 'shop', state: { dir: '/tmp/x' } }, { unlockCommand: UNLOCK });
    expect(local.lock.lost).toBeUndefined();
    expect(stateLocation({ state: { dir: '/tmp/x' } })).toBe('/tmp/x');
  });

  it('the run stops on Ctrl-C or on a lost lease, whichever comes first', () => {
    const ctrlC = new AbortController();
    const lost = new AbortController();
    const signal = runSignal(ctrlC.signal, { lost: lost.signal } as never);
    expect(signal.aborted).toBe(false);
    lost.abort(new Error('lease lost'));
    expect((signal.reason as Error).message).toBe('lease lost');
  });
});

describe('ciJobOf', () => {
  it('names the job of the common CI systems, and nothing outside CI', () => {
    expect(ciJobOf({})).toBeUndefined();
    expect(ciJobOf({ GITHUB_RUN_ID: '7', GITHUB_JOB: 'deploy' })).toBe('GitHub Actions run 7, job deploy');
    expect(ciJobOf({ CI_JOB_ID: '8' })).toBe('GitLab job 8');
    expect(ciJobOf({ BUILD_ID: '9', JOB_NAME: 'shop-deploy', BUILD_URL: 'https://ci/job/9/' })).toBe('build 9 of shop-deploy (https://ci/job/9/)');
    expect(ciJobOf({ CODEBUILD_BUILD_ID: 'shop:1' })).toBe('CodeBuild build shop:1');
    expect(ciJobOf({ GITHUB_RUN_ID: ' ' })).toBeUndefined();
  });
});

describe('config: state.s3', () => {
  const base = `service: shop
region: us-east-1
strategy: replica-dns
blue: { autoScalingGroup: shop-blue }
release: { image: ami-0123456789abcdef0 }
dns: { hostedZoneId: Z0123456789ABC, name: shop.example.com }
`;
  async function load(state: string) {
    const dir = await mkdtemp(join(tmpdir(), 'bluegreen-s3-config-'));
    const file = join(dir, 'bluegreen.yml');
    await writeFile(file, `${base}${state}`);
    return loadConfig(file).then(
      (config) => ({ config, dir }),
      (error: unknown) => ({ error: error as Error, dir }),
    );
  }

  it('takes a bucket, with the prefix bluegreen/ by default; without s3 the state stays in the local directory', async () => {
    const r = await load('state:\n  s3: { bucket: acme-deploy-state }\n');
    expect('config' in r && r.config.state).toEqual({ dir: join(r.dir, '.bluegreen'), s3: { bucket: 'acme-deploy-state', prefix: 'bluegreen/' } });
    const local = await load('');
    expect('config' in local && local.config.state).toEqual({ dir: join(local.dir, '.bluegreen') });
  });

  it('refuses dir and s3 together, and names that break S3 rules, at the line', async () => {
    const both = await load('state:\n  dir: x\n  s3: { bucket: acme-deploy-state }\n');
    expect('error' in both && both.error.message).toMatch(/bluegreen\.yml:9:\d+: state\.s3: give state\.dir or state\.s3, not both/);
    for (const bucket of ['Acme-State', 'ab', 'acme..state', '192.168.1.10', 'xn--acme', 'acme-state-', 'acme-s3alias', `a${'b'.repeat(63)}`]) {
      const r = await load(`state:\n  s3: { bucket: "${bucket}" }\n`);
      expect('error' in r && r.error.message, bucket).toMatch(/state\.s3\.bucket: expected an S3 bucket name/);
    }
    for (const prefix of ['/abs/', 'no-slash', 'a\\tb/']) {
      const r = await load(`state:\n  s3: { bucket: acme-state, prefix: "${prefix}" }\n`);
      expect('error' in r && r.error.message, prefix).toMatch(/state\.s3\.prefix: expected a key prefix ending with \//);
    }
    const empty = await load('state:\n  s3: { bucket: acme.state-1, prefix: "" }\n');
    expect('config' in empty && empty.config.state.s3).toEqual({ bucket: 'acme.state-1', prefix: '' });
  });
});
