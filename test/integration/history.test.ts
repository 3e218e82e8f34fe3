/**
 * `bluegreen history` and `bluegreen iam-policy` through the built CLI, without AWS: journals are written
 * into a state directory with the file store, as deploys leave them (the current one and the archived).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal, StepRecord } from '../../src/engine/types.js';
import type { HistoryEntry } from '../../src/operations.js';
import { policyFor } from '../../src/iam/policy.js';
import { FileJournalStore } from '../../src/state/file-store.js';
import { runCli } from '../support/cli.js';

const CONFIG = `service: shop
strategy: replica-dns
blue:
  autoScalingGroup: shop-blue
release:
  image: ami-0123456789abcdef0
dns:
  hostedZoneId: Z0123456789ABC
  name: shop.example.com
state:
  dir: ./state
`;

const step = (id: string, state: StepRecord['state'], error?: string): StepRecord => ({
  id,
  kind: `replica-dns/${id}`,
  title: `Step ${id}`,
  params: {},
  state,
  outputs: {},
  ...(error ? { error } : {}),
});

function journal(id: string, createdAt: string, seconds: number, rest: Partial<Journal>): Journal {
  return {
    version: 1,
    service: 'shop',
    deploymentId: id,
    strategy: 'replica-dns',
    configDigest: 'sha256:test',
    createdAt,
    updatedAt: new Date(Date.parse(createdAt) + seconds * 1000).toISOString(),
    status: 'succeeded',
    summary: { image: 'ami-0123456789abcdef0' },
    steps: [step('create-launch', 'done'), step('switch-dns', 'done')],
    actor: { user: 'ci', host: 'runner-1', pid: 4242 },
    ...rest,
  };
}

describe('bluegreen history', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-history-'));
    config = join(dir, 'bluegreen.yml');
    await writeFile(config, CONFIG);
    const store = new FileJournalStore(join(dir, 'state'), 'shop');
    // Oldest first, archived as deploy does before it starts the next one.
    await store.save(journal('a1b2c', '2026-11-20T10:00:00.000Z', 312, {}));
    await store.archive();
    await store.save(
      journal('d3e4f', '2026-11-22T09:30:00.000Z', 75, {
        status: 'rolled-back',
        summary: { release: 'commands', image: 'shop-green-d3e4f (image baked from builder shop-green-d3e4f-builder)' },
        actor: { user: 'alice', host: 'laptop', pid: 77 },
        steps: [step('create-launch', 'undone'), step('wait-healthy', 'failed', 'timed out after 300s: 1 of 2 instances InService')],
        error: 'step wait-healthy failed: timed out after 300s. Rolled back.',
      }),
    );
    await store.archive();
    await store.save(
      journal('g5h6i', '2026-11-25T16:00:00.000Z', 20, {
        status: 'running',
        steps: [step('create-launch', 'done'), step('create-load-balancer', 'running'), step('create-group', 'pending')],
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--output json: one JSON array of entries, newest first, with outcome, duration, image, actor and the stopped step', async () => {
    const r = await runCli(['history', '-c', config, '--output', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const entries = JSON.parse(lines[0]!) as HistoryEntry[];
    expect(entries.map((e) => [e.deploymentId, e.status, e.durationSeconds])).toEqual([
      ['g5h6i', 'running', 20],
      ['d3e4f', 'rolled-back', 75],
      ['a1b2c', 'succeeded', 312],
    ]);
    expect(entries[0]!.failedStep).toEqual({ id: 'create-load-balancer', title: 'Step create-load-balancer', state: 'running' });
    expect(entries[1]).toMatchObject({
      startedAt: '2026-11-22T09:30:00.000Z',
      releaseKind: 'commands',
      image: 'shop-green-d3e4f (image baked from builder shop-green-d3e4f-builder)',
      actor: { user: 'alice', host: 'laptop', pid: 77 },
      failedStep: { id: 'wait-healthy', state: 'failed', error: 'timed out after 300s: 1 of 2 instances InService' },
      error: 'step wait-healthy failed: timed out after 300s. Rolled back.',
    });
    expect(entries[2]).toMatchObject({ releaseKind: 'image', image: 'ami-0123456789abcdef0', actor: { user: 'ci', host: 'runner-1', pid: 4242 } });
    expect(entries[2]).not.toHaveProperty('failedStep');
  });

  it('text: a block per deployment, newest first; --limit keeps the newest', async () => {
    const r = await runCli(['history', '-c', config]);
    expect(r.code).toBe(0);
    expect(r.stdout.indexOf('g5h6i')).toBeLessThan(r.stdout.indexOf('d3e4f'));
    expect(r.stdout.indexOf('d3e4f')).toBeLessThan(r.stdout.indexOf('a1b2c'));
    expect(r.stdout).toContain('a1b2c  succeeded  (replica-dns)');
    expect(r.stdout).toContain('Started:  2026-11-20T10:00:00.000Z, took 5m12s');
    expect(r.stdout).toContain('By:       alice@laptop, pid 77');
    expect(r.stdout).toContain('Stopped:  wait-healthy (failed): Step wait-healthy');
    expect(r.stdout).toContain('timed out after 300s: 1 of 2 instances InService');

    const limited = await runCli(['history', '-c', config, '--limit', '1', '--output', 'json']);
    expect(limited.code).toBe(0);
    expect((JSON.parse(limited.stdout) as HistoryEntry[]).map((e) => e.deploymentId)).toEqual(['g5h6i']);
  });

  it('a bad --limit exits 2; a service never deployed says so', async () => {
    const bad = await runCli(['history', '-c', config, '--limit', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a whole number, 1 or more');
    const other = join(dir, 'other.yml');
    await writeFile(other, CONFIG.replace('service: shop', 'service: cart'));
    const none = await runCli(['history', '-c', other]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No deployments yet');
    const json = await runCli(['history', '-c', other, '--output', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});

describe('bluegreen iam-policy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bluegreen-iam-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the config's policy on stdout and the notes on stderr, and one JSON object with --output json", async () => {
    const config = join(dir, 'bluegreen.yml');
    await writeFile(config, CONFIG);
    const r = await runCli(['iam-policy', '-c', config]);
    expect(r.code).toBe(0);
    const expected = policyFor({ strategy: 'replica-dns', release: 'image', alarmGates: false, requestCount: false });
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(r.stderr).toContain('ACCOUNT_ID');
    expect(r.stderr).toContain('iam:CreateServiceLinkedRole');
    const json = await runCli(['iam-policy', '-c', config, '--output', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(json.stdout)).toEqual(expected);
  });

  it('follows the release: commands via ssm adds SSM and image baking', async () => {
    const config = join(dir, 'ssm.yml');
    await writeFile(config, CONFIG.replace('  image: ami-0123456789abcdef0', '  commands: [sudo /opt/shop/update.sh]\n  via: ssm'));
    const r = await runCli(['iam-policy', '-c', config, '--output', 'json']);
    expect(r.code).toBe(0);
    const actions = (JSON.parse(r.stdout) as { Statement: Array<{ Action: string[] }> }).Statement[0]!.Action;
    expect(actions).toEqual(expect.arrayContaining(['ssm:SendCommand', 'ec2:CreateImage', 'ec2:RunInstances', 'route53:ChangeResourceRecordSets']));
  });

  it('a bad config exits 2', async () => {
    const config = join(dir, 'bad.yml');
    await writeFile(config, CONFIG.replace('strategy: replica-dns', 'strategy: teleport'));
    const r = await runCli(['iam-policy', '-c', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
