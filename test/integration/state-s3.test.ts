/**
 * state.s3 through the built CLI against moto: the journal and the lease lock in a bucket (moto 5.2.1
 * honours PutObject If-None-Match: * and If-Match, and DeleteObject If-Match, with 412 PreconditionFailed,
 * as S3 does). Each run gets its own working directory, as two CI runners would: only the bucket joins them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlueStack, configYaml, type BlueStack } from '../support/blue-stack.js';
import { CLI, jsonLines, runCli, type CliResult } from '../support/cli.js';
import { awsEnv, startMoto, type Moto } from '../support/moto.js';

const BUCKET = 'acme-deploy-state';

let moto: Moto;
let env: Record<string, string>;
let s3: S3Client;
const dirs: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  env = awsEnv(moto.endpoint);
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A working directory of its own (a runner) holding a config for the stack with its state in the bucket. */
async function runner(stack: BlueStack, retireAfter = '0s'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bluegreen-s3-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'bluegreen.yml'),
    `${configYaml(stack, { retireAfter })}\nstate:\n  s3:\n    bucket: ${BUCKET}\n    prefix: teams/web/\n`,
  );
  return dir;
}

/** Starts the CLI in a runner's directory; `pid` is known at once, `done` resolves when it exits. */
function start(args: string[], cwd: string, onEvent?: (e: Record<string, unknown>) => void): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end('');
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        onEvent?.(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not an event line
      }
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bluegreen ${args.join(' ')} did not end within 90 s\nstderr:\n${stderr}`));
    }, 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid: child.pid as number, done };
}

async function object(key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await out.Body?.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key as string).sort();
}

describe('state.s3: the journal and a lease lock in a bucket', () => {
  let shop: BlueStack;
  let cart: BlueStack;

  beforeAll(async () => {
    await moto.reset();
    shop = await buildBlueStack(moto.endpoint, { service: 'shop', domain: 'shop.example.com' });
    cart = await buildBlueStack(moto.endpoint, { service: 'cart', domain: 'cart.example.com' });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  }, 60_000);

  it('two deploys of one service started together: exactly one proceeds, the other exits 3 naming the holder', async () => {
    const [a, b] = [await runner(shop, '3s'), await runner(shop, '3s')];
    const args = ['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'];
    const runs = [start(args, a), start(args, b)];
    const results = await Promise.all(runs.map((r) => r.done));
    const winner = results.findIndex((r) => r.code === 0);
    const loser = 1 - winner;
    expect(results.map((r) => r.code).sort(), results.map((r) => r.stderr).join('\n----\n')).toEqual([0, 3]);
    expect(results[loser]!.stderr).toContain(`service shop is locked by bluegreen deploy (pid ${runs[winner]!.pid} on `);
    expect(results[loser]!.stderr).toContain(`in s3://${BUCKET}/teams/web/shop/lock.json; its lease runs until `);
    expect(results[loser]!.stderr).toContain('bluegreen unlock -c bluegreen.yml');
    // The loser changed nothing: no event of a step on its stdout.
    expect(jsonLines(results[loser]!.stdout).filter((e) => String(e.event).startsWith('step.'))).toEqual([]);
    expect(jsonLines(results[winner]!.stdout).find((e) => e.event === 'deployment.finished')).toMatchObject({ status: 'succeeded' });

    // The journal is in the bucket, the lock released; nothing in the runners' directories.
    const journal = JSON.parse((await object('teams/web/shop/journal.json'))!) as { status: string; service: string };
    expect(journal).toMatchObject({ service: 'shop', status: 'succeeded' });
    expect(await keys('teams/web/')).toEqual(['teams/web/shop/journal.json']);
    const status = await runCli(['status', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: b, env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.stringify(jsonLines(status.stdout))).toContain('"status":"succeeded"');
  }, 120_000);

  it('different services never block each other: shop and cart deploy at once', async () => {
    const [s, c] = [await runner(shop, '3s'), await runner(cart, '3s')];
    const args = ['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'];
    const results = await Promise.all([start(args, s).done, start(args, c).done]);
    expect(
      results.map((r) => r.code),
      results.map((r) => r.stderr).join('\n----\n'),
    ).toEqual([0, 0]);
    expect(JSON.parse((await object('teams/web/cart/journal.json'))!)).toMatchObject({ service: 'cart', status: 'succeeded' });
    // shop's earlier deployment moved to history when its second one started.
    const history = await keys('teams/web/shop/history/');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatch(/^teams\/web\/shop\/history\/[a-z0-9]{5}\.json$/);
  }, 120_000);

  it('history reads the journals in the bucket, newest first, from any runner', async () => {
    const dir = await runner(shop);
    const r = await runCli(['history', '--output', 'json', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as Array<{ deploymentId: string; status: string; startedAt: string }>;
    expect(entries.map((e) => e.status)).toEqual(['succeeded', 'succeeded']);
    const current = JSON.parse((await object('teams/web/shop/journal.json'))!) as { deploymentId: string };
    const archived = (await keys('teams/web/shop/history/'))[0]!.replace(/^.*\/|\.json$/g, '');
    expect(entries.map((e) => e.deploymentId)).toEqual([current.deploymentId, archived]);
    expect(entries[0]!.startedAt > entries[1]!.startedAt).toBe(true);
  });

  it('a lease whose holder stopped renewing blocks (exit 3, saying when it expired) until unlock, which says whose it was', async () => {
    const dir = await runner(shop);
    const expired = {
      host: 'ci-runner-9',
      pid: 4242,
      since: '2026-01-05T08:00:00.000Z',
      command: 'bluegreen deploy',
      user: 'ci',
      ciJob: 'GitHub Actions run 77 of acme/shop',
      deploymentId: 'zz9zz',
      expiresAt: '2026-01-05T08:01:00.000Z',
      leaseSeconds: 60,
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'teams/web/shop/lock.json', Body: JSON.stringify(expired) }));

    const refused = await runCli(['resume', '--yes', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(
      'service shop is locked by bluegreen deploy (pid 4242 on ci-runner-9, user ci, GitHub Actions run 77 of acme/shop, since 2026-01-05T08:00:00.000Z; deployment zz9zz)',
    );
    expect(refused.stderr).toContain('its lease expired at 2026-01-05T08:01:00.000Z');
    expect(refused.stderr).toContain('`bluegreen unlock -c bluegreen.yml` breaks it and says whose it was');
    expect(await object('teams/web/shop/lock.json')).toBeDefined();

    const unlock = await runCli(['unlock', '--yes', '-c', 'bluegreen.yml'], { cwd: dir, env });
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain(
      'removed the lock held by pid 4242 on ci-runner-9 (user ci, CI job GitHub Actions run 77 of acme/shop) since 2026-01-05T08:00:00.000Z: bluegreen deploy (deployment zz9zz); lease until 2026-01-05T08:01:00.000Z (expired',
    );
    expect(await object('teams/web/shop/lock.json')).toBeUndefined();
  });

  it('a run whose lock is broken under it stops at its next safe point (lease renewal fails), exit 1', async () => {
    const [a, b] = [await runner(cart, '60s'), await runner(cart)];
    let unlocked: Promise<CliResult> | undefined;
    const run = start(['deploy', '--yes', '--output', 'json', '-c', 'bluegreen.yml'], a, (event) => {
      if (event.event === 'step.started' && event.stepId === 'wait-retire' && !unlocked) {
        unlocked = runCli(['unlock', '--yes', '-c', 'bluegreen.yml'], { cwd: b, env });
      }
    });
    const r = await run.done;
    expect(unlocked, r.stderr).toBeDefined();
    expect((await unlocked!).stdout).toContain(`removed the lock held by pid ${run.pid} on `);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('interrupted at step wait-retire');
    const journal = JSON.parse((await object('teams/web/cart/journal.json'))!) as {
      status: string;
      steps: Array<{ id: string; state: string; error?: string }>;
    };
    expect(journal.status).toBe('failed');
    expect(journal.steps.find((s) => s.id === 'wait-retire')?.error).toMatch(
      /the lock of service cart \(s3:\/\/acme-deploy-state\/teams\/web\/cart\/lock\.json\) was lost: it was removed/,
    );
    // Nothing of blue was touched: retire-blue never ran.
    expect(journal.steps.find((s) => s.id === 'retire-blue')?.state).toBe('pending');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'teams/web/cart/lock.json' }));
  }, 120_000);
});
